#include "models/tree_ensemble.hpp"

#include <algorithm>

#include "models/avx512_target.hpp"

namespace riskkit::detail {
namespace {

// Rows evaluated together per bundle or group of trees: enough to keep the trees hot in
// cache, few enough that the rows stay in L1.
constexpr std::size_t kBlockRows = 64;
// Trees walked in lockstep for one row: independent chains of loads the CPU overlaps.
constexpr std::size_t kGroupTrees = CompleteTrees::kGroupTrees;
constexpr std::size_t kBundleTrees = CompleteTrees::kBundleTrees;
constexpr auto kBundleTrees32 = static_cast<std::uint32_t>(kBundleTrees);
// Shallowest bundle a batch walks with AVX-512 gathers.
constexpr std::uint32_t kMinGatherDepth = 5;

// Copies the subtree of `tree` at `source` into heap position `at` of the bundle's tree
// `lane`, a complete tree of `depth` levels, padding leaves above the last level (see
// CompleteTrees).
void fill_complete(const TreeNode *tree, std::uint32_t source, std::uint32_t at, std::uint32_t level,
                   std::uint32_t depth, std::size_t lane, CompleteNode *nodes, float *leaves) {
  const TreeNode &node = tree[source];
  if (level == depth) {
    leaves[(at - ((1u << depth) - 1u)) * kBundleTrees + lane] = node.leaf_value;
    return;
  }
  if (node.is_leaf()) {
    nodes[at * kBundleTrees + lane] = {0.0f, 0u};  // either way leads to a copy of this leaf
    fill_complete(tree, source, 2 * at + 1, level + 1, depth, lane, nodes, leaves);
    fill_complete(tree, source, 2 * at + 2, level + 1, depth, lane, nodes, leaves);
    return;
  }
  nodes[at * kBundleTrees + lane] = {node.threshold, node.split & (TreeNode::kFeatureMask | TreeNode::kDefaultLeft)};
  fill_complete(tree, node.left, 2 * at + 1, level + 1, depth, lane, nodes, leaves);
  fill_complete(tree, node.left + 1, 2 * at + 2, level + 1, depth, lane, nodes, leaves);
}

// Walks trees [lane0, lane0 + kGroupTrees) of a bundle in lockstep for one row and writes
// their leaves to `leaves[lane0..]`. `at` is the element index i * kBundleTrees + lane of
// heap node i, so a step is one load from one base address, a compare and a few adds;
// NaN (and the sentinel) take the default direction, others go right unless x < threshold.
template <bool kSentinel, std::size_t lane0>
void walk_group(const CompleteNode *nodes, const float *bundle_leaves, std::uint32_t depth, const float *row,
                float missing, float *leaves) noexcept {
  std::uint32_t at[kGroupTrees];
  for (std::size_t j = 0; j < kGroupTrees; ++j) at[j] = static_cast<std::uint32_t>(lane0 + j);
  for (std::uint32_t step = 0; step < depth; ++step)
    for (std::size_t j = 0; j < kGroupTrees; ++j) {
      const CompleteNode node = nodes[at[j]];
      const float x = row[node.split & TreeNode::kFeatureMask];
      const std::uint32_t right = !(x < node.threshold);
      const std::uint32_t is_missing = std::isnan(x) | (kSentinel && x == missing);
      const std::uint32_t default_right = (~node.split) >> 31;
      const std::uint32_t go_right = (right & ~is_missing) | (is_missing & default_right);
      // child 2i + 1 + go_right, as an element index
      at[j] = 2 * at[j] + static_cast<std::uint32_t>(kBundleTrees - lane0 - j) + go_right * kBundleTrees32;
    }
  const std::uint32_t first_leaf = ((1u << depth) - 1u) * kBundleTrees32;
  for (std::size_t j = 0; j < kGroupTrees; ++j) leaves[lane0 + j] = bundle_leaves[at[j] - first_leaf];
}

// The portable walk_bundle_avx512.
template <bool kSentinel>
void walk_bundle(const CompleteTrees &c, std::size_t bundle, const float *rows, std::size_t nrow, std::size_t ncol,
                 float missing, float *leaves) noexcept {
  const CompleteNode *nodes = c.nodes.data() + c.node_begin[bundle];
  const float *bundle_leaves = c.leaves.data() + c.leaf_begin[bundle];
  static_assert(kBundleTrees == 2 * kGroupTrees);
  for (std::size_t r = 0; r < nrow; ++r) {
    walk_group<kSentinel, 0>(nodes, bundle_leaves, c.depth[bundle], rows + r * ncol, missing, leaves + r * kBundleTrees);
    walk_group<kSentinel, kGroupTrees>(nodes, bundle_leaves, c.depth[bundle], rows + r * ncol, missing,
                                       leaves + r * kBundleTrees);
  }
}

// Adds leaves[j] of trees first + j, j < count, to one row's margins, in tree order.
inline void add_leaves(const TreeEnsemble &model, std::size_t first, std::size_t count, const float *leaves,
                       float *margins) noexcept {
  if (model.num_outputs() == 1) {
    float sum = margins[0];
    for (std::size_t j = 0; j < count; ++j) sum += leaves[j];
    margins[0] = sum;
  } else {
    for (std::size_t j = 0; j < count; ++j) margins[model.tree_group[first + j]] += leaves[j];
  }
}

// Adds the complete layout's leaves for a block of at most kBlockRows rows, bundle by
// bundle (each bundle stays in cache across the block), each row's in tree order.
void accumulate_complete_block(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                               float *margins, TreeKernel kernel) noexcept {
  const CompleteTrees &c = model.complete;
  const std::size_t ncol = model.num_features;
  const std::size_t k = model.num_outputs();
  const bool sentinel = !std::isnan(missing);
  float leaves[kBlockRows * kBundleTrees];
  for (std::size_t bundle = 0; bundle < c.depth.size(); ++bundle) {
    // Below 5 levels the portable walk of a batch is the faster (measured: depth 4, 2.1 M
    // against 1.8 M rows/s; depth 6, 0.31 M against 0.39 M).
    if (kernel == TreeKernel::avx512 && c.depth[bundle] >= kMinGatherDepth)
      walk_bundle_avx512(c, bundle, rows, nrow, ncol, missing, leaves);
    else if (sentinel) walk_bundle<true>(c, bundle, rows, nrow, ncol, missing, leaves);
    else walk_bundle<false>(c, bundle, rows, nrow, ncol, missing, leaves);
    const std::size_t first = bundle * kBundleTrees;
    const std::size_t count = std::min(kBundleTrees, model.num_trees() - first);
    for (std::size_t r = 0; r < nrow; ++r) add_leaves(model, first, count, leaves + r * kBundleTrees, margins + r * k);
  }
}

// The complete layout for a single row: kBlockRows bundles at a time, their leaves
// collected first, then added in tree order.
void accumulate_complete_row(const TreeEnsemble &model, const float *row, float missing, float *margins,
                             TreeKernel kernel) noexcept {
  const CompleteTrees &c = model.complete;
  const bool sentinel = !std::isnan(missing);
  float leaves[kBlockRows * kBundleTrees];
  for (std::size_t first = 0; first < c.depth.size(); first += kBlockRows) {
    const std::size_t count = std::min(kBlockRows, c.depth.size() - first);
    if (kernel == TreeKernel::avx512) {
      walk_row_avx512(c, first, count, row, missing, leaves);
    } else {
      for (std::size_t b = 0; b < count; ++b) {
        if (sentinel) walk_bundle<true>(c, first + b, row, 1, 0, missing, leaves + b * kBundleTrees);
        else walk_bundle<false>(c, first + b, row, 1, 0, missing, leaves + b * kBundleTrees);
      }
    }
    const std::size_t first_tree = first * kBundleTrees;
    add_leaves(model, first_tree, std::min(count * kBundleTrees, model.num_trees() - first_tree), leaves, margins);
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
    accumulate_block<kSentinel, kCategorical>(model, rows + begin * ncol, n, missing, margins + begin * k);
  }
}

}  // namespace

void build_complete_trees(TreeEnsemble &model) {
  CompleteTrees complete;
  if (model.has_categorical) return;
  for (std::size_t first = 0; first < model.num_trees(); first += kBundleTrees) {
    const std::size_t count = std::min(kBundleTrees, model.num_trees() - first);
    const auto depths = model.tree_depth.begin() + static_cast<std::ptrdiff_t>(first);
    const std::uint32_t depth = *std::max_element(depths, depths + static_cast<std::ptrdiff_t>(count));
    if (depth > CompleteTrees::kMaxCompleteDepth) return;
    complete.depth.push_back(depth);
    complete.node_begin.push_back(static_cast<std::uint32_t>(complete.nodes.size()));
    complete.leaf_begin.push_back(static_cast<std::uint32_t>(complete.leaves.size()));
    complete.nodes.resize(complete.nodes.size() + ((std::size_t{1} << depth) - 1) * kBundleTrees);
    complete.leaves.resize(complete.leaves.size() + (std::size_t{1} << depth) * kBundleTrees);
    for (std::size_t j = 0; j < count; ++j)
      fill_complete(model.nodes.data() + model.tree_begin[first + j], 0, 0, 0, depth, j,
                    complete.nodes.data() + complete.node_begin.back(), complete.leaves.data() + complete.leaf_begin.back());
  }
  model.complete = std::move(complete);
}

TreeKernel best_tree_kernel() noexcept {
  static const TreeKernel best = [] {
#if RK_HAVE_AVX512_KERNELS
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
      return TreeKernel::avx512;
#endif
    return TreeKernel::portable;
  }();
  return best;
}

void accumulate_margins(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                        float *margins, TreeKernel kernel) noexcept {
  if (!model.complete.empty() && nrow == 1) return accumulate_complete_row(model, rows, missing, margins, kernel);
  if (!model.complete.empty()) {
    const std::size_t ncol = model.num_features;
    const std::size_t k = model.num_outputs();
    for (std::size_t begin = 0; begin < nrow; begin += kBlockRows)
      accumulate_complete_block(model, rows + begin * ncol, std::min(kBlockRows, nrow - begin), missing,
                                margins + begin * k, kernel);
    return;
  }
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
