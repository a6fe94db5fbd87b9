#pragma once
// What the AVX-512 batch kernels (tree_rows_avx512.cpp, lightgbm_rows_avx512.cpp) share: a
// block of rows seen as vectors of 16 lanes, one row per lane, and the gather of each
// lane's feature value.

#include <algorithm>
#include <cstddef>

#include "models/simd_target.hpp"

#if RK_HAVE_X86_KERNELS

namespace riskkit::detail {

/// At most kVectors * 16 rows: lane l of vector v is row v * 16 + l of the block, at
/// base[v] + offsets[l]; lanes past the end of the batch are off in valid[v] and never read.
template <std::size_t kVectors>
struct RowBlock16 {
  const float *base[kVectors];
  __mmask16 valid[kVectors];
  __m512i offsets;
  __m512 sentinel;  ///< `missing`: NaN when there is none, never equal

  /// The first `used` vectors of `nrow` rows of `ncol` features from `rows`.
  RK_AVX512 RowBlock16(const float *rows, std::size_t nrow, std::size_t ncol, std::size_t used, float missing) noexcept
      : offsets(_mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                   _mm512_set1_epi32(static_cast<int>(ncol)))),
        sentinel(_mm512_set1_ps(missing)) {
    for (std::size_t v = 0; v < used; ++v) {
      const std::size_t first = std::min(v * 16, nrow);
      base[v] = rows + first * ncol;
      valid[v] = static_cast<__mmask16>((1u << std::min<std::size_t>(16, nrow - first)) - 1u);
    }
  }

  /// Each lane's row's value of feature feature[lane], in vector v (0 in lanes that are off).
  RK_AVX512 __m512 values(std::size_t v, __m512i feature) const noexcept {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), valid[v], _mm512_add_epi32(offsets, feature), base[v], 4);
  }
};

}  // namespace riskkit::detail

#endif
