/* digest_name.c: the text form of digests ("sha256:" and 64 hex digits):
 * checks and the hex part. Kept apart from the hashing in digest.c, so that
 * the parts of sandbox that only read the store do not need libcrypto. */
#include "config.h"
#include "digest.h"

#include <string.h>

bool digest_hex_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == DIGEST_HEX_LEN;
}

bool digest_valid(const char *s)
{
	return s != NULL && strncmp(s, "sha256:", 7) == 0 && digest_hex_valid(s + 7);
}

const char *digest_hex(const char *s)
{
	return s + 7;
}
