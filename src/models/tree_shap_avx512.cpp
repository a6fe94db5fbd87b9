// The AVX-512 kernel of packed TreeSHAP trees (see tree_shap.hpp): one leaf per step, its
// slots in the lanes of one vector. Its table entries A(P \ {j}) come from permutes of the
// leaf's (at most 64) entries, and a per-leaf permutation moves each slot's contribution
// onto its feature of the tree, so there is no gather, scatter or branch on the row.
// Compiled for AVX-512 by function attributes, whatever the build's -march; TreeShap packs
// trees only where best_tree_kernel() is avx512.
#include "models/tree_shap.hpp"

#include <algorithm>
#include <cstddef>

#include "models/avx512_target.hpp"

namespace riskkit::detail {

#if RK_HAVE_AVX512_KERNELS

namespace {

// Per-feature accumulators of a tree: features 0-15 and 16-31.
struct Acc {
  __m512 low, high;
};

// The row's directions and the tree's split_slots (see add_packed_leaves_avx512).
struct Row {
  std::uint64_t right[2];
  __m512i split_slots[2];
};

template <bool kHigh>
RK_AVX512 inline void add_leaf(const PackedLeaf &leaf, const Row &row, const float *table, Acc &acc) noexcept {
  const __m512i bits = _mm512_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768);
  // P: the slots of the leaf but those split on where the row leaves its path.
  const __m512i off_low = _mm512_set1_epi64(static_cast<long long>((row.right[0] ^ leaf.right[0]) & leaf.path[0]));
  const __m512i off_high = _mm512_set1_epi64(static_cast<long long>((row.right[1] ^ leaf.right[1]) & leaf.path[1]));
  const std::uint32_t broken = _mm512_test_epi64_mask(off_low, row.split_slots[0]) |
                               _mm512_test_epi64_mask(off_high, row.split_slots[1]);
  const __m512i mask = _mm512_set1_epi32(static_cast<int>(leaf.slots & ~broken));
  // Lane j: A(P \ {j}), which is A(P) when j is outside P. (Zero-masked forms throughout:
  // GCC 12 warns that the plain forms' undefined source "may be used uninitialized".)
  const __m512i index = _mm512_maskz_andnot_epi32(0xFFFF, bits, mask);
  const float *a = table + leaf.table_begin;
  __m512 value = _mm512_permutex2var_ps(_mm512_loadu_ps(a), index, _mm512_loadu_ps(a + 16));
  if (leaf.slots > 31) {
    const __m512 high = _mm512_permutex2var_ps(_mm512_loadu_ps(a + 32), index, _mm512_loadu_ps(a + 48));
    value = _mm512_mask_blend_ps(_mm512_test_epi32_mask(index, _mm512_set1_epi32(32)), value, high);
  }
  // Slots in P add ratio_j A(P \ {j}), the others -A(P).
  const __m512 ratio = _mm512_maskz_loadu_ps(0x00FF, leaf.ratio);
  const __m512 coef = _mm512_mask_blend_ps(_mm512_test_epi32_mask(mask, bits), _mm512_set1_ps(-1.0f), ratio);
  const __m512 add = _mm512_mul_ps(coef, value);
  const __m512i low = _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i *>(leaf.slot)));
  acc.low = _mm512_mask_add_ps(acc.low, static_cast<__mmask16>(leaf.has), acc.low,
                               _mm512_maskz_permutexvar_ps(0xFFFF, low, add));
  if constexpr (kHigh) {
    const __m512i high =
        _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i *>(leaf.slot + 16)));
    acc.high = _mm512_mask_add_ps(acc.high, static_cast<__mmask16>(leaf.has >> 16), acc.high,
                                  _mm512_maskz_permutexvar_ps(0xFFFF, high, add));
  }
}

