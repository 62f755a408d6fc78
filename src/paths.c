/* paths.c: lexical path checks (see paths.h). Nothing here touches the file
 * system; resolution against a real tree lives in mounts.c. */
#include "config.h"
#include "paths.h"
#include "util.h"

#include <string.h>

const char *path_next(const char **p, size_t *len)
{
	for (;;) {
		const char *start, *end;

		while (**p == '/')
			(*p)++;
		if (**p == '\0')
			return NULL;
		start = *p;
		end = strchrnul(start, '/');
		*p = end;
		*len = (size_t)(end - start);
		if (!(*len == 1 && start[0] == '.'))
			return start;
	}
}

bool path_is_dotdot(const char *c, size_t len)
{
	return len == 2 && c[0] == '.' && c[1] == '.';
}

int path_normalize_abs(const char *in, char **out, const char *what, sb_error *err)
{
	cleanup_free char *buf = NULL;
	size_t o = 0, len;
	const char *p = in, *c;

	if (in == NULL || in[0] != '/')
		return sb_fail(err, 0, "%s '%s' must be an absolute path", what, in ? in : "");
	buf = xcalloc(strlen(in) + 2, 1);
	while ((c = path_next(&p, &len)) != NULL) {
		if (path_is_dotdot(c, len))
			return sb_fail(err, 0, "%s '%s' must not contain '..'", what, in);
		buf[o++] = '/';
		memcpy(buf + o, c, len);
		o += len;
	}
	if (o == 0)
		buf[o++] = '/';
	buf[o] = '\0';
	*out = steal_ptr(&buf);
	return 0;
}
