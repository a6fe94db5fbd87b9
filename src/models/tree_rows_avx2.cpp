// The AVX2 batch kernel of the heap layout (see HeapTrees), for CPUs without AVX-512: 8
// rows walk one tree at a time, four such vectors together so their gathers overlap. Steps
// through levels 0-4 find each lane's node by permuting registers that hold the tree's
// nodes (levels 0-2 one register, level 3 one, level 4 two), so the only gather is the
// row's feature value; deeper levels gather their nodes too. Each row adds the trees'
// leaves in tree order in float, as XGBoost does. Compiled for AVX2 by function
// attributes, whatever the build's -march; best_tree_kernel() decides whether it may run.
#include "models/tree_ensemble.hpp"

#include <algorithm>

#include "models/heap_block.hpp"
#include "models/simd_target.hpp"

namespace riskkit::detail {

#if RK_HAVE_X86_KERNELS

namespace {

constexpr std::size_t kLanes = 8;
constexpr std::size_t kVectors = 4;  // at most; a short batch walks fewer
constexpr std::size_t kBlockRows = kLanes * kVectors;
static_assert(TreeNode::kDefaultLeft == 1u << 31, "the default direction is read from the sign bit");

// The rows of one block: lane l of vector v is row v * 8 + l of the block, at base[v] +
// offsets[l]; lanes past the end of the batch are off (zero) in valid[v] and never read.
struct Block {
  const float *base[kVectors];
  __m256 valid[kVectors];
  __m256i offsets;
  __m256 sentinel;  // NaN when there is none: never equal
};

// Lane i of the result is table[p[i] mod 8].
RK_AVX2 inline __m256 permute(__m256i p, __m256 table) noexcept { return _mm256_permutevar8x32_ps(table, p); }
RK_AVX2 inline __m256i permute(__m256i p, __m256i table) noexcept { return _mm256_permutevar8x32_epi32(table, p); }

// Lane i of the result is table[p[i] mod 16], the table in two registers.
RK_AVX2 inline __m256 permute16(__m256i p, __m256 lower, __m256 upper) noexcept {
  const __m256 high = _mm256_castsi256_ps(_mm256_slli_epi32(p, 28));  // bit 3 of p as the sign
  return _mm256_blendv_ps(permute(p, lower), permute(p, upper), high);
}
RK_AVX2 inline __m256i permute16(__m256i p, __m256i lower, __m256i upper) noexcept {
  return _mm256_castps_si256(permute16(p, _mm256_castsi256_ps(lower), _mm256_castsi256_ps(upper)));
}

RK_AVX2 inline __m256i load_ints(const int *at) noexcept {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(at));
}

// All lanes of a gather from `base` at `index` (the masked form with an explicit source:
// GCC 12 warns that the plain form's undefined source "may be used uninitialized").
RK_AVX2 inline __m256 gather(const float *base, __m256i index) noexcept {
  const __m256 all = _mm256_castsi256_ps(_mm256_set1_epi32(-1));
  return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, index, all, 4);
}
RK_AVX2 inline __m256i gather(const int *base, __m256i index) noexcept {
  return _mm256_mask_i32gather_epi32(_mm256_setzero_si256(), base, index, _mm256_set1_epi32(-1), 4);
}

// Moves each lane of vector v from node p to its child 2p + (x >= threshold), where x is
// the lane's row's value of the node's feature; NaN and the sentinel take the default
// direction instead. Masks are all-ones lanes; 2p - mask adds 1 where it is set.
template <bool kSentinel>
RK_AVX2 inline __m256i step(const Block &block, std::size_t v, __m256i p, __m256 threshold, __m256i split) noexcept {
  const __m256i feature = _mm256_and_si256(split, _mm256_set1_epi32(static_cast<int>(TreeNode::kFeatureMask)));
  const __m256 x = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), block.base[v], _mm256_add_epi32(block.offsets, feature),
                                            block.valid[v], 4);
  const __m256 default_right = _mm256_castsi256_ps(_mm256_cmpgt_epi32(split, _mm256_set1_epi32(-1)));
  const __m256 at_least = _mm256_cmp_ps(x, threshold, _CMP_GE_OQ);  // false for NaN
  __m256 right;
  if constexpr (kSentinel) {
    const __m256 missing = _mm256_or_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q), _mm256_cmp_ps(x, block.sentinel, _CMP_EQ_OQ));
    right = _mm256_or_ps(_mm256_andnot_ps(missing, at_least), _mm256_and_ps(missing, default_right));
  } else {
    right = _mm256_or_ps(at_least, _mm256_and_ps(_mm256_cmp_ps(x, x, _CMP_UNORD_Q), default_right));
  }
  return _mm256_sub_epi32(_mm256_add_epi32(p, p), _mm256_castps_si256(right));
}