// The leaves of a tree; kHigh when it has more than 16 features.
template <bool kHigh>
RK_AVX512 inline void add_leaves(const PackedLeaf *leaves, std::size_t count, const Row &row, const float *table,
                                 float *acc) noexcept {
  // Two sets of accumulators, so that consecutive leaves do not wait on each other.
  Acc even{_mm512_setzero_ps(), _mm512_setzero_ps()}, odd = even;
  std::size_t l = 0;
  for (; l + 2 <= count; l += 2) {
    add_leaf<kHigh>(leaves[l], row, table, even);
    add_leaf<kHigh>(leaves[l + 1], row, table, odd);
  }
  if (l < count) add_leaf<kHigh>(leaves[l], row, table, even);
  _mm512_storeu_ps(acc, _mm512_add_ps(even.low, odd.low));
  _mm512_storeu_ps(acc + 16, _mm512_add_ps(even.high, odd.high));
}

}  // namespace

RK_AVX512 void add_packed_leaves_avx512(const PackedLeaf *leaves, std::size_t count, const std::uint64_t *right,
                                        const std::uint64_t *split_slots, std::size_t features, const float *table,
                                        float *acc) noexcept {
  const Row row{{right[0], right[1]}, {_mm512_loadu_si512(split_slots), _mm512_loadu_si512(split_slots + 8)}};
  if (features > 16)
    add_leaves<true>(leaves, count, row, table, acc);
  else
    add_leaves<false>(leaves, count, row, table, acc);
}

RK_AVX512 void fill_goes_avx512(const float *thresholds, const std::uint32_t *splits, std::uint32_t n,
                                const float *row, std::size_t ncol, float missing, std::uint8_t *goes,
                                std::uint64_t *right_bits) noexcept {
  const __m512 sentinel = _mm512_set1_ps(missing);
  const __m512i feature_mask = _mm512_set1_epi32(static_cast<int>(TreeNode::kFeatureMask));
  const __m512i default_left = _mm512_set1_epi32(static_cast<int>(TreeNode::kDefaultLeft));
  // A row of at most 64 features is held in four registers and read by permutes.
  const bool in_registers = ncol <= 64;
  __m512 columns[4];
  for (std::size_t q = 0; q < 4; ++q) {
    const std::size_t valid = !in_registers || 16 * q >= ncol ? 0 : std::min<std::size_t>(16, ncol - 16 * q);
    columns[q] = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << valid) - 1u), row + 16 * q);
  }
  const __m512i high_half = _mm512_set1_epi32(32);
  for (std::uint32_t i = 0; i < n; i += 16) {
    const __m512 threshold = _mm512_loadu_ps(thresholds + i);
    const __m512i split = _mm512_loadu_si512(splits + i);
    const __m512i feature = _mm512_and_si512(split, feature_mask);
    const __m512 x = in_registers ? _mm512_mask_blend_ps(_mm512_test_epi32_mask(feature, high_half),
                                                         _mm512_permutex2var_ps(columns[0], feature, columns[1]),
                                                         _mm512_permutex2var_ps(columns[2], feature, columns[3]))
                                  : _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, feature, row, 4);
    const __mmask16 not_less = _mm512_cmp_ps_mask(x, threshold, _CMP_NLT_UQ);  // also NaN
    const __mmask16 is_missing = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(x, sentinel, _CMP_EQ_OQ);
    const __mmask16 right = (not_less & ~is_missing) | (is_missing & _mm512_testn_epi32_mask(split, default_left));
    if (i < 128) right_bits[i >> 6] |= std::uint64_t{right} << (i & 63u);
    _mm_mask_storeu_epi8(goes + i, static_cast<__mmask16>(n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1u),
                         _mm_maskz_set1_epi8(right, 1));
  }
}

#else

void fill_goes_avx512(const float *, const std::uint32_t *, std::uint32_t, const float *, std::size_t, float,
                      std::uint8_t *, std::uint64_t *) noexcept {}

// Never called: best_tree_kernel() is portable here, so no tree is packed.
void add_packed_leaves_avx512(const PackedLeaf *, std::size_t, const std::uint64_t *, const std::uint64_t *,
                              std::size_t, const float *, float *) noexcept {}

#endif

}  // namespace riskkit::detail
