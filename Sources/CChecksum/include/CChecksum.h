#ifndef SLUICE_CCHECKSUM_H
#define SLUICE_CCHECKSUM_H
#include <stddef.h>
#include <stdint.h>

// zlib's crc32(crc, buf, len), the same value; with `dst` (not overlapping `buf`) the bytes
// are copied there on the way. `fold`: 0 zlib only, 1 PCLMULQDQ, 2 VPCLMULQDQ on 512 bits,
// each where the CPU has it (tests compare them; everyone else passes 2).
unsigned long sluice_crc32_copy_by(int fold, unsigned long crc, const unsigned char *buf, size_t len, unsigned char *dst);

// The best `fold` this CPU has.
int sluice_crc32_best(void);

// CRC-32C continued from `crc` (not inverted, like zlib's convention), or -1 where the CPU
// has no SSE4.2.
int64_t sluice_crc32c(uint32_t crc, const unsigned char *buf, size_t len);

#endif