// Walks the first kUsed vectors of the block through tree t and writes the leaf values reached.
template <bool kSentinel, std::size_t kUsed>
RK_AVX2 inline void walk_tree(const HeapTrees &heap, std::size_t t, const Block &block, __m256 *leaf) noexcept {
  const std::uint32_t depth = heap.depth[t];
  const float *thresholds = heap.thresholds.data() + heap.begin[t];
  const auto *splits = reinterpret_cast<const int *>(heap.splits.data() + heap.begin[t]);
  const float *leaves = heap.leaves.data() + heap.begin[t];
  __m256i p[kUsed];
  for (std::size_t v = 0; v < kUsed; ++v) p[v] = _mm256_set1_epi32(1);
  {  // levels 0-2, nodes 1-7: one register, indexed by p
    const __m256 t0 = _mm256_loadu_ps(thresholds);
    const __m256i s0 = load_ints(splits);
    for (std::uint32_t level = 0; level < std::min(depth, 3u); ++level)
      for (std::size_t v = 0; v < kUsed; ++v) p[v] = step<kSentinel>(block, v, p[v], permute(p[v], t0), permute(p[v], s0));
  }
  if (depth > 3) {  // level 3, nodes 8-15: one register, indexed by p - 8 (p's low 3 bits)
    const __m256 t1 = _mm256_loadu_ps(thresholds + 8);
    const __m256i s1 = load_ints(splits + 8);
    for (std::size_t v = 0; v < kUsed; ++v) p[v] = step<kSentinel>(block, v, p[v], permute(p[v], t1), permute(p[v], s1));
  }
  if (depth > 4) {  // level 4, nodes 16-31: two registers, indexed by p - 16 (p's low 4 bits)
    const __m256 t2 = _mm256_loadu_ps(thresholds + 16), t3 = _mm256_loadu_ps(thresholds + 24);
    const __m256i s2 = load_ints(splits + 16), s3 = load_ints(splits + 24);
    for (std::size_t v = 0; v < kUsed; ++v)
      p[v] = step<kSentinel>(block, v, p[v], permute16(p[v], t2, t3), permute16(p[v], s2, s3));
  }
  for (std::uint32_t level = 5; level < depth; ++level)  // deeper levels: gathered
    for (std::size_t v = 0; v < kUsed; ++v)
      p[v] = step<kSentinel>(block, v, p[v], gather(thresholds, p[v]), gather(splits, p[v]));
  // The leaf reached at p is at slot p mod HeapTrees::slots(depth) (16 up to depth 4).
  if (depth <= 2) {  // p in [1, 8): slots 1-7
    const __m256 l0 = _mm256_loadu_ps(leaves);
    for (std::size_t v = 0; v < kUsed; ++v) leaf[v] = permute(p[v], l0);
  } else if (depth == 3) {  // p in [8, 16): slots 8-15
    const __m256 l1 = _mm256_loadu_ps(leaves + 8);
    for (std::size_t v = 0; v < kUsed; ++v) leaf[v] = permute(p[v], l1);
  } else if (depth == 4) {  // p in [16, 32): slots 0-15
    const __m256 l0 = _mm256_loadu_ps(leaves), l1 = _mm256_loadu_ps(leaves + 8);
    for (std::size_t v = 0; v < kUsed; ++v) leaf[v] = permute16(p[v], l0, l1);
  } else {
    const __m256i last = _mm256_set1_epi32(static_cast<int>(HeapTrees::slots(depth) - 1));
    for (std::size_t v = 0; v < kUsed; ++v) leaf[v] = gather(leaves, _mm256_and_si256(p[v], last));
  }
}

// Adds every tree's leaves to the margins of at most kUsed * 8 rows (see heap_block.hpp).
template <bool kSentinel, std::size_t kUsed>
RK_AVX2 void accumulate_block(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                              float *margins) noexcept {
  const std::size_t k = model.num_outputs();
  const std::size_t ncol = model.num_features;
  Block block;
  block.offsets = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7), _mm256_set1_epi32(static_cast<int>(ncol)));
  block.sentinel = _mm256_set1_ps(missing);
  for (std::size_t v = 0; v < kUsed; ++v) {
    const std::size_t first = std::min(v * kLanes, nrow);
    block.base[v] = rows + first * ncol;
    const auto used = static_cast<int>(std::min(kLanes, nrow - first));
    block.valid[v] = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32(used), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)));
  }
  alignas(32) float sums[kMaxHeapOutputs * kBlockRows];
  load_block_sums(margins, nrow, k, kBlockRows, sums);
  __m256 leaf[kUsed];
  for (std::size_t t = 0; t < model.num_trees(); ++t) {
    walk_tree<kSentinel, kUsed>(model.heap, t, block, leaf);
    float *sum = sums + model.tree_group[t] * kBlockRows;
    for (std::size_t v = 0; v < kUsed; ++v)
      _mm256_store_ps(sum + v * kLanes, _mm256_add_ps(_mm256_load_ps(sum + v * kLanes), leaf[v]));
  }
  store_block_sums(sums, nrow, k, kBlockRows, margins);
}

template <bool kSentinel>
constexpr BlockFn<float> kByVectors[kVectors] = {&accumulate_block<kSentinel, 1>, &accumulate_block<kSentinel, 2>,
                                              &accumulate_block<kSentinel, 3>, &accumulate_block<kSentinel, 4>};

}  // namespace

void accumulate_heap_avx2(const TreeEnsemble &model, const float *rows, std::size_t nrow, float missing,
                          float *margins) noexcept {
  static constexpr BatchKernel<float> kKernel{kLanes, kVectors, {kByVectors<false>, kByVectors<true>}};
  accumulate_in_blocks(kKernel, model, rows, nrow, missing, margins);
}

#else

// Never called: best_tree_kernel() is portable here.
void accumulate_heap_avx2(const TreeEnsemble &, const float *, std::size_t, float, float *) noexcept {}

#endif

}  // namespace riskkit::detail
