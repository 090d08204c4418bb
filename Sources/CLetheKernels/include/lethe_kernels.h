// Small helpers for LetheKernels, as static inline functions that Swift compiles into the calling
// module and inlines: AVX-512 transposes and scaled copies for GEMM packing (callers check that the
// CPU has AVX-512F, `GemmPacking.useAVX512`; each has a portable scalar twin in Swift), prefetch
// hints, the GEMM's per-panel atomic flags, a spin-wait hint, masked loads and sixteen-lane
// exp/tanh (each with a portable twin here, chosen when the compiler targets no AVX-512).
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
static inline void lethe_prefetch_l1(const void *address) {
  __builtin_prefetch(address, 0, 3);
}

// Per-panel ready flags of the GEMM's lazily packed A blocks.
static inline int lethe_load_acquire_i32(const int *flag) {
  return __atomic_load_n(flag, __ATOMIC_ACQUIRE);
}
static inline void lethe_store_release_i32(int *flag, int value) {
  __atomic_store_n(flag, value, __ATOMIC_RELEASE);
}
// Turns 0 into 1; returns whether this call did.
static inline _Bool lethe_claim_i32(int *flag) {
  int expected = 0;
  return __atomic_compare_exchange_n(flag, &expected, 1, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}
// A spin-wait hint (PAUSE on x86).
static inline void lethe_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// Sixteen float lanes, imported by Swift as SIMD16<Float>.
typedef float lethe_v16 __attribute__((ext_vector_type(16)));

// Sixteen floats from src, lane i only where bit i of `mask` is set (the others are zero and
// their memory is never touched, so a masked-out lane may point outside any allocation).
#ifdef __AVX512F__
static inline lethe_v16 lethe_load16_masked(const float *src, unsigned short mask) {
  return (lethe_v16)_mm512_maskz_loadu_ps((__mmask16)mask, src);
}
#else
static inline lethe_v16 lethe_load16_masked(const float *src, unsigned short mask) {
  lethe_v16 y;
  for (int i = 0; i < 16; i++) y[i] = (mask >> i) & 1 ? src[i] : 0.0f;
  return y;
}
#endif

#ifdef __AVX512F__
// e^x per lane (Cephes range reduction and polynomial): +inf above 88.72, 0 below -87.34, NaN kept.
static inline __m512 lethe_exp_ps(__m512 x) {
  const __m512 hi = _mm512_set1_ps(88.72283f), lo = _mm512_set1_ps(-87.33654f);
  const __m512 magic = _mm512_set1_ps(12582912.0f);  // 1.5 * 2^23: adding it rounds to an integer
  __m512 xc = _mm512_max_ps(_mm512_min_ps(x, hi), lo);
  __m512 t = _mm512_fmadd_ps(xc, _mm512_set1_ps(1.442695041f), magic);
  __m512 n = _mm512_sub_ps(t, magic);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693359375f), xc);
  r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), r);
  __m512 p = _mm512_set1_ps(1.9875691500e-4f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
  p = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1.0f));
  // 2^n as 2^(n/2) * 2^(n - n/2), each a normal float built from exponent bits.
  __m512i ni = _mm512_sub_epi32(_mm512_castps_si512(t), _mm512_set1_epi32(0x4B400000));
  __m512i n1 = _mm512_srai_epi32(ni, 1);
  __m512i bias = _mm512_set1_epi32(127);
  __m512 s1 = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n1, bias), 23));
  __m512 s2 = _mm512_castsi512_ps(
      _mm512_slli_epi32(_mm512_add_epi32(_mm512_sub_epi32(ni, n1), bias), 23));
  __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, s1), s2);
  y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, hi, _CMP_GT_OQ), _mm512_set1_ps(__builtin_inff()));
  y = _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, lo, _CMP_LT_OQ), _mm512_setzero_ps());
  return _mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}

static inline lethe_v16 lethe_exp16(lethe_v16 x) { return (lethe_v16)lethe_exp_ps((__m512)x); }

// tanh per lane: an odd polynomial below |x| = 0.625, else sign(x) * (1 - 2 / (e^2|x| + 1)).
static inline lethe_v16 lethe_tanh16(lethe_v16 xv) {
  __m512 x = (__m512)xv;
  __m512 a = _mm512_abs_ps(x);
  __m512 z = _mm512_mul_ps(x, x);
  __m512 small = _mm512_set1_ps(-5.70498872745e-3f);
  small = _mm512_fmadd_ps(small, z, _mm512_set1_ps(2.06390887954e-2f));
  small = _mm512_fmadd_ps(small, z, _mm512_set1_ps(-5.37397155531e-2f));
  small = _mm512_fmadd_ps(small, z, _mm512_set1_ps(1.33314422036e-1f));
  small = _mm512_fmadd_ps(small, z, _mm512_set1_ps(-3.33332819422e-1f));
  small = _mm512_fmadd_ps(_mm512_mul_ps(small, z), x, x);
  // tanh(9) rounds to 1: clamping keeps e finite for the reciprocal. 2 / (e + 1) by a 14-bit
  // reciprocal estimate and one Newton step (~28 bits), a third of a division's cost.
  __m512 ac = _mm512_min_ps(a, _mm512_set1_ps(9.0f));
  __m512 d = _mm512_add_ps(lethe_exp_ps(_mm512_add_ps(ac, ac)), _mm512_set1_ps(1.0f));
  __m512 r = _mm512_rcp14_ps(d);
  r = _mm512_mul_ps(r, _mm512_fnmadd_ps(d, r, _mm512_set1_ps(2.0f)));
  __m512 big = _mm512_fnmadd_ps(_mm512_set1_ps(2.0f), r, _mm512_set1_ps(1.0f));
  big = _mm512_mask_sub_ps(big, _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ),
      _mm512_setzero_ps(), big);
  __m512 y = _mm512_mask_mov_ps(big, _mm512_cmp_ps_mask(a, _mm512_set1_ps(0.625f), _CMP_LT_OQ), small);
  return (lethe_v16)_mm512_mask_mov_ps(y, _mm512_cmp_ps_mask(x, x, _CMP_UNORD_Q), x);
}
#else
#include <math.h>
// Portable twins: libm per lane.
static inline lethe_v16 lethe_exp16(lethe_v16 x) {
  lethe_v16 y;
  for (int i = 0; i < 16; i++) y[i] = expf(x[i]);
  return y;
}
static inline lethe_v16 lethe_tanh16(lethe_v16 x) {
  lethe_v16 y;
  for (int i = 0; i < 16; i++) y[i] = tanhf(x[i]);
  return y;
}
#endif

#endif
