// CSI and IV over a characteristic's training bins (float32 binning, special and missing bins).
#include <fmt/format.h>

#include "metrics/psi_bins.hpp"
#include "riskkit/error.hpp"
#include "riskkit/metrics/monitoring.hpp"

namespace riskkit::metrics {

PsiResult csi(std::span<const double> expected, std::span<const double> actual, std::span<const double> edges,
              std::span<const double> special, double floor) {
  if (expected.empty() || actual.empty())
    throw Error(ErrorCode::invalid_argument, "csi: both samples need at least one value");
  if (!(floor > 0 && floor < 1)) throw Error(ErrorCode::invalid_argument, "csi: floor must be in (0, 1)");
  // The training binning's bins, without labels: only its bin lookup is used.
  const scorecard::Binning bins = scorecard::binning_from_edges({}, {}, edges, special);

  std::vector<detail::BinCounts> counts(bins.bins.size());
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i].label = bins.bins[i].label();
  for (double x : expected) ++counts[bins.bin_index(x)].expected;
  for (double x : actual) ++counts[bins.bin_index(x)].actual;
  // Numeric bins always count; special and missing bins only when someone is in them.
  const std::size_t numeric = bins.edges.size() + 1;
  std::vector<detail::BinCounts> kept;
  for (std::size_t i = 0; i < counts.size(); ++i)
    if (i < numeric || counts[i].expected || counts[i].actual) kept.push_back(std::move(counts[i]));
  return detail::psi_from_counts(std::move(kept), expected.size(), actual.size(), floor);
}

scorecard::Binning information_value(std::span<const double> values, std::span<const double> labels,
                                     std::span<const double> edges, std::span<const double> special,
                                     double smoothing) {
  return scorecard::binning_from_edges(values, labels, edges, special, smoothing);
}

}  // namespace riskkit::metrics
