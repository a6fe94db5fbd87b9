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
// - The recursive algorithm (Lundberg, Erion & Lee 2018, Algorithm 2) for the rest: trees
//   too large for the tables, or with a zero-cover child (where (1 − z)/z is undefined).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "models/tree_ensemble.hpp"

namespace riskkit::detail {

/// Per-model TreeSHAP tables. The node means are computed at construction; the Fast
/// TreeSHAP tables on the first explain() call (thread-safe), so loading stays cheap.
class TreeShap {
 public:
  /// `max_table_entries` bounds the Fast TreeSHAP tables (0 = recursion only, for tests).
  explicit TreeShap(const TreeEnsemble &model, std::size_t max_table_entries = kMaxTableEntries);
  ~TreeShap();
  TreeShap(const TreeShap &) = delete;
  TreeShap &operator=(const TreeShap &) = delete;

  /// One element of the unique decision path the recursion carries.
  struct PathElement {
    int feature;
    double zero_fraction;
    double one_fraction;
    double weight;
  };

  /// Per-thread working memory; grows to the largest model seen, then never allocates.
  struct Scratch {
    std::vector<PathElement> path;     ///< the recursive algorithm's path stack
    std::vector<std::uint8_t> goes;    ///< per node of one tree: 1 when the row goes right
    std::vector<double> banks;         ///< per-tree accumulators of the table algorithm
  };

  /// Writes the contributions of `nrow` rows (row-major, num_features columns) into
  /// `out[nrow * num_outputs * (num_features + 1)]`: per row and output, one value per
  /// feature then the bias (base margin + expected tree values). Rows are processed in
  /// blocks, tree by tree, so each tree's tables stay in cache across the block.
  void explain(const float *rows, std::size_t nrow, float missing, Scratch &scratch, double *out) const;

  /// Number of trees explained by the Fast TreeSHAP tables (the rest use the recursion).
  /// Builds the tables if needed; for tests and documentation.
  std::size_t num_tabulated_trees() const;
  /// Entries (doubles) of the Fast TreeSHAP tables. Builds the tables if needed.
  std::size_t num_table_entries() const;

  /// Total table entries (doubles) a model may use: beyond it, trees fall back to the
  /// recursive algorithm. 2^22 entries = 32 MiB.
  static constexpr std::size_t kMaxTableEntries = std::size_t{1} << 22;
  /// Largest number of unique features on a path that gets a table (2^12 entries per leaf).
  static constexpr std::size_t kMaxTablePathFeatures = 12;

  /// The Fast TreeSHAP tables (defined in tree_shap.cpp).
  struct Tables;

 private:
  const Tables &tables() const;
  void explain_tree_table(std::size_t tree, const float *row, float missing, Scratch &scratch, double *phi) const;
  void recurse(std::uint32_t tree_begin, std::uint32_t node, const float *row, float missing, double *phi,
               PathElement *parent_path, std::size_t depth, double zero_fraction, double one_fraction,
               int feature) const;

  const TreeEnsemble &model_;
  std::size_t max_table_entries_;
  std::vector<double> node_mean_;  ///< same indexing as model_.nodes
  mutable std::once_flag tables_once_;
  mutable std::unique_ptr<Tables> tables_;
};

}  // namespace riskkit::detail
