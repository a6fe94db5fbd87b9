#pragma once
/// \file
/// Binning for scorecard development: equal-frequency or chi-merge bins of one numeric
/// characteristic, monotonic weight of evidence, special values and a missing bin, WOE
/// and information value per bin and per characteristic.
///
/// Conventions (docs/scorecard.md):
/// - Labels: 1 = bad, 0 = good; anything else is an error.
/// - Values are compared as float32, exactly as riskkit's models compare them: bin i of
///   `edges` is `edges[i-1] <= x < edges[i]` (−inf/+inf outside), so a value on an edge
///   falls in the upper bin. Edges are float32 values (stored as double).
/// - NaN is missing and has a bin of its own; each special value (a bureau's −1 = "no
///   file") has a bin of its own too, matched on its float32 value before the edges.
/// - WOE = ln(share of goods / share of bads) (Siddiqi): positive means safer than
///   average. A bin without goods or without bads adds `smoothing` to both of its counts
///   (its WOE stays finite); an empty bin has WOE 0.
/// - IV = Σ (share of goods − share of bads) · WOE over all bins.
///
/// Thread safety: a Binning is an immutable value; its methods are const and may be
/// called from any number of threads.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "riskkit/export.hpp"

namespace riskkit::scorecard {

/// How the initial numeric bins are found.
enum class BinningMethod {
  quantile,  ///< equal-frequency bins (`max_bins` quantiles of the non-missing, non-special values)
  chimerge,  ///< `initial_bins` equal-frequency pre-bins (cut as `quantile` cuts, so rare values
             ///< are pooled with their neighbours) merged by lowest chi-square down to `max_bins`
  fixed,     ///< the caller's `edges`
};

/// The direction WOE must follow over the numeric bins (left to right).
enum class Monotonic {
  none,        ///< no constraint
  ascending,   ///< WOE rises with the value (higher value = safer)
  descending,  ///< WOE falls as the value rises (higher value = riskier)
  automatic,   ///< the direction of the count-weighted trend of the initial bins' bad rates
};

/// Options of fit_binning(); the defaults suit a typical application characteristic.
struct BinningOptions {
  BinningMethod method = BinningMethod::chimerge;
  std::size_t max_bins = 10;        ///< at most this many numeric bins (special and missing bins extra)
  std::size_t initial_bins = 400;   ///< chi-merge equal-frequency pre-bins (rare values pooled; docs/scorecard.md)
  double min_bin_share = 0.0;       ///< merge numeric bins holding less than this share of the rows (0 = off)
  double chi2_threshold = 0.0;      ///< chi-merge also merges while a neighbour pair's chi-square is below this
  Monotonic monotonic = Monotonic::automatic;
  std::vector<double> edges;        ///< for BinningMethod::fixed: strictly increasing finite edges
  std::vector<double> special;      ///< special values, each with its own bin
  double smoothing = 0.5;           ///< added to a bin's good and bad counts when one of them is 0
};

/// What a bin holds.
enum class BinKind { numeric, special, missing };

/// One bin with its training statistics.
struct RK_API Bin {
  BinKind kind = BinKind::numeric;
  double lower = 0;             ///< numeric: inclusive lower edge (−inf for the first bin)
  double upper = 0;             ///< numeric: exclusive upper edge (+inf for the last bin)
  double value = 0;             ///< special: the special value
  std::size_t count = 0;        ///< training rows in the bin
  std::size_t bads = 0;         ///< of which bad (label 1)
  double woe = 0;               ///< ln(share of goods / share of bads), smoothed as documented
  double iv = 0;                ///< the bin's share of the information value
  std::string label() const;    ///< "[lo, hi)", "special -1" or "missing"
};

/// A fitted binning: edges, special values and per-bin statistics.
///
/// `bins` lists the numeric bins (edges.size() + 1, left to right), then one bin per
/// special value (in the order given), then the missing bin — every bin is always there,
/// empty ones with count 0 and WOE 0.
struct RK_API Binning {
  std::vector<double> edges;    ///< float32 values, strictly increasing
  std::vector<double> special;  ///< float32 values, distinct
  std::vector<Bin> bins;
  double iv = 0;                ///< information value of the characteristic
  Monotonic direction = Monotonic::none;  ///< the WOE direction enforced (none if not asked)

  /// Index into `bins` of the bin `x` falls in (special first, then NaN → missing, then edges).
  std::size_t bin_index(double x) const noexcept;
  /// The WOE of `x`'s bin.
  double woe(double x) const noexcept { return bins[bin_index(x)].woe; }
  /// WOE of each value of `x` into `out` (same length; throws Error(invalid_argument) otherwise).
  void transform(std::span<const double> x, std::span<double> out) const;
  /// Index of the missing bin (the last one).
  std::size_t missing_index() const noexcept { return bins.size() - 1; }
};

/// Bins one characteristic `x` against labels `y` (1 = bad, 0 = good).
/// Throws Error(invalid_argument) for length mismatch, labels other than 0/1, bad options
/// (max_bins < 1, non-increasing or non-finite fixed edges, NaN special values).
RK_API Binning fit_binning(std::span<const double> x, std::span<const double> y, const BinningOptions &options = {});

/// The statistics of `x`/`y` over given edges and special values (no merging): the
/// binning a monitoring job recomputes on new data with the training bins.
RK_API Binning binning_from_edges(std::span<const double> x, std::span<const double> y,
                                  std::span<const double> edges, std::span<const double> special = {},
                                  double smoothing = 0.5);

/// Bins many characteristics at once on up to `nthread` threads (0 = all cores); `columns[j]`
/// is characteristic j (each as long as `y`). Results are identical to calling
/// fit_binning() on each column. An exception from any column is rethrown here.
RK_API std::vector<Binning> fit_binnings(std::span<const std::span<const double>> columns, std::span<const double> y,
                                         const BinningOptions &options = {}, int nthread = 0);

}  // namespace riskkit::scorecard
