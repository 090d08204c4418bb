// OpenBLAS's CBLAS interface plus the OpenBLAS query Lethe uses to judge the library (the core
// name it detected for this CPU).
#include <cblas.h>
char *openblas_get_corename(void);
