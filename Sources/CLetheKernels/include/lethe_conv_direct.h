// Helpers for the direct convolution weight gradient (LetheKernels' ConvWeightGradientDirect), as
// static inline functions that Swift inlines: an FMA with a broadcast scalar operand. It has a
// scalar twin with the same semantics without AVX-512.
#ifndef LETHE_CONV_DIRECT_H
#define LETHE_CONV_DIRECT_H
#include "lethe_kernels.h"

#ifdef __AVX512F__
// acc + a·s in every lane (s broadcast: one FMA, its scalar a broadcast load).
static inline lethe_v16 lethe_cd_fmab(lethe_v16 acc, lethe_v16 a, float s) {
  return (lethe_v16)_mm512_fmadd_ps((__m512)a, _mm512_set1_ps(s), (__m512)acc);
}
#else
static inline lethe_v16 lethe_cd_fmab(lethe_v16 acc, lethe_v16 a, float s) {
  for (int i = 0; i < 16; i++) acc[i] = __builtin_fmaf(a[i], s, acc[i]);
  return acc;
}
#endif

#endif
