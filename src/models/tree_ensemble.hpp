#pragma once
// The native tree-ensemble representation and its evaluator. Trees are flat node arrays in
// breadth-first order with siblings adjacent (right child = left child + 1), so a row walks
// a tree with one load per level. Features are compared in float32 exactly as XGBoost does.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "models/objective.hpp"

namespace riskkit::detail {

/// One node of a tree. 16 bytes: four nodes per cache line.
///
/// A leaf is encoded so that stepping from it leads back to itself (threshold NaN, so
/// `x < threshold` is false and every input, missing or not, takes `left + 1` = itself).
/// The evaluator can then walk several trees in lockstep for a fixed number of steps
/// without testing for leaves, which lets the CPU overlap their memory loads.
struct TreeNode {
  static constexpr std::uint32_t kDefaultLeft = 1u << 31;
  static constexpr std::uint32_t kCategorical = 1u << 30;
  static constexpr std::uint32_t kLeaf = 1u << 29;
  /// LightGBM's variant of a split (never set by XGBoost models): on a numeric split,
  /// values within LightGBM's zero band (|x| <= 1e-35) follow default_left like NaN
  /// (MissingType::Zero); on a categorical split, the category is x truncated toward zero,
  /// so (-1, 0) is category 0.
  static constexpr std::uint32_t kLightGBMRule = 1u << 28;
  static constexpr std::uint32_t kFeatureMask = kLightGBMRule - 1;

  float threshold = 0;      ///< split threshold; NaN for leaves
  std::uint32_t split = 0;  ///< feature index | kDefaultLeft | kCategorical | kLeaf
  std::uint32_t left = 0;   ///< left child relative to the tree's first node (leaves: self - 1)
  union {
    std::uint32_t category_set = 0;  ///< categorical splits: index into TreeEnsemble::category_sets
    float leaf_value;                ///< leaves: the value added to the margin
  };

