#include "CMatrixKernel.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
void sitegen_multiply_avx2(double *c, long ldc, long m, long jBegin, long jEnd,
                           const double *a, long aRow, long aCol,
                           const double *b, const float *bNarrow, long bRow, long bCol, long kCount,
                           const double *first) {
    if (m <= 0 || jEnd <= jBegin) return;
    // B held in binary32 (bNarrow, a checkpoint's weights as stored) is widened as it is read,
    // exactly (every binary32 is a binary64): the same numbers, so the same sums, bit for bit.
    // b[k][j] as a double, whichever way B is held:
#define B_ENTRY(index) (bNarrow ? (double)bNarrow[index] : b[index])
    // Four consecutive entries of the panel being read (`src`, or `srcNarrow` when it is B's binary32 itself):
#define LOAD_B(offset) (srcNarrow ? _mm256_cvtps_pd(_mm_loadu_ps(srcNarrow + (offset))) : _mm256_loadu_pd(src + (offset)))
    long panels = (jEnd - jBegin) / 8;
    // The columns left over after the whole panels (fewer than eight) form one last, narrow
    // panel: its missing columns are zeros in the copied panel, and only its real columns are
    // loaded from the bias and stored into c, so every real entry gets the same sum as in a
    // whole panel (each lane is its own sum; the lanes never mix).
    long width = (jEnd - jBegin) % 8;
    // One panel of B at a time: columns j…j+7, k-major, panel[k·8 + jj] = b[k][j + jj]. It is
    // small (K·8 doubles) and stays in cache while every row of A passes over it.
    // With few rows of A and rows of B stored contiguously (bCol = 1), a whole panel is read
    // straight from B instead: copying it would cost as much as the products (a continuation's
    // one-row steps). The same loads of the same numbers either way, so the same bits.
    int direct = bCol == 1 && m < 8;
    int copies = (panels > 0 && !direct) || width > 0;
    double *panel = copies ? malloc(sizeof(double) * (size_t)(kCount * 8 + 1)) : NULL;
    if (copies && !panel) { panels = 0; width = 0; }  // no memory: every column takes the plain path below
    const __m256d zero = _mm256_setzero_pd();
    for (long p = 0; p < panels + (width > 0); p++) {
        long j = jBegin + p * 8;
        int narrow = p == panels;
        long real = narrow ? width : 8;
        // Lane l of the first four columns is real when l < real, of the second four when l + 4 < real.
        const __m256i mask0 = _mm256_setr_epi64x(real > 0 ? -1 : 0, real > 1 ? -1 : 0, real > 2 ? -1 : 0, real > 3 ? -1 : 0);
        const __m256i mask1 = _mm256_setr_epi64x(real > 4 ? -1 : 0, real > 5 ? -1 : 0, real > 6 ? -1 : 0, real > 7 ? -1 : 0);
        // src[k·step + jj] = b[k][j + jj]
        const int straight = direct && !narrow;
        // A panel read straight from B in binary32 is widened four entries a load (exactly).
        const double *src = straight && !bNarrow ? b + j : panel;
        const float *srcNarrow = straight && bNarrow ? bNarrow + j : NULL;
        const long step = straight ? bRow : 8;
        if (!straight) {
            for (long k = 0; k < kCount; k++) {
                for (long jj = 0; jj < 8; jj++) panel[k * 8 + jj] = jj < real ? B_ENTRY(k * bRow + (j + jj) * bCol) : 0.0;
            }
        }
        // Every row's sums start from the same bias (or +0).
        const __m256d start0 = first ? _mm256_maskload_pd(first + j, mask0) : zero;
        const __m256d start1 = first ? _mm256_maskload_pd(first + j + 4, mask1) : zero;
        long i = 0;
        // Four rows by eight columns at a time: eight accumulators of four entries each.
        for (; i + 4 <= m; i += 4) {
            __m256d x00 = start0, x10 = start0, x20 = start0, x30 = start0;
            __m256d x01 = start1, x11 = start1, x21 = start1, x31 = start1;
            const double *a0 = a + i * aRow, *a1 = a0 + aRow, *a2 = a1 + aRow, *a3 = a2 + aRow;
            for (long k = 0; k < kCount; k++) {
                __m256d b0 = LOAD_B(k * step), b1 = LOAD_B(k * step + 4);
                __m256d r0 = _mm256_set1_pd(a0[k * aCol]), r1 = _mm256_set1_pd(a1[k * aCol]);
                __m256d r2 = _mm256_set1_pd(a2[k * aCol]), r3 = _mm256_set1_pd(a3[k * aCol]);
                x00 = _mm256_add_pd(x00, _mm256_mul_pd(r0, b0)); x01 = _mm256_add_pd(x01, _mm256_mul_pd(r0, b1));
                x10 = _mm256_add_pd(x10, _mm256_mul_pd(r1, b0)); x11 = _mm256_add_pd(x11, _mm256_mul_pd(r1, b1));
                x20 = _mm256_add_pd(x20, _mm256_mul_pd(r2, b0)); x21 = _mm256_add_pd(x21, _mm256_mul_pd(r2, b1));
                x30 = _mm256_add_pd(x30, _mm256_mul_pd(r3, b0)); x31 = _mm256_add_pd(x31, _mm256_mul_pd(r3, b1));
            }
            if (!narrow) {
                _mm256_storeu_pd(c + i * ldc + j, x00);       _mm256_storeu_pd(c + i * ldc + j + 4, x01);
                _mm256_storeu_pd(c + (i + 1) * ldc + j, x10); _mm256_storeu_pd(c + (i + 1) * ldc + j + 4, x11);
                _mm256_storeu_pd(c + (i + 2) * ldc + j, x20); _mm256_storeu_pd(c + (i + 2) * ldc + j + 4, x21);
                _mm256_storeu_pd(c + (i + 3) * ldc + j, x30); _mm256_storeu_pd(c + (i + 3) * ldc + j + 4, x31);
            } else {
                _mm256_maskstore_pd(c + i * ldc + j, mask0, x00);       _mm256_maskstore_pd(c + i * ldc + j + 4, mask1, x01);
                _mm256_maskstore_pd(c + (i + 1) * ldc + j, mask0, x10); _mm256_maskstore_pd(c + (i + 1) * ldc + j + 4, mask1, x11);
                _mm256_maskstore_pd(c + (i + 2) * ldc + j, mask0, x20); _mm256_maskstore_pd(c + (i + 2) * ldc + j + 4, mask1, x21);
                _mm256_maskstore_pd(c + (i + 3) * ldc + j, mask0, x30); _mm256_maskstore_pd(c + (i + 3) * ldc + j + 4, mask1, x31);
            }
        }
        // Two rows by eight columns (the generation chapter's greedy and sampled rows): each
        // load of the panel serves both rows, whose sums are those of the one-row loop below.
        for (; i + 2 <= m; i += 2) {
            __m256d x00 = start0, x10 = start0, x01 = start1, x11 = start1;
            const double *a0 = a + i * aRow, *a1 = a0 + aRow;
            for (long k = 0; k < kCount; k++) {
                __m256d b0 = LOAD_B(k * step), b1 = LOAD_B(k * step + 4);
                __m256d r0 = _mm256_set1_pd(a0[k * aCol]), r1 = _mm256_set1_pd(a1[k * aCol]);
                x00 = _mm256_add_pd(x00, _mm256_mul_pd(r0, b0)); x01 = _mm256_add_pd(x01, _mm256_mul_pd(r0, b1));
                x10 = _mm256_add_pd(x10, _mm256_mul_pd(r1, b0)); x11 = _mm256_add_pd(x11, _mm256_mul_pd(r1, b1));
            }
            _mm256_maskstore_pd(c + i * ldc + j, mask0, x00);       _mm256_maskstore_pd(c + i * ldc + j + 4, mask1, x01);
            _mm256_maskstore_pd(c + (i + 1) * ldc + j, mask0, x10); _mm256_maskstore_pd(c + (i + 1) * ldc + j + 4, mask1, x11);
        }
        // The rows left: one row by eight columns.
        for (; i < m; i++) {
            const double *ai = a + i * aRow;
            __m256d x0 = start0, x1 = start1;
            for (long k = 0; k < kCount; k++) {
                __m256d r = _mm256_set1_pd(ai[k * aCol]);
                x0 = _mm256_add_pd(x0, _mm256_mul_pd(r, LOAD_B(k * step)));
                x1 = _mm256_add_pd(x1, _mm256_mul_pd(r, LOAD_B(k * step + 4)));
            }
            _mm256_maskstore_pd(c + i * ldc + j, mask0, x0);
            _mm256_maskstore_pd(c + i * ldc + j + 4, mask1, x1);
        }
    }
    // Without memory for a panel: the columns not done above, entry by entry.
    long done = jBegin + panels * 8 + width;
    for (long r = 0; r < m; r++) {
        for (long j = done; j < jEnd; j++) {
            double sum = first ? first[j] : 0.0;
            for (long k = 0; k < kCount; k++) {
                double product = a[r * aRow + k * aCol] * B_ENTRY(k * bRow + j * bCol);
                sum = sum + product;
            }
            c[r * ldc + j] = sum;
        }
    }
    free(panel);
#undef LOAD_B
#undef B_ENTRY
}

