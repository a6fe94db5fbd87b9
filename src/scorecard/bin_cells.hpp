#pragma once
// Numeric bins under construction ("cells"): counts per stretch of the sorted values, and
// the merges that shape them — chi-merge, monotonic WOE, minimum bin share.

#include <cstddef>
#include <limits>
#include <vector>

#include "riskkit/scorecard/binning.hpp"

namespace riskkit::scorecard::detail {

/// One numeric bin under construction: [previous cell's upper, upper).
struct Cell {
  double upper = std::numeric_limits<double>::infinity();
  std::size_t count = 0;
  std::size_t bads = 0;
};

/// Totals of the whole sample (numeric, special and missing rows) that WOE shares use.
struct Totals {
  double goods = 0;
  double bads = 0;
};

/// WOE of a bin with `goods`/`bads` rows, smoothed as docs/scorecard.md says.
double woe_of(double goods, double bads, const Totals &totals, double smoothing) noexcept;

/// IV term of the same bin.
double iv_of(double goods, double bads, const Totals &totals, double smoothing) noexcept;

/// Chi-square of the 2×2 table (two neighbouring cells × good/bad).
double chi2_of(const Cell &a, const Cell &b) noexcept;

/// Merges neighbours by lowest chi-square until at most `max_bins` remain and, when
/// `threshold` > 0, no neighbour pair has a chi-square below it.
void chi_merge(std::vector<Cell> &cells, std::size_t max_bins, double threshold);

/// Merges neighbours until WOE follows `direction` (ascending or descending, ties allowed),
/// each time merging the violating pair with the lowest chi-square.
void enforce_monotonic(std::vector<Cell> &cells, Monotonic direction, const Totals &totals, double smoothing);

/// Merges cells holding fewer than `min_count` rows into the neighbour they differ from least.
void merge_small(std::vector<Cell> &cells, double min_count);

/// Information value over the cells alone.
double cells_iv(const std::vector<Cell> &cells, const Totals &totals, double smoothing) noexcept;

}  // namespace riskkit::scorecard::detail
