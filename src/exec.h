/* exec.h: the last steps before the command runs, in its own process. */
#ifndef SB_EXEC_H
#define SB_EXEC_H

#include <stdbool.h>

#include "scfilter.h"
#include "spec.h"

struct payload {
	const struct run_spec *spec;
	bool may_setgroups;             /* setgroups(2) is allowed in the userns */
	int err_fd;                     /* packed sb_error on failure */
	const struct sc_filter *filter;
	int notify_sock;                /* the listener fd goes here */
};

/* Working directory, capabilities, ids, no_new_privs, environment, the
 * seccomp filter, then execvp. On failure the error goes to err_fd (the
 * monitor prints it) and the process exits with 125, 126 or 127. */
void payload_exec(const struct payload *p) __attribute__((noreturn));

/* Build the command's environment from the allow-list and the spec; a NULL
 * terminated array of "K=V" strings (unit tested). */
char **payload_environ(const struct run_spec *spec, char **host_env);

#endif
