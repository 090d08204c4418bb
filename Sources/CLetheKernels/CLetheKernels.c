// The helpers are header-only (static inline, compiled into LetheKernels); this file compiles the
// headers once as plain C, without -march=native, so that the portable twins are checked too.
#include "CLetheKernels.h"
