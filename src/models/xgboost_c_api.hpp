#pragma once
// The reference backend: XGBoost's own C API (the only place riskkit includes it), used to
// check the native evaluator and to compare speed. Not the default path.

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "riskkit/models/model.hpp"

namespace riskkit::detail {

/// Loads an XGBoost JSON or UBJSON model into an XGBoost booster. The model's predict()
/// and contributions() return XGBoost's own outputs (float32 widened to double); calls are
/// serialised by a mutex because the C API's thread-safety is not documented.
/// Throws Error(invalid_model) with XGBoost's message, prefixed by `origin`.
std::shared_ptr<const Model> load_xgboost_c_api(const void *data, std::size_t size, const std::string &origin);

/// A model trained by the XGBoost C API, saved in both formats.
struct TrainedXGBoost {
  std::string json;
  std::string ubj;
};

/// Trains `rounds` boosting rounds with `params` (e.g. {"objective", "binary:logistic"})
/// on row-major `x` (NaN = missing) and labels `y`. Deterministic for a fixed "seed"
/// param; used by tests and benchmarks to generate models in-process.
TrainedXGBoost train_xgboost(const float *x, const float *y, std::size_t nrow, std::size_t ncol,
                             const std::vector<std::pair<std::string, std::string>> &params, int rounds);

}  // namespace riskkit::detail
