/* userns.h: run a piece of work as root of a new user namespace that holds
 * the caller's whole subordinate id map, the way `sandbox run` maps its
 * sandbox (launch.c). The image store needs it: a layer's files owned by
 * uids 0..65535 inside must land on the user's subuids on disk, and only a
 * process in such a namespace can create, chown and later remove them. */
#ifndef SB_USERNS_H
#define SB_USERNS_H

#include "error.h"

/* Clone a child into a new user namespace (plus the extra clone `flags`),
 * map it with idmap_plan/idmap_apply (own uid and gid -> 0), then run
 * fn(arg, err) there. Returns 0 when fn returned 0; -1 with fn's error
 * carried back over a pipe, or with the reason the child could not be
 * made. The child dies with the caller (PR_SET_PDEATHSIG). */
int userns_run(int (*fn)(void *arg, sb_error *err), void *arg, unsigned long flags,
	       sb_error *err);

#endif
