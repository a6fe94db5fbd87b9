#include "models/tree_ensemble.hpp"

#include <algorithm>

namespace riskkit::detail {
namespace {

// Rows evaluated together per group of trees: enough to keep the trees hot in cache, few
// enough that the rows stay in L1.
constexpr std::size_t kBlockRows = 64;
// Trees walked in lockstep for one row: independent chains of loads the CPU overlaps.
constexpr std::size_t kGroupTrees = 8;

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