  bool is_leaf() const noexcept { return (split & kLeaf) != 0; }
  std::uint32_t feature() const noexcept { return split & kFeatureMask; }
};

/// The categories a categorical split sends right: a bitset of `words` 32-bit words.
struct CategorySet {
  std::uint32_t offset = 0;  ///< first word in TreeEnsemble::category_bits
  std::uint32_t words = 0;
};

/// One internal node of the complete-tree layout: 8 bytes, eight per cache line. Children
/// are implicit (heap order: 2i+1 and 2i+2), so a step is one load, one compare and an add.
struct CompleteNode {
  float threshold = 0;
  std::uint32_t split = 0;  ///< feature index | TreeNode::kDefaultLeft
};

/// The trees of an ensemble without categorical splits, in bundles of kBundleTrees
/// consecutive trees, each padded to a complete binary tree of its bundle's depth (a leaf
/// above that depth becomes a node whose two subtrees end in copies of its value, so every
/// row takes exactly `depth` steps) and interleaved: node i (heap order) of the bundle's
/// tree j is nodes[node_begin + i * kBundleTrees + j], its leaf l is
/// leaves[leaf_begin + l * kBundleTrees + j]. The roots of a bundle share a cache line, a
/// walk needs one base address per bundle, and a 16-lane gather steps all its trees at
/// once. A short last bundle is padded with trees that add nothing. Used for prediction
/// when every bundle is at most kMaxCompleteDepth deep; the breadth-first TreeNode layout
/// serves everything else.
struct CompleteTrees {
  static constexpr std::size_t kGroupTrees = 8;           ///< trees a scalar walk steps in lockstep
  static constexpr std::size_t kBundleTrees = 16;         ///< trees interleaved in one bundle
  static constexpr std::uint32_t kMaxCompleteDepth = 10;  ///< 1023 nodes, 8 KiB per tree
  std::vector<CompleteNode> nodes;
  std::vector<float> leaves;
  std::vector<std::uint32_t> node_begin;  ///< per bundle
  std::vector<std::uint32_t> leaf_begin;  ///< per bundle
  std::vector<std::uint32_t> depth;       ///< per bundle
  bool empty() const noexcept { return depth.empty(); }
};

/// The trees of an ensemble without categorical splits, each padded (as in CompleteTrees)
/// to a complete binary tree of its own depth and stored as a 1-based heap: the root is
/// node 1, the children of node p are 2p (left) and 2p + 1 (right), and a row ends at
/// position p in [2^depth, 2^(depth+1)). Each tree owns `slots` = max(16, 2^depth) entries
/// from `begin` in each array: node p at slot p, the leaf reached at p at slot p mod slots.
/// The AVX-512 batch kernel walks 16 rows through one tree at a time: the nodes of levels
/// 0-3, of level 4 and of level 5 each fit one or two vector registers, so those steps find
/// their nodes by permutes rather than gathers, and each row adds the trees in order. The
/// AVX2 kernel does the same with 8 rows and registers through level 4.
struct HeapTrees {
  std::vector<float> thresholds;
  std::vector<std::uint32_t> splits;  ///< feature index | TreeNode::kDefaultLeft
  std::vector<float> leaves;
  std::vector<std::uint32_t> begin;   ///< per tree
  std::vector<std::uint32_t> depth;   ///< per tree
  bool empty() const noexcept { return depth.empty(); }
  static std::uint32_t slots(std::uint32_t depth) noexcept { return depth < 4 ? 16u : 1u << depth; }
};

/// A loaded tree ensemble. Immutable after loading; shared by all threads.
struct TreeEnsemble {
  std::vector<TreeNode> nodes;           ///< all trees, one after another
  std::vector<std::uint32_t> tree_begin; ///< first node of each tree, plus one past the end
  std::vector<std::uint32_t> tree_group; ///< output (class) each tree adds to
  std::vector<std::uint32_t> tree_depth; ///< deepest root-to-leaf path of each tree, in edges
  std::vector<double> cover;             ///< sum_hessian (XGBoost) or data count (LightGBM) per node, as `nodes`
  /// Leaf values in double, same indexing as `nodes` (LightGBM, whose leaves are summed in
  /// double); empty when TreeNode::leaf_value is the exact value (XGBoost).
  std::vector<double> leaf_values;
  std::vector<CategorySet> category_sets;
  std::vector<std::uint32_t> category_bits;
  std::vector<float> base_margin;        ///< one per output
  std::vector<std::string> feature_names;
  Objective objective;
  std::size_t num_features = 0;
  std::size_t max_depth = 0;             ///< deepest root-to-leaf path, in edges
  bool has_categorical = false;
  bool has_zero_missing = false;         ///< some numeric split has TreeNode::kLightGBMRule
  CompleteTrees complete;                ///< filled by build_complete_trees() when it applies
  HeapTrees heap;                        ///< filled by build_complete_trees() on AVX2 and AVX-512 CPUs

