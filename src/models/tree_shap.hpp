#pragma once
// Exact TreeSHAP (Lundberg, Erion & Lee, "Consistent Individualized Feature Attribution for
// Tree Ensembles", Algorithm 2), the algorithm behind XGBoost's pred_contribs, with node
// cover = the model's sum_hessian.

#include <cstddef>
#include <vector>

#include "models/tree_ensemble.hpp"

namespace riskkit::detail {

/// Per-model tables TreeSHAP needs, computed once at load: each node's cover-weighted mean
/// leaf value (the expected value of the subtree).
class TreeShap {
 public:
  explicit TreeShap(const TreeEnsemble &model);

  /// One element of the unique decision path the recursion carries.
  struct PathElement {
    int feature;
    double zero_fraction;
    double one_fraction;
    double weight;
  };

  /// Scratch for one thread; reuse it across rows.
  std::vector<PathElement> make_scratch() const;

  /// Writes the contributions of one row into `out[num_outputs * (num_features + 1)]`:
  /// per output, one value per feature then the bias (base margin + expected tree values).
  void explain(const float *row, float missing, std::vector<PathElement> &scratch, double *out) const;

 private:
  void recurse(const TreeNode *tree, const double *cover, std::uint32_t node, const float *row,
               float missing, double *phi, PathElement *parent_path, std::size_t depth, double zero_fraction,
               double one_fraction, int feature) const;

  const TreeEnsemble &model_;
  std::vector<double> node_mean_;  ///< same indexing as model_.nodes
};

}  // namespace riskkit::detail
