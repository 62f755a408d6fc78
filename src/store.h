/* store.h: the image store on disk (doc/ARCHITECTURE.md, "Image store"):
 *   $XDG_DATA_HOME/sandbox/        (default ~/.local/share/sandbox)
 *     layers/<sha256 hex>/         one extracted layer, named by the digest
 *                                  of its uncompressed tar, owned by subuids
 *     images/<name>.json           one image record (imagerec.h)
 *     tmp/                         imports in progress, removed when stale
 *     lock                         flock(2): one import or rmi at a time
 * Everything appears by rename(2) from tmp/ once complete, so a reader sees
 * whole layers and whole records or nothing. Functions marked "(userns)"
 * must run in the store's user namespace (userns.h), since they remove or
 * create trees owned by subordinate ids. */
#ifndef SB_STORE_H
#define SB_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"
#include "imagerec.h"

struct store {
	char *path;
	int dir, layers, images, tmp;   /* O_DIRECTORY fds, -1 if absent */
	int lock;
};

/* The store's path from XDG_DATA_HOME (when absolute) or HOME. */
int store_path(char **out, sb_error *err);
/* Open the store, making it when `create`; without `create` a missing
 * store is opened empty (every fd -1). */
int store_open(struct store *s, bool create, sb_error *err);
void store_close(struct store *s);
/* Take the store's exclusive lock (waits, saying so on a terminal). */
int store_lock(struct store *s, sb_error *err);

/* Every image record, sorted by name. With `strict` a record that cannot
 * be read fails the call; otherwise it is skipped with a warning. */
int store_images(const struct store *s, bool strict, struct image_record **out, size_t *n,
		 sb_error *err);
void store_images_free(struct image_record *v, size_t n);
/* Read the record of `name`; a missing one fails with a hint. */
int store_image(const struct store *s, const char *name, struct image_record *r,
		sb_error *err);
/* Write the record of r->name through tmp/ and rename(2) (userns or not). */
int store_put_image(const struct store *s, const struct image_record *r, sb_error *err);
/* Remove the record of `name`. */
int store_drop_image(const struct store *s, const char *name, sb_error *err);

/* True if layers/<hex of diffid> exists. */
bool store_has_layer(const struct store *s, const char *diffid);

/* Remove everything in tmp/ (userns). */
int store_clean_tmp(const struct store *s, sb_error *err);
/* Remove the layers no image record names (userns): each is renamed into
 * tmp/ first, so a layer is whole or absent. Skipped, with a warning, when
 * a record cannot be read. */
int store_gc(const struct store *s, sb_error *err);
/* What a child in the store's user namespace sets first: umask 0 (modes
 * are the layers' own), a UTF-8 locale for names, the highest fd limit. */
void store_child_setup(void);
/* Remove the tree `name` in dirfd, not following symlinks (userns). */
int rm_tree_at(int dirfd, const char *name, sb_error *err);

#endif
