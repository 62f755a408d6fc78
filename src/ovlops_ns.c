/* ovlops_ns.c: the FUSE operations that change names: lookup and forget,
 * creation (mknod, mkdir, symlink, link, create), unlink, rmdir and rename,
 * with kernel overlayfs semantics in `userxattr` mode and without
 * redirect_dir: a new object replaces a whiteout atomically (a directory
 * made there is opaque); removing or renaming away a name that a lower
 * layer also has leaves a whiteout; a directory moved into a merged
 * directory is made opaque; renaming a directory that has lower layers
 * fails with EXDEV, so that programs fall back to copying. */
#include "config.h"
#include "ovlfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>

static struct ovl *ovl_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* Reply with an entry; undo the lookup reference if the kernel did not
 * take it (the request was interrupted). */
static void reply_entry(fuse_req_t req, struct ovl *o, const struct fuse_entry_param *e)
{
	if (fuse_reply_entry(req, e) != 0 && e->ino != 0) {
		OVL_LOCK(o);
		ovl_forget_node(o, ovl_node(o, e->ino), 1);
		OVL_UNLOCK(o);
	}
}

void ovlop_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ovl *o = ovl_of(req);
	struct fuse_entry_param e = { 0 };
	int r;

	OVL_LOCK(o);
	r = ovl_do_lookup(o, ovl_node(o, parent), name, &e);
	OVL_UNLOCK(o);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		reply_entry(req, o, &e);
}

void ovlop_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct ovl *o = ovl_of(req);

	OVL_LOCK(o);
	ovl_forget_node(o, ovl_node(o, ino), nlookup);
	OVL_UNLOCK(o);
	fuse_reply_none(req);
}

void ovlop_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct ovl *o = ovl_of(req);

	OVL_LOCK(o);
	for (size_t i = 0; i < count; i++)
		ovl_forget_node(o, ovl_node(o, forgets[i].ino), forgets[i].nlookup);
	OVL_UNLOCK(o);
	fuse_reply_none(req);
}

/* ---- creation ------------------------------------------------------------ */

enum mk_kind { MK_NOD, MK_DIR, MK_SYMLINK, MK_LINK, MK_FILE };

struct mk {
	enum mk_kind kind;
	mode_t mode;
	dev_t rdev;
	const char *target;     /* MK_SYMLINK */
	int linkdir;            /* MK_LINK: the existing name */
	const char *linkname;
	int flags;              /* MK_FILE: open flags */
	int fd;                 /* MK_FILE: the open file, out */
};

static int mk_object(const struct mk *m, int dirfd, const char *name, int *fd)
{
	switch (m->kind) {
	case MK_NOD:
		return mknodat(dirfd, name, m->mode, m->rdev) < 0 ? -errno : 0;
	case MK_DIR:
		return mkdirat(dirfd, name, m->mode) < 0 ? -errno : 0;
	case MK_SYMLINK:
		return symlinkat(m->target, dirfd, name) < 0 ? -errno : 0;
	case MK_LINK:
		return linkat(m->linkdir, m->linkname, dirfd, name, 0) < 0 ? -errno : 0;
	case MK_FILE:
		*fd = openat(dirfd, name, m->flags | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			     m->mode);
		return *fd < 0 ? -errno : 0;
	}
	return -EINVAL;
}

static void mk_undo(int dirfd, const char *name, const struct mk *m, int *fd)
{
	if (*fd >= 0)
		closep(fd);
	unlinkat(dirfd, name, m->kind == MK_DIR ? AT_REMOVEDIR : 0);
}

/* Make `name` in `dir` as `m` says, for the caller of `req`, and look it
 * up into *e. Lock held. */
