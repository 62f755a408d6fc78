/* digest.h: sha256 digests as image formats spell them ("sha256:<64 hex>").
 * Hashing goes through OpenSSL's EVP interface (libcrypto), streamed, so a
 * layer is hashed while it is read; the pure half checks and splits the
 * textual form. */
#ifndef SB_DIGEST_H
#define SB_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN)   /* "sha256:" + hex */

typedef char digest_str[DIGEST_STR_LEN + 1];

struct sha256 {
	void *ctx;   /* EVP_MD_CTX */
};

int sha256_init(struct sha256 *h, sb_error *err);
void sha256_update(struct sha256 *h, const void *buf, size_t len);
/* Finish into "sha256:<hex>" and release the context. */
void sha256_final(struct sha256 *h, digest_str out);
/* Release without finishing (error paths); safe to call twice. */
void sha256_free(struct sha256 *h);
/* One-shot digest of a buffer. */
int sha256_buf(const void *buf, size_t len, digest_str out, sb_error *err);

/* True if `s` is "sha256:" and 64 lowercase hex digits. */
bool digest_valid(const char *s);
/* The hex part of a valid digest (pointer into s). */
const char *digest_hex(const char *s);
/* True if `s` is exactly 64 lowercase hex digits. */
bool digest_hex_valid(const char *s);

#endif
