#include "models/lightgbm_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "riskkit/error.hpp"

namespace riskkit::detail {
namespace {

// As the XGBoost evaluator: rows per block that stay in L1, trees walked in lockstep.
constexpr std::size_t kBlockRows = 64;
constexpr std::size_t kGroupTrees = CompleteTrees::kGroupTrees;
// Fewer rows walk one at a time (measured, 500 trees of 63 leaves: 16 rows take 179 µs as
// one vector and 173 µs one by one, 32 rows 211 against 339 µs).
constexpr std::size_t kMinVectorRows = 16;

// The value of leaf `node` of a linear tree for `row`, as LightGBM's Tree::Predict: the
// constant plus each coefficient times its feature (0 within the zero band, as LightGBM's
// dense reader leaves it), or the plain leaf value when a feature is missing.
template <bool kSentinel>
double linear_leaf_value(const LightGbmLinearLeaves &linear, const std::vector<double> &leaf_values,
                         std::size_t node, const float *row, float missing) noexcept {
  double out = linear.constant[node];
  for (std::uint32_t t = linear.first[node]; t < linear.first[node + 1]; ++t) {
    const float x = row[linear.feature[t]];
    if (std::isnan(x) || (kSentinel && x == missing)) return leaf_values[node];
    out += linear.coeff[t] * (x >= -kLightGBMZero && x <= kLightGBMZero ? 0.0 : static_cast<double>(x));
  }
  return out;
}

}  // namespace

LightGbmModel::LightGbmModel(LightGbmEnsemble model, TreeKernel kernel)
    : model_(std::move(model)), shap_(model_.trees) {
  const TreeEnsemble &trees = model_.trees;
  vector_batches_ = kernel == TreeKernel::avx512 && model_.linear.empty() && !trees.has_categorical &&
                    !trees.has_zero_missing && trees.num_outputs() <= kMaxLightGbmBatchOutputs &&
                    trees.nodes.size() < (std::size_t{1} << 28);
  for (std::size_t first = 0; first < trees.num_trees(); first += kGroupTrees) {
    const auto depths = trees.tree_depth.begin() + static_cast<std::ptrdiff_t>(first);
    const auto count = static_cast<std::ptrdiff_t>(std::min(kGroupTrees, trees.num_trees() - first));
    group_depth_.push_back(*std::max_element(depths, depths + count));
  }
}

// Adds every tree's leaf to `margins` (double, LightGBM's order: tree by tree per output).
// Leaves step to themselves, so each group of trees takes its depth in steps unchecked.
template <bool kLinear, bool kSentinel, bool kGeneral>
void LightGbmModel::accumulate(const float *rows, std::size_t nrow, float missing, double *margins) const noexcept {
  const TreeEnsemble &trees = model_.trees;
  const std::size_t ncol = trees.num_features, k = trees.num_outputs();
  for (std::size_t block = 0; block < nrow; block += kBlockRows) {
    const std::size_t block_end = std::min(nrow, block + kBlockRows);
    for (std::size_t first = 0, g = 0; first < trees.num_trees(); first += kGroupTrees, ++g) {
      const std::size_t count = std::min(kGroupTrees, trees.num_trees() - first);
      const std::uint32_t depth = group_depth_[g];
      for (std::size_t r = block; r < block_end; ++r) {
        const float *row = rows + r * ncol;
        std::uint32_t at[kGroupTrees] = {};
        for (std::uint32_t step = 0; step < depth; ++step)
          for (std::size_t j = 0; j < count; ++j) {
            const TreeNode &node = trees.nodes[trees.tree_begin[first + j] + at[j]];
            at[j] = next_node<kSentinel, kGeneral>(trees, node, row[node.feature()], missing);
          }
        for (std::size_t j = 0; j < count; ++j) {
          const std::size_t leaf = trees.tree_begin[first + j] + at[j];
          margins[r * k + trees.tree_group[first + j]] +=
              kLinear ? linear_leaf_value<kSentinel>(model_.linear, trees.leaf_values, leaf, row, missing)
                      : trees.leaf_values[leaf];
        }
      }
    }
  }
}

template <bool kLinear>
void LightGbmModel::accumulate_routed(const float *rows, std::size_t nrow, float missing, double *margins) const noexcept {
  if (vector_batches_ && nrow >= kMinVectorRows) return accumulate_lightgbm_avx512(model_.trees, rows, nrow, missing, margins);
  const bool sentinel = !std::isnan(missing);
  const bool general = model_.trees.has_categorical || model_.trees.has_zero_missing;
  if (general) {
    if (sentinel) accumulate<kLinear, true, true>(rows, nrow, missing, margins);
    else accumulate<kLinear, false, true>(rows, nrow, missing, margins);
  } else {
    if (sentinel) accumulate<kLinear, true, false>(rows, nrow, missing, margins);
    else accumulate<kLinear, false, false>(rows, nrow, missing, margins);
  }
}

void LightGbmModel::predict_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                                 double *out) const {
  const std::size_t k = num_outputs();
  std::fill(out, out + nrow * k, 0.0);
  if (model_.linear.empty()) accumulate_routed<false>(rows, nrow, options.missing, out);
  else accumulate_routed<true>(rows, nrow, options.missing, out);
  if (options.output != PredictOutput::value) return;
  // A forest (average_output) averages its trees before the link; its raw score stays
  // the sum, as LightGBM's predict(raw_score=True) and pred_contrib report it.
  if (model_.average_over > 0) {
    const auto n = static_cast<double>(model_.average_over);
    for (std::size_t i = 0; i < nrow * k; ++i) out[i] /= n;
  }
  for (std::size_t r = 0; r < nrow; ++r) model_.objective.transform(out + r * k, k);
}

void LightGbmModel::contribution_rows(const float *rows, std::size_t nrow, const PredictOptions &options,
                                      double *out) const {
  if (!model_.linear.empty())  // LightGBM's pred_contrib refuses linear trees too
    throw Error(ErrorCode::invalid_model,
                "contributions: LightGBM linear trees (linear_tree=true) have no TreeSHAP contributions; "
                "LightGBM's pred_contrib refuses them too");
  thread_local TreeShap::Scratch scratch;
  shap_.explain(rows, nrow, options.missing, scratch, out);
}

}  // namespace riskkit::detail
