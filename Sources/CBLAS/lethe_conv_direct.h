// Helpers for the direct convolution weight gradient (LetheKernels' ConvWeightGradientDirect), as
// static inline functions that Swift inlines: a merge-masked FMA (one instruction, the lanes it
// leaves out are not computed) and four horizontal sums at once. Each has a scalar twin with the
// same semantics without AVX-512.
#ifndef LETHE_CONV_DIRECT_H
#define LETHE_CONV_DIRECT_H
#include "lethe_kernels.h"

// Four float lanes, imported by Swift as SIMD4<Float>.
typedef float lethe_v4 __attribute__((ext_vector_type(4)));

#ifdef __AVX512F__
// acc + a·b in the lanes where `mask` is set, acc elsewhere (one merge-masked FMA: the lanes
// left out are not computed, so whatever a and b hold there, even NaN, does not matter).
static inline lethe_v16 lethe_cd_fma16(lethe_v16 acc, lethe_v16 a, lethe_v16 b,
                                       unsigned short mask) {
  return (lethe_v16)_mm512_mask3_fmadd_ps((__m512)a, (__m512)b, (__m512)acc, (__mmask16)mask);
}

// acc + a·s in every lane (s broadcast: one FMA with a broadcast operand).
static inline lethe_v16 lethe_cd_fmab(lethe_v16 acc, lethe_v16 a, float s) {
  return (lethe_v16)_mm512_fmadd_ps((__m512)a, _mm512_set1_ps(s), (__m512)acc);
}

// The sum of each 8-lane half folded into one 256-bit vector.
static inline __m256 lethe_cd_fold8(lethe_v16 v) {
  __m512 x = (__m512)v;
  __m256 hi = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(x), 1));
  return _mm256_add_ps(_mm512_castps512_ps256(x), hi);
}

// [Σa, Σb, Σc, Σd] over the sixteen lanes of each.
static inline lethe_v4 lethe_cd_sum4(lethe_v16 a, lethe_v16 b, lethe_v16 c, lethe_v16 d) {
  __m256 ab = _mm256_hadd_ps(lethe_cd_fold8(a), lethe_cd_fold8(b));
  __m256 cd = _mm256_hadd_ps(lethe_cd_fold8(c), lethe_cd_fold8(d));
  __m256 abcd = _mm256_hadd_ps(ab, cd);
  return (lethe_v4)_mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}
#else
static inline lethe_v16 lethe_cd_fma16(lethe_v16 acc, lethe_v16 a, lethe_v16 b,
                                       unsigned short mask) {
  for (int i = 0; i < 16; i++) {
    if ((mask >> i) & 1) acc[i] = __builtin_fmaf(a[i], b[i], acc[i]);
  }
  return acc;
}

static inline lethe_v16 lethe_cd_fmab(lethe_v16 acc, lethe_v16 a, float s) {
  for (int i = 0; i < 16; i++) acc[i] = __builtin_fmaf(a[i], s, acc[i]);
  return acc;
}

static inline lethe_v4 lethe_cd_sum4(lethe_v16 a, lethe_v16 b, lethe_v16 c, lethe_v16 d) {
  lethe_v4 s = {0, 0, 0, 0};
  for (int i = 0; i < 16; i++) {
    s[0] += a[i];
    s[1] += b[i];
    s[2] += c[i];
    s[3] += d[i];
  }
  return s;
}
#endif

#endif
