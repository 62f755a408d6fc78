/* imgname.h: names of images in the store ("debian:12", "demo"). A name is
 * a repository part and an optional tag after one ':'; both use only
 * letters, digits, '.', '_' and '-', so a name can never climb out of the
 * images/ directory. On disk the ':' becomes '+' (which names cannot hold),
 * so the mapping is reversible: "debian:12" is images/debian+12.json. Pure
 * string work, unit tested. */
#ifndef SB_IMGNAME_H
#define SB_IMGNAME_H

#include <stdbool.h>

#include "error.h"

#define IMAGE_NAME_MAX 128

/* Check a name; the error says what is wrong with it. */
int image_name_check(const char *name, sb_error *err);
/* "debian:12" -> "debian+12.json" (name must be valid). */
char *image_name_to_file(const char *name);
/* The inverse; NULL if `file` is not the file of a valid name. */
char *image_file_to_name(const char *file);
/* A name from a reference such as "docker.io/library/debian:12" (the last
 * path part, digest dropped); NULL if no valid name results. */
char *image_name_from_ref(const char *ref);
/* A name from a source path: the file name without directories and archive
 * suffixes ("/x/busybox.tar.gz" -> "busybox"); NULL if none results. */
char *image_name_from_path(const char *path);

#endif
