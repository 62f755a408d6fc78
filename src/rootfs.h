/* rootfs.h: the sandbox's file system view. The monitor opens every source
 * (the --rootfs directory and bind sources) once before the clone, so bad
 * paths are reported before anything is created; the sandboxed side opens
 * them again in its own mount namespace, builds the new root from those fds
 * and pivots into it. */
#ifndef SB_ROOTFS_H
#define SB_ROOTFS_H

#include "error.h"
#include "idmap.h"
#include "image_run.h"
#include "spec.h"

struct rootfs_src {
	int rootfs_fd;     /* ROOT_DIR: O_PATH of the directory, else -1 */
	int *src_fds;      /* one per spec mount: O_PATH of the source, or -1 */
	size_t n;
};

/* Monitor side: open the sources named by the spec. */
int rootfs_open_sources(const struct run_spec *spec, struct rootfs_src *src, sb_error *err);
void rootfs_close_sources(struct rootfs_src *src);

/* Sandbox side (in the new user and mount namespaces): open the sources
 * again, build the root and pivot_root into it; the old root is detached. */
int rootfs_setup(const struct run_spec *spec, const struct id_map *gidmap,
		 const struct image_run *img, sb_error *err);

#endif
