/* exec.h: the last steps before the command runs, in its own process. */
#ifndef SB_EXEC_H
#define SB_EXEC_H

#include <stdbool.h>

#include "imagerec.h"
#include "scfilter.h"
#include "spec.h"

struct payload {
	const struct run_spec *spec;
	bool may_setgroups;             /* setgroups(2) is allowed in the userns */
	int err_fd;                     /* packed sb_error on failure */
	const struct sc_filter *filter;
	int notify_sock;                /* the listener fd goes here */
	char *const *argv;              /* the command: spec->argv, or an image's */
	const struct image_config *image; /* Env, WorkingDir, User; NULL unless an image */
};

/* Working directory, capabilities, ids, no_new_privs, environment, the
 * seccomp filter, then execvp. On failure the error goes to err_fd (the
 * monitor prints it) and the process exits with 125, 126 or 127. */
void payload_exec(const struct payload *p) __attribute__((noreturn));

/* Build the command's environment: the allow-list, then the image's Env,
 * then the spec's --keep-env/--setenv; a NULL terminated array of "K=V"
 * strings (unit tested). `home` is HOME's value. */
char **payload_environ(const struct run_spec *spec, char *const *image_env, const char *home,
		       char **host_env);

#endif
