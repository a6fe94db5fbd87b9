#pragma once
// Exact TreeSHAP, the algorithm behind XGBoost's pred_contribs, with node cover = the
// model's sum_hessian, in two forms that give the same values:
//
// - Fast TreeSHAP v2 (Yang, "Fast TreeSHAP", 2021) for trees whose tables fit the memory
//   budget: for a leaf whose path splits on the unique features F (|F| = d) with zero
//   fractions z_j (products of cover ratios), a row only decides the subset P ⊆ F of
//   features whose every split on the path it follows. Writing
//       A(Q) = v · Σ_{S ⊆ Q} w_d(|S|) · Π_{j ∈ F\S} z_j,   w_d(k) = k!(d-1-k)!/d!,
//   the leaf adds  −A(P)  to every feature of F outside P, and  (1 − z_i)/z_i · A(P\{i})
//   to every feature i in P. A is tabulated for all 2^d subsets once per model, so a row
//   costs O(leaves · depth) per tree instead of O(leaves · depth²).
// - A path algorithm for the other trees (any depth, zero covers allowed): with P as
//   above and Z = Π_{j ∈ F\P} z_j, the polynomial  p(x) = Π_{j ∈ P} (z_j + x)  holds in
//   its coefficient p_k the sum over the k-subsets S of P of Π_{j ∈ P\S} z_j, so
//       A(P) = v · Z · Σ_k w_d(k) p_k,
//   and A(P\{i}) · (1 − z_i)/z_i = (1 − z_i) · v · Z · Σ_k w_d(k) q_k  with q = p / (z_i + x)
//   (synthetic division, no division by z). A row costs O(leaves · (depth + |P|²)) per
//   tree, where the recursive algorithm (Lundberg, Erion & Lee 2018) costs
//   O(leaves · depth²) with divisions, and no table is needed.
//
// The tables hold floats (XGBoost's own TreeSHAP runs in float; the sums stay in double).
// Where the CPU has AVX-512 and the model has no categorical or LightGBM zero-band splits,
// tabulated trees within the kMaxPacked* limits are "packed": the row's directions are
// computed 16 nodes at a time as bits, P for eight pairs of sibling leaves at a time, and
// each pair's work is a few vector instructions (its table entries picked by permutes, its
// slots moved onto the tree's features by a per-pair permutation, in 64-byte records),
// runs of packed trees one row at a time; see tree_shap_avx512.cpp.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "models/tree_ensemble.hpp"

namespace riskkit::detail {

/// Two sibling leaves of a packed tree (see TreeShap), or one leaf and a "ghost" of zero
/// table entries: what their vector work needs, in one record. Lane 2j of a vector holds
/// the left child's slot j, lane 2j + 1 the right child's (both leaves split on the same
/// features, so they share slots; only the parent's own slot differs in zero fraction).
/// One cache line: the kernel slows with every byte it reads.
struct alignas(64) PackedLeaf {
  /// Per slot j (< 6): (1 - z_j) / z_j, the same for both leaves but at the parent's slot,
  /// where it is the left leaf's; [7]: the right leaf's there. (A ghost's: its sibling's.)
  float ratio[8];
  /// Per feature k of the tree, 2 × the leaves' slot for it (0 when none), as a nibble:
  /// word k / 16, bit 4 (k % 16 / 2) + 32 (k % 2) (see add_pair).
  std::uint64_t slot[2];
  std::uint32_t has;           ///< the tree's features on the leaves' path, one bit each
  std::uint32_t table_begin;   ///< into the tables: the left leaf's 2^d entries, A(Q) per subset Q
  std::uint32_t second_begin;  ///< the right leaf's (a ghost's: 64 zeros)
  std::uint16_t parent_lane;   ///< the bit of the right leaf's lane at the parent's slot
  std::uint8_t slots;          ///< (1 << d) - 1
};

/// Per pair of a packed tree, where its path goes, for eight pairs at a time. Node sets
/// are bitsets of the tree's (at most 63) split nodes, numbered in node order.
struct PackedPaths {
  std::uint64_t path[8];   ///< the splits on the path above the leaves' parent
  std::uint64_t right[8];  ///< those of them the path leaves to the right
  std::uint64_t info[8];   ///< (1 << d) - 1 | the parent's slot << 8 | the parent's split node << 16
};

/// Where a packed tree's per-feature sums go: 16 consecutive model features from `first`,
/// lane i taking the tree's feature `local[i]` when bit i of `mask` is set.
struct PackedFeatures {
  std::uint32_t first;
  std::uint32_t mask;
  std::uint8_t local[16];
};

/// One packed tree: what explain_packed_trees_avx512 reads.
struct PackedTree {
  const float *thresholds;      ///< TreeNode::threshold per split node, padded to a multiple of 16
  const std::uint32_t *splits;  ///< TreeNode::split per split node, likewise
  std::uint32_t splits_count;   ///< split nodes (at most 63)
  std::uint32_t count;          ///< leaf pairs: of `leaves`, and in `paths` (rounded up to 8)
  const PackedLeaf *leaves;     ///< null for a tree that is not packed
  const PackedPaths *paths;
  const std::uint64_t *split_slots;  ///< 8 words: word s, the split nodes whose split is slot s
  const PackedFeatures *outputs;
  std::uint32_t num_outputs;         ///< of `outputs`
  std::uint32_t features;            ///< of the tree
  std::uint32_t six;                 ///< 1 when a leaf has 6 path features
};

/// Writes goes[i] = 1 when the row (`ncol` features) goes right at node i of a tree of n
/// nodes (anything for a leaf), whose nodes' TreeNode::threshold and TreeNode::split are
/// `thresholds` and `splits` (16 readable entries from each multiple of 16 below n), as
/// TreeShap's portable loop, for models without categorical or LightGBM zero-band splits.
/// Defined in tree_shap_avx512.cpp; call only where best_tree_kernel() is avx512.
void fill_goes_avx512(const float *thresholds, const std::uint32_t *splits, std::uint32_t n, const float *row,
                      std::size_t ncol, float missing, std::uint8_t *goes) noexcept;

/// Adds to `sums` (one double per model feature, `ncol` rounded up to 16) the contributions
/// of the packed trees [trees, trees + count) for the row (`ncol` features, `missing` as in
/// fill_goes_avx512). `table` must hold 64 readable floats past every leaf's table_begin
/// and second_begin. Defined in tree_shap_avx512.cpp; call only where best_tree_kernel()
/// is avx512.
void explain_packed_trees_avx512(const PackedTree *trees, std::size_t count, const float *row, std::size_t ncol,
                                 float missing, const float *table, double *sums) noexcept;

/// Per-model TreeSHAP tables. The node means are computed at construction; the Fast
/// TreeSHAP tables on the first explain() call (thread-safe), so loading stays cheap.
class TreeShap {
 public:
  /// `max_table_entries` bounds the Fast TreeSHAP tables (0 = path algorithm only, for tests);
  /// `kernel` avx512 packs the trees that allow it (portable: none, for tests).
  explicit TreeShap(const TreeEnsemble &model, std::size_t max_table_entries = kMaxTableEntries,
                    TreeKernel kernel = best_tree_kernel());
  ~TreeShap();
  TreeShap(const TreeShap &) = delete;
  TreeShap &operator=(const TreeShap &) = delete;

