/* exec.h: the last steps before the command runs, in its own process. */
#ifndef SB_EXEC_H
#define SB_EXEC_H

#include <stdbool.h>

#include "spec.h"

/* Environment, working directory, ids, capabilities, no_new_privs, then
 * execvp. On failure the error goes to `errfd` (the monitor prints it) and
 * the process exits with 125, 126 or 127. Never returns. */
void payload_exec(const struct run_spec *spec, bool may_setgroups, int errfd)
	__attribute__((noreturn));

/* Build the command's environment from the allow-list and the spec; a NULL
 * terminated array of "K=V" strings (unit tested). */
char **payload_environ(const struct run_spec *spec, char **host_env);

#endif
