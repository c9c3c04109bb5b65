// CRC-32 (zlib's, the S3 default checksum) and CRC-32C, fast on x86-64 CPUs that have
// PCLMULQDQ and SSE4.2; elsewhere CRC-32 falls back to zlib and CRC-32C returns -1 to say
// "not here" (the Swift caller has a portable version).
#include "CChecksum.h"
#include <zlib.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#include <pthread.h>

// What this CPU has, found once (pthread_once: every thread sees the finished table).
static struct { int pclmul, sse42, vpclmul512; } features;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

static void detect_features(void) {
    unsigned int a, b, c, d, xcr0_low, xcr0_high;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return;
    // CPUID.1:ECX bit 1 is PCLMULQDQ, bit 19 SSE4.1, bit 20 SSE4.2.
    features.pclmul = (c & (1u << 1)) && (c & (1u << 19));
    features.sse42 = (c & (1u << 20)) != 0;
    // CPUID.7.0:EBX bit 16 AVX-512F, bit 31 AVX-512VL; ECX bit 10 VPCLMULQDQ; and the OS must
    // save the ZMM state (CPUID.1:ECX bit 27 OSXSAVE, then XCR0 bits 1, 2, 5, 6, 7).
    if ((c & (1u << 27)) && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 16)) && (b & (1u << 31)) && (c & (1u << 10))) {
        __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
        features.vpclmul512 = (xcr0_low & 0xE6) == 0xE6;
    }
}

static int has_pclmul(void) { pthread_once(&features_once, detect_features); return features.pclmul; }
static int has_sse42(void) { pthread_once(&features_once, detect_features); return features.sse42; }
static int has_vpclmul512(void) { pthread_once(&features_once, detect_features); return features.vpclmul512; }

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
// using PCLMULQDQ", Intel, 2009). Constants are x^n mod P(x), bit-reflected and shifted left
// by one, for P = 0x04C11DB7. With `dst`, each block is also stored there as it is loaded: a
// copy that costs no second read of the source. Where `dst` is aligned, the main loops store
// around the cache (non-temporal): the destination is an 8 MiB part that is not read again
// until the socket sends it, long after it has left the cache, and an ordinary store first
// reads each line it writes (docs/PERFORMANCE.md).
#define SLUICE_LOAD(offset, stream) sluice_load_storing(p + (offset), dst ? dst + (offset) : 0, stream)
__attribute__((target("pclmul,sse4.1"), always_inline))
static inline __m128i sluice_load_storing(const unsigned char *p, unsigned char *dst, int stream) {
    __m128i block = _mm_loadu_si128((const __m128i *)p);
    if (stream) _mm_stream_si128((__m128i *)dst, block);
    else if (dst) _mm_storeu_si128((__m128i *)dst, block);
    return block;
}

// The first stage for long inputs where the CPU has VPCLMULQDQ on 512-bit registers: sixteen
// 16-byte lanes folded 256 bytes ahead, then folded to the four lanes the 128-bit loop carries
// on with (`lanes`). Consumes the multiples of 256 bytes of `*len` (at least 256).
__attribute__((target("avx512f,avx512vl,vpclmulqdq,pclmul,sse4.1")))
static inline void sluice_crc32_fold_wide(uint32_t crc, const unsigned char **source, size_t *len, unsigned char **destination, __m128i lanes[4]) {
    const __m512i k256 = _mm512_broadcast_i32x4(_mm_set_epi64x(0x1322d1430, 0x11542778a));  // x^(2048-32), x^(2048+32)
    const __m512i k64 = _mm512_broadcast_i32x4(_mm_set_epi64x(0x1c6e41596, 0x154442bd4));   // x^(512-32), x^(512+32)
    const unsigned char *p = *source;
    unsigned char *dst = *destination;
    const int stream = dst && !((uintptr_t)dst & 63);
    __m512i z[4];
    for (int i = 0; i < 4; i++) {
        z[i] = _mm512_loadu_si512((const void *)(p + 64 * i));
        if (dst) _mm512_storeu_si512((void *)(dst + 64 * i), z[i]);
    }
    z[0] = _mm512_xor_si512(z[0], _mm512_zextsi128_si512(_mm_cvtsi32_si128((int)crc)));
    size_t left = *len - 256;
    p += 256;
    if (dst) dst += 256;
    while (left >= 256) {
        for (int i = 0; i < 4; i++) {
            __m512i data = _mm512_loadu_si512((const void *)(p + 64 * i));
            if (stream) _mm512_stream_si512((void *)(dst + 64 * i), data);
            else if (dst) _mm512_storeu_si512((void *)(dst + 64 * i), data);
            __m512i low = _mm512_clmulepi64_epi128(z[i], k256, 0x00);
            __m512i high = _mm512_clmulepi64_epi128(z[i], k256, 0x11);
            z[i] = _mm512_ternarylogic_epi64(low, high, data, 0x96);  // low ^ high ^ data
        }
        p += 256;
        if (dst) dst += 256;
        left -= 256;
    }
    for (int i = 1; i < 4; i++) {
        __m512i low = _mm512_clmulepi64_epi128(z[0], k64, 0x00);
        __m512i high = _mm512_clmulepi64_epi128(z[0], k64, 0x11);
        z[0] = _mm512_ternarylogic_epi64(low, high, z[i], 0x96);
    }
    if (stream) _mm_sfence();
    lanes[0] = _mm512_extracti32x4_epi32(z[0], 0);
    lanes[1] = _mm512_extracti32x4_epi32(z[0], 1);
    lanes[2] = _mm512_extracti32x4_epi32(z[0], 2);
    lanes[3] = _mm512_extracti32x4_epi32(z[0], 3);
    *source = p;
    *destination = dst;
    *len = left;
}

