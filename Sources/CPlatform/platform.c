#define _GNU_SOURCE
#include "CPlatform.h"
#include <string.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void *sluice_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len) {
    return memmem(haystack, haystack_len, needle, needle_len);
}

int sluice_malloc_policy(int mmap_threshold, int trim_threshold, int arenas) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold) && mallopt(M_ARENA_MAX, arenas);
#else
    (void)mmap_threshold; (void)trim_threshold; (void)arenas;
    return 0;
#endif
}
