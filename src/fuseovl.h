/* fuseovl.h: an overlay file system served over FUSE, for kernels that
 * refuse overlayfs in a user namespace. It shows the same tree as kernel
 * overlayfs mounted with `userxattr` on the same layers, and writes the
 * same upper layer (whiteouts are 0/0 character devices, opaque
 * directories carry user.overlay.opaque=y), so either can take over an
 * upper the other wrote.
 *
 * fuseovl_start() mounts it in the caller's mount namespace, which the
 * caller must be allowed to mount in (root, or root of a user namespace
 * that owns it: then /dev/fuse is opened and mounted with fd=), and forks
 * the server. The server lives exactly as long as the caller: it gets
 * SIGKILL when the thread that started it exits (PR_SET_PDEATHSIG), runs in
 * a mount namespace of its own (so a later pivot_root of the caller does
 * not move its root), closes every fd it does not need, leaves the
 * terminal's session and is not dumpable (no ptrace, no /proc/PID/fd from
 * the sandboxed side). A mount inside a namespace that dies goes with it.
 * The server keeps an fd on every directory the kernel holds, so it raises
 * its RLIMIT_NOFILE to the hard limit. /proc must be mounted when it
 * starts. */
#ifndef SB_FUSEOVL_H
#define SB_FUSEOVL_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct fuseovl;   /* a running FUSE overlay server */

/* Mount an overlay of `lowers` (top first, like overlayfs's lowerdir) with
 * `upper` and `work` (both NULL: read-only) at `target`. `work` must be on
 * the upper's file system; work/work is created in it, as overlayfs does.
 * On success *out is the running server. */
int fuseovl_start(const char *target, const char *const *lowers, size_t nlowers,
		  const char *upper, const char *work, struct fuseovl **out, sb_error *err);

/* Unmount (lazily if busy), wait for the server (killing it if it does not
 * exit within two seconds) and free. 0 when it unmounted and the server
 * exited cleanly, -1 otherwise; NULL is a no-op. */
int fuseovl_stop(struct fuseovl *o);

/* The server's pid, for a caller that reaps every child (init). */
pid_t fuseovl_pid(const struct fuseovl *o);

#endif
