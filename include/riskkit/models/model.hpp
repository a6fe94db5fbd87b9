#pragma once
/// \file
/// Models: tree ensembles (XGBoost JSON/UBJSON, LightGBM text), logistic regression and
/// scorecards, behind one interface. Every model reads rows of float32 features, exactly
/// as XGBoost casts them (LightGBM models widen them to double, as LightGBM does), with
/// NaN (and optionally a caller-chosen sentinel) as missing.

#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "riskkit/export.hpp"

namespace riskkit {

/// Which output predict() writes. Values match RK_OUTPUT_*.
enum class PredictOutput : int {
  value = 0,   ///< the objective's output: a probability for binary:logistic; a scorecard's probability of bad
  margin = 1,  ///< the raw score before the link function: log-odds for logistic models, points for a scorecard
};

/// Options of predict() and contributions().
struct PredictOptions {
  PredictOutput output = PredictOutput::value;
  /// Threads for batches: 0 = all cores, 1 = the calling thread only.
  int nthread = 0;
  /// A value treated as missing in addition to NaN (NaN itself = no extra sentinel).
  float missing = std::numeric_limits<float>::quiet_NaN();
};

/// A loaded, immutable model. All member functions are thread-safe.
class RK_API Model {
 public:
  virtual ~Model() = default;

  /// "xgboost", "lightgbm", "logistic", "scorecard" or "xgboost-capi" (the reference backend).
  virtual std::string_view kind() const noexcept = 0;
  /// Number of input columns each row must have.
  virtual std::size_t num_features() const noexcept = 0;
  /// Outputs per row: 1, or the number of classes of a multi-class model.
  virtual std::size_t num_outputs() const noexcept = 0;
  /// Input names as stored in the model file (empty when the file has none).
  virtual const std::vector<std::string> &feature_names() const noexcept = 0;

  /// +1 when the value output rises with the margin (trees, logistic regression), -1
  /// when it falls (a scorecard: more points, lower probability of bad). Reasons use it
  /// to tell which contributions are adverse.
  virtual int value_direction() const noexcept { return 1; }

  /// Scores `nrow` rows of `ncol` floats (row-major; ncol must equal num_features())
  /// into `out[nrow * num_outputs()]`. Throws Error(invalid_argument) on a shape mismatch.
  virtual void predict(const float *rows, std::size_t nrow, std::size_t ncol, const PredictOptions &options,
                       double *out) const = 0;

  /// Per-feature contributions to the margin, XGBoost's `pred_contribs` layout:
  /// `out[nrow * num_outputs() * (num_features() + 1)]`, the bias (expected margin) last;
  /// each row's entries sum to its margin. Trees use exact TreeSHAP; linear models use
  /// coef·(x − mean); scorecards use points relative to the characteristic's average.
  virtual void contributions(const float *rows, std::size_t nrow, std::size_t ncol,
                             const PredictOptions &options, double *out) const = 0;
};

/// Which implementation evaluates a tree model.
enum class ModelBackend : int {
  native = 0,         ///< riskkit's own evaluator (default)
  xgboost_c_api = 1,  ///< the XGBoost C API, for reference and parity checks
};

/// Options of load_model().
struct ModelLoadOptions {
  ModelBackend backend = ModelBackend::native;
};

/// Loads a model file; the format is detected from its content: XGBoost JSON or UBJSON
/// (`.json`/`.ubj`), a LightGBM text model (first line `tree`), or a riskkit linear model
/// (`{"riskkit_model": "logistic"|"scorecard"}`, see docs/models.md). Throws
/// Error(io | parse | invalid_model | limit_exceeded) naming the file and the JSON path
/// (LightGBM: the line) of the problem.
RK_API std::shared_ptr<const Model> load_model(const std::string &path, const ModelLoadOptions &options = {});

/// As load_model, from bytes already in memory; `origin` names the source in errors.
RK_API std::shared_ptr<const Model> load_model_from_memory(const void *data, std::size_t size,
                                                           const std::string &origin,
                                                           const ModelLoadOptions &options = {});

/// The kernel this process walks trees with: "avx512", "avx2" or "portable" — the fastest
/// the CPU runs, unless RISKKIT_TREE_KERNEL (read once) caps it at "avx2" or "portable".
/// Every kernel gives the same results; only speed differs (docs/models.md).
RK_API const char *tree_kernel() noexcept;

}  // namespace riskkit
