#include "CMemoryPolicy.h"
#include <stdlib.h>  // defines __GLIBC__ on glibc

#if defined(__GLIBC__)
#include <malloc.h>

void sitegen_keep_freed_memory(void) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

void sitegen_share_one_heap(void) {
    mallopt(M_ARENA_MAX, 1);
}

#else

void sitegen_keep_freed_memory(void) {}

void sitegen_share_one_heap(void) {}

#endif
