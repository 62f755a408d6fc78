/* import.h: `sandbox import` as a library call. */
#ifndef SB_IMPORT_H
#define SB_IMPORT_H

#include <stddef.h>

#include "error.h"

/* Import the image read from paths[0..n) as `name` (NULL: from the
 * source); see source.h for what a path may be. */
int image_import(char *const *paths, size_t n, const char *name, sb_error *err);

#endif
