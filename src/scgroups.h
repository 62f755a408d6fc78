/* scgroups.h: the named system call groups of seccomp-allow/seccomp-deny
 * (names after systemd's SystemCallFilter=), as plain data. */
#ifndef SB_SCGROUPS_H
#define SB_SCGROUPS_H

#include <stddef.h>

struct scgroup {
	const char *name;         /* "@clock" */
	const char *description;  /* one line */
	const char *const *calls; /* NULL-terminated syscall names */
};

/* Pseudo-calls that are not plain syscall numbers. */
#define SC_TTY_INJECT "ioctl(TIOCSTI/TIOCLINUX)"
#define SC_PERSONALITY "personality"

extern const struct scgroup scgroups[];
extern const size_t n_scgroups;

const struct scgroup *scgroup_find(const char *name);
/* Is `name` a single call that seccomp-allow/deny accept (a syscall known
 * to libseccomp on x86_64, or a pseudo-call)? */
int sccall_known(const char *name);

#endif
