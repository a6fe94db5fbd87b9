// The AVX-512 batch kernel of the heap layout (see HeapTrees): 16 rows walk one tree at a
// time, up to eight such vectors together so their gathers overlap. Steps through levels 0-5 find
// each lane's node by permuting registers that hold the tree's nodes, so the only gather is
// the row's feature value; deeper levels gather their nodes too. Each row adds the trees'
// leaves in tree order in float, as XGBoost does. Compiled for AVX-512 by function
// attributes, whatever the build's -march; best_tree_kernel() decides whether it may run.
#include "models/tree_ensemble.hpp"

#include <algorithm>

#include "models/heap_block.hpp"
#include "models/row_block_avx512.hpp"

namespace riskkit::detail {

#if RK_HAVE_X86_KERNELS

namespace {

constexpr std::size_t kLanes = 16;
constexpr std::size_t kVectors = 8;  // at most (4 measured 11 % slower at depth 4); a short batch walks fewer
constexpr std::size_t kBlockRows = kLanes * kVectors;
static_assert(TreeNode::kDefaultLeft == 1u << 31, "the default direction is read from the sign bit");

using Block = RowBlock16<kVectors>;

// Lane i of the result is table[p[i] mod 16]. The zero-masked forms, because GCC 12 warns
// that the plain forms' undefined source "may be used uninitialized".
RK_AVX512 inline __m512 permute(__m512i p, __m512 table) noexcept { return _mm512_maskz_permutexvar_ps(0xFFFF, p, table); }
RK_AVX512 inline __m512i permute(__m512i p, __m512i table) noexcept {
  return _mm512_maskz_permutexvar_epi32(0xFFFF, p, table);
}

// Moves each lane of vector v from node p to its child 2p + (x >= threshold), where x is
// the lane's row's value of the node's feature; NaN and the sentinel take the default
// direction instead.
template <bool kSentinel>
RK_AVX512 inline __m512i step(const Block &block, std::size_t v, __m512i p, __m512 threshold, __m512i split) noexcept {
  const __m512i feature = _mm512_and_si512(split, _mm512_set1_epi32(static_cast<int>(TreeNode::kFeatureMask)));
  const __m512 x = block.values(v, feature);
  const __mmask16 default_right = static_cast<__mmask16>(~_mm512_movepi32_mask(split));
  const __mmask16 at_least = _mm512_cmp_ps_mask(x, threshold, _CMP_GE_OQ);  // false for NaN
  __mmask16 right;
  if constexpr (kSentinel) {
    const __mmask16 missing = _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q) | _mm512_cmp_ps_mask(x, block.sentinel, _CMP_EQ_OQ);
    right = (at_least & ~missing) | (missing & default_right);
  } else {
    right = at_least | (_mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q) & default_right);
  }
  const __m512i twice = _mm512_add_epi32(p, p);
  return _mm512_mask_sub_epi32(twice, right, twice, _mm512_set1_epi32(-1));
}

