#ifndef KAN_SWEEP_COPENBLAS_SHIM_H
#define KAN_SWEEP_COPENBLAS_SHIM_H

#include <stddef.h>
#include <cblas.h>

// Debian's libopenblas exports the Fortran LAPACK symbols but ships no lapack.h.
// Every argument is passed by reference (Fortran calling convention).
void sgels_(const char *trans, const int *m, const int *n, const int *nrhs,
            float *a, const int *lda, float *b, const int *ldb,
            float *work, const int *lwork, int *info, size_t trans_len);

void sgelsy_(const int *m, const int *n, const int *nrhs, float *a, const int *lda,
             float *b, const int *ldb, int *jpvt, const float *rcond, int *rank,
             float *work, const int *lwork, int *info);

#endif
