#pragma once
/// \file
/// Logistic regression for scorecards (typically on WOE features), fitted by iteratively
/// reweighted least squares (Newton–Raphson) with an optional L2 penalty.
///
/// The fit minimises  −Σ [yᵢ·ηᵢ − ln(1 + e^ηᵢ)] + (l2 / 2)·Σ βⱼ²  with ηᵢ = α + Σ βⱼ·xᵢⱼ
/// (the intercept α is not penalised) — scikit-learn's LogisticRegression with
/// `C = 1 / l2` (`penalty=None` for l2 = 0). Labels: 1 = bad, 0 = good.
///
/// Thread safety: fit_logistic is a pure function; it may run on several threads at once.
/// Results do not depend on the thread count (rows are summed in a fixed block order).

#include <cstddef>
#include <span>
#include <vector>

#include "riskkit/export.hpp"

namespace riskkit::scorecard {

/// Options of fit_logistic().
struct LogisticOptions {
  double l2 = 0;              ///< ridge penalty (sklearn's 1/C); 0 = unpenalised
  bool fit_intercept = true;  ///< fit α (else α = 0)
  int max_iter = 100;         ///< Newton steps at most
  double tol = 1e-10;         ///< converged when every step |Δβ| ≤ tol·(1 + |β|)
  int nthread = 0;            ///< threads for the row sums (0 = all cores)
};

/// A fitted logistic regression.
///
/// `std_errors`, `z_values` and `p_values` hold the intercept first (when fitted), then one
/// entry per coefficient. They come from the inverse Hessian at the solution (Wald test,
/// two-sided p = erfc(|z|/√2)) and are defined only for an unpenalised fit whose Hessian is
/// positive definite; otherwise they are NaN.
struct LogisticFit {
  double intercept = 0;
  std::vector<double> coefficients;
  std::vector<double> std_errors;
  std::vector<double> z_values;
  std::vector<double> p_values;
  double log_likelihood = 0;  ///< at the solution, without the penalty
  int iterations = 0;
  bool converged = false;     ///< false after max_iter steps, or when the Hessian at the end is singular
                              ///< (separated classes or collinear features: no unique finite optimum)
};

/// Fits η = α + X·β to labels `y`. `x` is column-major: column j (feature j) is
/// `x[j * nrow, (j + 1) * nrow)`. Throws Error(invalid_argument) if the sizes disagree,
/// a label is not 0/1, a feature value is not finite, or options are out of range.
RK_API LogisticFit fit_logistic(std::span<const double> x, std::size_t nrow, std::size_t ncol,
                                std::span<const double> y, const LogisticOptions &options = {});

}  // namespace riskkit::scorecard
