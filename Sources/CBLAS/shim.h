// OpenBLAS's CBLAS interface plus the two OpenBLAS queries Lethe uses to judge the library.
#include <cblas.h>
char *openblas_get_corename(void);
int openblas_get_num_threads(void);
void openblas_set_num_threads(int num_threads);
