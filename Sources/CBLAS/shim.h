// OpenBLAS's CBLAS interface plus the two OpenBLAS queries Lethe uses to judge the library.
#include <cblas.h>
char *openblas_get_corename(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);

// Lethe's kernel helpers (AVX-512 intrinsics that Swift cannot express), inlined into Swift.
#include "lethe_kernels.h"
#include "lethe_conv_direct.h"
#include "lethe_pool.h"

// glibc allocator tuning (mallopt): Lethe keeps large freed blocks instead of unmapping them.
#include <malloc.h>
