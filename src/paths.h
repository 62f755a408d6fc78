/* paths.h: pure checks and normalisation of paths given by the user. */
#ifndef SB_PATHS_H
#define SB_PATHS_H

#include "error.h"

/* Normalise an absolute path inside the sandbox: collapse "//" and "/./",
 * drop a trailing "/"; refuse relative paths and ".." components, which
 * could only be meant to climb. `what` names the culprit in the error. */
int path_normalize_abs(const char *in, char **out, const char *what, sb_error *err);

#endif
