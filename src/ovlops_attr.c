/* ovlops_attr.c: the FUSE operations on attributes: getattr and setattr
 * (which copies up first, as overlayfs does for any change), readlink,
 * statfs (of the upper layer, or of the top lower one when read-only) and
 * the extended attributes. The overlay's own xattrs (user.overlay.*) are
 * hidden from listings and reads; a name user.overlay.X set through the
 * overlay is stored escaped as user.overlay.overlay.X, as Linux 6.7+ does
 * for nested overlays. Removing an xattr copies up only when it exists. */
#include "config.h"
#include "ovlfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>

static struct ovl *ovl_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

void ovlop_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ovl *o = ovl_of(req);
	struct stat st;
	int r;

	(void)fi;
	OVL_LOCK(o);
	r = ovl_node_stat(o, ovl_node(o, ino), &st);
	OVL_UNLOCK(o);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, o->timeout);
}

/* What setattr changes: a name in a directory, or (for a file that has
 * been unlinked while open) an open upper fd. */
struct target {
	int dirfd;
	const char *name;
	int fd;
};

static int t_chmod(const struct target *t, mode_t mode)
{
	int r = t->fd >= 0 ? fchmod(t->fd, mode) : fchmodat(t->dirfd, t->name, mode, 0);

	return r < 0 ? -errno : 0;
}

static int t_chown(const struct target *t, uid_t uid, gid_t gid)
{
	int r = t->fd >= 0 ? fchown(t->fd, uid, gid)
			   : fchownat(t->dirfd, t->name, uid, gid, AT_SYMLINK_NOFOLLOW);

	return r < 0 ? -errno : 0;
}

static int t_truncate(const struct target *t, off_t size, const struct fuse_file_info *fi)
{
	const struct ohandle *h = fi != NULL ? (const struct ohandle *)(uintptr_t)fi->fh : NULL;
	cleanup_close int fd = -1;

	if (h != NULL && h->upper)
		return ftruncate(h->fd, size) < 0 ? -errno : 0;
	if (t->fd >= 0)
		return ftruncate(t->fd, size) < 0 ? -errno : 0;
	fd = openat(t->dirfd, t->name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return ftruncate(fd, size) < 0 ? -errno : 0;
}

static int t_utimens(const struct target *t, const struct timespec ts[2])
{
	int r = t->fd >= 0 ? futimens(t->fd, ts)
			   : utimensat(t->dirfd, t->name, ts, AT_SYMLINK_NOFOLLOW);

	return r < 0 ? -errno : 0;
}

static struct timespec set_time(int to_set, int set, int now, const struct timespec *t)
{
	struct timespec r = { .tv_nsec = UTIME_OMIT };

	if (to_set & now)
		r.tv_nsec = UTIME_NOW;
	else if (to_set & set)
		r = *t;
	return r;
}

/* Locate the upper object of n for a change. */
static int find_target(struct ovl *o, const struct onode *n, const struct fuse_file_info *fi,
		       struct target *t)
{
	const struct ohandle *h = fi != NULL ? (const struct ohandle *)(uintptr_t)fi->fh
					     : n->handles;
	int r = ovl_node_upper_loc(o, n, &t->dirfd, &t->name);

	t->fd = -1;
	if (r == -ESTALE && h != NULL && h->upper) {
		t->fd = h->fd;   /* unlinked, still open */
		r = 0;
	}
	return r;
}

#define SET_ANY (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID | \
		 FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | \
		 FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW)

static int do_setattr(struct ovl *o, struct onode *n, const struct stat *attr, int to_set,
		      const struct fuse_file_info *fi)
{
	bool trunc0 = (to_set & FUSE_SET_ATTR_SIZE) && attr->st_size == 0;
	struct target t;
	int r;

	if (!(to_set & SET_ANY))
		return 0;   /* a ctime the kernel keeps: nothing to store */
	if (o->rdonly)
		return -EROFS;
	r = trunc0 ? 0 : ovl_copy_up_early(o, n);
	if (r == 0)
		r = ovl_copy_up(o, n, trunc0);
	if (r < 0)
		return r;
	r = find_target(o, n, fi, &t);
	if (r < 0)
		return r;
	if (to_set & FUSE_SET_ATTR_MODE) {
		if (n->type == S_IFLNK)
			return -EOPNOTSUPP;
		r = t_chmod(&t, attr->st_mode & 07777);
	}
	if (r == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
		r = t_chown(&t, (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1,
			    (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1);
	if (r == 0 && (to_set & FUSE_SET_ATTR_SIZE))
		r = t_truncate(&t, attr->st_size, fi);
	if (r == 0 && (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME |
				 FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW))) {
		struct timespec ts[2] = {
			set_time(to_set, FUSE_SET_ATTR_ATIME, FUSE_SET_ATTR_ATIME_NOW, &attr->st_atim),
			set_time(to_set, FUSE_SET_ATTR_MTIME, FUSE_SET_ATTR_MTIME_NOW, &attr->st_mtim),
		};
		r = t_utimens(&t, ts);
	}
	return r;
}

void ovlop_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		   struct fuse_file_info *fi)
{
	struct ovl *o = ovl_of(req);
	struct onode *n;
	struct stat st;
	int r;

	OVL_LOCK(o);
	n = ovl_node(o, ino);
	r = do_setattr(o, n, attr, to_set, fi);
	if (r == 0)
		r = ovl_node_stat(o, n, &st);
	OVL_UNLOCK(o);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, o->timeout);
}

