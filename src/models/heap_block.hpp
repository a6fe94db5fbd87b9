#pragma once
// What the batch kernels (tree_rows_avx512.cpp, tree_rows_avx2.cpp, lightgbm_rows_avx512.cpp)
// share: the batch cut into blocks, and while a block of rows walks the trees, its margins
// held output by output (sums[output * block_rows + row]), so that a tree adds one vector
// of rows at once.

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "models/tree_ensemble.hpp"

namespace riskkit::detail {

/// A kernel's scoring of one block of rows (at most the kernel's block, which it fills
/// with as many vectors as the rows need), margins in T (float; double for LightGBM).
template <class T>
using BlockFn = void (*)(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                         T *margins) noexcept;

/// A batch kernel: by_vectors[s][u - 1] scores a block of at most u vectors of `lanes`
/// rows, with NaN as the only missing value (s = 0) or a sentinel too (1).
template <class T>
struct BatchKernel {
  std::size_t lanes;
  std::size_t vectors;                ///< per block
  const BlockFn<T> *by_vectors[2];    ///< `vectors` entries each
};

/// Scores a batch with `kernel`, in blocks of kernel.lanes * kernel.vectors rows.
template <class T>
void accumulate_in_blocks(const BatchKernel<T> &kernel, const TreeEnsemble &model, const float *rows,
                          std::size_t nrow, float missing, T *margins) noexcept {
  const std::size_t ncol = model.num_features;
  const std::size_t k = model.num_outputs();
  const std::size_t block_rows = kernel.lanes * kernel.vectors;
  const BlockFn<T> *by_vectors = kernel.by_vectors[std::isnan(missing) ? 0 : 1];
  for (std::size_t begin = 0; begin < nrow; begin += block_rows) {
    const std::size_t n = std::min(block_rows, nrow - begin);
    by_vectors[(n - 1) / kernel.lanes](model, rows + begin * ncol, n, missing, margins + begin * k);
  }
}

/// Copies the margins of `nrow` rows (row-major, `k` outputs each) into `sums`, with
/// zeros for the rows from `nrow` to `block_rows` (lanes past the end of the batch).
template <class T>
void load_block_sums(const T *margins, std::size_t nrow, std::size_t k, std::size_t block_rows, T *sums) noexcept {
  for (std::size_t g = 0; g < k; ++g) {
    for (std::size_t r = 0; r < nrow; ++r) sums[g * block_rows + r] = margins[r * k + g];
    std::fill(sums + g * block_rows + nrow, sums + (g + 1) * block_rows, T{0});
  }
}

/// Writes the first `nrow` rows of `sums` back to the row-major margins.
template <class T>
void store_block_sums(const T *sums, std::size_t nrow, std::size_t k, std::size_t block_rows, T *margins) noexcept {
  for (std::size_t r = 0; r < nrow; ++r)
    for (std::size_t g = 0; g < k; ++g) margins[r * k + g] = sums[g * block_rows + r];
}

}  // namespace riskkit::detail
