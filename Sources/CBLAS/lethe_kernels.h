// Small AVX-512 helpers for LetheKernels' GEMM packing, as static inline functions: Swift compiles
// them into the calling module and inlines them. Callers must check that the CPU has AVX-512F
// (`GemmPacking.useAVX512`); each function has a portable scalar twin in Swift.
#ifndef LETHE_KERNELS_H
#define LETHE_KERNELS_H
#include <immintrin.h>


// Transposes (and scales by alpha) a block of `rows` ≤ 16 rows × `cols` ≤ 16 columns, read with
// row stride `ld`, into `cols` rows of `width` ≥ rows values (row stride `lddst`); lanes rows..<width
// are written as zeros.
static inline __attribute__((target("avx512f")))
void lethe_transpose_block16(const float *src, long ld, int rows, int cols, float alpha,
                             float *dst, long lddst, int width) {
  __mmask16 colmask = cols >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << cols) - 1);
  __mmask16 outmask = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
  __m512 va = _mm512_set1_ps(alpha);
  __m512 r[16];
  for (int i = 0; i < 16; i++) {
    r[i] = i < rows ? _mm512_mul_ps(va, _mm512_maskz_loadu_ps(colmask, src + i * ld))
                    : _mm512_setzero_ps();
  }
  __m512 t[16], u[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  for (int g = 0; g < 16; g += 4) {
    u[g] = _mm512_shuffle_ps(t[g], t[g + 2], 0x44);
    u[g + 1] = _mm512_shuffle_ps(t[g], t[g + 2], 0xEE);
    u[g + 2] = _mm512_shuffle_ps(t[g + 1], t[g + 3], 0x44);
    u[g + 3] = _mm512_shuffle_ps(t[g + 1], t[g + 3], 0xEE);
  }
  for (int q = 0; q < 4; q++) {
    __m512 xlo = _mm512_shuffle_f32x4(u[q], u[4 + q], 0x88);
    __m512 xhi = _mm512_shuffle_f32x4(u[q], u[4 + q], 0xDD);
    __m512 ylo = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0x88);
    __m512 yhi = _mm512_shuffle_f32x4(u[8 + q], u[12 + q], 0xDD);
    __m512 o0 = _mm512_shuffle_f32x4(xlo, ylo, 0x88);
    __m512 o1 = _mm512_shuffle_f32x4(xhi, yhi, 0x88);
    __m512 o2 = _mm512_shuffle_f32x4(xlo, ylo, 0xDD);
    __m512 o3 = _mm512_shuffle_f32x4(xhi, yhi, 0xDD);
    if (q < cols) _mm512_mask_storeu_ps(dst + q * lddst, outmask, o0);
    if (4 + q < cols) _mm512_mask_storeu_ps(dst + (4 + q) * lddst, outmask, o1);
    if (8 + q < cols) _mm512_mask_storeu_ps(dst + (8 + q) * lddst, outmask, o2);
    if (12 + q < cols) _mm512_mask_storeu_ps(dst + (12 + q) * lddst, outmask, o3);
  }
}

// dst[0..<width] = alpha * src[0..<count] and zeros after (count ≤ width ≤ 16).
static inline __attribute__((target("avx512f")))
void lethe_scale_copy16(const float *src, int count, float alpha, float *dst, int width) {
  __mmask16 inmask = count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1);
  __mmask16 outmask = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
  __m512 v = _mm512_mul_ps(_mm512_set1_ps(alpha), _mm512_maskz_loadu_ps(inmask, src));
  _mm512_mask_storeu_ps(dst, outmask, v);
}

// Cache prefetch hints for the GEMM micro-kernel (Swift has no prefetch intrinsic): into L1 for
// writing, and into L2.
static inline void lethe_prefetch_for_write(const void *address) {
  __builtin_prefetch(address, 1, 3);
}
static inline void lethe_prefetch_l2(const void *address) {
  __builtin_prefetch(address, 0, 2);
}

#endif
