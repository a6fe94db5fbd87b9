#pragma once
// The native tree-ensemble Model: the evaluator and TreeSHAP behind the public interface.

#include <memory>

#include "models/row_model.hpp"
#include "models/tree_ensemble.hpp"
#include "models/tree_shap.hpp"

namespace riskkit::detail {

/// A tree ensemble evaluated by riskkit's own code. Immutable and thread-safe.
class TreeModel final : public RowModel {
 public:
  explicit TreeModel(TreeEnsemble ensemble);

  std::string_view kind() const noexcept override { return "xgboost"; }
  std::size_t num_features() const noexcept override { return ensemble_.num_features; }
  std::size_t num_outputs() const noexcept override { return ensemble_.num_outputs(); }
  const std::vector<std::string> &feature_names() const noexcept override { return ensemble_.feature_names; }

  const TreeEnsemble &ensemble() const noexcept { return ensemble_; }

 protected:
  void predict_rows(const float *rows, std::size_t nrow, const PredictOptions &options, double *out) const override;
  void contribution_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                         double *out) const override;

 private:
  TreeEnsemble ensemble_;
  TreeShap shap_;  // refers to ensemble_, so declared after it
};

}  // namespace riskkit::detail
