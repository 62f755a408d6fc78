/* mounts.h: mount primitives that never let a path inside the new root steer
 * an operation outside it: resolution with openat2(RESOLVE_IN_ROOT) (or a
 * symlink-refusing fd walk on kernels without it), creation of missing mount
 * points, mounting onto an fd, and read-only flags that keep locked flags. */
#ifndef SB_MOUNTS_H
#define SB_MOUNTS_H

#include <stdbool.h>

#include "error.h"

/* O_PATH fd of `path` resolved inside `rootfd`. */
int open_in_root(int rootfd, const char *path, sb_error *err);
/* As open_in_root, creating missing directories (and, with `file`, an empty
 * file as the last component). */
int mkpath_in_root(int rootfd, const char *path, bool file, sb_error *err);
/* mount(2) onto the object behind `target_fd`; `dest` names it in errors. */
int mount_on_fd(const char *src, int target_fd, const char *fstype,
		unsigned long flags, const char *data, const char *dest, sb_error *err);
/* Make the mount at `path` inside `rootfd` read-only, with its submounts when
 * `recursive`. */
int make_readonly(int rootfd, const char *path, bool recursive, sb_error *err);
/* "/proc/self/fd/N" for fd. */
const char *fd_path(int fd, char buf[static 32]);

#endif
