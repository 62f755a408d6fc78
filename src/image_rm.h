/* image_rm.h: removing images from the store. */
#ifndef SB_IMAGE_RM_H
#define SB_IMAGE_RM_H

#include <stddef.h>

#include "error.h"

/* Remove the images `names` and the layers no other image uses. */
int image_remove(char *const *names, size_t n, sb_error *err);

#endif