static int make(fuse_req_t req, struct ovl *o, struct onode *dir, const char *name, struct mk *m,
		struct fuse_entry_param *e)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct stat st;
	char tmp[32];
	const char *dname = name;
	int pfd, dfd, k, r, fd = -1;

	m->fd = -1;
	if (!ovl_valid_name(name))
		return -EINVAL;
	if (o->rdonly)
		return -EROFS;
	r = ovl_copy_up(o, dir, false);
	if (r < 0)
		return r;
	pfd = ovl_dir_fd(dir, 0);
	k = ovl_upper_kind(pfd, name, &st);
	if (k < 0)
		return k;
	if (k != OVL_ABSENT && k != OVL_WHITEOUT)
		return -EEXIST;
	dfd = pfd;
	if (k == OVL_WHITEOUT) {
		/* made aside and renamed over the whiteout, so it is atomic */
		ovl_tmpname(o, tmp);
		dname = tmp;
		dfd = o->workfd;
	}
	r = mk_object(m, dfd, dname, &fd);
	if (r < 0)
		return r;
	if (m->kind != MK_LINK)
		r = ovl_set_owner(pfd, dfd, dname, ctx, m->kind == MK_SYMLINK ? S_IFLNK : m->mode);
	if (r == 0 && k == OVL_WHITEOUT && m->kind == MK_DIR)
		r = ovl_set_opaque(dfd, dname);
	if (r == 0 && k == OVL_WHITEOUT) {
		if (m->kind == MK_DIR) {
			if (renameat2(dfd, dname, pfd, name, RENAME_EXCHANGE) < 0)
				r = -errno;
			else
				(void)unlinkat(dfd, dname, 0);   /* the whiteout */
		} else if (renameat(dfd, dname, pfd, name) < 0) {
			r = -errno;
		}
	}
	if (r < 0) {
		mk_undo(dfd, dname, m, &fd);
		return r;
	}
	dir->version++;
	r = ovl_do_lookup(o, dir, name, e);
	if (r == 0 && e->ino == 0)
		r = -ENOENT;
	if (r < 0) {
		closep(&fd);
		return r;
	}
	m->fd = fd;
	return 0;
}

static void make_reply(fuse_req_t req, fuse_ino_t parent, const char *name, struct mk *m)
{
	struct ovl *o = ovl_of(req);
	struct fuse_entry_param e = { 0 };
	int r;

	OVL_LOCK(o);
	r = make(req, o, ovl_node(o, parent), name, m, &e);
	OVL_UNLOCK(o);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		reply_entry(req, o, &e);
}

void ovlop_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct mk m = { .kind = MK_NOD, .mode = mode, .rdev = rdev };

	make_reply(req, parent, name, &m);
}

void ovlop_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct mk m = { .kind = MK_DIR, .mode = mode | S_IFDIR };

	make_reply(req, parent, name, &m);
}

void ovlop_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct mk m = { .kind = MK_SYMLINK, .target = link };

	make_reply(req, parent, name, &m);
}

void ovlop_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct ovl *o = ovl_of(req);
	struct onode *n;
	struct fuse_entry_param e = { 0 };
	struct mk m = { .kind = MK_LINK };
	int r;

	OVL_LOCK(o);
	n = ovl_node(o, ino);
	r = o->rdonly ? -EROFS : ovl_copy_up(o, n, false);
	if (r == 0)
		r = ovl_node_upper_loc(o, n, &m.linkdir, &m.linkname);
	if (r == 0)
		r = make(req, o, ovl_node(o, newparent), newname, &m, &e);
	OVL_UNLOCK(o);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		reply_entry(req, o, &e);
}

void ovlop_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
		  struct fuse_file_info *fi)
{
	struct ovl *o = ovl_of(req);
	struct fuse_entry_param e = { 0 };
	struct mk m = { .kind = MK_FILE, .mode = mode, .flags = ovl_open_flags(o, fi->flags) };
	struct ohandle *h = NULL;
	int r;

