#ifndef SLUICE_CZLIB_SHIM_H
#define SLUICE_CZLIB_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <zlib.h>

// deflateInit2 and inflateInit2 are function-like macros, which Swift cannot call.
static inline int sluice_deflateInit2(z_streamp stream, int level, int windowBits, int memLevel) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY);
}

static inline int sluice_inflateInit2(z_streamp stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

// CRC-32 (zlib's, the S3 default checksum) and CRC-32C, fast on x86-64 CPUs that have
// PCLMULQDQ and SSE4.2; elsewhere CRC-32 falls back to zlib and CRC-32C returns -1 to say
// "not here" (the Swift caller has a portable version).
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

static inline int sluice_cpu_has(unsigned int ecx_bit) {
    unsigned int a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & ecx_bit);
}

// CPUID.1:ECX bit 1 is PCLMULQDQ, bit 19 SSE4.1, bit 20 SSE4.2.
static inline int sluice_has_pclmul(void) {
    static int cached = -1;
    if (cached < 0) cached = sluice_cpu_has(1u << 1) && sluice_cpu_has(1u << 19);
    return cached;
}

static inline int sluice_has_sse42(void) {
    static int cached = -1;
    if (cached < 0) cached = sluice_cpu_has(1u << 20);
    return cached;
}

// Folds 16 bytes of `x` forward (x.low * k.low ^ x.high * k.high) and adds `data`.
__attribute__((target("pclmul,sse4.1")))
static inline __m128i sluice_fold16(__m128i x, __m128i k, __m128i data) {
    __m128i low = _mm_clmulepi64_si128(x, k, 0x00);
    __m128i high = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(low, high), data);
}

// The raw (not inverted) CRC-32 register over `len` bytes, len >= 64 and a multiple of 16,
// by carry-less multiplication: four 16-byte lanes are folded 64 bytes ahead, then into one
// lane, then reduced to 32 bits (Gopal et al., "Fast CRC computation for generic polynomials
// using PCLMULQDQ", Intel, 2009). Constants are x^n mod P(x), bit-reflected, for P = 0x04C11DB7.
__attribute__((target("pclmul,sse4.1")))
static inline uint32_t sluice_crc32_fold(uint32_t crc, const unsigned char *p, size_t len) {
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);  // x^(4*128+32), x^(4*128-32)
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);  // x^(128+32), x^(128-32)
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);               // x^64
    const __m128i poly = _mm_set_epi64x(0x1f7011641, 0x1db710641);  // Barrett: mu, P(x)
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);

    __m128i x1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)crc));
    __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i x4 = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    len -= 64;
    while (len >= 64) {
        x1 = sluice_fold16(x1, k1k2, _mm_loadu_si128((const __m128i *)p));
        x2 = sluice_fold16(x2, k1k2, _mm_loadu_si128((const __m128i *)(p + 16)));
        x3 = sluice_fold16(x3, k1k2, _mm_loadu_si128((const __m128i *)(p + 32)));
        x4 = sluice_fold16(x4, k1k2, _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        len -= 64;
    }
    x1 = sluice_fold16(x1, k3k4, x2);
    x1 = sluice_fold16(x1, k3k4, x3);
    x1 = sluice_fold16(x1, k3k4, x4);
    while (len >= 16) {
        x1 = sluice_fold16(x1, k3k4, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        len -= 16;
    }
    // 128 bits to 64: the low half, times x^(128-32), folded into the high half.
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), _mm_clmulepi64_si128(x1, k3k4, 0x10));
    // 64 to 32 (appending 32 zero bits).
    x1 = _mm_xor_si128(_mm_srli_si128(x1, 4), _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k5, 0x00));
    // Barrett reduction to the 32-bit remainder.
    __m128i t = _mm_and_si128(_mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x10), mask32);
    t = _mm_clmulepi64_si128(t, poly, 0x00);
    return (uint32_t)_mm_extract_epi32(_mm_xor_si128(x1, t), 1);
}

// zlib's crc32(crc, buf, len), the same value, faster where PCLMULQDQ is.
static inline unsigned long sluice_crc32(unsigned long crc, const unsigned char *buf, size_t len) {
    if (len >= 64 && sluice_has_pclmul()) {
        size_t bulk = len & ~(size_t)15;
        crc = ~sluice_crc32_fold(~(uint32_t)crc, buf, bulk) & 0xffffffffUL;
        buf += bulk;
        len -= bulk;
    }
    return len ? crc32_z(crc, buf, len) : crc;
}

// CRC-32C continued from `crc` (not inverted, like zlib's convention), or -1 without SSE4.2.
__attribute__((target("sse4.2")))
static inline int64_t sluice_crc32c_sse42(uint32_t crc, const unsigned char *p, size_t len) {
    uint64_t c = ~crc;
    while (len >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, p, 8);
        c = _mm_crc32_u64(c, word);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len--) c32 = _mm_crc32_u8(c32, *p++);
    return (int64_t)(uint32_t)~c32;
}

static inline int64_t sluice_crc32c(uint32_t crc, const unsigned char *buf, size_t len) {
    return sluice_has_sse42() ? sluice_crc32c_sse42(crc, buf, len) : -1;
}
#else
static inline unsigned long sluice_crc32(unsigned long crc, const unsigned char *buf, size_t len) {
    return crc32_z(crc, buf, len);
}

static inline int64_t sluice_crc32c(uint32_t crc, const unsigned char *buf, size_t len) {
    (void)crc; (void)buf; (void)len;
    return -1;
}
#endif
#endif