__attribute__((target("pclmul,sse4.1")))
static inline uint32_t sluice_crc32_fold(uint32_t crc, const unsigned char *p, size_t len, unsigned char *dst, int wide) {
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596, 0x154442bd4);  // x^(4*128-32), x^(4*128+32)
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009e, 0x1751997d0);  // x^(128-32), x^(128+32)
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124);               // x^64
    const __m128i poly = _mm_set_epi64x(0x1f7011641, 0x1db710641);  // Barrett: mu, P(x)
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);

    __m128i x1, x2, x3, x4;
    if (wide && len >= 256) {
        __m128i lanes[4];
        sluice_crc32_fold_wide(crc, &p, &len, &dst, lanes);
        x1 = lanes[0], x2 = lanes[1], x3 = lanes[2], x4 = lanes[3];
    } else {
        x1 = _mm_xor_si128(SLUICE_LOAD(0, 0), _mm_cvtsi32_si128((int)crc));
        x2 = SLUICE_LOAD(16, 0);
        x3 = SLUICE_LOAD(32, 0);
        x4 = SLUICE_LOAD(48, 0);
        p += 64;
        if (dst) dst += 64;
        len -= 64;
    }
    const int stream = dst && !((uintptr_t)dst & 15);
    while (len >= 64) {
        x1 = sluice_fold16(x1, k1k2, SLUICE_LOAD(0, stream));
        x2 = sluice_fold16(x2, k1k2, SLUICE_LOAD(16, stream));
        x3 = sluice_fold16(x3, k1k2, SLUICE_LOAD(32, stream));
        x4 = sluice_fold16(x4, k1k2, SLUICE_LOAD(48, stream));
        p += 64;
        if (dst) dst += 64;
        len -= 64;
    }
    if (stream) _mm_sfence();  // the streamed stores are seen before anything after them
    x1 = sluice_fold16(x1, k3k4, x2);
    x1 = sluice_fold16(x1, k3k4, x3);
    x1 = sluice_fold16(x1, k3k4, x4);
    while (len >= 16) {
        x1 = sluice_fold16(x1, k3k4, SLUICE_LOAD(0, 0));
        p += 16;
        if (dst) dst += 16;
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
#undef SLUICE_LOAD

// zlib's crc32(crc, buf, len), the same value; with `dst` (not overlapping `buf`) the bytes
// are copied there on the way. `fold`: 0 zlib only, 1 PCLMULQDQ, 2 VPCLMULQDQ on 512 bits,
// each where the CPU has it (tests compare them; everyone else passes 2).
unsigned long sluice_crc32_copy_by(int fold, unsigned long crc, const unsigned char *buf, size_t len, unsigned char *dst) {
    // Long copies start with the bytes up to a 64-byte boundary of `dst`, so that the rest
    // can be streamed (see sluice_crc32_fold).
    if (dst && fold > 0 && len >= 512 && ((uintptr_t)dst & 63)) {
        size_t head = 64 - ((uintptr_t)dst & 63);
        __builtin_memcpy(dst, buf, head);
        crc = crc32_z(crc, buf, head);
        buf += head;
        dst += head;
        len -= head;
    }
    if (fold > 0 && len >= 64 && has_pclmul()) {
        size_t bulk = len & ~(size_t)15;
        crc = ~sluice_crc32_fold(~(uint32_t)crc, buf, bulk, dst, fold > 1 && has_vpclmul512()) & 0xffffffffUL;
        buf += bulk;
        if (dst) dst += bulk;
        len -= bulk;
    }
    if (dst && len) __builtin_memcpy(dst, buf, len);
    return len ? crc32_z(crc, buf, len) : crc;
}

// The best `fold` this CPU has.
int sluice_crc32_best(void) { return has_vpclmul512() ? 2 : has_pclmul() ? 1 : 0; }

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

int64_t sluice_crc32c(uint32_t crc, const unsigned char *buf, size_t len) {
    return has_sse42() ? sluice_crc32c_sse42(crc, buf, len) : -1;
}
#else
unsigned long sluice_crc32_copy_by(int fold, unsigned long crc, const unsigned char *buf, size_t len, unsigned char *dst) {
    (void)fold;
    if (dst && len) __builtin_memcpy(dst, buf, len);
    return crc32_z(crc, buf, len);
}

int sluice_crc32_best(void) { return 0; }

int64_t sluice_crc32c(uint32_t crc, const unsigned char *buf, size_t len) {
    (void)crc; (void)buf; (void)len;
    return -1;
}
#endif
