/* error.c: builds, wraps, passes and prints sb_error values (see error.h).
 * Allocation failure while building an error message aborts: there is no
 * better way to report it. */
#include "config.h"
#include "error.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		sb_oom();
	return s;
}

int sb_fail(sb_error *err, int errnum, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (err == NULL)
		return -1;
	va_start(ap, fmt);
	msg = vfmt(fmt, ap);
	va_end(ap);
	if (*err != NULL)           /* keep the first cause */
		sb_error_free(err);
	*err = xcalloc(1, sizeof(**err));
	(*err)->errnum = errnum;
	(*err)->status = SB_EXIT_FAILURE;
	if (errnum > 0) {
		(*err)->msg = xasprintf("%s: %s", msg, strerror(errnum));
		free(msg);
	} else {
		(*err)->msg = msg;
	}
	return -1;
}

int sb_wrap(sb_error *err, const char *fmt, ...)
{
	va_list ap;
	char *ctx, *msg;

	if (err == NULL || *err == NULL)
		return -1;
	va_start(ap, fmt);
	ctx = vfmt(fmt, ap);
	va_end(ap);
	msg = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

int sb_hint(sb_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || *err == NULL)
		return -1;
	va_start(ap, fmt);
	free((*err)->hint);
	(*err)->hint = vfmt(fmt, ap);
	va_end(ap);
	return -1;
}

int sb_set_status(sb_error *err, int status)
{
	if (err != NULL && *err != NULL)
		(*err)->status = status;
	return -1;
}

void sb_error_free(sb_error *err)
{
	if (err == NULL || *err == NULL)
		return;
	free((*err)->msg);
	free((*err)->hint);
	free(*err);
	*err = NULL;
}

int sb_error_report(sb_error *err)
{
	int status;

	if (err == NULL || *err == NULL)
		return SB_EXIT_FAILURE;
	if ((*err)->hint != NULL)
		fprintf(stderr, "sandbox: %s (%s)\n", (*err)->msg, (*err)->hint);
	else
		fprintf(stderr, "sandbox: %s\n", (*err)->msg);
	status = (*err)->status;
	sb_error_free(err);
	return status;
}

/* Wire format: "<status>\n<errnum>\n<msg>\0<hint>\0" (hint may be empty). */
size_t sb_error_pack(const sb_error *err, char *buf, size_t len)
{
	int n;
	const struct sb_error_s *e = *err;

	n = snprintf(buf, len, "%d\n%d\n%s%c%s", e->status, e->errnum, e->msg, 0,
		     e->hint ? e->hint : "");
	if (n < 0)
		return 0;
	if ((size_t)n + 1 > len)
		return len;
	return (size_t)n + 1;
}

int sb_error_unpack(sb_error *err, const char *buf, size_t len)
{
	int status = 0, errnum = 0, off = 0;
	const char *msg, *hint;

	if (len == 0 || buf[len - 1] != '\0' ||
	    sscanf(buf, "%d\n%d\n%n", &status, &errnum, &off) != 2 || off <= 0)
		return sb_fail(err, 0, "malformed error report from the sandbox");
	msg = buf + off;
	hint = msg + strlen(msg) + 1;
	sb_fail(err, 0, "%s", msg);
	(*err)->errnum = errnum;
	(*err)->status = status;
	if (hint < buf + len && *hint != '\0')
		sb_hint(err, "%s", hint);
	return -1;
}
