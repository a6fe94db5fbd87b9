#pragma once
// Reads LightGBM text models (`model.txt`, as written by LightGBM 2.x–4.x
// Booster.save_model) into the native TreeEnsemble, validating every array, index and
// number on the way, and reporting problems as `file:line: message`.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/lightgbm_objective.hpp"
#include "models/tree_ensemble.hpp"

namespace riskkit::detail {

/// The leaves of linear trees (`linear_tree=true`, `is_linear=1`), indexed as
/// TreeEnsemble::nodes: a leaf's value is `constant + Σ coeff·x[feature]` over its terms,
/// in double and in file order, with |x| ≤ 1e-35 read as 0, as LightGBM's Tree::Predict
/// computes it; when any of its features is missing, the tree's plain leaf value
/// (TreeEnsemble::leaf_values) instead. A tree with `is_linear=0` gets its leaf values as
/// constants and no terms.
struct LightGbmLinearLeaves {
  std::vector<double> constant;         ///< per node; 0 for internal nodes
  std::vector<std::uint32_t> first;     ///< per node plus one: the node's terms are [first[i], first[i + 1])
  std::vector<std::uint32_t> feature;   ///< per term
  std::vector<double> coeff;            ///< per term

  bool empty() const noexcept { return constant.empty(); }
};

/// A LightGBM model as read from its text form.
struct LightGbmEnsemble {
  /// The trees with LightGBM's semantics mapped onto the native layout: numeric
  /// thresholds rounded to the float32 `x < threshold` test that agrees with LightGBM's
  /// double `x <= threshold` on every float32 input, categorical children swapped (a
  /// listed category is LightGBM's left), exact double leaves in `leaf_values`, data
  /// counts as cover. base_margin is 0 (LightGBM folds its average into the first trees).
  TreeEnsemble trees;
  LightGbmObjective objective;
  /// With `average_output` (random forest): the number of iterations the summed margin is
  /// divided by before the link function (the margin itself stays the sum, as LightGBM's
  /// raw score); 0 otherwise.
  std::size_t average_over = 0;
  /// Filled when some tree is linear; empty otherwise.
  LightGbmLinearLeaves linear;
};

/// Whether `bytes` looks like a LightGBM text model: the first line is `tree`.
bool looks_like_lightgbm_text(std::string_view bytes) noexcept;

/// Most trees and most leaves per tree accepted.
inline constexpr std::size_t kMaxLightGbmTrees = std::size_t{1} << 20;
inline constexpr std::size_t kMaxLightGbmLeaves = std::size_t{1} << 17;

/// Builds the ensemble of a LightGBM text model. Throws Error(invalid_model)
/// "origin:line: problem" for anything malformed or unsupported: a missing header key or
/// `end of trees`, unknown objective, arrays of the wrong length (linear leaves' too), child
/// indices out of range, cycles and shared children, unreachable nodes, split features
/// above max_feature_idx, non-finite thresholds or leaves, bad decision types, category
/// bitsets out of bounds, class counts that disagree, linear-leaf features above
/// max_feature_idx or non-finite coefficients. Error(limit_exceeded) for trees,
/// leaves or depth beyond the limits.
LightGbmEnsemble read_lightgbm_text(std::string_view text, const std::string &origin);

}  // namespace riskkit::detail
