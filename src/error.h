/* error.h: the one error idiom of sandbox.
 *
 * A fallible function takes `sb_error *err` last, returns -1 (or NULL) on
 * failure and fills *err with sb_fail(); each caller that adds meaning wraps
 * it with sb_wrap(), so one final message reaches the user, e.g.
 * "cannot read subordinate ids for 'ana': open '/etc/subuid': No such file".
 * An error may carry a hint ("what to do") and the exit status to use. */
#ifndef SB_ERROR_H
#define SB_ERROR_H

#include <stdarg.h>
#include <stddef.h>

/* Exit statuses a script relies on (see sandbox(1)). */
enum {
	SB_EXIT_FAILURE = 125,   /* sandbox itself failed */
	SB_EXIT_NOEXEC = 126,    /* the command could not be executed */
	SB_EXIT_NOTFOUND = 127,  /* the command was not found */
};

struct sb_error_s {
	int errnum;   /* errno that caused it, 0 if none */
	int status;   /* exit status to use */
	char *msg;    /* full message, context first */
	char *hint;   /* optional: what the user can do */
};
typedef struct sb_error_s *sb_error;

/* Set *err (must be NULL) from a printf format; errnum > 0 appends
 * ": strerror(errnum)". Always returns -1. */
int sb_fail(sb_error *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefix the message of *err with more context: "context: old". Returns -1. */
int sb_wrap(sb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Attach a hint (replacing any) / an exit status. Return -1. */
int sb_hint(sb_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int sb_set_status(sb_error *err, int status);

void sb_error_free(sb_error *err);
/* Print "sandbox: msg (hint)" on stderr, free it, return its exit status. */
int sb_error_report(sb_error *err);

/* Serialise an error to a flat buffer and back, to pass it over a pipe from
 * the sandboxed side to the monitor. */
size_t sb_error_pack(const sb_error *err, char *buf, size_t len);
int sb_error_unpack(sb_error *err, const char *buf, size_t len);

#define cleanup_error __attribute__((cleanup(sb_error_free)))

#endif
