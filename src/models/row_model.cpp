#include "models/row_model.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/parallel.hpp"
#include "riskkit/error.hpp"

namespace riskkit::detail {

void RowModel::check(const char *what, const float *rows, std::size_t nrow, std::size_t ncol,
                     const double *out) const {
  if (ncol != num_features())
    throw Error(ErrorCode::invalid_argument,
                fmt::format("{}: rows have {} columns, the {} model has {} features", what, ncol, kind(),
                            num_features()));
  if (nrow > 0 && (rows == nullptr || out == nullptr))
    throw Error(ErrorCode::invalid_argument, fmt::format("{}: null rows or output buffer", what));
}

void RowModel::predict(const float *rows, std::size_t nrow, std::size_t ncol, const PredictOptions &options,
                       double *out) const {
  check("predict", rows, nrow, ncol, out);
  if (nrow == 1) return predict_rows(rows, 1, options, out);  // the single-decision path: no std::function
  const std::size_t k = num_outputs();
  for_each_chunk(nrow, options.nthread, min_rows_per_thread(), [&](std::size_t begin, std::size_t end) {
    predict_rows(rows + begin * ncol, end - begin, options, out + begin * k);
  });
}

void RowModel::contributions(const float *rows, std::size_t nrow, std::size_t ncol, const PredictOptions &options,
                             double *out) const {
  check("contributions", rows, nrow, ncol, out);
  const std::size_t stride = num_outputs() * (ncol + 1);
  // TreeSHAP costs ~100x a prediction per row, so much smaller chunks already pay off.
  for_each_chunk(nrow, options.nthread, std::max<std::size_t>(1, min_rows_per_thread() / 64),
                 [&](std::size_t begin, std::size_t end) {
                   contribution_rows(rows + begin * ncol, end - begin, options, out + begin * stride);
                 });
}

}  // namespace riskkit::detail
