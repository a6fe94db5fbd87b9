// IRLS for logistic regression. Each Newton step needs the gradient Aᵀ(y − p) and the
// Hessian AᵀWA of the design A = [1 | X]; they are summed over a fixed number of row blocks
// (one accumulator per block, added in block order) so the result is the same whatever the
// thread count, and A·√w is formed only for small sub-blocks, never for the whole sample.
#include "riskkit/scorecard/logistic.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Dense>
#include <fmt/format.h>

#include "core/parallel.hpp"
#include "riskkit/error.hpp"

namespace riskkit::scorecard {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using ConstMatrix = Eigen::Map<const MatrixXd>;
using ConstVector = Eigen::Map<const VectorXd>;

constexpr std::size_t kSubBlock = 256;

// ln(1 + e^x) without overflow.
double log1p_exp(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }
double sigmoid(double x) { return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x)); }

struct Sums {
  MatrixXd hessian;  // lower triangle
  VectorXd gradient;
  double log_likelihood = 0;
};

class Problem {
 public:
  Problem(ConstMatrix x, ConstVector y, bool intercept, int nthread)
      : x_(x), y_(y), intercept_(intercept), nthread_(nthread), dim_(x.cols() + (intercept ? 1 : 0)) {
    const auto n = static_cast<std::size_t>(x.rows());
    blocks_ = std::clamp<std::size_t>(n / 16384, 1, 64);
  }

  Eigen::Index dim() const { return dim_; }

  // Log-likelihood and, if `derivatives`, gradient and Hessian at `beta` (intercept first).
  Sums evaluate(const VectorXd &beta, bool derivatives) const {
    std::vector<Sums> parts(blocks_);
    const auto n = static_cast<std::size_t>(x_.rows());
    riskkit::detail::for_each_chunk(blocks_, nthread_, 1, [&](std::size_t begin, std::size_t end) {
      for (std::size_t b = begin; b < end; ++b) parts[b] = block(beta, b * n / blocks_, (b + 1) * n / blocks_, derivatives);
    });
    Sums total = std::move(parts[0]);
    for (std::size_t b = 1; b < blocks_; ++b) {
      total.log_likelihood += parts[b].log_likelihood;
      if (derivatives) {
        total.hessian += parts[b].hessian;
        total.gradient += parts[b].gradient;
      }
    }
    if (derivatives) {
      const MatrixXd full = total.hessian.selfadjointView<Eigen::Lower>();
      total.hessian = full;
    }
    return total;
  }

 private:
  Sums block(const VectorXd &beta, std::size_t begin, std::size_t end, bool derivatives) const {
    Sums s;
    if (derivatives) {
      s.hessian = MatrixXd::Zero(dim_, dim_);
      s.gradient = VectorXd::Zero(dim_);
    }
    const Eigen::Index p = x_.cols();
    MatrixXd a(static_cast<Eigen::Index>(kSubBlock), dim_);
    VectorXd residual(static_cast<Eigen::Index>(kSubBlock)), weight(static_cast<Eigen::Index>(kSubBlock));
    for (std::size_t r0 = begin; r0 < end; r0 += kSubBlock) {
      const auto len = static_cast<Eigen::Index>(std::min(kSubBlock, end - r0));
      const auto start = static_cast<Eigen::Index>(r0);
      auto rows = a.topRows(len);
      if (intercept_) rows.col(0).setOnes();
      rows.rightCols(p) = x_.middleRows(start, len);
      const VectorXd eta = rows * beta;
      for (Eigen::Index i = 0; i < len; ++i) {
        const double yi = y_(start + i), e = eta(i);
        s.log_likelihood += yi * e - log1p_exp(e);
        if (derivatives) {
          const double pi = sigmoid(e);
          residual(i) = yi - pi;
          weight(i) = std::sqrt(pi * (1 - pi));
        }
      }
      if (!derivatives) continue;
      s.gradient.noalias() += rows.transpose() * residual.head(len);
      rows = weight.head(len).asDiagonal() * rows;  // A·√w: the Hessian is (A√w)ᵀ(A√w)
      s.hessian.selfadjointView<Eigen::Lower>().rankUpdate(rows.transpose());
    }
    return s;
  }

  ConstMatrix x_;
  ConstVector y_;
  bool intercept_;
  int nthread_;
  Eigen::Index dim_;
  std::size_t blocks_ = 1;
};

