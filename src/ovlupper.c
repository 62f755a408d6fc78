/* ovlupper.c: the writes the FUSE overlay makes to its upper layer on its
 * own account, the way kernel overlayfs makes them. Copy-up builds a copy
 * of a lower object in work/work (data with its holes, owner, xattrs other
 * than the overlay's own, mode, times) and renames it into place, after the
 * parent directories have been copied up the same way; the parent's times
 * are restored afterwards. Whiteouts are 0/0 character devices made in
 * work/work and renamed into place, so that replacing an upper file with a
 * whiteout is atomic. Callers hold ovl.lock. */
#include "config.h"
#include "ovlfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define COPY_CHUNK (1 << 20)

void ovl_tmpname(struct ovl *o, char buf[static 32])
{
	snprintf(buf, 32, "#fo%ld.%lx", (long)getpid(), ++o->tmpseq);
}

int ovl_upper_kind(int pfd, const char *name, struct stat *st)
{
	if (fstatat(pfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? OVL_ABSENT : -errno;
	if (ovl_is_whiteout(st))
		return OVL_WHITEOUT;
	return S_ISDIR(st->st_mode) ? OVL_DIR : OVL_OTHER;
}

int ovl_set_opaque(int dirfd, const char *name)
{
	char path[PATH_MAX];

	if (!ovl_fd_relpath(path, sizeof(path), dirfd, name))
		return -ENAMETOOLONG;
	return lsetxattr(path, OVL_XATTR_OPAQUE, "y", 1, 0) < 0 ? -errno : 0;
}

int ovl_make_whiteout(struct ovl *o, int pfd, const char *name)
{
	char tmp[32];

	ovl_tmpname(o, tmp);
	if (mknodat(o->workfd, tmp, S_IFCHR, makedev(0, 0)) < 0)
		return -errno;
	if (renameat(o->workfd, tmp, pfd, name) < 0) {
		int e = errno;
		unlinkat(o->workfd, tmp, 0);
		return -e;
	}
	return 0;
}

static int check_whiteout(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return ovl_is_whiteout(&st) ? 0 : -ENOTEMPTY;
}

static int remove_whiteout(int dirfd, const char *name)
{
	return unlinkat(dirfd, name, 0) < 0 ? -errno : 0;
}

int ovl_clear_whiteouts(int dirfd)
{
	/* check everything first: removing some whiteouts and then failing
	 * would bring deleted lower entries back */
	int r = ovl_each_entry(dirfd, check_whiteout);

	return r < 0 ? r : ovl_each_entry(dirfd, remove_whiteout);
}

int ovl_set_owner(int pfd, int dirfd, const char *name, const struct fuse_ctx *ctx, mode_t mode)
{
	struct stat pst, st;
	bool sgid_dir;
	gid_t gid;

	if (fstatat(pfd, ".", &pst, 0) < 0)
		return -errno;
	sgid_dir = (pst.st_mode & S_ISGID) != 0;
	/* made by us for ourselves: nothing to change */
	if (!sgid_dir && ctx->uid == geteuid() && ctx->gid == getegid())
		return 0;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	gid = sgid_dir ? pst.st_gid : ctx->gid;
	if ((st.st_uid != ctx->uid || st.st_gid != gid) &&
	    fchownat(dirfd, name, ctx->uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	/* chown(2) clears the set-id bits of a non-directory: put them back;
	 * a directory made in work/ did not inherit the parent's set-gid */
	if (S_ISDIR(mode) && sgid_dir && !(st.st_mode & S_ISGID))
		mode |= S_ISGID;
	else if (S_ISLNK(mode) || !(mode & (S_ISUID | S_ISGID)))
		return 0;
	return fchmodat(dirfd, name, mode & 07777, 0) < 0 ? -errno : 0;
}

/* ---- copy-up ----------------------------------------------------------- */

static int copy_range_rw(int in, int out, off_t off, off_t end)
{
	cleanup_free char *buf = xcalloc(1, COPY_CHUNK);

	while (off < end) {
		size_t want = (size_t)(end - off) < COPY_CHUNK ? (size_t)(end - off) : COPY_CHUNK;
		ssize_t n = pread(in, buf, want, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		for (ssize_t done = 0; done < n;) {
			ssize_t w = pwrite(out, buf + done, (size_t)(n - done), off + done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return -errno;
			done += w;
		}
		off += n;
	}
	return 0;
}

static int copy_range(int in, int out, off_t off, off_t end)
{
	off_t in_off = off, out_off = off;

	while (in_off < end) {
		ssize_t n = copy_file_range(in, &in_off, out, &out_off, (size_t)(end - in_off), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
			      errno == EOPNOTSUPP || errno == EBADF))
			return copy_range_rw(in, out, in_off, end);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
	}
	return 0;
}

/* Copy the data of `in` (stat `st`) to `out`, keeping holes where
 * SEEK_DATA finds them. A file with as many blocks as bytes has no holes
 * worth the search, which walks the whole page cache of a large file. */
static int copy_data(int in, int out, const struct stat *st)
{
	off_t off = 0, size = st->st_size;

	if (st->st_blocks >= (size + 511) / 512) {
		int r = copy_range(in, out, 0, size);
		return r < 0 ? r : ftruncate(out, size) < 0 ? -errno : 0;
	}
	while (off < size) {
		off_t data = lseek(in, off, SEEK_DATA), hole;
		int r;

		if (data < 0 && errno == ENXIO)
			break;
		if (data < 0)
			data = off;   /* no SEEK_DATA: copy all of it */
		hole = lseek(in, data, SEEK_HOLE);
		if (hole < 0 || hole > size)
			hole = size;
		r = copy_range(in, out, data, hole);
		if (r < 0)
			return r;
		off = hole;
	}
	return ftruncate(out, size) < 0 ? -errno : 0;
}

static int copy_xattrs(const char *src, const char *dst)
{
	cleanup_free char *names = NULL;
	cleanup_free char *val = NULL;
	ssize_t len;
	size_t vcap = 256;

	for (;;) {
		len = llistxattr(src, NULL, 0);
		if (len <= 0)
			return len < 0 && errno != ENOTSUP ? -errno : 0;
		free(names);
		names = xcalloc(1, (size_t)len);
		len = llistxattr(src, names, (size_t)len);
		if (len >= 0)
			break;
		if (errno != ERANGE)
			return -errno;
	}
	val = xcalloc(1, vcap);
	for (const char *n = names; n < names + len; n += strlen(n) + 1) {
		ssize_t vlen;
		char shown[XATTR_NAME_MAX + 1];

		/* the overlay's own are not copied, escaped ones are data */
		if (ovl_xattr_private(n) && ovl_xattr_from_layer(n, shown, sizeof(shown)) == NULL)
			continue;
		while ((vlen = lgetxattr(src, n, val, vcap)) < 0 && errno == ERANGE) {
			vlen = lgetxattr(src, n, NULL, 0);
			if (vlen < 0)
				return -errno;
			free(val);
			vcap = (size_t)vlen + 1;
			val = xcalloc(1, vcap);
		}
		if (vlen < 0)
			return -errno;
		/* only user.* must survive; others (security.*, trusted.*)
		 * may be refused to a user namespace */
		if (lsetxattr(dst, n, val, (size_t)vlen, 0) < 0 &&
		    strncmp(n, "user.", 5) == 0)
			return -errno;
	}
	return 0;
}

/* Give work/tmp the owner, xattrs, mode and times of (sfd, sname). */
static int copy_attrs(struct ovl *o, int sfd, const char *sname, const struct stat *st,
		      const char *tmp)
{
	char spath[PATH_MAX], dpath[PATH_MAX];
	struct timespec times[2] = { st->st_atim, st->st_mtim };
	int r;

	if (!ovl_fd_relpath(spath, sizeof(spath), sfd, sname) ||
	    !ovl_fd_relpath(dpath, sizeof(dpath), o->workfd, tmp))
		return -ENAMETOOLONG;
	if (fchownat(o->workfd, tmp, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	r = copy_xattrs(spath, dpath);
	if (r < 0)
		return r;
	if (!S_ISLNK(st->st_mode) && fchmodat(o->workfd, tmp, st->st_mode & 07777, 0) < 0)
		return -errno;
	if (utimensat(o->workfd, tmp, times, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/* Make work/tmp a copy of (sfd, sname), without data when `nodata`. */
static int make_copy(struct ovl *o, int sfd, const char *sname, const struct stat *st,
		     const char *tmp, bool nodata)
{
	if (S_ISREG(st->st_mode)) {
		cleanup_close int out = openat(o->workfd, tmp,
					       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (out < 0)
			return -errno;
		if (!nodata) {
			cleanup_close int in = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			int r;

			if (in < 0)
				return -errno;
			r = copy_data(in, out, st);
			if (r < 0)
				return r;
		}
	} else if (S_ISDIR(st->st_mode)) {
		if (mkdirat(o->workfd, tmp, 0700) < 0)
			return -errno;
	} else if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(sfd, sname, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		if (symlinkat(target, o->workfd, tmp) < 0)
			return -errno;
	} else if (mknodat(o->workfd, tmp, (st->st_mode & S_IFMT) | 0600, st->st_rdev) < 0) {
		return -errno;
	}
	return copy_attrs(o, sfd, sname, st, tmp);
}

/* Rename the finished copy work/tmp (of `st`) to `name` in the upper of
 * `parent`, leaving the parent's times as they were, and switch `n` to it;
 * on failure the copy is removed. */
static int install_copy(struct ovl *o, struct onode *n, struct onode *parent, const char *name,
			const char *tmp, const struct stat *st)
{
	int pfd = ovl_dir_fd(parent, 0);
	struct stat pst;

	if (fstatat(pfd, ".", &pst, 0) < 0 || renameat2(o->workfd, tmp, pfd, name,
							 RENAME_NOREPLACE) < 0) {
		int e = errno;
		unlinkat(o->workfd, tmp, S_ISDIR(st->st_mode) ? AT_REMOVEDIR : 0);
		return -e;
	}
	/* as overlayfs, best effort: a copy-up does not change the parent */
	{
		struct timespec times[2] = { pst.st_atim, pst.st_mtim };
		(void)utimensat(pfd, ".", times, 0);
	}
	return ovl_node_set_upper(o, n, pfd, name);
}

int ovl_copy_up(struct ovl *o, struct onode *n, bool nodata)
{
	struct odent *a = n->aliases;
	struct stat st;
	char tmp[32];
	const char *sname;
	int sfd, r;

	if (o->rdonly)
		return -EROFS;
	if (n->layer == 0)
		return 0;
	if (a == NULL)
		return -ESTALE;
	r = ovl_copy_up(o, a->parent, false);
	if (r < 0)
		return r;
	r = ovl_node_loc(o, n, &sfd, &sname);
	if (r < 0)
		return r;
	if (fstatat(sfd, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	ovl_tmpname(o, tmp);
	r = make_copy(o, sfd, sname, &st, tmp, nodata);
	if (r < 0) {
		unlinkat(o->workfd, tmp, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
		return r;
	}
	return install_copy(o, n, a->parent, a->name, tmp, &st);
}

/* The data of a large file is copied with the lock dropped, so that other
 * requests go on meanwhile; everything else is done under it. */
#define COPY_UNLOCKED_MIN (1 << 20)

/* Open the source of `n` and a fresh temporary file for its copy; 1 when
 * `n` is a large lower regular file, else 0 (nothing opened). */
static int open_early(struct ovl *o, struct onode *n, struct stat *st, int *in, int *out,
		      char tmp[static 32])
{
	const char *sname;
	int sfd, r = ovl_node_loc(o, n, &sfd, &sname);

	if (r < 0)
		return r;
	if (fstatat(sfd, sname, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISREG(st->st_mode) || st->st_size < COPY_UNLOCKED_MIN)
		return 0;
	*in = openat(sfd, sname, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (*in < 0)
		return -errno;
	ovl_tmpname(o, tmp);
	*out = openat(o->workfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*out < 0) {
		int e = errno;
		close(*in);
		return -e;
	}
	return 1;
}

int ovl_copy_up_early(struct ovl *o, struct onode *n)
{
	cleanup_free char *name = NULL;
	struct onode *parent;
	struct odent *d;
	struct stat st = { 0 };
	char tmp[32];
	int in = -1, out = -1, r;

	while (n->copying)
		pthread_cond_wait(&o->copied, &o->lock);
	if (o->rdonly || n->layer == 0 || n->type != S_IFREG || n->aliases == NULL)
		return 0;
	parent = n->aliases->parent;
	r = ovl_copy_up(o, parent, false);
	if (r == 0)
		r = open_early(o, n, &st, &in, &out, tmp);
	if (r <= 0)
		return r;
	name = xstrdup(n->aliases->name);
	n->copying = true;
	n->refs++;
	parent->refs++;
	OVL_UNLOCK(o);
	r = copy_data(in, out, &st);
	close(in);
	close(out);
	OVL_LOCK(o);
	n->copying = false;
	pthread_cond_broadcast(&o->copied);
	/* while unlocked, someone may have copied it up the locked way (a
	 * rename, a link), or unlinked it: then this copy is not wanted, and
	 * the caller's own ovl_copy_up sees to the rest */
	d = ovl_dent_find(o, parent, name);
	if (r == 0 && (n->layer == 0 || d == NULL || d->node != n))
		r = 1;
	if (r == 0) {
		const char *sname;
		int sfd;

		r = ovl_node_loc(o, n, &sfd, &sname);
		if (r == 0)
			r = copy_attrs(o, sfd, sname, &st, tmp);
		if (r == 0)
			r = install_copy(o, n, parent, name, tmp, &st);
		else
			unlinkat(o->workfd, tmp, 0);
	} else {
		unlinkat(o->workfd, tmp, 0);
	}
	ovl_node_unref(o, parent);
	ovl_node_unref(o, n);
	return r < 0 ? r : 0;
}
