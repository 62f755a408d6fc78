/* overlay.h: the kernel overlay file system that runs an image: its
 * layers as read-only lowers, and an upper that takes the writes. */
#ifndef SB_OVERLAY_H
#define SB_OVERLAY_H

#include <stddef.h>

#include "error.h"

/* Mount an overlay at `target` with `lowers` (top first) and, unless upper
 * is NULL, `upper`/`work`; in `userxattr` mode, as a user namespace needs.
 * Uses fsconfig's "lowerdir+" where the kernel has it, so any number of
 * layers fits; else one "lowerdir=" string, with names relative to the
 * layers' common directory when the full paths would not fit. */
int overlay_mount(const char *target, char *const *lowers, size_t n, const char *upper,
		  const char *work, sb_error *err);

#endif
