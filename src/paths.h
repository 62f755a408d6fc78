/* paths.h: pure checks and normalisation of paths given by the user. */
#ifndef SB_PATHS_H
#define SB_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* Normalise an absolute path inside the sandbox: collapse "//" and "/./",
 * drop a trailing "/"; refuse relative paths and ".." components, which
 * could only be meant to climb. `what` names the culprit in the error. */
int path_normalize_abs(const char *in, char **out, const char *what, sb_error *err);

/* The next component of the path at *p, skipping slashes and "."
 * components: its start, with its length in *len; NULL at the end. */
const char *path_next(const char **p, size_t *len);
/* Is the component [c, c+len) ".."? */
bool path_is_dotdot(const char *c, size_t len);

#endif
