#ifndef SITEGEN_CMATRIXKERNEL_H
#define SITEGEN_CMATRIXKERNEL_H

// The engine's matrix product on x86-64 processors with AVX2, four doubles per register
// instead of two (see Tensor/ProductKernel.swift for the product itself and its summation order),
// and the reading of a checkpoint's F32 weights (Checkpoints/SafeTensors).

// 1 when this processor runs AVX2 instructions (checked once by the caller), else 0.
int sitegen_has_avx2(void);

// c[i·ldc + j] = (((first[j] + a[i][0]·b[0][j]) + a[i][1]·b[1][j]) + …) + a[i][K−1]·b[K−1][j]
// for rows 0 ≤ i < m and columns jBegin ≤ j < jEnd of c, where first[j] is +0 when `first`
// is NULL (else a bias row); a[i][k] = a[i·aRow + k·aCol], b[k][j] = b[k·bRow + j·bCol] (so
// b may be a transposed matrix); when bNarrow is not NULL, b[k][j] is instead the binary32
// bNarrow[k·bRow + j·bCol] widened (exactly) and b is not read. Every sum runs over k in
// increasing order with one rounded product and one rounded addition a step (no fused
// multiply-add): bit for bit the plain loop, whatever column range a call takes. Calls on disjoint column ranges of the same c may
// run at the same time. Only call it when sitegen_has_avx2() is 1.
void sitegen_multiply_avx2(double *c, long ldc, long m, long jBegin, long jEnd,
                           const double *a, long aRow, long aCol,
                           const double *b, const float *bNarrow, long bRow, long bCol, long kCount,
                           const double *first);

// For training only (the explainer keeps the C library's scalar exp and tanh, the same bits on
// every machine): x[i] = exp(x[i]), resp. tanh(x[i]), for begin ≤ i < end, four at a time by
// glibc's vector functions (libmvec's _ZGVdN4v_exp and _ZGVdN4v_tanh, AVX2), the last partial
// register padded with zeros. Each lane is computed on its own, so each entry's result is a
// function of that entry alone, wherever it sits in x and however x is cut. Without glibc, the
// C library's scalar functions. Only call them when sitegen_has_avx2() is 1.
void sitegen_exp_avx2(double *x, long begin, long end);
void sitegen_tanh_avx2(double *x, long begin, long end);

// For reading checkpoints: out[i] = the binary32 value whose little-endian bytes are
// bytes[4i ..< 4i + 4], for 0 ≤ i < count (kept as binary32: the products widen them).
// Returns 1 when any of them is NaN or ±Inf, else 0. Plain C, every processor.
int sitegen_read_f32(const unsigned char *bytes, long count, float *out);

#endif
