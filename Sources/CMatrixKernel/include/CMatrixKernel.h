#ifndef SITEGEN_CMATRIXKERNEL_H
#define SITEGEN_CMATRIXKERNEL_H

// The engine's matrix product on x86-64 processors with AVX2, four doubles per register
// instead of two (see Tensor/ProductKernel.swift for the product itself and its summation order).

// 1 when this processor runs AVX2 instructions (checked once by the caller), else 0.
int sitegen_has_avx2(void);

// c[i·ldc + j] = (((first[j] + a[i][0]·b[0][j]) + a[i][1]·b[1][j]) + …) + a[i][K−1]·b[K−1][j]
// for rows 0 ≤ i < m and columns jBegin ≤ j < jEnd of c, where first[j] is +0 when `first`
// is NULL (else a bias row); a[i][k] = a[i·aRow + k·aCol], b[k][j] = b[k·bRow + j·bCol] (so
// b may be a transposed matrix). Every sum runs over k in increasing order with one rounded
// product and one rounded addition a step (no fused multiply-add): bit for bit the plain
// loop, whatever column range a call takes. Calls on disjoint column ranges of the same c may
// run at the same time. Only call it when sitegen_has_avx2() is 1.
void sitegen_multiply_avx2(double *c, long ldc, long m, long jBegin, long jEnd,
                           const double *a, long aRow, long aCol,
                           const double *b, long bRow, long bCol, long kCount,
                           const double *first);

#endif
