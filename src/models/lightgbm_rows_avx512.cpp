// The AVX-512 batch kernel of LightGBM models (numeric splits without the zero band, no
// linear trees): 16 rows walk one tree of the shared breadth-first layout (TreeNode)
// together, four such vectors at a time so their gathers overlap. Each step gathers the
// lanes' nodes and their rows' feature values; leaves step to themselves, so a tree takes
// its depth in steps unchecked. Each row adds the trees' leaf values in double in tree
// order, as the portable walk and LightGBM do. Compiled for AVX-512 by function attributes,
// whatever the build's -march; best_tree_kernel() decides whether it may run.
#include "models/lightgbm_model.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "models/heap_block.hpp"
#include "models/row_block_avx512.hpp"

namespace riskkit::detail {

#if RK_HAVE_X86_KERNELS

namespace {

constexpr std::size_t kLanes = 16;
constexpr std::size_t kVectors = 4;
constexpr std::size_t kBlockRows = kLanes * kVectors;
static_assert(sizeof(TreeNode) == 16 && offsetof(TreeNode, threshold) == 0 && offsetof(TreeNode, split) == 4 &&
              offsetof(TreeNode, left) == 8);

using Block = RowBlock16<kVectors>;

// Moves each lane from node `at` (an index into the model's nodes) to the child next_node
// picks: NaN and the sentinel take the default direction, others go right unless
// x < threshold (a leaf's NaN threshold sends every row back to the leaf itself).
template <bool kSentinel>
RK_AVX512 inline __m512i step(const Block &block, std::size_t v, __m512i at, __m512i tree_begin,
                              const std::int32_t *words) noexcept {
  const __m512i twice = _mm512_add_epi32(at, at);
  const __m512i word = _mm512_add_epi32(twice, twice);  // 4 words per 16-byte node (a shift warns on GCC 12)
  const __m512 threshold = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, word, words, 4);
  const __m512i split = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), 0xFFFF,
                                                    _mm512_add_epi32(word, _mm512_set1_epi32(1)), words, 4);
  const __m512i left = _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), 0xFFFF,
                                                   _mm512_add_epi32(word, _mm512_set1_epi32(2)), words, 4);
  const __m512i feature = _mm512_and_si512(split, _mm512_set1_epi32(static_cast<int>(TreeNode::kFeatureMask)));
  const __m512 x = block.values(v, feature);
  __mmask16 missing = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q);
  if constexpr (kSentinel) missing |= _mm512_cmp_ps_mask(x, block.sentinel, _CMP_EQ_OQ);
  const __mmask16 default_right =
      _mm512_testn_epi32_mask(split, _mm512_set1_epi32(static_cast<int>(TreeNode::kDefaultLeft)));
  const __mmask16 not_less = _mm512_cmp_ps_mask(x, threshold, _CMP_NLT_UQ);
  const __mmask16 right = (not_less & ~missing) | (missing & default_right);
  const __m512i child = _mm512_add_epi32(tree_begin, left);
  return _mm512_mask_add_epi32(child, right, child, _mm512_set1_epi32(1));
}

// Adds every tree's leaf values to the margins of at most kUsed * 16 rows (held as in
// heap_block.hpp).
template <bool kSentinel, std::size_t kUsed>
RK_AVX512 void accumulate_block(const TreeEnsemble &trees, const float *rows, std::size_t nrow, float missing,
                                double *margins) noexcept {
  const std::size_t k = trees.num_outputs();
  const std::size_t ncol = trees.num_features;
  const auto *words = reinterpret_cast<const std::int32_t *>(trees.nodes.data());
  const Block block(rows, nrow, ncol, kUsed, missing);
  alignas(64) double sums[kMaxLightGbmBatchOutputs * kBlockRows];
  load_block_sums(margins, nrow, k, kBlockRows, sums);
  for (std::size_t t = 0; t < trees.num_trees(); ++t) {
    const __m512i tree_begin = _mm512_set1_epi32(static_cast<int>(trees.tree_begin[t]));
    __m512i at[kUsed];
    for (std::size_t v = 0; v < kUsed; ++v) at[v] = tree_begin;
    for (std::uint32_t s = 0; s < trees.tree_depth[t]; ++s)
      for (std::size_t v = 0; v < kUsed; ++v) at[v] = step<kSentinel>(block, v, at[v], tree_begin, words);
    double *sum = sums + trees.tree_group[t] * kBlockRows;
    // The zero-masked extracts, because GCC 12 warns that the plain forms' (and the casts')
    // undefined source "may be used uninitialized".
    for (std::size_t v = 0; v < kUsed; ++v) {
      const __m512d low = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), 0xFF, _mm512_maskz_extracti64x4_epi64(0xF, at[v], 0),
                                                   trees.leaf_values.data(), 8);
      const __m512d high = _mm512_mask_i32gather_pd(_mm512_setzero_pd(), 0xFF, _mm512_maskz_extracti64x4_epi64(0xF, at[v], 1),
                                                    trees.leaf_values.data(), 8);
      double *lanes = sum + v * kLanes;
      _mm512_store_pd(lanes, _mm512_add_pd(_mm512_load_pd(lanes), low));
      _mm512_store_pd(lanes + 8, _mm512_add_pd(_mm512_load_pd(lanes + 8), high));
    }
  }
  store_block_sums(sums, nrow, k, kBlockRows, margins);
}

template <bool kSentinel>
constexpr BlockFn<double> kByVectors[kVectors] = {
    &accumulate_block<kSentinel, 1>, &accumulate_block<kSentinel, 2>, &accumulate_block<kSentinel, 3>,
    &accumulate_block<kSentinel, 4>};

}  // namespace

void accumulate_lightgbm_avx512(const TreeEnsemble &trees, const float *rows, std::size_t nrow, float missing,
                                double *margins) noexcept {
  static constexpr BatchKernel<double> kKernel{kLanes, kVectors, {kByVectors<false>, kByVectors<true>}};
  accumulate_in_blocks(kKernel, trees, rows, nrow, missing, margins);
}

#else

// Never called: best_tree_kernel() is portable here.
void accumulate_lightgbm_avx512(const TreeEnsemble &, const float *, std::size_t, float, double *) noexcept {}

#endif

}  // namespace riskkit::detail
