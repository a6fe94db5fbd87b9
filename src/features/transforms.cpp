#include "features/transforms.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace riskkit::detail {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool all_finite(const std::vector<double> &xs) {
  return std::all_of(xs.begin(), xs.end(), [](double x) { return std::isfinite(x); });
}

}  // namespace

std::string check_bins(BinsDefinition &b) {
  if (b.edges.empty()) return "'edges' needs at least one edge";
  if (!all_finite(b.edges)) return "edges must be finite numbers";
  for (std::size_t i = 1; i < b.edges.size(); ++i)
    if (!(b.edges[i - 1] < b.edges[i])) return fmt::format("edges must be strictly increasing (edge {})", i);
  if (b.values.size() != b.edges.size() + 1)
    return fmt::format("{} edges make {} bins, but {} values are given", b.edges.size(), b.edges.size() + 1,
                       b.values.size());
  if (!all_finite(b.values)) return "bin values must be finite numbers";
  if (b.missing && !std::isfinite(*b.missing)) return "'missing' must be a finite number";
  std::sort(b.special.begin(), b.special.end());
  for (std::size_t i = 0; i < b.special.size(); ++i) {
    if (!std::isfinite(b.special[i].first) || !std::isfinite(b.special[i].second))
      return "special values and their outputs must be finite numbers";
    if (i > 0 && b.special[i - 1].first == b.special[i].first)
      return fmt::format("special value {} is given twice", b.special[i].first);
  }
  return {};
}

double apply_bins(const BinsDefinition &b, const Value &x) noexcept {
  if (x.type() != ValueType::number) return b.missing.value_or(kNaN);
  const double v = x.as_number();
  const auto special = std::lower_bound(b.special.begin(), b.special.end(), v,
                                        [](const std::pair<double, double> &e, double k) { return e.first < k; });
  if (special != b.special.end() && special->first == v) return special->second;
  // The number of edges <= v is the bin: x < edges[0] is bin 0, as XGBoost's `x < threshold`.
  const auto bin = std::upper_bound(b.edges.begin(), b.edges.end(), v) - b.edges.begin();
  return b.values[static_cast<std::size_t>(bin)];
}

std::string check_map(CategoryMapDefinition &m) {
  if (m.values.empty()) return "'values' needs at least one category";
  std::sort(m.values.begin(), m.values.end());
  for (std::size_t i = 0; i < m.values.size(); ++i) {
    if (!std::isfinite(m.values[i].second)) return fmt::format("category '{}': value must be finite", m.values[i].first);
    if (i > 0 && m.values[i - 1].first == m.values[i].first)
      return fmt::format("category '{}' is given twice", m.values[i].first);
  }
  if ((m.other && !std::isfinite(*m.other)) || (m.missing && !std::isfinite(*m.missing)))
    return "'other' and 'missing' must be finite numbers";
  return {};
}

double apply_map(const CategoryMapDefinition &m, const Value &x) noexcept {
  if (x.type() != ValueType::string) return m.missing.value_or(kNaN);
  const std::string &s = x.as_string();
  const auto it = std::lower_bound(m.values.begin(), m.values.end(), s,
                                   [](const std::pair<std::string, double> &e, const std::string &k) { return e.first < k; });
  if (it != m.values.end() && it->first == s) return it->second;
  return m.other.value_or(kNaN);
}

}  // namespace riskkit::detail
