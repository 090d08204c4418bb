// One output row of 2×2, stride-2, unpadded max pooling, as a static inline function that Swift
// inlines: y[q] = max of r0[2q], r0[2q + 1], r1[2q], r1[2q + 1] for q < outW, and idx[q] = the
// argmax's offset in a dense plane (r0[0] is at `base`, rows are `width` long), by this rule:
// a later value wins when greater or NaN, and the bottom row never replaces a NaN;
// among equal values the first wins. Reads r0 and r1 only at columns < 2·outW.
#ifndef LETHE_POOL_H
#define LETHE_POOL_H
#include <immintrin.h>

#ifdef __AVX512F__
static inline void lethe_max2x2_row(const float *r0, const float *r1, int outW, int base, int width,
                                    float *y, int *idx) {
  const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
  for (int q = 0; q < outW; q += 16) {
    unsigned n = (unsigned)(outW - q < 16 ? outW - q : 16);
    __mmask16 out = (__mmask16)((1u << n) - 1);
    __mmask16 lo = (__mmask16)(2 * n >= 16 ? 0xFFFFu : (1u << (2 * n)) - 1);
    __mmask16 hi = (__mmask16)(2 * n <= 16 ? 0u : (1u << (2 * n - 16)) - 1);
    __m512 a0 = _mm512_maskz_loadu_ps(lo, r0 + 2 * q), a1 = _mm512_maskz_loadu_ps(hi, r0 + 2 * q + 16);
    __m512 c0 = _mm512_maskz_loadu_ps(lo, r1 + 2 * q), c1 = _mm512_maskz_loadu_ps(hi, r1 + 2 * q + 16);
    __m512 a = _mm512_permutex2var_ps(a0, even, a1), b = _mm512_permutex2var_ps(a0, odd, a1);
    __m512 c = _mm512_permutex2var_ps(c0, even, c1), d = _mm512_permutex2var_ps(c0, odd, c1);
    __m512i i = _mm512_add_epi32(_mm512_set1_epi32(base + 2 * q), even);
    __m512 m = a;
    // b replaces a when greater or NaN (a NaN a stays, since nothing compares greater).
    __mmask16 take = _mm512_cmp_ps_mask(b, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(b, b, _CMP_UNORD_Q);
    m = _mm512_mask_mov_ps(m, take, b);
    i = _mm512_mask_add_epi32(i, take, i, _mm512_set1_epi32(1));
    // c and d likewise, but never over a NaN already taken.
    take = (_mm512_cmp_ps_mask(c, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(c, c, _CMP_UNORD_Q)) &
           _mm512_cmp_ps_mask(m, m, _CMP_ORD_Q);
    m = _mm512_mask_mov_ps(m, take, c);
    __m512i ic = _mm512_add_epi32(_mm512_set1_epi32(base + 2 * q + width), even);
    i = _mm512_mask_mov_epi32(i, take, ic);
    take = (_mm512_cmp_ps_mask(d, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(d, d, _CMP_UNORD_Q)) &
           _mm512_cmp_ps_mask(m, m, _CMP_ORD_Q);
    m = _mm512_mask_mov_ps(m, take, d);
    i = _mm512_mask_mov_epi32(i, take, _mm512_add_epi32(ic, _mm512_set1_epi32(1)));
    _mm512_mask_storeu_ps(y + q, out, m);
    _mm512_mask_storeu_epi32(idx + q, out, i);
  }
}
#else
static inline void lethe_max2x2_row(const float *r0, const float *r1, int outW, int base, int width,
                                    float *y, int *idx) {
  for (int q = 0; q < outW; q++) {
    float v[4] = {r0[2 * q], r0[2 * q + 1], r1[2 * q], r1[2 * q + 1]};
    int at[4] = {base + 2 * q, base + 2 * q + 1, base + 2 * q + width, base + 2 * q + width + 1};
    float m = v[0];
    int i = at[0];
    for (int j = 1; j < 4; j++) {
      if ((v[j] > m || v[j] != v[j]) && (j == 1 || m == m)) {
        m = v[j];
        i = at[j];
      }
    }
    y[q] = m;
    idx[q] = i;
  }
}
#endif

#endif
