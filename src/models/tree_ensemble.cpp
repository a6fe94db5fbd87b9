#include "models/tree_ensemble.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "models/simd_target.hpp"
#include "riskkit/models/model.hpp"

namespace riskkit::detail {
namespace {

// Rows evaluated together per bundle or group of trees: enough to keep the trees hot in
// cache, few enough that the rows stay in L1.
constexpr std::size_t kBlockRows = 64;
// Batches of fewer rows walk one row at a time rather than through the heap layout, whose
// 16 lanes cost more when fewer than about 10 are used (measured, 500 trees of depth 6:
// one row 4.1 µs, a vector of up to 16 rows 32 µs; 100 of depth 4: 1.7 µs and 5.2 µs).
constexpr std::size_t kMinHeapRows = 10;
// Trees walked in lockstep for one row: independent chains of loads the CPU overlaps.
constexpr std::size_t kGroupTrees = CompleteTrees::kGroupTrees;
constexpr std::size_t kBundleTrees = CompleteTrees::kBundleTrees;
constexpr auto kBundleTrees32 = static_cast<std::uint32_t>(kBundleTrees);

// Visits the subtree of `tree` at `source` as node `at` (0-based heap order) of a complete
// tree of `depth` levels, padding leaves above the last level (see CompleteTrees): calls
// node(at, CompleteNode) for each internal position and leaf(l, value) for each of the
// 2^depth leaves, l counted from the left.
template <class Node, class Leaf>
void pad_complete(const TreeNode *tree, std::uint32_t source, std::uint32_t at, std::uint32_t level,
                  std::uint32_t depth, Node &node, Leaf &leaf) {
  const TreeNode &here = tree[source];
  if (level == depth) return leaf(at - ((1u << depth) - 1u), here.leaf_value);
  if (here.is_leaf()) {
    node(at, CompleteNode{0.0f, 0u});  // either way leads to a copy of this leaf
    pad_complete(tree, source, 2 * at + 1, level + 1, depth, node, leaf);
    pad_complete(tree, source, 2 * at + 2, level + 1, depth, node, leaf);
    return;
  }
  node(at, CompleteNode{here.threshold, here.split & (TreeNode::kFeatureMask | TreeNode::kDefaultLeft)});
  pad_complete(tree, here.left, 2 * at + 1, level + 1, depth, node, leaf);
  pad_complete(tree, here.left + 1, 2 * at + 2, level + 1, depth, node, leaf);
}

// The bundle layout of CompleteTrees.
CompleteTrees build_bundles(const TreeEnsemble &model) {
  CompleteTrees complete;
  for (std::size_t first = 0; first < model.num_trees(); first += kBundleTrees) {
    const std::size_t count = std::min(kBundleTrees, model.num_trees() - first);
    const auto depths = model.tree_depth.begin() + static_cast<std::ptrdiff_t>(first);
    const std::uint32_t depth = *std::max_element(depths, depths + static_cast<std::ptrdiff_t>(count));
    complete.depth.push_back(depth);
    complete.node_begin.push_back(static_cast<std::uint32_t>(complete.nodes.size()));
    complete.leaf_begin.push_back(static_cast<std::uint32_t>(complete.leaves.size()));
    complete.nodes.resize(complete.nodes.size() + ((std::size_t{1} << depth) - 1) * kBundleTrees);
    complete.leaves.resize(complete.leaves.size() + (std::size_t{1} << depth) * kBundleTrees);
    CompleteNode *nodes = complete.nodes.data() + complete.node_begin.back();
    float *leaves = complete.leaves.data() + complete.leaf_begin.back();
    for (std::size_t j = 0; j < count; ++j) {
      auto node = [&](std::uint32_t i, CompleteNode n) { nodes[i * kBundleTrees + j] = n; };
      auto leaf = [&](std::uint32_t l, float value) { leaves[l * kBundleTrees + j] = value; };
      pad_complete(model.nodes.data() + model.tree_begin[first + j], 0, 0, 0, depth, node, leaf);
    }
  }
  return complete;
}

// The layout of HeapTrees.
HeapTrees build_heap(const TreeEnsemble &model) {
  HeapTrees heap;
  heap.depth = model.tree_depth;
  std::uint32_t total = 0;
  for (const std::uint32_t depth : heap.depth) {
    heap.begin.push_back(total);
    total += HeapTrees::slots(depth);
  }
  heap.thresholds.resize(total);
  heap.splits.resize(total);
  heap.leaves.resize(total);
  for (std::size_t t = 0; t < model.num_trees(); ++t) {
    const std::uint32_t depth = heap.depth[t];
    const std::uint32_t slots = HeapTrees::slots(depth);
    const std::uint32_t begin = heap.begin[t];
    // 0-based heap node i is 1-based node i + 1; leaf l ends at position 2^depth + l.
    auto node = [&](std::uint32_t i, CompleteNode n) {
      heap.thresholds[begin + i + 1] = n.threshold;
      heap.splits[begin + i + 1] = n.split;
    };
    auto leaf = [&](std::uint32_t l, float value) { heap.leaves[begin + (((1u << depth) + l) & (slots - 1))] = value; };
    pad_complete(model.nodes.data() + model.tree_begin[t], 0, 0, 0, depth, node, leaf);
  }
  return heap;
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

// Writes the leaf each row reaches in each tree of bundle `bundle` to
// `leaves[row * kBundleTrees + tree]` (padding trees give 0), 8 trees in lockstep.
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
                               float *margins) noexcept {
  const CompleteTrees &c = model.complete;
  const std::size_t ncol = model.num_features;
  const std::size_t k = model.num_outputs();
  const bool sentinel = !std::isnan(missing);
  float leaves[kBlockRows * kBundleTrees];
  for (std::size_t bundle = 0; bundle < c.depth.size(); ++bundle) {
    if (sentinel) walk_bundle<true>(c, bundle, rows, nrow, ncol, missing, leaves);
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
  if (model.has_categorical || model.max_depth > CompleteTrees::kMaxCompleteDepth) return;
  model.complete = build_bundles(model);
  if (best_tree_kernel() != TreeKernel::portable) model.heap = build_heap(model);
}

bool cpu_runs(TreeKernel kernel) noexcept {
#if RK_HAVE_X86_KERNELS
  __builtin_cpu_init();
  switch (kernel) {
    case TreeKernel::portable: return true;
    case TreeKernel::avx2: return __builtin_cpu_supports("avx2");
    case TreeKernel::avx512:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
  }
  return false;
#else
  return kernel == TreeKernel::portable;
#endif
}

const char *kernel_name(TreeKernel kernel) noexcept {
  switch (kernel) {
    case TreeKernel::avx2: return "avx2";
    case TreeKernel::avx512: return "avx512";
    case TreeKernel::portable: break;
  }
  return "portable";
}

TreeKernel best_tree_kernel() noexcept {
  static const TreeKernel best = [] {
    const char *cap = std::getenv("RISKKIT_TREE_KERNEL");
    const std::string_view name = cap ? cap : "";
    for (const TreeKernel kernel : {TreeKernel::portable, TreeKernel::avx2})
      if (name == kernel_name(kernel) && cpu_runs(kernel)) return kernel;
    return cpu_runs(TreeKernel::avx512) ? TreeKernel::avx512
           : cpu_runs(TreeKernel::avx2) ? TreeKernel::avx2
                                        : TreeKernel::portable;
  }();
  return best;
}

void accumulate_margins(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                        float *margins, TreeKernel kernel) noexcept {
  const bool heap = kernel != TreeKernel::portable && !model.heap.empty() && model.num_outputs() <= kMaxHeapOutputs;
  if (!model.complete.empty() && (nrow == 1 || (heap && nrow < kMinHeapRows))) {
    for (std::size_t r = 0; r < nrow; ++r)
      accumulate_complete_row(model, rows + r * model.num_features, missing, margins + r * model.num_outputs(), kernel);
    return;
  }
  if (heap && kernel == TreeKernel::avx512) return accumulate_heap_avx512(model, rows, nrow, missing, margins);
  if (heap) return accumulate_heap_avx2(model, rows, nrow, missing, margins);
  if (!model.complete.empty()) {
    const std::size_t ncol = model.num_features;
    const std::size_t k = model.num_outputs();
    for (std::size_t begin = 0; begin < nrow; begin += kBlockRows)
      accumulate_complete_block(model, rows + begin * ncol, std::min(kBlockRows, nrow - begin), missing,
                                margins + begin * k);
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

namespace riskkit {

const char *tree_kernel() noexcept { return detail::kernel_name(detail::best_tree_kernel()); }

}  // namespace riskkit
