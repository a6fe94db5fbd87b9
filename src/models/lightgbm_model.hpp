#pragma once
// The native LightGBM Model: LightGBM's routing on the shared tree layout, leaves summed
// in double as LightGBM sums them (linear trees' leaf models too), TreeSHAP on data counts
// as pred_contrib computes it.

#include "models/lightgbm_text.hpp"
#include "models/row_model.hpp"
#include "models/tree_shap.hpp"

namespace riskkit::detail {

/// The most outputs accumulate_lightgbm_avx512 takes.
inline constexpr std::size_t kMaxLightGbmBatchOutputs = 32;

/// Adds every tree's leaf value to `margins[nrow * num_outputs]` (double, tree order) for a
/// model without linear trees, categorical splits or zero-band splits, at most
/// kMaxLightGbmBatchOutputs outputs and fewer than 2^28 nodes: 16 rows per vector through
/// each tree. Defined in lightgbm_rows_avx512.cpp; call only where the CPU has AVX-512.
void accumulate_lightgbm_avx512(const TreeEnsemble &trees, const float *rows, std::size_t nrow, float missing,
                                double *margins) noexcept;

/// A LightGBM text model evaluated by riskkit's own code. Immutable and thread-safe.
class LightGbmModel final : public RowModel {
 public:
  /// `kernel` avx512 scores batches of numeric models 16 rows at a time (portable: one row
  /// at a time, 8 trees in lockstep; for tests). Both give the same bits.
  explicit LightGbmModel(LightGbmEnsemble model, TreeKernel kernel = best_tree_kernel());

  std::string_view kind() const noexcept override { return "lightgbm"; }
  std::size_t num_features() const noexcept override { return model_.trees.num_features; }
  std::size_t num_outputs() const noexcept override { return model_.trees.num_outputs(); }
  const std::vector<std::string> &feature_names() const noexcept override { return model_.trees.feature_names; }

  const LightGbmEnsemble &model() const noexcept { return model_; }
  /// Whether batches take the AVX-512 kernel (accumulate_lightgbm_avx512).
  bool vector_batches() const noexcept { return vector_batches_; }

 protected:
  void predict_rows(const float *rows, std::size_t nrow, const PredictOptions &options, double *out) const override;
  void contribution_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                         double *out) const override;

 private:
  /// accumulate() with the routing its model and `missing` need.
  template <bool kLinear>
  void accumulate_routed(const float *rows, std::size_t nrow, float missing, double *margins) const noexcept;
  template <bool kLinear, bool kSentinel, bool kGeneral>
  void accumulate(const float *rows, std::size_t nrow, float missing, double *margins) const noexcept;

  LightGbmEnsemble model_;
  bool vector_batches_ = false;             ///< batches take accumulate_lightgbm_avx512
  std::vector<std::uint32_t> group_depth_;  ///< deepest tree of each lockstep group
  TreeShap shap_;                           // refers to model_.trees, so declared after it
};

}  // namespace riskkit::detail
