#pragma once
// What the batch kernels of the heap layout (tree_rows_avx512.cpp, tree_rows_avx2.cpp)
// share: while a block of rows walks the trees, its margins are held output by output
// (sums[output * block_rows + row]), so that a tree adds one vector of rows at once.

#include <algorithm>
#include <cstddef>

namespace riskkit::detail {

/// Copies the margins of `nrow` rows (row-major, `k` outputs each) into `sums`, with
/// zeros for the rows from `nrow` to `block_rows` (lanes past the end of the batch).
inline void load_block_sums(const float *margins, std::size_t nrow, std::size_t k, std::size_t block_rows,
                            float *sums) noexcept {
  for (std::size_t g = 0; g < k; ++g) {
    for (std::size_t r = 0; r < nrow; ++r) sums[g * block_rows + r] = margins[r * k + g];
    std::fill(sums + g * block_rows + nrow, sums + (g + 1) * block_rows, 0.0f);
  }
}

/// Writes the first `nrow` rows of `sums` back to the row-major margins.
inline void store_block_sums(const float *sums, std::size_t nrow, std::size_t k, std::size_t block_rows,
                             float *margins) noexcept {
  for (std::size_t r = 0; r < nrow; ++r)
    for (std::size_t g = 0; g < k; ++g) margins[r * k + g] = sums[g * block_rows + r];
}

}  // namespace riskkit::detail
