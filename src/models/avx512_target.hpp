#pragma once
// What the AVX-512 kernels (tree_walk_avx512.cpp, tree_shap_avx512.cpp) and their
// run-time dispatch (best_tree_kernel) share: whether this compiler and target can build
// them, the intrinsics, and RK_AVX512, which compiles one function for AVX-512 whatever
// the build's -march. best_tree_kernel() decides at run time whether such code may run.

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define RK_HAVE_AVX512_KERNELS 1
#include <immintrin.h>
#define RK_AVX512 __attribute__((target("avx512f,avx512bw,avx512dq,avx512vl")))
#else
#define RK_HAVE_AVX512_KERNELS 0
#endif