  std::size_t num_trees() const noexcept { return tree_group.size(); }
  std::size_t num_outputs() const noexcept { return base_margin.size(); }
};

/// LightGBM's kZeroThreshold: |x| at most this is zero to LightGBM.
inline constexpr float kLightGBMZero = 1e-35f;

/// Whether a categorical split sends `x` right: XGBoost's rule, where `x` truncated to an
/// integer must be a listed category; negatives and values beyond the bitset go left.
/// With TreeNode::kLightGBMRule, values in (-1, 0) truncate to category 0, as in LightGBM.
inline bool category_goes_right(const TreeEnsemble &model, const TreeNode &node, float x) noexcept {
  const bool in_range = (node.split & TreeNode::kLightGBMRule) ? x > -1.0f : x >= 0.0f;  // false for NaN
  if (!in_range || x >= 16777216.0f) return false;  // 2^24: the largest exact float integer
  const auto category = static_cast<std::uint32_t>(x);
  const CategorySet &set = model.category_sets[node.category_set];
  if (category / 32 >= set.words) return false;
  return (model.category_bits[set.offset + category / 32] >> (category % 32)) & 1u;
}

/// The child of internal node `node` that a row with feature value `x` follows: NaN and
/// the `missing` sentinel follow default_left, categorical splits send listed categories
/// right, numeric splits send `x < threshold` left. The template flags let the hot loop
/// skip checks a model or call cannot need; both default to the general case.
/// kCategorical = false also skips TreeNode::kLightGBMRule (models with has_zero_missing
/// need the general case).
template <bool kSentinel = true, bool kCategorical = true>
inline std::uint32_t next_node(const TreeEnsemble &model, const TreeNode &node, float x, float missing) noexcept {
  const std::uint32_t default_child = node.left + ((node.split & TreeNode::kDefaultLeft) ? 0u : 1u);
  if (std::isnan(x) || (kSentinel && x == missing)) return default_child;
  if (kCategorical && (node.split & (TreeNode::kCategorical | TreeNode::kLightGBMRule))) {
    if (node.split & TreeNode::kCategorical) return node.left + (category_goes_right(model, node, x) ? 1u : 0u);
    if (x >= -kLightGBMZero && x <= kLightGBMZero) return default_child;
  }
  return node.left + (x < node.threshold ? 0u : 1u);
}

/// How the complete layouts are walked: portable C++ (8 trees of a bundle in lockstep, one
/// row at a time); AVX2, whose batches walk 8 rows at a time through each tree of the heap
/// layout (single rows as portable); or AVX-512: a single row steps a bundle's 16 trees with
/// one gather, a batch walks 16 rows at a time through each tree of the heap layout. All
/// give the same leaves.
enum class TreeKernel { portable, avx2, avx512 };

/// Whether this CPU runs `kernel` (AVX-512 needs F, BW, DQ and VL).
bool cpu_runs(TreeKernel kernel) noexcept;

/// "portable", "avx2" or "avx512": riskkit::tree_kernel()'s names, and RISKKIT_TREE_KERNEL's.
const char *kernel_name(TreeKernel kernel) noexcept;

/// The fastest kernel this CPU runs, chosen once; RISKKIT_TREE_KERNEL=avx2 or portable in
/// the environment caps it there (if the CPU runs it), e.g. where AVX-512 lowers the clock.
TreeKernel best_tree_kernel() noexcept;

/// Fills `model.complete` (and, where best_tree_kernel() is not portable, `model.heap`) when the
/// model has no categorical split and every tree is at most CompleteTrees::kMaxCompleteDepth
/// deep; leaves them empty otherwise.
void build_complete_trees(TreeEnsemble &model);

/// Writes the leaf one row reaches in each tree of bundles [first, first + count) of
/// `complete` to `leaves[(bundle - first) * kBundleTrees + tree]` (padding trees give 0),
/// walking four bundles at a time so their gathers overlap. NaN and `missing` take the
/// default direction. Defined in tree_walk_avx512.cpp; call only where the CPU has AVX-512.
void walk_row_avx512(const CompleteTrees &complete, std::size_t first, std::size_t count, const float *row,
                     float missing, float *leaves) noexcept;

/// The most outputs the heap kernels take.
inline constexpr std::size_t kMaxHeapOutputs = 32;

/// accumulate_margins for `model.heap` (not empty) and at most kMaxHeapOutputs outputs.
/// Defined in tree_rows_avx512.cpp; call only where the CPU has AVX-512.
void accumulate_heap_avx512(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                            float *margins) noexcept;
/// The same with AVX2 (tree_rows_avx2.cpp); call only where the CPU has AVX2.
void accumulate_heap_avx2(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                          float *margins) noexcept;

/// Adds the leaf values of every tree to `margins[nrow * num_outputs]`, which the caller
/// initialises (normally with base_margin). Rows are row-major with num_features columns.
/// Each row's sum runs in float32 in tree order, as XGBoost's, whatever the block size or
/// kernel (`kernel` matters only for the complete layout).
void accumulate_margins(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                        float *margins, TreeKernel kernel = best_tree_kernel()) noexcept;

}  // namespace riskkit::detail
