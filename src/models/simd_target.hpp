#pragma once
// What the SIMD kernels (tree_walk_avx512.cpp, tree_rows_avx512.cpp, tree_rows_avx2.cpp,
// tree_shap_avx512.cpp) and their run-time dispatch (best_tree_kernel) share: whether this
// compiler and target can build them, the intrinsics, and RK_AVX512 / RK_AVX2, which
// compile one function for AVX-512 or AVX2 whatever the build's -march.
// best_tree_kernel() decides at run time whether such code may run.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RK_HAVE_X86_KERNELS 1
#include <immintrin.h>
#define RK_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))
#define RK_AVX2 __attribute__((target("avx2")))
#else
#define RK_HAVE_X86_KERNELS 0
#endif
