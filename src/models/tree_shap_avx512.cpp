// The AVX-512 kernel of packed TreeSHAP trees (see tree_shap.hpp). Per tree: the row's
// directions at 16 split nodes per step, as bits; P for eight leaf pairs per step; then
// one pair of sibling leaves per step, their slots interleaved in the lanes of one vector:
// their table entries A(P \ {j}) come from permutes of each leaf's (at most 64) entries,
// and a per-pair permutation moves each slot's contribution onto its feature of the tree,
// so there is no gather, scatter or branch on the row. The tree's float sums go onto the
// model's features, in double, by permutes too, 16 at a time.
// Compiled for AVX-512 by function attributes, whatever the build's -march; TreeShap packs
// trees only where best_tree_kernel() is avx512.
#include "models/tree_shap.hpp"

#include <algorithm>
#include <cstddef>

#include "models/simd_target.hpp"

namespace riskkit::detail {

#if RK_HAVE_X86_KERNELS

namespace {

// Per-feature accumulators of a tree: features 0-15 and 16-31.
struct Acc {
  __m512 low, high;
};

// The row's columns, for reading by permutes when there are at most 64.
struct Columns {
  __m512 q[4];
  bool in_registers;
};

RK_AVX512 inline Columns load_columns(const float *row, std::size_t ncol) noexcept {
  Columns c{};
  c.in_registers = ncol <= 64;
  for (std::size_t q = 0; q < 4; ++q) {
    const std::size_t valid = !c.in_registers || 16 * q >= ncol ? 0 : std::min<std::size_t>(16, ncol - 16 * q);
    c.q[q] = _mm512_maskz_loadu_ps(static_cast<__mmask16>((1u << valid) - 1u), row + 16 * q);
  }
  return c;
}

// Bit i: the row goes right at node i + 16 j of the tree (see fill_goes_avx512).
RK_AVX512 inline __mmask16 goes_right(const float *thresholds, const std::uint32_t *splits, std::uint32_t i,
                                      const float *row, const Columns &c, __m512 sentinel) noexcept {
  const __m512i feature_mask = _mm512_set1_epi32(static_cast<int>(TreeNode::kFeatureMask));
  const __m512i default_left = _mm512_set1_epi32(static_cast<int>(TreeNode::kDefaultLeft));
  const __m512 threshold = _mm512_loadu_ps(thresholds + i);
  const __m512i split = _mm512_loadu_si512(splits + i);
  const __m512i feature = _mm512_and_si512(split, feature_mask);
  const __m512 x = c.in_registers ? _mm512_mask_blend_ps(_mm512_test_epi32_mask(feature, _mm512_set1_epi32(32)),
                                                         _mm512_permutex2var_ps(c.q[0], feature, c.q[1]),
                                                         _mm512_permutex2var_ps(c.q[2], feature, c.q[3]))
                                  : _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, feature, row, 4);
  const __mmask16 not_less = _mm512_cmp_ps_mask(x, threshold, _CMP_NLT_UQ);  // also NaN
  const __mmask16 is_missing = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(x, sentinel, _CMP_EQ_OQ);
  return (not_less & ~is_missing) | (is_missing & _mm512_testn_epi32_mask(split, default_left));
}

// Per pair of the tree, the slots each leaf's path follows (P): the left leaf's in the low
// half of masks[p], the right leaf's in the high half; eight pairs at a time. `right`: the
// split nodes where the row goes right. (Zero-masked forms throughout: GCC 12 warns that
// the plain forms' undefined source "may be used uninitialized".)
RK_AVX512 inline void follow_paths(const PackedTree &tree, std::uint64_t right, std::uint64_t *masks) noexcept {
  const __m512i row = _mm512_set1_epi64(static_cast<long long>(right));
  const __m512i one = _mm512_set1_epi64(1);
  for (std::uint32_t p = 0; p < tree.count; p += 8) {
    const PackedPaths &paths = tree.paths[p / 8];
    const __m512i info = _mm512_loadu_si512(paths.info);
    // The splits above the parent where the row leaves the path (0x28: (a ^ b) & c), and
    // the slots they split on.
    const __m512i off =
        _mm512_ternarylogic_epi64(row, _mm512_loadu_si512(paths.right), _mm512_loadu_si512(paths.path), 0x28);
    __m512i follows = _mm512_and_si512(info, _mm512_set1_epi64(0xFF));
    for (std::uint32_t s = 0; s < TreeShap::kMaxPackedPathFeatures; ++s) {
      const __m512i nodes = _mm512_set1_epi64(static_cast<long long>(tree.split_slots[s]));
      follows = _mm512_mask_andnot_epi64(follows, _mm512_test_epi64_mask(off, nodes), _mm512_set1_epi64(1ll << s),
                                         follows);
    }
    // At the parent the row leaves the path of one leaf: the left one where it goes right.
    const __m512i parent_node = _mm512_maskz_srli_epi64(0xFF, info, 16);
    const __m512i parent_slot = _mm512_and_si512(_mm512_maskz_srli_epi64(0xFF, info, 8), _mm512_set1_epi64(7));
    const __m512i goes = _mm512_and_si512(_mm512_maskz_srlv_epi64(0xFF, row, parent_node), one);
    const __m512i parent = _mm512_maskz_sllv_epi64(0xFF, one, parent_slot);
    const __m512i left_off = _mm512_and_si512(parent, _mm512_sub_epi64(_mm512_setzero_si512(), goes));
    const __m512i right_off = _mm512_and_si512(parent, _mm512_sub_epi64(goes, one));
    const __m512i left = _mm512_maskz_andnot_epi64(0xFF, left_off, follows);
    const __m512i right_leaf = _mm512_maskz_andnot_epi64(0xFF, right_off, follows);
    _mm512_storeu_si512(masks + p, _mm512_or_si512(left, _mm512_maskz_slli_epi64(0xFF, right_leaf, 32)));
  }
}

// Adds a pair's contributions to the tree's features; `follows` from follow_paths. kSix:
// the pair may have 6 path features.
template <bool kHigh, bool kSix>
RK_AVX512 inline void add_pair(const PackedLeaf &leaf, std::uint64_t follows, const float *table, Acc &acc) noexcept {
  // Lanes 2j and 2j + 1 (slot j of each leaf): bit j.
  const __m512i bits = _mm512_setr_epi32(1, 1, 2, 2, 4, 4, 8, 8, 16, 16, 32, 32, 64, 64, 128, 128);
  const __m512i mask = _mm512_set1_epi64(static_cast<long long>(follows));
  // Per lane: A(P \ {j}), which is A(P) when j is outside P.
  const __m512i index = _mm512_maskz_andnot_epi32(0xFFFF, bits, mask);
  const float *a = table + leaf.table_begin, *b = table + leaf.second_begin;
  __m512 value =
      _mm512_mask_blend_ps(0xAAAA, _mm512_permutex2var_ps(_mm512_loadu_ps(a), index, _mm512_loadu_ps(a + 16)),
                           _mm512_permutex2var_ps(_mm512_loadu_ps(b), index, _mm512_loadu_ps(b + 16)));
  if (kSix && leaf.slots > 31) {
    const __m512 high =
        _mm512_mask_blend_ps(0xAAAA, _mm512_permutex2var_ps(_mm512_loadu_ps(a + 32), index, _mm512_loadu_ps(a + 48)),
                             _mm512_permutex2var_ps(_mm512_loadu_ps(b + 32), index, _mm512_loadu_ps(b + 48)));
    value = _mm512_mask_blend_ps(_mm512_test_epi32_mask(index, _mm512_set1_epi32(32)), value, high);
  }
  // Slots in P add ratio_j A(P \ {j}), the others -A(P).
  const __m512 ratios = _mm512_maskz_loadu_ps(0x00FF, leaf.ratio);
  const __m512i twice = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
  const __m512 ratio = _mm512_mask_permutexvar_ps(_mm512_maskz_permutexvar_ps(0xFFFF, twice, ratios), leaf.parent_lane,
                                                  _mm512_set1_epi32(7), ratios);
  const __m512 coef = _mm512_mask_blend_ps(_mm512_test_epi32_mask(mask, bits), _mm512_set1_ps(-1.0f), ratio);
  const __m512 add = _mm512_mul_ps(coef, value);
  // Each slot's two leaves, then onto the tree's features (the permutes read the low four
  // bits of each lane: lane i of word w holds feature 16 w + i's nibble).
  const __m512 both = _mm512_add_ps(add, _mm512_maskz_permute_ps(0xFFFF, add, 0xB1));
  const __m512i shifts = _mm512_setr_epi32(0, 0, 4, 4, 8, 8, 12, 12, 16, 16, 20, 20, 24, 24, 28, 28);
  const __m512i low = _mm512_maskz_srlv_epi32(0xFFFF, _mm512_set1_epi64(static_cast<long long>(leaf.slot[0])), shifts);
  acc.low = _mm512_mask_add_ps(acc.low, static_cast<__mmask16>(leaf.has), acc.low,
                               _mm512_maskz_permutexvar_ps(0xFFFF, low, both));
  if constexpr (kHigh) {
    const __m512i high =
        _mm512_maskz_srlv_epi32(0xFFFF, _mm512_set1_epi64(static_cast<long long>(leaf.slot[1])), shifts);
    acc.high = _mm512_mask_add_ps(acc.high, static_cast<__mmask16>(leaf.has >> 16), acc.high,
                                  _mm512_maskz_permutexvar_ps(0xFFFF, high, both));
  }
}

// The leaf pairs of a tree; kHigh when it has more than 16 features, kSix when a leaf has
// 6 path features (64 table entries).
template <bool kHigh, bool kSix>
RK_AVX512 inline Acc add_pairs(const PackedLeaf *leaves, std::size_t count, const std::uint64_t *masks,
                               const float *table) noexcept {
  // Two sets of accumulators, so that consecutive pairs do not wait on each other.
  Acc even{_mm512_setzero_ps(), _mm512_setzero_ps()}, odd = even;
  std::size_t l = 0;
  for (; l + 2 <= count; l += 2) {
    add_pair<kHigh, kSix>(leaves[l], masks[l], table, even);
    add_pair<kHigh, kSix>(leaves[l + 1], masks[l + 1], table, odd);
  }
  if (l < count) add_pair<kHigh, kSix>(leaves[l], masks[l], table, even);
  return {_mm512_add_ps(even.low, odd.low), _mm512_add_ps(even.high, odd.high)};
}

RK_AVX512 inline Acc add_tree_pairs(const PackedTree &tree, const std::uint64_t *masks, const float *table) noexcept {
  if (tree.features > 16)
    return tree.six ? add_pairs<true, true>(tree.leaves, tree.count, masks, table)
                    : add_pairs<true, false>(tree.leaves, tree.count, masks, table);
  return tree.six ? add_pairs<false, true>(tree.leaves, tree.count, masks, table)
                  : add_pairs<false, false>(tree.leaves, tree.count, masks, table);
}

}  // namespace