	OVL_LOCK(o);
	r = make(req, o, ovl_node(o, parent), name, &m, &e);
	if (r == 0)
		h = ovl_handle_new(o, ovl_node(o, e.ino), m.fd);
	OVL_UNLOCK(o);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)h;
	fi->keep_cache = 1;
	if (fuse_reply_create(req, &e, fi) != 0) {
		OVL_LOCK(o);
		ovl_handle_free(o, h);
		ovl_forget_node(o, ovl_node(o, e.ino), 1);
		OVL_UNLOCK(o);
	}
}

/* ---- removal ------------------------------------------------------------- */

/* Look up (dir, name) for an operation on it; the caller forgets it. */
static int get_node(struct ovl *o, struct onode *dir, const char *name, struct onode **out)
{
	struct fuse_entry_param e = { 0 };
	int r = ovl_do_lookup(o, dir, name, &e);

	if (r < 0)
		return r;
	if (e.ino == 0)
		return -ENOENT;
	*out = ovl_node(o, e.ino);
	return 0;
}

static int do_unlink(struct ovl *o, struct onode *dir, const char *name)
{
	struct onode *n;
	int r, lower, pfd;

	if (o->rdonly)
		return -EROFS;
	r = get_node(o, dir, name, &n);
	if (r < 0)
		return r;
	if (n->type == S_IFDIR) {
		r = -EISDIR;
		goto out;
	}
	lower = ovl_lower_has(o, dir, name);
	r = lower < 0 ? lower : ovl_copy_up(o, dir, false);
	if (r < 0)
		goto out;
	pfd = ovl_dir_fd(dir, 0);
	if (n->layer == 0)
		ovl_unhash_dying(o, pfd, name);
	if (lower)
		r = ovl_make_whiteout(o, pfd, name);   /* replaces an upper file */
	else if (unlinkat(pfd, name, 0) < 0)
		r = -errno;
	if (r == 0)
		ovl_dent_forget(o, dir, name);
	dir->version++;
out:
	ovl_forget_node(o, n, 1);
	return r;
}

/* Remove the (now empty) upper directory (pfd, name), leaving a whiteout
 * when a lower layer has the name. */
static int remove_upper_dir(struct ovl *o, int pfd, const char *name, int dirfd, bool lower)
{
	char tmp[32];
	int r;

	if (!lower) {
		r = ovl_clear_whiteouts(dirfd);
		if (r == 0 && unlinkat(pfd, name, AT_REMOVEDIR) < 0)
			r = -errno;
		return r;
	}
	/* swap a whiteout in, then empty and remove the directory aside */
	ovl_tmpname(o, tmp);
	if (mknodat(o->workfd, tmp, S_IFCHR, makedev(0, 0)) < 0)
		return -errno;
	if (renameat2(o->workfd, tmp, pfd, name, RENAME_EXCHANGE) < 0) {
		r = -errno;
		unlinkat(o->workfd, tmp, 0);
		return r;
	}
	/* the name is gone now; what cannot be removed stays in work/ */
	if (ovl_clear_whiteouts(dirfd) == 0)
		(void)unlinkat(o->workfd, tmp, AT_REMOVEDIR);
	return 0;
}

static int do_rmdir(struct ovl *o, struct onode *dir, const char *name)
{
	struct onode *n;
	int r, lower, pfd;

	if (o->rdonly)
		return -EROFS;
	r = get_node(o, dir, name, &n);
	if (r < 0)
		return r;
	if (n->type != S_IFDIR) {
		r = -ENOTDIR;
		goto out;
	}
	r = ovl_dir_empty(o, n);
	lower = r < 0 ? r : ovl_lower_has(o, dir, name);
	r = lower < 0 ? lower : ovl_copy_up(o, dir, false);
	if (r < 0)
		goto out;
	pfd = ovl_dir_fd(dir, 0);
	if (n->layer == 0)
		r = remove_upper_dir(o, pfd, name, n->dirs[0].fd, lower > 0);
	else
		r = ovl_make_whiteout(o, pfd, name);
	if (r == 0)
		ovl_dent_forget(o, dir, name);
	dir->version++;
out:
	ovl_forget_node(o, n, 1);
	return r;
}

