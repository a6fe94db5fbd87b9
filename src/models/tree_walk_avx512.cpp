// The AVX-512 single-row kernel of the bundle layout: one 16-lane gather steps all 16
// trees of a bundle (see CompleteTrees). Compiled for AVX-512 by function attributes, whatever the
// build's -march; best_tree_kernel() decides at run time whether it may be called.
#include "models/tree_ensemble.hpp"

#include "models/simd_target.hpp"

namespace riskkit::detail {

#if RK_HAVE_X86_KERNELS

namespace {

constexpr int kLanes = static_cast<int>(CompleteTrees::kBundleTrees);
static_assert(kLanes == 16 && sizeof(CompleteNode) == 8);
// Bundles of a single row walked in one loop, so their gathers overlap.
constexpr std::size_t kInFlight = 4;

// One bundle's nodes and leaves, and the constants of a walk.
struct Bundle {
  const float *thresholds;
  const int *splits;  // interleaved with thresholds: gathered with a stride of 8 bytes
  const float *leaves;
  std::uint32_t depth;
};

RK_AVX512 inline Bundle bundle_at(const CompleteTrees &complete, std::size_t b) noexcept {
  const auto *thresholds = reinterpret_cast<const float *>(complete.nodes.data() + complete.node_begin[b]);
  return {thresholds, reinterpret_cast<const int *>(thresholds) + 1, complete.leaves.data() + complete.leaf_begin[b],
          complete.depth[b]};
}

// Element index i * 16 + lane of heap node i; its children are 2 (i * 16 + lane) + 16 - lane
// (left) and that plus 16 (right). NaN and the sentinel take the default direction.
RK_AVX512 inline __m512i step(const Bundle &b, __m512i at, const float *row, __m512 sentinel) noexcept {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512i sixteen = _mm512_set1_epi32(kLanes);
  // Masked gathers with an explicit source: GCC 12 warns that the plain forms' undefined
  // source "may be used uninitialized".
  const __m512 threshold = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, at, b.thresholds, 8);
  const __m512i split = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), 0xFFFF, at, b.splits, 8);
  const __m512i feature = _mm512_and_si512(split, _mm512_set1_epi32(static_cast<int>(TreeNode::kFeatureMask)));
  const __m512 x = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, feature, row, 4);
  const __mmask16 not_less = _mm512_cmp_ps_mask(x, threshold, _CMP_NLT_UQ);  // also NaN
  const __mmask16 missing = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(x, sentinel, _CMP_EQ_OQ);
  const __mmask16 default_right =
      _mm512_testn_epi32_mask(split, _mm512_set1_epi32(static_cast<int>(TreeNode::kDefaultLeft)));
  const __mmask16 right = (not_less & ~missing) | (missing & default_right);
  at = _mm512_add_epi32(_mm512_add_epi32(at, at), _mm512_sub_epi32(sixteen, lanes));
  return _mm512_mask_add_epi32(at, right, at, sixteen);
}

RK_AVX512 inline __m512 leaf_values(const Bundle &b, __m512i at) noexcept {
  const __m512i first_leaf = _mm512_set1_epi32(static_cast<int>(((1u << b.depth) - 1u) * CompleteTrees::kBundleTrees));
  return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, _mm512_sub_epi32(at, first_leaf), b.leaves, 4);
}

// Writes the leaves `row` reaches in the 16 trees of bundle `bundle` to leaves[0..16).
RK_AVX512 inline void walk_bundle(const CompleteTrees &complete, std::size_t bundle, const float *row,
                                  __m512 sentinel, float *leaves) noexcept {
  const Bundle b = bundle_at(complete, bundle);
  __m512i at = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (std::uint32_t s = 0; s < b.depth; ++s) at = step(b, at, row, sentinel);
  _mm512_storeu_ps(leaves, leaf_values(b, at));
}

}  // namespace

RK_AVX512 void walk_row_avx512(const CompleteTrees &complete, std::size_t first, std::size_t count,
                               const float *row, float missing, float *leaves) noexcept {
  const __m512i lanes = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const __m512 sentinel = _mm512_set1_ps(missing);
  std::size_t i = 0;
  // Four bundles of one depth at a time: their gathers overlap instead of waiting in turn.
  while (i + kInFlight <= count) {
    Bundle b[kInFlight];
    bool same_depth = true;
    for (std::size_t q = 0; q < kInFlight; ++q) {
      b[q] = bundle_at(complete, first + i + q);
      same_depth = same_depth && b[q].depth == b[0].depth;
    }
    if (!same_depth) {
      walk_bundle(complete, first + i, row, sentinel, leaves + i * CompleteTrees::kBundleTrees);
      ++i;
      continue;
    }
    __m512i at[kInFlight];
    for (std::size_t q = 0; q < kInFlight; ++q) at[q] = lanes;
    for (std::uint32_t s = 0; s < b[0].depth; ++s)
      for (std::size_t q = 0; q < kInFlight; ++q) at[q] = step(b[q], at[q], row, sentinel);
    for (std::size_t q = 0; q < kInFlight; ++q)
      _mm512_storeu_ps(leaves + (i + q) * CompleteTrees::kBundleTrees, leaf_values(b[q], at[q]));
    i += kInFlight;
  }
  for (; i < count; ++i) walk_bundle(complete, first + i, row, sentinel, leaves + i * CompleteTrees::kBundleTrees);
}

#else

// Never called: best_tree_kernel() is portable here.
void walk_row_avx512(const CompleteTrees &, std::size_t, std::size_t, const float *, float, float *) noexcept {}

#endif

}  // namespace riskkit::detail