RK_AVX512 void explain_packed_trees_avx512(const PackedTree *trees, std::size_t count, const float *row,
                                           std::size_t ncol, float missing, const float *table, double *sums) noexcept {
  const Columns columns = load_columns(row, ncol);
  const __m512 sentinel = _mm512_set1_ps(missing);
  for (std::size_t t = 0; t < count; ++t) {
    const PackedTree &tree = trees[t];
    std::uint64_t right = 0;
    for (std::uint32_t i = 0; i < tree.splits_count; i += 16)
      right |= std::uint64_t{goes_right(tree.thresholds, tree.splits, i, row, columns, sentinel)} << i;
    alignas(64) std::uint64_t masks[TreeShap::kMaxPackedTreeNodes / 2];
    follow_paths(tree, right, masks);
    const Acc acc = add_tree_pairs(tree, masks, table);
    // Each feature's float sum, widened, onto its double (the other lanes add zeros).
    for (std::uint32_t o = 0; o < tree.num_outputs; ++o) {
      const PackedFeatures &out = tree.outputs[o];
      const __m512i local =
          _mm512_maskz_cvtepu8_epi32(0xFFFF, _mm_loadu_si128(reinterpret_cast<const __m128i *>(out.local)));
      const __m512 part = _mm512_maskz_permutex2var_ps(static_cast<__mmask16>(out.mask), acc.low, local, acc.high);
      const __m512d halves[2] = {_mm512_maskz_cvtps_pd(0xFF, _mm512_maskz_extractf32x8_ps(0xFF, part, 0)),
                                 _mm512_maskz_cvtps_pd(0xFF, _mm512_maskz_extractf32x8_ps(0xFF, part, 1))};
      double *at = sums + out.first;
      for (std::size_t h = 0; h < 2; ++h)
        _mm512_storeu_pd(at + 8 * h, _mm512_add_pd(_mm512_loadu_pd(at + 8 * h), halves[h]));
    }
  }
}

RK_AVX512 void fill_goes_avx512(const float *thresholds, const std::uint32_t *splits, std::uint32_t n,
                                const float *row, std::size_t ncol, float missing, std::uint8_t *goes) noexcept {
  const Columns columns = load_columns(row, ncol);
  const __m512 sentinel = _mm512_set1_ps(missing);
  for (std::uint32_t i = 0; i < n; i += 16)
    _mm_mask_storeu_epi8(goes + i, static_cast<__mmask16>(n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1u),
                         _mm_maskz_set1_epi8(goes_right(thresholds, splits, i, row, columns, sentinel), 1));
}

#else

void fill_goes_avx512(const float *, const std::uint32_t *, std::uint32_t, const float *, std::size_t, float,
                      std::uint8_t *) noexcept {}

// Never called: best_tree_kernel() is portable here, so no tree is packed.
void explain_packed_trees_avx512(const PackedTree *, std::size_t, const float *, std::size_t, float, const float *,
                                 double *) noexcept {}

#endif

}  // namespace riskkit::detail
