/* image_run.h: what running a stored image needs, resolved by the monitor
 * before the clone: the layer directories, where the writes go, and the
 * command from the image config and the command line. */
#ifndef SB_IMAGE_RUN_H
#define SB_IMAGE_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "imagerec.h"

struct run_spec;

struct image_run {
	struct image_record rec;
	char **lowers;       /* layer directories, top first */
	size_t n_lowers;
	char *keep_dir;      /* containers/NAME of a kept upper, or NULL (tmpfs upper) */
	int lock_fd;         /* containers/NAME/lock, held while the sandbox runs */
	char **argv;         /* Entrypoint + (command line args, else Cmd) */
};

int image_run_prepare(const struct run_spec *spec, struct image_run *out, sb_error *err);
void image_run_free(struct image_run *r);

/* Entrypoint followed by the command line's arguments, or by Cmd when there
 * are none (pure, unit tested). */
int image_argv(const struct image_config *c, char *const *args, char ***out, sb_error *err);

#endif
