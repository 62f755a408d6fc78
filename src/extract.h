/* extract.h: writes the entries of one layer tar into a directory, the
 * layer root, without ever letting an entry reach outside it. Parents are
 * resolved with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) (missing ones
 * are made one component at a time with O_NOFOLLOW), the last component is
 * created with O_EXCL | O_NOFOLLOW or *at(AT_SYMLINK_NOFOLLOW) after the
 * old entry of that name is removed, so nothing is written through a
 * symlink or into another file's hardlink. Whiteouts become what overlayfs
 * reads in its `userxattr` mode: a 0/0 character device for ".wh.NAME", the
 * xattr user.overlay.opaque=y for ".wh..wh..opq". Runs as root of the
 * import's user namespace (import.c), so chown maps tar owners 0..65535 onto
 * the user's subordinate ids. */
#ifndef SB_EXTRACT_H
#define SB_EXTRACT_H

#include <stdint.h>

#include "error.h"

struct archive;
struct archive_entry;

struct extract_stats {
	uint64_t entries;
	uint64_t devices;    /* device nodes skipped */
	uint64_t sockets;    /* sockets and unknown types skipped */
	uint64_t unmapped;   /* entries whose owner is not mapped: left to root */
};

struct dir_time;

struct extractor {
	int root;                /* the layer root, O_RDONLY | O_DIRECTORY */
	char *cache_dir;         /* parent of the previous entry ... */
	int cache_fd;            /* ... and its O_PATH fd */
	struct dir_time *dirs;   /* directory mtimes, set at the end */
	size_t n_dirs, cap_dirs;
	struct extract_stats st;
};

/* `rootfd` stays owned by the caller. */
void extract_init(struct extractor *x, int rootfd);
/* Create the entry `e` just read from `a` (its data is read from `a`).
 * Errors name the entry. */
int extract_entry(struct extractor *x, struct archive *a, struct archive_entry *e,
		  sb_error *err);
/* Set directory times once every entry is in place. */
int extract_finish(struct extractor *x, sb_error *err);
void extract_free(struct extractor *x);

#endif
