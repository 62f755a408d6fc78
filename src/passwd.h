/* passwd.h: the image's idea of users: an image config's "User" (name or
 * number, optionally ":group") looked up in the image's /etc/passwd and
 * /etc/group, as a container runtime does. */
#ifndef SB_PASSWD_H
#define SB_PASSWD_H

#include <stdint.h>

#include "error.h"

struct user_ids {
	uint32_t uid, gid;
	char *home;   /* from /etc/passwd, or NULL */
};

/* Resolve `user` against the texts of passwd and group (either may be
 * NULL when the image has none): pure, unit tested. */
int passwd_resolve(const char *user, const char *passwd, const char *group,
		   struct user_ids *out, sb_error *err);
/* The same against /etc/passwd and /etc/group of the current root. */
int passwd_lookup(const char *user, struct user_ids *out, sb_error *err);

#endif
