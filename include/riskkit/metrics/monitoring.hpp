#pragma once
/// \file
/// Monitoring beyond one number: characteristic stability (CSI) over the training bins,
/// information value, score-band tables and decision-rate reports.
///
/// Labels: 1 = bad, 0 = good, as in metrics.hpp. All functions are pure and thread-safe.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "riskkit/export.hpp"
#include "riskkit/metrics/metrics.hpp"
#include "riskkit/scorecard/binning.hpp"

namespace riskkit::metrics {

/// Characteristic Stability Index: the PSI of one characteristic's `actual` values against
/// its `expected` (training) values over the training binning's bins — numeric bins from
/// `edges`, one bin per `special` value, and a missing bin (NaN). Values are binned as the
/// scorecard binning does (float32, special values first; docs/scorecard.md). Special and
/// missing bins appear when either sample has rows in them; empty bins take the share
/// `floor` before renormalising, as in psi(). Throws Error(invalid_argument) for empty
/// samples, a floor outside (0, 1) or bad edges/special values.
RK_API PsiResult csi(std::span<const double> expected, std::span<const double> actual,
                     std::span<const double> edges, std::span<const double> special = {}, double floor = 1e-4);

/// Information value of `values` against `labels` over fixed bins (edges, special values,
/// missing), with the binning's WOE smoothing: the Binning carries the per-bin table.
RK_API scorecard::Binning information_value(std::span<const double> values, std::span<const double> labels,
                                            std::span<const double> edges, std::span<const double> special = {},
                                            double smoothing = 0.5);

/// One row of a score-band table.
struct ScoreBand {
  std::string label;             ///< "[lo, hi)" or "missing"
  double lower = 0, upper = 0;   ///< band edges (±inf at the ends; NaN for missing)
  std::size_t count = 0;
  std::size_t bads = 0;
  double bad_rate = 0;           ///< bads / count (NaN for an empty band)
  double share = 0;              ///< count / all rows
  double cumulative_share = 0;   ///< rows in this and the lower bands / all rows
  double cumulative_bads = 0;    ///< bads in this and the lower bands / all bads
  double cumulative_goods = 0;   ///< goods in this and the lower bands / all goods
  double ks = 0;                 ///< |cumulative_bads − cumulative_goods|
};

/// Score bands from the lowest score up: bands [edges[i-1], edges[i]) (−inf/+inf outside),
/// or, with no edges, the `bands`-quantiles of the scores (as psi() chooses them); NaN scores
/// make a last "missing" band. The maximum of `ks` over the numeric bands is the KS
/// statistic at the band edges. Throws Error(invalid_argument) for length mismatch, labels
/// other than 0/1, bad edges, or a sample without bads or goods.
RK_API std::vector<ScoreBand> score_bands(std::span<const double> scores, std::span<const double> labels,
                                          std::span<const double> edges = {}, std::size_t bands = 10);

/// Outcome counts of a set of decisions.
struct DecisionRates {
  std::size_t total = 0;
  std::size_t approve = 0, review = 0, decline = 0, error = 0, other = 0;
  double approve_rate = 0, review_rate = 0, decline_rate = 0;  ///< shares of the decided rows (total − error)
  double error_rate = 0;                                       ///< share of all rows
  double automated_rate = 0;  ///< (approve + decline) / decided: the share decided without manual review
};

/// Counts outcomes ("approve", "review", "decline", "error"; anything else is `other`).
/// Rates are NaN when there is nothing to divide by.
RK_API DecisionRates decision_rates(std::span<const std::string> outcomes);

}  // namespace riskkit::metrics