// Walks the first kUsed vectors of the block through tree t and writes the leaf values reached.
template <bool kSentinel, std::size_t kUsed>
RK_AVX512 inline void walk_tree(const HeapTrees &heap, std::size_t t, const Block &block, __m512 *leaf) noexcept {
  const std::uint32_t depth = heap.depth[t];
  const float *thresholds = heap.thresholds.data() + heap.begin[t];
  const auto *splits = reinterpret_cast<const int *>(heap.splits.data() + heap.begin[t]);
  const float *leaves = heap.leaves.data() + heap.begin[t];
  __m512i p[kUsed];
  for (std::size_t v = 0; v < kUsed; ++v) p[v] = _mm512_set1_epi32(1);
  // Levels 0-3, nodes 1-15: one register, indexed by p.
  const __m512 t0 = _mm512_loadu_ps(thresholds);
  const __m512i s0 = _mm512_loadu_si512(splits);
  for (std::uint32_t level = 0; level < std::min(depth, 4u); ++level)
    for (std::size_t v = 0; v < kUsed; ++v)
      p[v] = step<kSentinel>(block, v, p[v], permute(p[v], t0), permute(p[v], s0));
  if (depth > 4) {  // level 4, nodes 16-31: one register, indexed by p - 16 (p's low 4 bits)
    const __m512 t1 = _mm512_loadu_ps(thresholds + 16);
    const __m512i s1 = _mm512_loadu_si512(splits + 16);
    for (std::size_t v = 0; v < kUsed; ++v)
      p[v] = step<kSentinel>(block, v, p[v], permute(p[v], t1), permute(p[v], s1));
  }
  if (depth > 5) {  // level 5, nodes 32-63: two registers, indexed by p - 32 (p's low 5 bits)
    const __m512 t2 = _mm512_loadu_ps(thresholds + 32), t3 = _mm512_loadu_ps(thresholds + 48);
    const __m512i s2 = _mm512_loadu_si512(splits + 32), s3 = _mm512_loadu_si512(splits + 48);
    for (std::size_t v = 0; v < kUsed; ++v)
      p[v] = step<kSentinel>(block, v, p[v], _mm512_permutex2var_ps(t2, p[v], t3),
                             _mm512_permutex2var_epi32(s2, p[v], s3));
  }
  for (std::uint32_t level = 6; level < depth; ++level)  // deeper levels: gathered
    for (std::size_t v = 0; v < kUsed; ++v)
      p[v] = step<kSentinel>(block, v, p[v], _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, p[v], thresholds, 4),
                             _mm512_mask_i32gather_epi32(_mm512_setzero_si512(), 0xFFFF, p[v], splits, 4));
  // The leaf reached at p is at slot p mod HeapTrees::slots(depth).
  if (depth <= 4) {
    const __m512 l0 = _mm512_loadu_ps(leaves);
    for (std::size_t v = 0; v < kUsed; ++v) leaf[v] = permute(p[v], l0);
  } else if (depth == 5) {
    const __m512 l0 = _mm512_loadu_ps(leaves), l1 = _mm512_loadu_ps(leaves + 16);
    for (std::size_t v = 0; v < kUsed; ++v) leaf[v] = _mm512_permutex2var_ps(l0, p[v], l1);
  } else if (depth == 6) {
    const __m512 l0 = _mm512_loadu_ps(leaves), l1 = _mm512_loadu_ps(leaves + 16);
    const __m512 l2 = _mm512_loadu_ps(leaves + 32), l3 = _mm512_loadu_ps(leaves + 48);
    for (std::size_t v = 0; v < kUsed; ++v) {
      const __mmask16 upper = _mm512_test_epi32_mask(p[v], _mm512_set1_epi32(32));
      leaf[v] = _mm512_mask_blend_ps(upper, _mm512_permutex2var_ps(l0, p[v], l1), _mm512_permutex2var_ps(l2, p[v], l3));
    }
  } else {
    const __m512i last = _mm512_set1_epi32(static_cast<int>(HeapTrees::slots(depth) - 1));
    for (std::size_t v = 0; v < kUsed; ++v)
      leaf[v] = _mm512_mask_i32gather_ps(_mm512_setzero_ps(), 0xFFFF, _mm512_and_si512(p[v], last), leaves, 4);
  }
}

// Adds every tree's leaves to the margins of at most kUsed * 16 rows (see heap_block.hpp;
// in L1, 128 rows of 60 features and 2 outputs take 31 KiB).
template <bool kSentinel, std::size_t kUsed>
RK_AVX512 void accumulate_block(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                                float *margins) noexcept {
  const std::size_t k = model.num_outputs();
  const std::size_t ncol = model.num_features;
  const Block block(rows, nrow, ncol, kUsed, missing);
  alignas(64) float sums[kMaxHeapOutputs * kBlockRows];
  load_block_sums(margins, nrow, k, kBlockRows, sums);
  __m512 leaf[kUsed];
  for (std::size_t t = 0; t < model.num_trees(); ++t) {
    walk_tree<kSentinel, kUsed>(model.heap, t, block, leaf);
    float *sum = sums + model.tree_group[t] * kBlockRows;
    for (std::size_t v = 0; v < kUsed; ++v)
      _mm512_store_ps(sum + v * kLanes, _mm512_add_ps(_mm512_load_ps(sum + v * kLanes), leaf[v]));
  }
  store_block_sums(sums, nrow, k, kBlockRows, margins);
}

// Blocks of 5 to 7 vectors walk 8 (the lanes past the batch are masked off), so that five
// sizes are compiled, not eight.
template <bool kSentinel>
constexpr BlockFn<float> kByVectors[kVectors] = {
    &accumulate_block<kSentinel, 1>, &accumulate_block<kSentinel, 2>, &accumulate_block<kSentinel, 3>,
    &accumulate_block<kSentinel, 4>, &accumulate_block<kSentinel, 8>, &accumulate_block<kSentinel, 8>,
    &accumulate_block<kSentinel, 8>, &accumulate_block<kSentinel, 8>};

}  // namespace

void accumulate_heap_avx512(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                            float *margins) noexcept {
  static constexpr BatchKernel<float> kKernel{kLanes, kVectors, {kByVectors<false>, kByVectors<true>}};
  accumulate_in_blocks(kKernel, model, rows, nrow, missing, margins);
}

#else

// Never called: best_tree_kernel() is portable here.
void accumulate_heap_avx512(const TreeEnsemble &, const float *, std::size_t, float, float *) noexcept {}

#endif

}  // namespace riskkit::detail