void ovlop_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct ovl *o = ovl_of(req);
	char buf[PATH_MAX];
	const char *name;
	ssize_t n = -1;
	int dirfd, r;

	OVL_LOCK(o);
	r = ovl_node_loc(o, ovl_node(o, ino), &dirfd, &name);
	if (r == 0) {
		n = readlinkat(dirfd, name, buf, sizeof(buf) - 1);
		r = n < 0 ? -errno : 0;
	}
	OVL_UNLOCK(o);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	buf[n] = '\0';
	fuse_reply_readlink(req, buf);
}

void ovlop_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct ovl *o = ovl_of(req);
	struct statvfs sv;
	int fd = o->layers[0].fd >= 0 ? o->layers[0].fd : o->layers[1].fd;

	(void)ino;
	if (fstatvfs(fd, &sv) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &sv);
}

/* ---- extended attributes -------------------------------------------------- */

/* The path (relative to /proc/self/fd) of the visible object of n. */
static int node_path(struct ovl *o, const struct onode *n, char *buf, size_t len)
{
	const char *name;
	int dirfd, r = ovl_node_loc(o, n, &dirfd, &name);

	if (r < 0)
		return r;
	return ovl_fd_relpath(buf, len, dirfd, name) ? 0 : -ENAMETOOLONG;
}

static void reply_size_or_buf(fuse_req_t req, ssize_t n, const char *buf, size_t size)
{
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

void ovlop_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct ovl *o = ovl_of(req);
	char lname[XATTR_NAME_MAX + 1], path[PATH_MAX];
	cleanup_free char *buf = size ? xcalloc(1, size) : NULL;
	ssize_t n;

	if (!ovl_xattr_to_layer(name, lname, sizeof(lname))) {
		fuse_reply_err(req, ERANGE);
		return;
	}
	OVL_LOCK(o);
	n = node_path(o, ovl_node(o, ino), path, sizeof(path));
	if (n == 0) {
		n = lgetxattr(path, lname, buf, size);
		if (n < 0)
			n = -errno;
	}
	OVL_UNLOCK(o);
	reply_size_or_buf(req, n, buf, size);
}

/* The names of list[0..len) that show through the overlay, into out. */
static size_t filter_names(const char *list, size_t len, char *out)
{
	size_t used = 0;

	for (const char *p = list; p < list + len; p += strlen(p) + 1) {
		char shown[XATTR_NAME_MAX + 1];
		const char *s = ovl_xattr_from_layer(p, shown, sizeof(shown));
		size_t l;

		if (s == NULL)
			continue;
		l = strlen(s) + 1;
		memmove(out + used, s, l);
		used += l;
	}
	return used;
}

void ovlop_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct ovl *o = ovl_of(req);
	char path[PATH_MAX];
	cleanup_free char *list = NULL;
	cleanup_free char *out = NULL;
	ssize_t n;

	OVL_LOCK(o);
	n = node_path(o, ovl_node(o, ino), path, sizeof(path));
	while (n == 0) {
		ssize_t len = llistxattr(path, NULL, 0);
		if (len < 0) {
			n = -errno;
			break;
		}
		free(list);
		list = xcalloc(1, (size_t)len + 1);
		n = llistxattr(path, list, (size_t)len);
		if (n < 0)
			n = errno == ERANGE ? 0 : -errno;
		else
			break;
	}
	OVL_UNLOCK(o);
	if (n > 0) {
		/* unescaping only shortens names: out fits in n bytes */
		out = xcalloc(1, (size_t)n);
		n = (ssize_t)filter_names(list, (size_t)n, out);
		if (size != 0 && (size_t)n > size)
			n = -ERANGE;
	}
	reply_size_or_buf(req, n, out, size);
}

void ovlop_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
		    size_t size, int flags)
{
	struct ovl *o = ovl_of(req);
	char lname[XATTR_NAME_MAX + 1], path[PATH_MAX];
	struct onode *n;
	int r;

	if (!ovl_xattr_to_layer(name, lname, sizeof(lname))) {
		fuse_reply_err(req, ERANGE);
		return;
	}
	OVL_LOCK(o);
	n = ovl_node(o, ino);
	r = o->rdonly ? -EROFS : ovl_copy_up_early(o, n);
	if (r == 0)
		r = ovl_copy_up(o, n, false);
	if (r == 0)
		r = node_path(o, n, path, sizeof(path));
	if (r == 0 && lsetxattr(path, lname, value, size, flags) < 0)
		r = -errno;
	OVL_UNLOCK(o);
	fuse_reply_err(req, -r);
}

void ovlop_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct ovl *o = ovl_of(req);
	char lname[XATTR_NAME_MAX + 1], path[PATH_MAX];
	struct onode *n;
	int r;

	if (!ovl_xattr_to_layer(name, lname, sizeof(lname))) {
		fuse_reply_err(req, ERANGE);
		return;
	}
	OVL_LOCK(o);
	n = ovl_node(o, ino);
	r = o->rdonly ? -EROFS : node_path(o, n, path, sizeof(path));
	/* nothing to remove: no copy-up */
	if (r == 0 && n->layer != 0 && lgetxattr(path, lname, NULL, 0) < 0)
		r = -errno;
	if (r == 0)
		r = ovl_copy_up(o, n, false);
	if (r == 0)
		r = node_path(o, n, path, sizeof(path));
	if (r == 0 && lremovexattr(path, lname) < 0)
		r = -errno;
	OVL_UNLOCK(o);
	fuse_reply_err(req, -r);
}
