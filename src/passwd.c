/* passwd.c: User lookup in an image's own files (see passwd.h). Numbers
 * need no entry; a name must have one. The group defaults to the user's
 * primary group, or to the uid's number when the user has no entry. */
#include "config.h"
#include "passwd.h"
#include "util.h"

#include <fcntl.h>
#include <string.h>

/* Field `idx` (0-based) of the colon-separated line for `key` in field 0
 * (or field 2 when by_id), copied into out. */
static bool find(const char *text, const char *key, bool by_id, int want, char *out, size_t cap)
{
	const char *line = text;

	while (line != NULL && *line != '\0') {
		const char *end = strchrnul(line, '\n');
		char buf[512];
		size_t len = (size_t)(end - line);

		if (len > 0 && len < sizeof(buf) && line[0] != '#') {
			char *f[8] = { 0 };
			int n = 0;
			memcpy(buf, line, len);
			buf[len] = '\0';
			/* strsep keeps empty fields (a passwd line may have some) */
			for (char *p = buf, *tok; n < 8 && (tok = strsep(&p, ":")) != NULL;)
				f[n++] = tok;
			if (n > want && n > 2 && strcmp(f[by_id ? 2 : 0], key) == 0) {
				snprintf(out, cap, "%s", f[want]);
				return true;
			}
		}
		line = *end ? end + 1 : NULL;
	}
	return false;
}

int passwd_resolve(const char *user, const char *passwd, const char *group,
		   struct user_ids *out, sb_error *err)
{
	cleanup_free char *u = xstrdup(user);
	char *g = strchr(u, ':'), field[256];
	uint32_t n;

	memset(out, 0, sizeof(*out));
	if (g != NULL)
		*g++ = '\0';
	if (u[0] == '\0')
		return sb_fail(err, 0, "image user '%s' has no user part", user);
	if (parse_u32(u, &n)) {
		out->uid = n;
		out->gid = n;
		if (passwd && find(passwd, u, true, 3, field, sizeof(field)) && parse_u32(field, &n))
			out->gid = n;
		if (passwd && find(passwd, u, true, 5, field, sizeof(field)))
			out->home = xstrdup(field);
	} else {
		if (passwd == NULL || !find(passwd, u, false, 2, field, sizeof(field)) ||
		    !parse_u32(field, &out->uid))
			return sb_fail(err, 0, "image user '%s' is not in the image's /etc/passwd", u);
		if (find(passwd, u, false, 3, field, sizeof(field)) && parse_u32(field, &n))
			out->gid = n;
		if (find(passwd, u, false, 5, field, sizeof(field)))
			out->home = xstrdup(field);
	}
	if (g != NULL && g[0] != '\0') {
		if (parse_u32(g, &n) ||
		    (group != NULL && find(group, g, false, 2, field, sizeof(field)) &&
		     parse_u32(field, &n))) {
			out->gid = n;
		} else {
			free(out->home);
			out->home = NULL;
			return sb_fail(err, 0, "image group '%s' is not in the image's /etc/group", g);
		}
	}
	return 0;
}

int passwd_lookup(const char *user, struct user_ids *out, sb_error *err)
{
	cleanup_free char *p = NULL, *g = NULL;

	read_file_at(AT_FDCWD, "/etc/passwd", &p, NULL, NULL);
	read_file_at(AT_FDCWD, "/etc/group", &g, NULL, NULL);
	return passwd_resolve(user, p, g, out, err);
}