void ovlop_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ovl *o = ovl_of(req);
	int r;

	OVL_LOCK(o);
	r = do_unlink(o, ovl_node(o, parent), name);
	OVL_UNLOCK(o);
	fuse_reply_err(req, -r);
}

void ovlop_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ovl *o = ovl_of(req);
	int r;

	OVL_LOCK(o);
	r = do_rmdir(o, ovl_node(o, parent), name);
	OVL_UNLOCK(o);
	fuse_reply_err(req, -r);
}

/* ---- rename ------------------------------------------------------------- */

struct ren {
	struct onode *dir, *newdir;
	const char *name, *newname;
	struct onode *src, *dst;     /* dst NULL when the target is absent */
	unsigned flags;
};

static bool pure_upper_dir(const struct onode *n)
{
	return n->layer == 0 && n->ndirs == 1;
}

static int ren_check(struct ovl *o, const struct ren *r)
{
	bool src_dir = r->src->type == S_IFDIR;

	if ((r->flags & RENAME_NOREPLACE) && r->dst != NULL)
		return -EEXIST;
	if ((r->flags & RENAME_EXCHANGE) && r->dst == NULL)
		return -ENOENT;
	/* no redirect_dir: a directory with lower layers cannot move */
	if (src_dir && !pure_upper_dir(r->src))
		return -EXDEV;
	if (r->dst == NULL)
		return 0;
	if (r->flags & RENAME_EXCHANGE)
		return r->dst->type == S_IFDIR && !pure_upper_dir(r->dst) ? -EXDEV : 0;
	if (src_dir && r->dst->type != S_IFDIR)
		return -ENOTDIR;
	if (!src_dir && r->dst->type == S_IFDIR)
		return -EISDIR;
	return r->dst->type == S_IFDIR ? ovl_dir_empty(o, r->dst) : 0;
}

/* A directory that lands in a merged directory must not merge with
 * whatever a lower layer has under its new name. */
static int ren_opaque(const struct onode *moved, const struct onode *newdir, int npfd,
		      const char *newname)
{
	if (moved->type != S_IFDIR || newdir->ndirs < 2)
		return 0;
	return ovl_set_opaque(npfd, newname);
}

static int ren_exchange(struct ovl *o, const struct ren *r, int pfd, int npfd)
{
	struct odent *ds, *dd;
	int e;

	if (renameat2(pfd, r->name, npfd, r->newname, RENAME_EXCHANGE) < 0)
		return -errno;
	e = ren_opaque(r->src, r->newdir, npfd, r->newname);
	if (e == 0)
		e = ren_opaque(r->dst, r->dir, pfd, r->name);
	ds = ovl_dent_find(o, r->dir, r->name);
	dd = ovl_dent_find(o, r->newdir, r->newname);
	if (ds != NULL)
		ovl_dent_drop(o, ds);
	if (dd != NULL)
		ovl_dent_drop(o, dd);
	ovl_dent_add(o, r->dir, r->name, r->dst);
	ovl_dent_add(o, r->newdir, r->newname, r->src);
	return e;
}

