#pragma once
/// \file
/// Model-monitoring metrics: AUC, Gini, KS and PSI, as risk teams define them.
///
/// Labels: 1 = bad (the event the score predicts), 0 = good; any other label value is an
/// error. Scores: larger = riskier. Rows whose score is NaN are left out of AUC/KS/Gini
/// (they cannot be ranked); PSI gives them a bin of their own.

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "riskkit/export.hpp"

namespace riskkit::metrics {

/// Area under the ROC curve, with ties counted as half (the Mann–Whitney statistic).
/// Throws Error(invalid_argument) if the spans differ in length, a label is not 0/1, or
/// either class is absent.
RK_API double auc(std::span<const double> scores, std::span<const double> labels);

/// Gini coefficient = 2·AUC − 1.
RK_API double gini(std::span<const double> scores, std::span<const double> labels);

/// Kolmogorov–Smirnov statistic: the largest gap between the cumulative score
/// distributions of bads and goods, evaluated only between distinct score values.
RK_API double ks(std::span<const double> scores, std::span<const double> labels);

/// One bin of a PSI computation.
struct PsiBin {
  std::string label;            ///< "[lo, hi)" with ±inf at the ends, or "missing"
  std::size_t expected_count = 0;
  std::size_t actual_count = 0;
  double expected_share = 0;    ///< after the empty-bin floor
  double actual_share = 0;      ///< after the empty-bin floor
  double contribution = 0;      ///< (actual − expected) · ln(actual / expected)
};

/// The Population Stability Index and its bins.
struct PsiResult {
  double psi = 0;
  std::vector<PsiBin> bins;
};

/// PSI of `actual` against `expected` over the bins given by `edges` (ascending; bin i is
/// [edges[i-1], edges[i]) with −inf/+inf outside; the same `x < edge` convention as trees).
/// NaN values form a "missing" bin, included only when either sample has one. Empty bins
/// take the share `floor` (default 1e-4) so that the logarithm stays finite; shares are
/// then renormalised. With no edges, the edges are the `bins`-quantiles of `expected`
/// (duplicates removed), as monitoring tools do with the training sample.
RK_API PsiResult psi(std::span<const double> expected, std::span<const double> actual,
                     std::span<const double> edges = {}, std::size_t bins = 10, double floor = 1e-4);

}  // namespace riskkit::metrics
