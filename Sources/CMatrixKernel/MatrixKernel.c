#include "CMatrixKernel.h"
#include <stdlib.h>

// Products and sums must round one at a time, as in Swift: never contracted into FMAs.
#pragma clang fp contract(off)
#pragma STDC FP_CONTRACT OFF

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#include <immintrin.h>

int sitegen_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

__attribute__((target("avx2")))
void sitegen_multiply_avx2(double *c, long m, long n, const double *a, long aRow, long aCol,
                           const double *b, long bRow, long bCol, long kCount,
                           const double *first) {
    if (m <= 0 || n <= 0) return;
    long panels = n / 8;
    // B's columns in panels of 8, k-major: panel p holds b[k][8p…8p+7] at [(p·K + k)·8].
    double *packed = panels > 0 ? malloc(sizeof(double) * (size_t)(panels * kCount * 8 + 1)) : NULL;
    if (panels > 0 && !packed) panels = 0;  // no memory: every column takes the plain path below
    for (long p = 0; p < panels; p++) {
        for (long k = 0; k < kCount; k++) {
            double *row = packed + (p * kCount + k) * 8;
            for (long jj = 0; jj < 8; jj++) row[jj] = b[k * bRow + (p * 8 + jj) * bCol];
        }
    }
    const __m256d zero = _mm256_setzero_pd();
    long i = 0;
    // Four rows by eight columns at a time: eight accumulators of four entries each.
    for (; i + 4 <= m; i += 4) {
        for (long p = 0; p < panels; p++) {
            long j = p * 8;
            __m256d x00, x01, x10, x11, x20, x21, x30, x31;
            // Every row's sums start from the same bias (or +0).
            x00 = x10 = x20 = x30 = first ? _mm256_loadu_pd(first + j) : zero;
            x01 = x11 = x21 = x31 = first ? _mm256_loadu_pd(first + j + 4) : zero;
            const double *panel = packed + p * kCount * 8;
            const double *a0 = a + i * aRow, *a1 = a0 + aRow, *a2 = a1 + aRow, *a3 = a2 + aRow;
            for (long k = 0; k < kCount; k++) {
                __m256d b0 = _mm256_loadu_pd(panel + k * 8), b1 = _mm256_loadu_pd(panel + k * 8 + 4);
                __m256d r0 = _mm256_set1_pd(a0[k * aCol]), r1 = _mm256_set1_pd(a1[k * aCol]);
                __m256d r2 = _mm256_set1_pd(a2[k * aCol]), r3 = _mm256_set1_pd(a3[k * aCol]);
                x00 = _mm256_add_pd(x00, _mm256_mul_pd(r0, b0)); x01 = _mm256_add_pd(x01, _mm256_mul_pd(r0, b1));
                x10 = _mm256_add_pd(x10, _mm256_mul_pd(r1, b0)); x11 = _mm256_add_pd(x11, _mm256_mul_pd(r1, b1));
                x20 = _mm256_add_pd(x20, _mm256_mul_pd(r2, b0)); x21 = _mm256_add_pd(x21, _mm256_mul_pd(r2, b1));
                x30 = _mm256_add_pd(x30, _mm256_mul_pd(r3, b0)); x31 = _mm256_add_pd(x31, _mm256_mul_pd(r3, b1));
            }
            _mm256_storeu_pd(c + i * n + j, x00);       _mm256_storeu_pd(c + i * n + j + 4, x01);
            _mm256_storeu_pd(c + (i + 1) * n + j, x10); _mm256_storeu_pd(c + (i + 1) * n + j + 4, x11);
            _mm256_storeu_pd(c + (i + 2) * n + j, x20); _mm256_storeu_pd(c + (i + 2) * n + j + 4, x21);
            _mm256_storeu_pd(c + (i + 3) * n + j, x30); _mm256_storeu_pd(c + (i + 3) * n + j + 4, x31);
        }
    }
    // The rows left: one row by eight columns at a time.
    for (; i < m; i++) {
        const double *ai = a + i * aRow;
        for (long p = 0; p < panels; p++) {
            long j = p * 8;
            __m256d x0 = first ? _mm256_loadu_pd(first + j) : zero;
            __m256d x1 = first ? _mm256_loadu_pd(first + j + 4) : zero;
            const double *panel = packed + p * kCount * 8;
            for (long k = 0; k < kCount; k++) {
                __m256d r = _mm256_set1_pd(ai[k * aCol]);
                x0 = _mm256_add_pd(x0, _mm256_mul_pd(r, _mm256_loadu_pd(panel + k * 8)));
                x1 = _mm256_add_pd(x1, _mm256_mul_pd(r, _mm256_loadu_pd(panel + k * 8 + 4)));
            }
            _mm256_storeu_pd(c + i * n + j, x0);
            _mm256_storeu_pd(c + i * n + j + 4, x1);
        }
    }
    // The columns left over from the panels, entry by entry.
    for (long r = 0; r < m; r++) {
        for (long j = panels * 8; j < n; j++) {
            double sum = first ? first[j] : 0.0;
            for (long k = 0; k < kCount; k++) {
                double product = a[r * aRow + k * aCol] * b[k * bRow + j * bCol];
                sum = sum + product;
            }
            c[r * n + j] = sum;
        }
    }
    free(packed);
}

#else

int sitegen_has_avx2(void) { return 0; }

void sitegen_multiply_avx2(double *c, long m, long n, const double *a, long aRow, long aCol,
                           const double *b, long bRow, long bCol, long kCount,
                           const double *first) {
    (void)c; (void)m; (void)n; (void)a; (void)aRow; (void)aCol; (void)b; (void)bRow; (void)bCol;
    (void)kCount; (void)first;
}

#endif