void check(std::span<const double> x, std::size_t nrow, std::size_t ncol, std::span<const double> y,
           const LogisticOptions &o) {
  if (x.size() != nrow * ncol)
    throw Error(ErrorCode::invalid_argument, fmt::format("fit_logistic: {} values for {} × {}", x.size(), nrow, ncol));
  if (y.size() != nrow)
    throw Error(ErrorCode::invalid_argument, fmt::format("fit_logistic: {} labels for {} rows", y.size(), nrow));
  if (nrow == 0) throw Error(ErrorCode::invalid_argument, "fit_logistic: no rows");
  if (!(o.l2 >= 0) || !std::isfinite(o.l2)) throw Error(ErrorCode::invalid_argument, "fit_logistic: l2 must be >= 0");
  if (o.max_iter < 1) throw Error(ErrorCode::invalid_argument, "fit_logistic: max_iter must be at least 1");
  for (std::size_t i = 0; i < nrow; ++i)
    if (y[i] != 0 && y[i] != 1)
      throw Error(ErrorCode::invalid_argument, fmt::format("fit_logistic: label {} at row {} is not 0 or 1", y[i], i));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x[i]))
      throw Error(ErrorCode::invalid_argument,
                  fmt::format("fit_logistic: feature {} at row {} is not finite", i / nrow, i % nrow));
}

}  // namespace

LogisticFit fit_logistic(std::span<const double> x, std::size_t nrow, std::size_t ncol, std::span<const double> y,
                         const LogisticOptions &o) {
  check(x, nrow, ncol, y, o);
  const auto n = static_cast<Eigen::Index>(nrow), p = static_cast<Eigen::Index>(ncol);
  const Problem problem(ConstMatrix(x.data(), n, p), ConstVector(y.data(), n), o.fit_intercept, o.nthread);
  const Eigen::Index dim = problem.dim(), off = o.fit_intercept ? 1 : 0;
  VectorXd penalty = VectorXd::Constant(dim, o.l2);
  if (off) penalty(0) = 0;
  const auto objective = [&](const Sums &s, const VectorXd &b) {
    return s.log_likelihood - 0.5 * (penalty.array() * b.array().square()).sum();
  };

  LogisticFit fit;
  VectorXd beta = VectorXd::Zero(dim);
  Sums sums = problem.evaluate(beta, true);
  for (fit.iterations = 1; fit.iterations <= o.max_iter; ++fit.iterations) {
    const VectorXd gradient = sums.gradient - penalty.cwiseProduct(beta);
    MatrixXd hessian = sums.hessian;
    hessian.diagonal() += penalty;
    Eigen::LDLT<MatrixXd> ldlt(hessian);
    VectorXd step = ldlt.info() == Eigen::Success && ldlt.isPositive() ? VectorXd(ldlt.solve(gradient))
                                                                      : VectorXd(hessian.completeOrthogonalDecomposition().solve(gradient));
    // Step halving: a Newton step must not lower the penalised log-likelihood.
    const double before = objective(sums, beta);
    VectorXd next = beta + step;
    Sums at_next = problem.evaluate(next, false);
    for (int halvings = 0; halvings < 30 && !(objective(at_next, next) >= before - 1e-12 * std::abs(before)); ++halvings) {
      step *= 0.5;
      next = beta + step;
      at_next = problem.evaluate(next, false);
    }
    beta = next;
    sums = problem.evaluate(beta, true);
    if ((step.array().abs() <= o.tol * (1 + beta.array().abs())).all()) {
      fit.converged = true;
      break;
    }
  }
  fit.iterations = std::min(fit.iterations, o.max_iter);
  fit.intercept = off ? beta(0) : 0;
  fit.coefficients.assign(beta.data() + off, beta.data() + dim);
  fit.log_likelihood = sums.log_likelihood;

  const double nan = std::numeric_limits<double>::quiet_NaN();
  fit.std_errors.assign(static_cast<std::size_t>(dim), nan);
  fit.z_values = fit.p_values = fit.std_errors;
  MatrixXd hessian = sums.hessian;
  hessian.diagonal() += penalty;
  Eigen::LDLT<MatrixXd> ldlt(hessian);
  const bool definite = ldlt.info() == Eigen::Success && ldlt.isPositive() &&
                        ldlt.vectorD().minCoeff() > 1e-12 * ldlt.vectorD().maxCoeff();
  // A singular Hessian at the end means no unique finite optimum: separated classes
  // (probabilities driven to exactly 0 or 1) or collinear features.
  if (!definite) fit.converged = false;
  if (o.l2 == 0 && fit.converged) {
    const MatrixXd covariance = ldlt.solve(MatrixXd::Identity(dim, dim));
    for (Eigen::Index j = 0; j < dim; ++j) {
      const auto k = static_cast<std::size_t>(j);
      fit.std_errors[k] = std::sqrt(covariance(j, j));
      fit.z_values[k] = beta(j) / fit.std_errors[k];
      fit.p_values[k] = std::erfc(std::abs(fit.z_values[k]) / std::sqrt(2.0));
    }
  }
  return fit;
}

}  // namespace riskkit::scorecard
