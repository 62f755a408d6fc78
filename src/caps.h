/* caps.h: the capability sets the command starts with. */
#ifndef SB_CAPS_H
#define SB_CAPS_H

#include <stdbool.h>

#include "error.h"

/* The documented default set, as a mask of CAP_* bits. */
unsigned long long caps_default_mask(void);
/* Drop every capability outside `mask` from the bounding set and clear the
 * ambient and inheritable sets; call before changing ids. */
int caps_limit_bounding(unsigned long long mask, sb_error *err);
/* Final sets: `mask` when the command runs as uid 0 inside, nothing
 * otherwise. */
int caps_set_final(bool root_inside, unsigned long long mask, sb_error *err);
/* The documented set, as text for --help and check: "cap_chown,...". */
const char *caps_default_names(void);

#endif
