// Population Stability Index over fixed (training) bins, with a missing bin and a floor.
#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "metrics/psi_bins.hpp"
#include "riskkit/error.hpp"
#include "riskkit/metrics/metrics.hpp"

namespace riskkit::metrics {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

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

namespace detail {

std::string interval_label(double lower, double upper) { return fmt::format("[{}, {})", bound(lower), bound(upper)); }

std::vector<double> quantile_cuts(std::span<const double> values, std::size_t bins) {
  return quantile_edges(values, bins);
}

PsiResult psi_from_counts(std::vector<BinCounts> bins, std::size_t expected_total, std::size_t actual_total,
                          double floor) {
  PsiResult result;
  double e_total = 0, a_total = 0;
  for (BinCounts &c : bins) {
    PsiBin b;
    b.label = std::move(c.label);
    b.expected_count = c.expected;
    b.actual_count = c.actual;
    b.expected_share = std::max(static_cast<double>(c.expected) / static_cast<double>(expected_total), floor);
    b.actual_share = std::max(static_cast<double>(c.actual) / static_cast<double>(actual_total), floor);
    e_total += b.expected_share;
    a_total += b.actual_share;
    result.bins.push_back(std::move(b));
  }
  for (PsiBin &b : result.bins) {
    b.expected_share /= e_total;
    b.actual_share /= a_total;
    b.contribution = (b.actual_share - b.expected_share) * std::log(b.actual_share / b.expected_share);
    result.psi += b.contribution;
  }
  return result;
}

}  // namespace detail

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
  std::vector<detail::BinCounts> counts(n + 1);
  auto bin_of = [&](double x) {
    if (std::isnan(x)) return n;
    return static_cast<std::size_t>(std::upper_bound(cuts.begin(), cuts.end(), x) - cuts.begin());
  };
  for (double x : expected) ++counts[bin_of(x)].expected;
  for (double x : actual) ++counts[bin_of(x)].actual;
  for (std::size_t i = 0; i < n; ++i)
    counts[i].label = detail::interval_label(i ? cuts[i - 1] : -kInf, i < cuts.size() ? cuts[i] : kInf);
  counts[n].label = "missing";
  if (!counts[n].expected && !counts[n].actual) counts.pop_back();
  return detail::psi_from_counts(std::move(counts), expected.size(), actual.size(), floor);
}

}  // namespace riskkit::metrics
