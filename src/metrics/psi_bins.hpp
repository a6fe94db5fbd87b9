#pragma once
// The PSI of two samples already counted into the same bins: shared by psi() and csi().

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "riskkit/metrics/metrics.hpp"

namespace riskkit::metrics::detail {

/// One bin's counts in both samples.
struct BinCounts {
  std::string label;
  std::size_t expected = 0;
  std::size_t actual = 0;
};

/// Floors each share at `floor`, renormalises, and sums (a − e)·ln(a / e) over `bins`.
/// `expected_total`/`actual_total` are the sample sizes.
PsiResult psi_from_counts(std::vector<BinCounts> bins, std::size_t expected_total, std::size_t actual_total,
                          double floor);

/// The `bins`-quantile edges of the non-NaN values (duplicates and the minimum dropped).
std::vector<double> quantile_cuts(std::span<const double> values, std::size_t bins);

/// "[lo, hi)" with -inf/inf at the open ends.
std::string interval_label(double lower, double upper);

}  // namespace riskkit::metrics::detail