  /// Per-thread working memory; grows to the largest model seen, then never allocates.
  struct Scratch {
    std::vector<std::uint8_t> goes;    ///< per node of one tree: 1 when the row goes right
    std::vector<std::uint16_t> masks;  ///< per node of one tabulated tree: the slots the row follows
    std::vector<double> banks;         ///< per-tree accumulators of a tree's features
    std::vector<std::uint32_t> slots;  ///< the path algorithm's per-slot flags and P
    std::vector<double> poly;          ///< the path algorithm's polynomial and per-slot values
    std::vector<double> sums;          ///< per feature, rounded up to 16: one row's sums over packed trees
  };

  /// Writes the contributions of `nrow` rows (row-major, num_features columns) into
  /// `out[nrow * num_outputs * (num_features + 1)]`: per row and output, one value per
  /// feature then the bias (base margin + expected tree values). Rows are processed in
  /// blocks, tree by tree, so each tree's tables stay in cache across the block.
  void explain(const float *rows, std::size_t nrow, float missing, Scratch &scratch, double *out) const;

  /// Number of trees explained by the Fast TreeSHAP tables (the rest use the path algorithm).
  /// Builds the tables if needed; for tests and documentation.
  std::size_t num_tabulated_trees() const;
  /// Entries (floats) of the Fast TreeSHAP tables. Builds the tables if needed.
  std::size_t num_table_entries() const;
  /// Number of tabulated trees explained by the AVX-512 kernel. Builds the tables if needed.
  std::size_t num_packed_trees() const;

  /// Total table entries (floats) a model may use: beyond it, trees fall back to the
  /// path algorithm. 2^22 entries = 16 MiB.
  static constexpr std::size_t kMaxTableEntries = std::size_t{1} << 22;
  /// Largest number of unique features on a path that gets a table (2^12 entries per leaf).
  static constexpr std::size_t kMaxTablePathFeatures = 12;
  /// Limits of a packed tree: path features per leaf, features and nodes per tree.
  static constexpr std::size_t kMaxPackedPathFeatures = 6;
  static constexpr std::size_t kMaxPackedTreeFeatures = 32;
  static constexpr std::size_t kMaxPackedTreeNodes = 128;

  /// The Fast TreeSHAP tables (defined in tree_shap.cpp).
  struct Tables;

 private:
  const Tables &tables() const;
  void explain_tree(std::size_t tree, const float *row, float missing, Scratch &scratch, double *phi) const;
  void add_leaves_tabulated(std::size_t tree, const std::uint8_t *goes, Scratch &scratch, double *banks,
                            std::uint32_t nf) const;
  void add_leaves_paths(std::size_t tree, const std::uint8_t *goes, Scratch &scratch, double *banks,
                        std::uint32_t nf) const;

  const TreeEnsemble &model_;
  std::size_t max_table_entries_;
  TreeKernel kernel_;
  std::vector<double> node_mean_;  ///< same indexing as model_.nodes
  mutable std::once_flag tables_once_;
  mutable std::unique_ptr<Tables> tables_;
};

}  // namespace riskkit::detail
