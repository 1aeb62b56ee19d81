#ifndef SITEGEN_CMATRIXKERNEL_H
#define SITEGEN_CMATRIXKERNEL_H

// The engine's matrix product on x86-64 processors with AVX2, four doubles per register
// instead of two (see Product.swift for the product itself and its summation order).

// 1 when this processor runs AVX2 instructions (checked once by the caller), else 0.
int sitegen_has_avx2(void);

// c[i][j] = (((first[j] + a[i][0]·b[0][j]) + a[i][1]·b[1][j]) + …) + a[i][K−1]·b[K−1][j]
// for c [m][n] row-major, where first[j] is +0 when `first` is NULL (else a bias row);
// a[i][k] = a[i·aRow + k·aCol], b[k][j] = b[k·bRow + j·bCol]. Every sum runs over k in
// increasing order with one rounded product and one rounded addition a step (no fused
// multiply-add): bit for bit the plain loop. Only call it when sitegen_has_avx2() is 1.
void sitegen_multiply_avx2(double *c, long m, long n, const double *a, long aRow, long aCol,
                           const double *b, long bRow, long bCol, long kCount,
                           const double *first);

#endif
