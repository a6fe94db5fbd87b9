#pragma once
// The native LightGBM Model: LightGBM's routing on the shared tree layout, leaves summed
// in double as LightGBM sums them (linear trees' leaf models too), TreeSHAP on data counts
// as pred_contrib computes it.

#include "models/lightgbm_text.hpp"
#include "models/row_model.hpp"
#include "models/tree_shap.hpp"

namespace riskkit::detail {

/// A LightGBM text model evaluated by riskkit's own code. Immutable and thread-safe.
class LightGbmModel final : public RowModel {
 public:
  explicit LightGbmModel(LightGbmEnsemble model);

  std::string_view kind() const noexcept override { return "lightgbm"; }
  std::size_t num_features() const noexcept override { return model_.trees.num_features; }
  std::size_t num_outputs() const noexcept override { return model_.trees.num_outputs(); }
  const std::vector<std::string> &feature_names() const noexcept override { return model_.trees.feature_names; }

  const LightGbmEnsemble &model() const noexcept { return model_; }

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
  std::vector<std::uint32_t> group_depth_;  ///< deepest tree of each lockstep group
  TreeShap shap_;                           // refers to model_.trees, so declared after it
};

}  // namespace riskkit::detail
