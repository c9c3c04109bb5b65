#ifndef SLUICE_CPLATFORM_H
#define SLUICE_CPLATFORM_H
#include <stddef.h>

// C library calls that Swift's Glibc module does not declare (memmem needs _GNU_SOURCE,
// mallopt lives in <malloc.h>), declared here by name rather than looked up at run time.

// libc's memmem: the first `needle` in `haystack`, or NULL.
void *sluice_memmem(const void *haystack, size_t haystack_len, const void *needle, size_t needle_len);

// glibc's mallopt(M_MMAP_THRESHOLD), mallopt(M_TRIM_THRESHOLD) and mallopt(M_ARENA_MAX);
// 0 where the C library has no mallopt.
int sluice_malloc_policy(int mmap_threshold, int trim_threshold, int arenas);

#endif
