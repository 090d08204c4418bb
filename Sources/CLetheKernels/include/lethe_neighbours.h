// The two passes over one row of the nearest-neighbour search (`NearestNeighbours`, behind CODEC,
// FOCI and LCODEC): the smallest row[j] + (ei − e[j])² over lo..<hi, and the columns that reach it.
// Four doubles at a time with AVX2 (min, compare, movemask), which Swift's SIMD types did not
// vectorise; a scalar twin otherwise. Both passes compute every value with the same helper (one
// AVX2 lane or the scalar tail, by position), so a value equals the minimum exactly when it is it.
#ifndef LETHE_NEIGHBOURS_H
#define LETHE_NEIGHBOURS_H
#include <immintrin.h>

static inline double lethe_nn_value(const double *row, const double *e, double ei, long j) {
  double diff = ei - e[j];
  double sq = diff * diff;
  return row[j] + sq;
}

#ifdef __AVX2__
static inline __m256d lethe_nn_value4(const double *row, const double *e, __m256d ei, long j) {
  __m256d diff = _mm256_sub_pd(ei, _mm256_loadu_pd(e + j));
  __m256d sq = _mm256_mul_pd(diff, diff);
  return _mm256_add_pd(_mm256_loadu_pd(row + j), sq);
}
#endif

// The smallest value over lo..<hi (+infinity when empty).
static inline double lethe_nn_smallest(const double *row, const double *e, double ei, long lo, long hi) {
  double m = __builtin_inf();
  long j = lo;
#ifdef __AVX2__
  __m256d vei = _mm256_set1_pd(ei);
  __m256d m0 = _mm256_set1_pd(__builtin_inf()), m1 = m0;
  for (; j + 8 <= hi; j += 8) {
    m0 = _mm256_min_pd(m0, lethe_nn_value4(row, e, vei, j));
    m1 = _mm256_min_pd(m1, lethe_nn_value4(row, e, vei, j + 4));
  }
  for (; j + 4 <= hi; j += 4) m0 = _mm256_min_pd(m0, lethe_nn_value4(row, e, vei, j));
  double lanes[4];
  _mm256_storeu_pd(lanes, _mm256_min_pd(m0, m1));
  for (int k = 0; k < 4; k++) m = lanes[k] < m ? lanes[k] : m;
#endif
  for (; j < hi; j++) {
    double v = lethe_nn_value(row, e, ei, j);
    m = v < m ? v : m;
  }
  return m;
}

// Writes the columns j in lo..<hi whose value is `best`, in order, to out (room for `cap`), and
// returns how many there are (which may exceed cap: only the first cap are written).
static inline long lethe_nn_matches(const double *row, const double *e, double ei, long lo, long hi, double best,
                                    long *out, long cap) {
  long count = 0;
  long j = lo;
#ifdef __AVX2__
  __m256d vei = _mm256_set1_pd(ei), vb = _mm256_set1_pd(best);
  // The same 4-wide positions as lethe_nn_smallest (its 8-wide loop is two 4-wide steps).
  for (; j + 4 <= hi; j += 4) {
    int mask = _mm256_movemask_pd(_mm256_cmp_pd(lethe_nn_value4(row, e, vei, j), vb, _CMP_EQ_OQ));
    for (; mask; mask &= mask - 1) {
      if (count < cap) out[count] = j + __builtin_ctz(mask);
      count++;
    }
  }
#endif
  for (; j < hi; j++) {
    if (lethe_nn_value(row, e, ei, j) == best) {
      if (count < cap) out[count] = j;
      count++;
    }
  }
  return count;
}

#endif
