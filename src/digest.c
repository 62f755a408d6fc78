/* digest.c: streamed sha256 through libcrypto and the checks of the textual
 * digest form (see digest.h). */
#include "config.h"
#include "digest.h"
#include "util.h"

#include <openssl/evp.h>
#include <string.h>

int sha256_init(struct sha256 *h, sb_error *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	h->ctx = NULL;
	if (ctx == NULL)
		return sb_fail(err, 0, "cannot create a sha256 context (libcrypto)");
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return sb_fail(err, 0, "cannot start a sha256 digest (libcrypto)");
	}
	h->ctx = ctx;
	return 0;
}

void sha256_update(struct sha256 *h, const void *buf, size_t len)
{
	/* EVP_DigestUpdate of sha256 cannot fail on a started context. */
	if (h->ctx != NULL && len > 0)
		(void)EVP_DigestUpdate(h->ctx, buf, len);
}

void sha256_final(struct sha256 *h, digest_str out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	memcpy(out, "sha256:", 7);
	if (h->ctx == NULL || EVP_DigestFinal_ex(h->ctx, md, &n) != 1 || n != 32)
		n = 0;
	for (unsigned int i = 0; i < 32; i++) {
		out[7 + 2 * i] = i < n ? hex[md[i] >> 4] : '0';
		out[8 + 2 * i] = i < n ? hex[md[i] & 15] : '0';
	}
	out[DIGEST_STR_LEN] = '\0';
	sha256_free(h);
}

void sha256_free(struct sha256 *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

int sha256_buf(const void *buf, size_t len, digest_str out, sb_error *err)
{
	struct sha256 h;

	if (sha256_init(&h, err) < 0)
		return -1;
	sha256_update(&h, buf, len);
	sha256_final(&h, out);
	return 0;
}
