// Population Stability Index over fixed (training) bins, with a missing bin and a floor.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "riskkit/error.hpp"
#include "riskkit/metrics/metrics.hpp"

namespace riskkit::metrics {
namespace {

std::vector<double> quantile_edges(std::span<const double> values, std::size_t bins) {
  std::vector<double> sorted;
  sorted.reserve(values.size());
  for (double v : values)
    if (!std::isnan(v)) sorted.push_back(v);
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> edges;
  if (sorted.empty()) return edges;
  for (std::size_t k = 1; k < bins; ++k) {
    const double e = sorted[std::min(sorted.size() - 1, k * sorted.size() / bins)];
    // The smallest value opens no bin: everything would be >= it.
    if (e > sorted.front() && (edges.empty() || e > edges.back())) edges.push_back(e);
  }
  return edges;
}

std::string bound(double x) {
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  return fmt::format("{}", x);
}

}  // namespace

PsiResult psi(std::span<const double> expected, std::span<const double> actual, std::span<const double> edges,
              std::size_t bins, double floor) {
  if (expected.empty() || actual.empty())
    throw Error(ErrorCode::invalid_argument, "psi: both samples need at least one value");
  if (!(floor > 0 && floor < 1)) throw Error(ErrorCode::invalid_argument, "psi: floor must be in (0, 1)");
  std::vector<double> cuts(edges.begin(), edges.end());
  if (cuts.empty()) {
    if (bins < 2) throw Error(ErrorCode::invalid_argument, "psi: bins must be at least 2");
    cuts = quantile_edges(expected, bins);
  }
  for (std::size_t i = 0; i < cuts.size(); ++i)
    if (std::isnan(cuts[i]) || (i && cuts[i] <= cuts[i - 1]))
      throw Error(ErrorCode::invalid_argument, fmt::format("psi: edges must be strictly increasing (edge {})", i));

  const std::size_t n = cuts.size() + 1;  // numeric bins; the missing bin is index n
  std::vector<std::size_t> e_count(n + 1, 0), a_count(n + 1, 0);
  auto bin_of = [&](double x) {
    if (std::isnan(x)) return n;
    return static_cast<std::size_t>(std::upper_bound(cuts.begin(), cuts.end(), x) - cuts.begin());
  };
  for (double x : expected) ++e_count[bin_of(x)];
  for (double x : actual) ++a_count[bin_of(x)];

  PsiResult result;
  const bool has_missing = e_count[n] || a_count[n];
  for (std::size_t i = 0; i <= n; ++i) {
    if (i == n && !has_missing) break;
    PsiBin b;
    b.label = i == n ? "missing"
                     : fmt::format("[{}, {})", bound(i ? cuts[i - 1] : -std::numeric_limits<double>::infinity()),
                                   bound(i < cuts.size() ? cuts[i] : std::numeric_limits<double>::infinity()));
    b.expected_count = e_count[i];
    b.actual_count = a_count[i];
    b.expected_share = std::max(static_cast<double>(e_count[i]) / static_cast<double>(expected.size()), floor);
    b.actual_share = std::max(static_cast<double>(a_count[i]) / static_cast<double>(actual.size()), floor);
    result.bins.push_back(std::move(b));
  }
  double e_total = 0, a_total = 0;
  for (const PsiBin &b : result.bins) {
    e_total += b.expected_share;
    a_total += b.actual_share;
  }
  for (PsiBin &b : result.bins) {
    b.expected_share /= e_total;
    b.actual_share /= a_total;
    b.contribution = (b.actual_share - b.expected_share) * std::log(b.actual_share / b.expected_share);
    result.psi += b.contribution;
  }
  return result;
}

}  // namespace riskkit::metrics
