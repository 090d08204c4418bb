// Lethe's own C helpers for LetheKernels, as static inline functions that Swift compiles into the
// calling module and inlines: AVX-512 intrinsics Swift cannot express (each with a portable twin),
// prefetch hints, atomics and a spin-wait hint, and glibc's allocator settings (mallopt).
#ifndef CLETHE_KERNELS_H
#define CLETHE_KERNELS_H

#include "lethe_kernels.h"
#include "lethe_conv_direct.h"
#include "lethe_pool.h"
#include "lethe_neighbours.h"

// glibc allocator tuning (mallopt): Lethe keeps large freed blocks instead of unmapping them.
#include <malloc.h>

#endif
