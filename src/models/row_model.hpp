#pragma once
// The part of every native model that is not about the model: argument checks and
// splitting a batch over threads. Subclasses score contiguous runs of rows.

#include <cstddef>

#include "riskkit/models/model.hpp"

namespace riskkit::detail {

/// A Model whose rows are independent: predict() and contributions() check their
/// arguments, then hand chunks of rows to predict_rows()/contribution_rows() on up to
/// `options.nthread` threads.
class RowModel : public Model {
 public:
  void predict(const float *rows, std::size_t nrow, std::size_t ncol, const PredictOptions &options,
               double *out) const final;
  void contributions(const float *rows, std::size_t nrow, std::size_t ncol, const PredictOptions &options,
                     double *out) const final;

 protected:
  /// Writes `nrow * num_outputs()` values for the rows at `rows` (ncol = num_features()).
  /// Called concurrently on disjoint rows; must not throw for any input values.
  virtual void predict_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                            double *out) const = 0;
  /// Writes `nrow * num_outputs() * (num_features() + 1)` contributions.
  virtual void contribution_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                                 double *out) const = 0;
  /// Rows a thread should get at least for starting it to pay off.
  virtual std::size_t min_rows_per_thread() const noexcept { return 1024; }

 private:
  void check(const char *what, const float *rows, std::size_t nrow, std::size_t ncol, const double *out) const;
};

}  // namespace riskkit::detail
