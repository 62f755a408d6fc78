/* bundle.h: an image archive (docker save, OCI layout) as a directory or as
 * a tar file, seen as named members. A tar is scanned once up front
 * (headers, and the contents of small members, which hold the JSON
 * documents); its layers are streamed in a second pass, in archive order.
 * Every name a manifest gives is cleaned (tarpath.h) and resolved inside
 * the bundle, following the bundle's own links, never outside it. */
#ifndef SB_BUNDLE_H
#define SB_BUNDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

struct archive;
struct member;

struct bundle {
	char *path;            /* as given, for messages */
	int dirfd;             /* a directory bundle, or -1 */
	int fd;                /* a tar bundle, or -1 */
	struct member *m;      /* tar members, in archive order */
	size_t n;
	bool image;            /* holds manifest.json or index.json + oci-layout */
};

/* Open `path` (a directory or a file). For a file, scan its headers; b->image
 * tells whether it holds manifest.json, or index.json and oci-layout. A tar
 * that shows itself a file system (deep names, devices, whiteouts) stops the
 * scan early: it is a plain layer tarball. */
int bundle_open(const char *path, struct bundle *b, sb_error *err);
void bundle_close(struct bundle *b);

/* True if the member `name` (already clean) exists. */
bool bundle_has(const struct bundle *b, const char *name);
/* Clean a path found in a manifest and resolve it to the name of a regular
 * member; refused if it leaves the bundle or is missing. */
int bundle_resolve(const struct bundle *b, const char *raw, char **canon, sb_error *err);
/* Read a small member whole (NUL-terminated). */
int bundle_read(const struct bundle *b, const char *canon, char **data, size_t *len,
		sb_error *err);
/* A directory bundle: open a member for reading. */
int bundle_open_member(const struct bundle *b, const char *canon, int *fd, sb_error *err);
/* A tar bundle: read it again from the start and call fn(ctx, i, a) with
 * the archive positioned at the data of wanted[i], for each wanted member,
 * in archive order. */
int bundle_stream(const struct bundle *b, char *const *wanted, size_t n,
		  int (*fn)(void *ctx, size_t i, struct archive *a, sb_error *err), void *ctx,
		  sb_error *err);

#endif
