/* ovlops_file.c: the FUSE operations on open files and directories, and
 * the connection's set-up. Opening for writing (or with O_TRUNC) copies the
 * file up first; a file opened read-only before someone else copied it up
 * is reopened on the upper copy at its next read, as overlayfs does, so
 * readers never see stale lower data. Reads are answered with an fd buffer
 * so that libfuse can splice the data to the kernel; writes go through
 * fuse_buf_copy. The kernel's writeback cache is asked for, which is why
 * O_WRONLY files are opened read-write (the kernel fills partial pages) and
 * O_APPEND is left to the kernel. Directories are listed whole at opendir
 * (ovldir.c) and may be cached by the kernel. */
#include "config.h"
#include "ovlfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>

static struct ovl *ovl_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static struct ohandle *handle_of(const struct fuse_file_info *fi)
{
	return (struct ohandle *)(uintptr_t)fi->fh;
}

void ovlop_init(void *userdata, struct fuse_conn_info *conn)
{
	struct ovl *o = userdata;
	unsigned want = FUSE_CAP_ASYNC_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_READDIRPLUS |
			FUSE_CAP_READDIRPLUS_AUTO | FUSE_CAP_PARALLEL_DIROPS | FUSE_CAP_CACHE_SYMLINKS |
			FUSE_CAP_ATOMIC_O_TRUNC;

	if (!o->rdonly)
		want |= FUSE_CAP_WRITEBACK_CACHE;
	/* nothing changes the layers behind our back, so cached data stays
	 * valid; set-id bits are cleared by the kernel; requests are read
	 * into memory (splicing them costs more than it saves); replies are
	 * spliced from the file but never moved (SPLICE_F_MOVE would let the
	 * kernel steal the lower file's page cache pages) */
	conn->want &= ~(unsigned)(FUSE_CAP_AUTO_INVAL_DATA | FUSE_CAP_HANDLE_KILLPRIV |
				  FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_MOVE);
	conn->want |= want & conn->capable;
	conn->max_write = 1U << 20;
	conn->max_readahead = 1U << 20;
	o->writeback = (conn->want & FUSE_CAP_WRITEBACK_CACHE) != 0;
	conn->time_gran = 1;
}

int ovl_open_flags(const struct ovl *o, int flags)
{
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_DIRECT);
	if (o->writeback) {
		if ((flags & O_ACCMODE) == O_WRONLY)
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		flags &= ~O_APPEND;
	}
	return flags | O_NOFOLLOW | O_CLOEXEC;
}

struct ohandle *ovl_handle_new(struct ovl *o, struct onode *n, int fd)
{
	struct ohandle *h = xcalloc(1, sizeof(*h));

	(void)o;
	h->fd = fd;
	h->upper = n->layer == 0;
	h->node = n;
	h->next = n->handles;
	n->handles = h;
	n->refs++;
	return h;
}

void ovl_handle_free(struct ovl *o, struct ohandle *h)
{
	struct onode *n = h->node;

	for (struct ohandle **p = &n->handles; *p != NULL; p = &(*p)->next) {
		if (*p == h) {
			*p = h->next;
			break;
		}
	}
	close(h->fd);
	free(h);
	ovl_node_unref(o, n);
}

void ovlop_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ovl *o = ovl_of(req);
	bool writing = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);
	struct ohandle *h = NULL;
	struct onode *n;
	const char *name;
	int dirfd, r = 0;

	OVL_LOCK(o);
	n = ovl_node(o, ino);
	if (writing && !o->rdonly && !(fi->flags & O_TRUNC))
		r = ovl_copy_up_early(o, n);
	if (writing && r == 0)
		r = o->rdonly ? -EROFS : ovl_copy_up(o, n, (fi->flags & O_TRUNC) != 0);
	if (r == 0)
		r = ovl_node_loc(o, n, &dirfd, &name);
	if (r == 0) {
		int fd = openat(dirfd, name, ovl_open_flags(o, fi->flags));
		if (fd < 0)
			r = -errno;
		else
			h = ovl_handle_new(o, n, fd);
	}
	OVL_UNLOCK(o);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)h;
	fi->keep_cache = 1;
	if (fuse_reply_open(req, fi) != 0) {
		OVL_LOCK(o);
		ovl_handle_free(o, h);
		OVL_UNLOCK(o);
	}
}

/* A read-only handle on a lower file that has been copied up since it was
 * opened: point it at the upper copy (dup3 keeps the fd number). */
static int reopen_if_copied(struct ovl *o, struct ohandle *h)
{
	const char *name;
	int dirfd, r = 0;

	/* the common cases without the lock: an upper file, and a lower one
	 * nobody has copied up (a copy-up made while this read was on its
	 * way is one the read may precede) */
	if (__atomic_load_n(&h->upper, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&h->node->layer, __ATOMIC_ACQUIRE) != 0)
		return 0;
	OVL_LOCK(o);
	if (!h->upper && h->node->layer == 0) {
		r = ovl_node_upper_loc(o, h->node, &dirfd, &name);
		if (r == 0) {
			int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0 || dup3(fd, h->fd, O_CLOEXEC) < 0)
				r = -errno;
			if (fd >= 0)
				close(fd);
		}
		if (r == 0)
			__atomic_store_n(&h->upper, true, __ATOMIC_RELEASE);
	}
	OVL_UNLOCK(o);
	return r;
}

