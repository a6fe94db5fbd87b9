#include "models/tree_ensemble.hpp"

#include <algorithm>

namespace riskkit::detail {
namespace {

// Rows evaluated together per group of trees: enough to keep the trees hot in cache, few
// enough that the rows stay in L1.
constexpr std::size_t kBlockRows = 64;
// Trees walked in lockstep for one row: independent chains of loads the CPU overlaps.
constexpr std::size_t kGroupTrees = CompleteTrees::kGroupTrees;

// Copies the subtree of `tree` at `source` into heap position `at` of a complete tree of
// `depth` levels, padding leaves above the last level (see CompleteTrees).
void fill_complete(const TreeNode *tree, std::uint32_t source, std::uint32_t at, std::uint32_t level,
                   std::uint32_t depth, CompleteNode *nodes, float *leaves) {
  const TreeNode &node = tree[source];
  if (level == depth) {
    leaves[at - ((1u << depth) - 1u)] = node.leaf_value;
    return;
  }
  if (node.is_leaf()) {
    nodes[at] = {0.0f, 0u};  // either way leads to a copy of this leaf
    fill_complete(tree, source, 2 * at + 1, level + 1, depth, nodes, leaves);
    fill_complete(tree, source, 2 * at + 2, level + 1, depth, nodes, leaves);
    return;
  }
  nodes[at] = {node.threshold, node.split & (TreeNode::kFeatureMask | TreeNode::kDefaultLeft)};
  fill_complete(tree, node.left, 2 * at + 1, level + 1, depth, nodes, leaves);
  fill_complete(tree, node.left + 1, 2 * at + 2, level + 1, depth, nodes, leaves);
}

// One step in a complete tree without branches: NaN (and the sentinel) take the default
// direction, others go right unless x < threshold.
template <bool kSentinel>
inline std::uint32_t complete_step(const CompleteNode &node, std::uint32_t at, const float *row, float missing) noexcept {
  const float x = row[node.split & TreeNode::kFeatureMask];
  const std::uint32_t right = !(x < node.threshold);
  const std::uint32_t is_missing = std::isnan(x) | (kSentinel && x == missing);
  const std::uint32_t default_right = (~node.split) >> 31;
  return 2 * at + 1 + ((right & ~is_missing) | (is_missing & default_right));
}

// Adds the leaves of trees [first, first + count) of the complete layout for one row, in
// tree order. kCount > 0 fixes the count at compile time so the lockstep loop unrolls.
template <bool kSentinel, std::size_t kCount>
void add_complete_group(const TreeEnsemble &model, std::size_t first, std::size_t count, std::uint32_t depth,
                        const float *row, float missing, float *margins) noexcept {
  const CompleteTrees &c = model.complete;
  const std::size_t n = kCount > 0 ? kCount : count;
  const CompleteNode *nodes[kGroupTrees];
  std::uint32_t at[kGroupTrees] = {};
  for (std::size_t j = 0; j < n; ++j) nodes[j] = c.nodes.data() + c.node_begin[first + j];
  for (std::uint32_t step = 0; step < depth; ++step)
    for (std::size_t j = 0; j < n; ++j) at[j] = complete_step<kSentinel>(nodes[j][at[j]], at[j], row, missing);
  const std::uint32_t first_leaf = (1u << depth) - 1u;
  for (std::size_t j = 0; j < n; ++j)
    margins[model.tree_group[first + j]] += c.leaves[c.leaf_begin[first + j] + at[j] - first_leaf];
}

template <bool kSentinel>
void accumulate_complete_block(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                               float *margins) noexcept {
  const std::size_t ncol = model.num_features;
  const std::size_t k = model.num_outputs();
  for (std::size_t first = 0, g = 0; first < model.num_trees(); first += kGroupTrees, ++g) {
    const std::size_t count = std::min(kGroupTrees, model.num_trees() - first);
    const std::uint32_t depth = model.complete.group_depth[g];
    if (count == kGroupTrees) {
      for (std::size_t r = 0; r < nrow; ++r)
        add_complete_group<kSentinel, kGroupTrees>(model, first, count, depth, rows + r * ncol, missing, margins + r * k);
    } else {
      for (std::size_t r = 0; r < nrow; ++r)
        add_complete_group<kSentinel, 0>(model, first, count, depth, rows + r * ncol, missing, margins + r * k);
    }
  }
}

// Adds the leaves of trees [first, first + count) for one row to `margins`, in tree order.
// Leaves step to themselves (see TreeNode), so every tree takes `depth` steps unchecked.
template <bool kSentinel, bool kCategorical>
void add_tree_group(const TreeEnsemble &model, std::size_t first, std::size_t count, std::uint32_t depth,
                    const float *row, float missing, float *margins) noexcept {
  const TreeNode *trees[kGroupTrees];
  std::uint32_t at[kGroupTrees];
  for (std::size_t j = 0; j < count; ++j) {
    trees[j] = model.nodes.data() + model.tree_begin[first + j];
    at[j] = 0;
  }
  for (std::uint32_t step = 0; step < depth; ++step) {
    for (std::size_t j = 0; j < count; ++j) {
      const TreeNode &node = trees[j][at[j]];
      at[j] = next_node<kSentinel, kCategorical>(model, node, row[node.feature()], missing);
    }
  }
  for (std::size_t j = 0; j < count; ++j) margins[model.tree_group[first + j]] += trees[j][at[j]].leaf_value;
}

template <bool kSentinel, bool kCategorical>
void accumulate_block(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                      float *margins) noexcept {
  const std::size_t ncol = model.num_features;
  const std::size_t k = model.num_outputs();
  for (std::size_t first = 0; first < model.num_trees(); first += kGroupTrees) {
    const std::size_t count = std::min(kGroupTrees, model.num_trees() - first);
    const auto depths = model.tree_depth.begin() + static_cast<std::ptrdiff_t>(first);
    const std::uint32_t depth = *std::max_element(depths, depths + static_cast<std::ptrdiff_t>(count));
    for (std::size_t r = 0; r < nrow; ++r)
      add_tree_group<kSentinel, kCategorical>(model, first, count, depth, rows + r * ncol, missing, margins + r * k);
  }
}

template <bool kSentinel, bool kCategorical>
void accumulate(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                float *margins) noexcept {
  const std::size_t ncol = model.num_features;
  const std::size_t k = model.num_outputs();
  for (std::size_t begin = 0; begin < nrow; begin += kBlockRows) {
    const std::size_t n = std::min(kBlockRows, nrow - begin);
    if (!kCategorical && !model.complete.empty())
      accumulate_complete_block<kSentinel>(model, rows + begin * ncol, n, missing, margins + begin * k);
    else
      accumulate_block<kSentinel, kCategorical>(model, rows + begin * ncol, n, missing, margins + begin * k);
  }
}

}  // namespace

void build_complete_trees(TreeEnsemble &model) {
  CompleteTrees complete;
  if (model.has_categorical) return;
  for (std::size_t first = 0; first < model.num_trees(); first += kGroupTrees) {
    const std::size_t count = std::min(kGroupTrees, model.num_trees() - first);
    const auto depths = model.tree_depth.begin() + static_cast<std::ptrdiff_t>(first);
    const std::uint32_t depth = *std::max_element(depths, depths + static_cast<std::ptrdiff_t>(count));
    if (depth > CompleteTrees::kMaxCompleteDepth) return;
    complete.group_depth.push_back(depth);
    for (std::size_t t = first; t < first + count; ++t) {
      complete.node_begin.push_back(static_cast<std::uint32_t>(complete.nodes.size()));
      complete.leaf_begin.push_back(static_cast<std::uint32_t>(complete.leaves.size()));
      complete.nodes.resize(complete.nodes.size() + (std::size_t{1} << depth) - 1);
      complete.leaves.resize(complete.leaves.size() + (std::size_t{1} << depth));
      fill_complete(model.nodes.data() + model.tree_begin[t], 0, 0, 0, depth,
                    complete.nodes.data() + complete.node_begin.back(), complete.leaves.data() + complete.leaf_begin.back());
    }
  }
  model.complete = std::move(complete);
}

void accumulate_margins(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                        float *margins) noexcept {
  const bool sentinel = !std::isnan(missing);
  if (model.has_categorical) {
    if (sentinel) accumulate<true, true>(model, rows, nrow, missing, margins);
    else accumulate<false, true>(model, rows, nrow, missing, margins);
  } else {
    if (sentinel) accumulate<true, false>(model, rows, nrow, missing, margins);
    else accumulate<false, false>(model, rows, nrow, missing, margins);
  }
}

}  // namespace riskkit::detail
