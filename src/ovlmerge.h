/* ovlmerge.h: the rules of the overlay that need no file system, so that
 * they can be unit-tested: how one directory entry of one layer is
 * classified (absent, whiteout, directory, opaque directory, other), how the
 * layers of a lookup combine into one result (kernel overlayfs order: upper,
 * then the lowers top first, stopping at a whiteout, a non-directory or an
 * opaque directory), which extended attribute names are the overlay's own
 * and how the "escaped" ones (user.overlay.overlay.X in a layer, seen as
 * user.overlay.X) are mapped, the set of names a merged readdir has already
 * produced, "/proc/self/fd" style paths and inode number mixing across file
 * systems. */
#ifndef SB_OVLMERGE_H
#define SB_OVLMERGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The overlay's own xattrs in the kernel's `userxattr` mode. */
#define OVL_XATTR_PREFIX "user.overlay."
#define OVL_XATTR_OPAQUE "user.overlay.opaque"

enum ovl_kind {
	OVL_ABSENT,      /* no entry in this layer */
	OVL_WHITEOUT,    /* a 0/0 character device: deleted */
	OVL_DIR,         /* a directory that merges with lower ones */
	OVL_OPAQUE_DIR,  /* a directory that hides the layers below */
	OVL_OTHER,       /* any non-directory */
};

/* Is this stat result a whiteout (character device 0/0)? */
bool ovl_is_whiteout(const struct stat *st);
/* Is this value of user.overlay.opaque an "opaque" mark ("y")? */
bool ovl_opaque_value(const char *val, ssize_t len);
/* Kind of one layer's entry; `opaque` is the opaque mark of a directory. */
enum ovl_kind ovl_classify(const struct stat *st, bool opaque);

/* Incremental lookup across the layers of a directory, top first. */
struct ovl_resolve {
	enum ovl_kind kind;   /* OVL_ABSENT (negative), OVL_DIR or OVL_OTHER */
	size_t top;           /* the layer of the visible object */
	size_t ndirs;         /* directories that merge: dirs[0..ndirs) */
	size_t *dirs;         /* caller's array, one slot per layer */
};
void ovl_resolve_init(struct ovl_resolve *r, size_t *dirs);
/* Feed the entry of `layer`; true when the next layer must be looked at. */
bool ovl_resolve_step(struct ovl_resolve *r, size_t layer, enum ovl_kind k);

/* Is `name` one of the overlay's own xattrs (hidden, never copied up)? */
bool ovl_xattr_private(const char *name);
/* Name stored in a layer for the name `name` seen through the overlay:
 * "user.overlay.X" is escaped as "user.overlay.overlay.X", others are kept.
 * Returns false when it does not fit in `len`. */
bool ovl_xattr_to_layer(const char *name, char *buf, size_t len);
/* Name seen through the overlay for a layer's name, or NULL when the layer's
 * name is private and must stay hidden (points into `name`, or into buf). */
const char *ovl_xattr_from_layer(const char *name, char *buf, size_t len);

/* A set of names, for merging the entries of several layers. */
struct ovl_names {
	char **slots;
	size_t cap, count;
};
void ovl_names_init(struct ovl_names *s);
void ovl_names_free(struct ovl_names *s);
/* Add `name`; true when it was not there before. */
bool ovl_names_add(struct ovl_names *s, const char *name);
bool ovl_names_has(const struct ovl_names *s, const char *name);

/* Is `name` a single path component (not "", ".", "..", no '/')? */
bool ovl_valid_name(const char *name);
/* "N" or "N/name" for fd N, relative to a directory fd of /proc/self/fd;
 * false when it does not fit. */
bool ovl_fd_relpath(char *buf, size_t len, int fd, const char *name);

/* Inode number seen through the overlay for inode `ino` of the file system
 * with index `fsidx` (0 = the upper's, or the only one) among `nfs`: the
 * index goes into the top bits, as overlayfs's xino does. */
uint64_t ovl_mix_ino(uint64_t ino, unsigned fsidx, unsigned nfs);

#endif