void ovlop_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
	struct ohandle *h = handle_of(fi);
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
	int r = reopen_if_copied(ovl_of(req), h);

	(void)ino;
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = h->fd;
	buf.buf[0].pos = off;
	fuse_reply_data(req, &buf, 0);
}

void ovlop_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *bufv, off_t off,
		     struct fuse_file_info *fi)
{
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(bufv));
	ssize_t n;

	(void)ino;
	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = handle_of(fi)->fd;
	out.buf[0].pos = off;
	n = fuse_buf_copy(&out, bufv, 0);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

void ovlop_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ovl *o = ovl_of(req);

	(void)ino;
	OVL_LOCK(o);
	ovl_handle_free(o, handle_of(fi));
	OVL_UNLOCK(o);
	fuse_reply_err(req, 0);
}

void ovlop_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	int fd = handle_of(fi)->fd;
	int r = datasync ? fdatasync(fd) : fsync(fd);

	(void)ino;
	fuse_reply_err(req, r < 0 ? errno : 0);
}

void ovlop_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length,
		     struct fuse_file_info *fi)
{
	(void)ino;
	fuse_reply_err(req, fallocate(handle_of(fi)->fd, mode, offset, length) < 0 ? errno : 0);
}

/* ---- directories ----------------------------------------------------------- */

void ovlop_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ovl *o = ovl_of(req);
	struct odir *d = xcalloc(1, sizeof(*d));
	int r;

	OVL_LOCK(o);
	r = ovl_dir_read(o, ovl_node(o, ino), d);
	OVL_UNLOCK(o);
	if (r < 0) {
		free(d);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)d;
	/* every change goes through the kernel, which drops the cache */
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	if (fuse_reply_open(req, fi) != 0) {
		ovl_dir_free(d);
		free(d);
	}
}

/* One entry into buf; 0 when it does not fit (nothing is kept then). */
static size_t add_entry(fuse_req_t req, struct ovl *o, struct onode *dir, const struct oentry *e,
			char *buf, size_t rem, off_t next, bool plus)
{
	struct fuse_entry_param fe;
	size_t len;

	if (!plus) {
		struct stat st = { .st_ino = e->ino, .st_mode = (mode_t)e->type << 12 };
		len = fuse_add_direntry(req, buf, rem, e->name, &st, next);
		return len > rem ? 0 : len;
	}
	memset(&fe, 0, sizeof(fe));
	if (strcmp(e->name, ".") == 0 || strcmp(e->name, "..") == 0) {
		fe.attr.st_ino = e->ino;
		fe.attr.st_mode = (mode_t)e->type << 12;
	} else {
		OVL_LOCK(o);
		int r = ovl_do_lookup(o, dir, e->name, &fe);
		OVL_UNLOCK(o);
		if (r < 0 || fe.ino == 0)
			return SIZE_MAX;   /* gone since opendir: skip it */
	}
	len = fuse_add_direntry_plus(req, buf, rem, e->name, &fe, next);
	if (len > rem) {
		if (fe.ino != 0) {
			OVL_LOCK(o);
			ovl_forget_node(o, ovl_node(o, fe.ino), 1);
			OVL_UNLOCK(o);
		}
		return 0;
	}
	return len;
}

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, bool plus)
{
	struct ovl *o = ovl_of(req);
	struct odir *d = (struct odir *)(uintptr_t)fi->fh;
	struct onode *dir = ovl_node(o, ino);
	cleanup_free char *buf = NULL;
	size_t used = 0;

	if (off == 0) {
		int r = 0;

		OVL_LOCK(o);
		if (d->version != dir->version) {
			struct odir fresh;
			r = ovl_dir_read(o, dir, &fresh);
			if (r == 0) {
				ovl_dir_free(d);
				*d = fresh;
			}
		}
		OVL_UNLOCK(o);
		if (r < 0) {
			fuse_reply_err(req, -r);
			return;
		}
	}
	buf = xcalloc(1, size ? size : 1);

	for (size_t i = off < 0 ? 0 : (size_t)off; i < d->n; i++) {
		size_t len = add_entry(req, o, dir, &d->ents[i], buf + used, size - used,
				       (off_t)(i + 1), plus);
		if (len == 0)
			break;
		if (len != SIZE_MAX)
			used += len;
	}
	fuse_reply_buf(req, buf, used);
}

void ovlop_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, false);
}

void ovlop_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, true);
}

void ovlop_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct odir *d = (struct odir *)(uintptr_t)fi->fh;

	(void)ino;
	ovl_dir_free(d);
	free(d);
	fuse_reply_err(req, 0);
}

void ovlop_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct ovl *o = ovl_of(req);
	const struct onode *n;
	int fd = -1, r = 0;

	(void)fi;
	OVL_LOCK(o);
	n = ovl_node(o, ino);
	if (n->layer == 0) {
		fd = openat(n->dirs[0].fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			r = errno;
	}
	OVL_UNLOCK(o);
	if (fd >= 0) {
		if ((datasync ? fdatasync(fd) : fsync(fd)) < 0)
			r = errno;
		close(fd);
	}
	fuse_reply_err(req, r);
}