#if defined(__GLIBC__)
// glibc's libmvec (linked as -lmvec): the x86-64 vector ABI's names for exp and tanh on four
// doubles in a ymm register (the AVX2 variants).
__attribute__((target("avx2"))) __m256d _ZGVdN4v_exp(__m256d x);
__attribute__((target("avx2"))) __m256d _ZGVdN4v_tanh(__m256d x);
#define SITEGEN_VECTOR_MATH 1
#endif

#if SITEGEN_VECTOR_MATH
// x[begin..<end] = f(x[begin..<end]): whole registers, then the rest in one register padded with zeros.
__attribute__((target("avx2")))
static inline void apply_avx2(__m256d (*f)(__m256d), double *x, long begin, long end) {
    long i = begin;
    for (; i + 4 <= end; i += 4) _mm256_storeu_pd(x + i, f(_mm256_loadu_pd(x + i)));
    if (i < end) {
        long rest = end - i;
        const __m256i mask = _mm256_setr_epi64x(-1, rest > 1 ? -1 : 0, rest > 2 ? -1 : 0, 0);
        _mm256_maskstore_pd(x + i, mask, f(_mm256_maskload_pd(x + i, mask)));
    }
}

__attribute__((target("avx2")))
void sitegen_exp_avx2(double *x, long begin, long end) { apply_avx2(_ZGVdN4v_exp, x, begin, end); }