static int ren_move(struct ovl *o, const struct ren *r, int pfd, int npfd, int old_lower)
{
	struct stat st;
	struct odent *ds;
	int k = ovl_upper_kind(npfd, r->newname, &st), e = 0;

	if (k < 0)
		return k;
	/* an empty merged target directory still holds whiteouts */
	if (r->dst != NULL && r->dst->type == S_IFDIR && r->dst->layer == 0) {
		e = ovl_clear_whiteouts(r->dst->dirs[0].fd);
		if (e < 0)
			return e;
	}
	if (k == OVL_OTHER)
		ovl_unhash_dying(o, npfd, r->newname);   /* replaced below */
	if (r->src->type == S_IFDIR && k == OVL_WHITEOUT) {
		/* a directory cannot replace a whiteout: swap them */
		if (renameat2(pfd, r->name, npfd, r->newname, RENAME_EXCHANGE) < 0)
			return -errno;
		if (!old_lower && unlinkat(pfd, r->name, 0) < 0)
			e = -errno;
	} else {
		if (renameat2(pfd, r->name, npfd, r->newname, 0) < 0)
			return -errno;
		if (old_lower)
			e = ovl_make_whiteout(o, pfd, r->name);
	}
	if (e == 0)
		e = ren_opaque(r->src, r->newdir, npfd, r->newname);
	ds = ovl_dent_find(o, r->dir, r->name);
	if (ds != NULL)
		ovl_dent_move(o, ds, r->newdir, r->newname);
	else
		ovl_dent_forget(o, r->newdir, r->newname);
	return e;
}

static int do_rename(struct ovl *o, struct ren *r)
{
	int e, old_lower = 0;

	if (o->rdonly)
		return -EROFS;
	if (r->flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	e = get_node(o, r->dir, r->name, &r->src);
	if (e < 0)
		return e;
	e = get_node(o, r->newdir, r->newname, &r->dst);
	if (e == -ENOENT) {
		r->dst = NULL;
		e = 0;
	}
	if (e == 0)
		e = ren_check(o, r);
	if (e == 0 && r->src == r->dst)
		goto out;   /* two names of one file: nothing to do */
	if (e == 0)
		old_lower = e = ovl_lower_has(o, r->dir, r->name);
	if (e >= 0)
		e = ovl_copy_up(o, r->src, false);
	if (e == 0 && (r->flags & RENAME_EXCHANGE))
		e = ovl_copy_up(o, r->dst, false);
	if (e == 0)
		e = ovl_copy_up(o, r->newdir, false);
	if (e == 0) {
		int pfd = ovl_dir_fd(r->dir, 0), npfd = ovl_dir_fd(r->newdir, 0);

		if (r->flags & RENAME_EXCHANGE)
			e = ren_exchange(o, r, pfd, npfd);
		else
			e = ren_move(o, r, pfd, npfd, old_lower);
		r->dir->version++;
		r->newdir->version++;
	}
out:
	if (r->dst != NULL)
		ovl_forget_node(o, r->dst, 1);
	ovl_forget_node(o, r->src, 1);
	return e;
}

/* A plain rename of a large lower file that will go through (no
 * directory and nothing kept from replacement at the target) has its data
 * copied up first with the lock dropped, before anything is looked at;
 * do_rename then finds it copied up. A rename that would fail copies
 * nothing, as in overlayfs. */
static int ren_copy_early(struct ovl *o, const struct ren *r)
{
	struct onode *src, *dst = NULL;
	int e;

	if (o->rdonly || r->flags != 0 || get_node(o, r->dir, r->name, &src) < 0)
		return 0;
	e = get_node(o, r->newdir, r->newname, &dst);
	if (e == -ENOENT) {
		dst = NULL;
		e = 0;
	}
	if (e == 0 && src->type == S_IFREG && src->layer != 0 &&
	    (dst == NULL || dst->type != S_IFDIR))
		e = ovl_copy_up_early(o, src);
	if (dst != NULL)
		ovl_forget_node(o, dst, 1);
	ovl_forget_node(o, src, 1);
	return e;
}

void ovlop_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
		  const char *newname, unsigned int flags)
{
	struct ovl *o = ovl_of(req);
	struct ren r = { .name = name, .newname = newname, .flags = flags };
	int e;

	OVL_LOCK(o);
	r.dir = ovl_node(o, parent);
	r.newdir = ovl_node(o, newparent);
	e = ren_copy_early(o, &r);
	if (e == 0)
		e = do_rename(o, &r);
	OVL_UNLOCK(o);
	fuse_reply_err(req, -e);
}
