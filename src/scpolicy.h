/* scpolicy.h: which system calls a sandbox denies and why, computed from the
 * ordered seccomp-allow/seccomp-deny operations of its profile and command
 * line. Pure data, unit tested; seccomp.c turns it into a filter and
 * scnotify.c uses it to explain a refusal. */
#ifndef SB_SCPOLICY_H
#define SB_SCPOLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct seccomp_op {
	bool allow;
	char *name;     /* "@group" or a call name */
	char *source;   /* "profile 'default'" or "the command line" */
};

struct sc_rule {
	const char *call;    /* static: from the group table or the op */
	char *group;         /* group that denied it, or NULL when named */
	char *source;
};

struct sc_policy {
	struct sc_rule *rules;
	size_t n;
};

/* Check one seccomp-allow/deny argument: a known group or call. */
int scpolicy_check_name(const char *name, sb_error *err);
/* Apply ops in order: deny adds, allow removes. */
void scpolicy_build(const struct seccomp_op *ops, size_t n, struct sc_policy *out);
const struct sc_rule *scpolicy_find(const struct sc_policy *p, const char *call);
void scpolicy_free(struct sc_policy *p);

#endif
