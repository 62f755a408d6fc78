/* tarpath.c: entry name cleaning and whiteout parsing (see tarpath.h). */
#include "config.h"
#include "tarpath.h"
#include "paths.h"
#include "util.h"

#include <string.h>

#define WH_PREFIX ".wh."
#define WH_META ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

int tarpath_clean(const char *name, const char *what, char **out, sb_error *err)
{
	cleanup_free char *buf = NULL;
	const char *p = name, *c;
	size_t o = 0, depth = 0, len;

	if (name == NULL || name[0] == '\0')
		return sb_fail(err, 0, "%s with an empty name", what);
	if (name[0] == '/')
		return sb_fail(err, 0, "%s '%s' is an absolute path", what, name);
	buf = xcalloc(strlen(name) + 1, 1);
	while ((c = path_next(&p, &len)) != NULL) {
		if (path_is_dotdot(c, len))
			return sb_fail(err, 0, "%s '%s' has a '..' component", what, name);
		if (++depth > TARPATH_MAX_DEPTH)
			return sb_fail(err, 0, "%s '%.64s...' is nested more than %d levels deep",
				       what, name, TARPATH_MAX_DEPTH);
		if (o > 0)
			buf[o++] = '/';
		memcpy(buf + o, c, len);
		o += len;
	}
	buf[o] = '\0';
	*out = steal_ptr(&buf);
	return 0;
}

const char *tarpath_split(const char *path, char **dir)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*dir = xstrdup("");
		return path;
	}
	*dir = strndup(path, (size_t)(slash - path));
	if (*dir == NULL)
		sb_oom();
	return slash + 1;
}

int tarpath_resolve_link(const char *link, const char *target, char **out, sb_error *err)
{
	cleanup_free char *dir = NULL;
	cleanup_free char *joined = NULL;
	cleanup_free char *parts = NULL;
	char *save = NULL;
	size_t o = 0;

	if (target[0] == '/')
		return sb_fail(err, 0, "link '%s' points to the absolute path '%s', outside "
			       "the archive", link, target);
	(void)tarpath_split(link, &dir);
	joined = dir[0] ? xasprintf("%s/%s", dir, target) : xstrdup(target);
	parts = xcalloc(strlen(joined) + 1, 1);
	for (char *c = strtok_r(joined, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (strcmp(c, ".") == 0)
			continue;
		if (strcmp(c, "..") == 0) {
			char *up;
			if (o == 0)
				return sb_fail(err, 0, "link '%s' points to '%s', outside the "
					       "archive", link, target);
			parts[o] = '\0';
			up = strrchr(parts, '/');
			o = up ? (size_t)(up - parts) : 0;
			parts[o] = '\0';
			continue;
		}
		if (o > 0)
			parts[o++] = '/';
		memcpy(parts + o, c, strlen(c));
		o += strlen(c);
	}
	parts[o] = '\0';
	if (o == 0)
		return sb_fail(err, 0, "link '%s' points to the archive's root", link);
	*out = steal_ptr(&parts);
	return 0;
}

int whiteout_parse(const char *base, enum whiteout_kind *kind, const char **hidden,
		   sb_error *err)
{
	const char *name;

	*kind = WHITEOUT_NONE;
	*hidden = NULL;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) != 0)
		return 0;
	if (strcmp(base, WH_OPAQUE) == 0) {
		*kind = WHITEOUT_OPAQUE;
		return 0;
	}
	if (strncmp(base, WH_META, strlen(WH_META)) == 0)
		return sb_fail(err, 0, "unsupported whiteout metadata entry '%s'", base);
	name = base + strlen(WH_PREFIX);
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return sb_fail(err, 0, "bad whiteout name '%s': it hides no valid name", base);
	*kind = WHITEOUT_FILE;
	*hidden = name;
	return 0;
}
