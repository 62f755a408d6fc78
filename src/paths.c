/* paths.c: lexical path checks (see paths.h). Nothing here touches the file
 * system; resolution against a real tree lives in mounts.c. */
#include "config.h"
#include "paths.h"
#include "util.h"

#include <string.h>

int path_normalize_abs(const char *in, char **out, const char *what, sb_error *err)
{
	cleanup_free char *buf = NULL;
	size_t o = 0;
	const char *p = in;

	if (in == NULL || in[0] != '/')
		return sb_fail(err, 0, "%s '%s' must be an absolute path", what, in ? in : "");
	buf = xcalloc(strlen(in) + 2, 1);
	while (*p) {
		const char *start, *end;
		size_t len;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		start = p;
		end = strchrnul(p, '/');
		len = (size_t)(end - start);
		p = end;
		if (len == 1 && start[0] == '.')
			continue;
		if (len == 2 && start[0] == '.' && start[1] == '.')
			return sb_fail(err, 0, "%s '%s' must not contain '..'", what, in);
		buf[o++] = '/';
		memcpy(buf + o, start, len);
		o += len;
	}
	if (o == 0)
		buf[o++] = '/';
	buf[o] = '\0';
	*out = steal_ptr(&buf);
	return 0;
}
