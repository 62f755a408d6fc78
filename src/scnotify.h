/* scnotify.h: the monitor's seccomp listener: answers each refused call
 * with EPERM and, the first time a call is refused, says on stderr which
 * call, which process, which rule and how to grant it. */
#ifndef SB_SCNOTIFY_H
#define SB_SCNOTIFY_H

#include <stdbool.h>

#include "scpolicy.h"

struct scnotify {
	int fd;                        /* listener, -1 when none */
	const struct sc_policy *policy;
	char **reported;               /* call names already reported */
	size_t n_reported;
};

/* Handle one pending notification; -1 when the listener is gone (every
 * filtered process has exited). */
int scnotify_handle(struct scnotify *n);
void scnotify_free(struct scnotify *n);

/* The report line for a refused call (without "sandbox: "), pure; `detail`
 * is e.g. "TIOCSTI" for an ioctl, or NULL. */
char *scnotify_message(const struct sc_policy *p, const char *call, const char *detail,
		       int pid, const char *comm);

#endif