__attribute__((target("avx2")))
void sitegen_tanh_avx2(double *x, long begin, long end) { apply_avx2(_ZGVdN4v_tanh, x, begin, end); }
#else
void sitegen_exp_avx2(double *x, long begin, long end) { for (long i = begin; i < end; i++) x[i] = exp(x[i]); }
void sitegen_tanh_avx2(double *x, long begin, long end) { for (long i = begin; i < end; i++) x[i] = tanh(x[i]); }
#endif

#else

int sitegen_has_avx2(void) { return 0; }

void sitegen_multiply_avx2(double *c, long ldc, long m, long jBegin, long jEnd,
                           const double *a, long aRow, long aCol,
                           const double *b, const float *bNarrow, long bRow, long bCol, long kCount,
                           const double *first) {
    (void)c; (void)ldc; (void)m; (void)jBegin; (void)jEnd; (void)a; (void)aRow; (void)aCol; (void)b; (void)bNarrow; (void)bRow; (void)bCol;
    (void)kCount; (void)first;
}

void sitegen_exp_avx2(double *x, long begin, long end) { (void)x; (void)begin; (void)end; }
void sitegen_tanh_avx2(double *x, long begin, long end) { (void)x; (void)begin; (void)end; }

#endif

// One pass the compiler vectorises: four bytes to a binary32 (a plain load on little-endian
// processors, byte-swapped on the others); the NaN/Inf test (all exponent bits set) is or-ed
// up, not branched on.
int sitegen_read_f32(const unsigned char *bytes, long count, float *out) {
    uint32_t nonFinite = 0;
    for (long i = 0; i < count; i++) {
        uint32_t bits;
        memcpy(&bits, bytes + 4 * i, sizeof bits);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        bits = __builtin_bswap32(bits);
#endif
        nonFinite |= (bits & 0x7F800000u) == 0x7F800000u;
        memcpy(out + i, &bits, sizeof bits);
    }
    return nonFinite ? 1 : 0;
}
