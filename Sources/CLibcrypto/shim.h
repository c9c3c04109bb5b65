#ifndef SLUICE_CLIBCRYPTO_SHIM_H
#define SLUICE_CLIBCRYPTO_SHIM_H
// The low-level digest API is the one whose context is a plain struct that can be saved and
// restored (a resumed upload carries its midstate); OpenSSL 3 marks it deprecated, not removed.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <openssl/md5.h>
#endif
