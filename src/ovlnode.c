/* ovlnode.c: the layers, the nodes (FUSE inodes) and their names for the
 * FUSE overlay server (see ovlfs.h for the model). A lookup resolves a name
 * over the stack of its directory with ovl_probe(), then reuses the node the
 * name table (or, for an upper non-directory, the inode table) holds when it
 * still describes the same object, and makes a new one otherwise. Nodes are
 * freed when the kernel has forgotten them and nothing else (a child's name,
 * an open file) holds them. Everything here runs with ovl.lock held, except
 * ovl_new and ovl_free. */
#include "config.h"
#include "ovlfs.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/xattr.h>

#define OVL_TIMEOUT 86400.0

/* -errno, never 0 (for callers that test the sign) */
static int neg_errno(void)
{
	int e = errno;

	return e > 0 ? -e : -EIO;
}

static int open_dir(int dirfd, const char *name)
{
	return openat(dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

/* ---- layers ------------------------------------------------------------ */

static int open_layer(const char *path, const char *what, struct stat *st, sb_error *err)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return sb_fail(err, errno, "open the %s directory '%s'", what, path);
	if (fstat(fd, st) < 0) {
		sb_fail(err, errno, "stat the %s directory '%s'", what, path);
		close(fd);
		return -1;
	}
	return fd;
}

static int remove_leftover(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) < 0 && (errno == EISDIR || errno == EPERM))
		(void)unlinkat(dirfd, name, AT_REMOVEDIR);
	return 0;
}

static int open_work(const char *work, dev_t upper_dev, sb_error *err)
{
	cleanup_close int fd = -1;
	struct stat st = { 0 };
	int wfd;

	fd = open_layer(work, "work", &st, err);
	if (fd < 0)
		return -1;
	if (st.st_dev != upper_dev)
		return sb_fail(err, 0, "work directory '%s' is not on the upper's file system", work);
	if (mkdirat(fd, "work", 0700) < 0 && errno != EEXIST)
		return sb_fail(err, errno, "create '%s/work'", work);
	wfd = open_dir(fd, "work");
	if (wfd < 0)
		return sb_fail(err, errno, "open '%s/work'", work);
	/* what an earlier mount left when it was killed in the middle of a
	 * copy-up goes, as overlayfs does: best effort, nobody's data */
	(void)ovl_each_entry(wfd, remove_leftover);
	return wfd;
}

static unsigned fs_index(dev_t *devs, unsigned *ndevs, dev_t dev)
{
	for (unsigned i = 0; i < *ndevs; i++)
		if (devs[i] == dev)
			return i;
	devs[*ndevs] = dev;
	return (*ndevs)++;
}

static int make_root(struct ovl *o, sb_error *err)
{
	struct onode *r = xcalloc(1, sizeof(*r));
	struct stat st;

	r->dirs = xcalloc(o->nlayers, sizeof(*r->dirs));
	for (size_t i = 0; i < o->nlayers; i++) {
		if (o->layers[i].fd < 0)
			continue;
		r->dirs[r->ndirs].layer = i;
		r->dirs[r->ndirs].fd = fcntl(o->layers[i].fd, F_DUPFD_CLOEXEC, 3);
		if (r->dirs[r->ndirs].fd < 0) {
			sb_fail(err, errno, "duplicate a layer's fd");
			goto fail;
		}
		r->ndirs++;
	}
	if (fstat(r->dirs[0].fd, &st) < 0) {
		sb_fail(err, errno, "stat the top layer");
		goto fail;
	}
	r->type = S_IFDIR;
	r->layer = r->dirs[0].layer;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->st_ino = ovl_mix_ino(st.st_ino, o->layers[r->layer].fsidx, o->nfs);
	r->nlookup = 1;
	o->root = r;
	return 0;
fail:
	for (size_t i = 0; i < r->ndirs; i++)
		close(r->dirs[i].fd);
	free(r->dirs);
	free(r);
	return -1;
}

struct ovl *ovl_new(const char *const *lowers, size_t nlowers, const char *upper,
		    const char *work, sb_error *err)
{
	struct ovl *o = xcalloc(1, sizeof(*o));
	cleanup_free dev_t *devs = xcalloc(nlowers + 1, sizeof(*devs));
	unsigned ndevs = 0;
	struct stat st = { 0 };

	o->nlayers = nlowers + 1;
	o->layers = xcalloc(o->nlayers, sizeof(*o->layers));
	for (size_t i = 0; i < o->nlayers; i++)
		o->layers[i].fd = -1;
	o->workfd = -1;
	o->rdonly = upper == NULL;
	o->timeout = OVL_TIMEOUT;
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->copied, NULL);
	o->dcap = o->icap = 1024;
	o->dtab = xcalloc(o->dcap, sizeof(*o->dtab));
	o->itab = xcalloc(o->icap, sizeof(*o->itab));
	if (upper != NULL) {
		o->layers[0].fd = open_layer(upper, "upper", &st, err);
		if (o->layers[0].fd < 0)
			goto fail;
		o->layers[0].fsidx = fs_index(devs, &ndevs, st.st_dev);
		o->workfd = open_work(work, st.st_dev, err);
		if (o->workfd < 0)
			goto fail;
	}
	for (size_t i = 0; i < nlowers; i++) {
		o->layers[i + 1].fd = open_layer(lowers[i], "lower", &st, err);
		if (o->layers[i + 1].fd < 0)
			goto fail;
		o->layers[i + 1].fsidx = fs_index(devs, &ndevs, st.st_dev);
	}
	o->nfs = ndevs;
	if (make_root(o, err) < 0)
		goto fail;
	return o;
fail:
	ovl_free(o);
	return NULL;
}

static void node_free(struct onode *n)
{
	for (size_t i = 0; i < n->ndirs; i++)
		close(n->dirs[i].fd);
	free(n->dirs);
	free(n);
}

void ovl_free(struct ovl *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->dcap; i++) {
		struct odent *d = o->dtab[i].head;
		while (d != NULL) {
			struct odent *next = d->hnext;
			free(d->name);
			free(d);
			d = next;
		}
	}
	while (o->nodes != NULL) {
		struct onode *next = o->nodes->lnext;
		node_free(o->nodes);
		o->nodes = next;
	}
	if (o->root != NULL)
		node_free(o->root);
	for (size_t i = 0; i < o->nlayers; i++)
		if (o->layers[i].fd >= 0)
			close(o->layers[i].fd);
	if (o->workfd >= 0)
		close(o->workfd);
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->copied);
	free(o->dtab);
	free(o->itab);
	free(o->layers);
	free(o);
}

struct onode *ovl_node(struct ovl *o, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? o->root : (struct onode *)(uintptr_t)ino;
}

fuse_ino_t ovl_ino(struct ovl *o, struct onode *n)
{
	return n == o->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
}

int ovl_dir_fd(const struct onode *dir, size_t layer)
{
	for (size_t i = 0; i < dir->ndirs; i++)
		if (dir->dirs[i].layer == layer)
			return dir->dirs[i].fd;
	return -1;
}

/* ---- tables ------------------------------------------------------------- */

static size_t dhash(const struct onode *parent, const char *name, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)parent * 0x9E3779B97F4A7C15ULL;

	for (const char *s = name; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29)) & (cap - 1);
}

static size_t ihash(dev_t dev, ino_t ino, size_t cap)
{
	uint64_t h = ((uint64_t)ino * 0x9E3779B97F4A7C15ULL) ^ (uint64_t)dev;

	return (size_t)(h ^ (h >> 31)) & (cap - 1);
}

static void dtab_grow(struct ovl *o)
{
	size_t cap = o->dcap * 2;
	struct odent_chain *tab = xcalloc(cap, sizeof(*tab));

	for (size_t i = 0; i < o->dcap; i++) {
		struct odent *d = o->dtab[i].head;
		while (d != NULL) {
			struct odent *next = d->hnext;
			size_t h = dhash(d->parent, d->name, cap);
			d->hnext = tab[h].head;
			tab[h].head = d;
			d = next;
		}
	}
	free(o->dtab);
	o->dtab = tab;
	o->dcap = cap;
}

static void dent_hash(struct ovl *o, struct odent *d)
{
	size_t h;

	if (o->dcount + 1 > o->dcap)
		dtab_grow(o);
	h = dhash(d->parent, d->name, o->dcap);
	d->hnext = o->dtab[h].head;
	o->dtab[h].head = d;
	o->dcount++;
}

static void dent_unhash(struct ovl *o, struct odent *d)
{
	struct odent **p = &o->dtab[dhash(d->parent, d->name, o->dcap)].head;

	while (*p != NULL && *p != d)
		p = &(*p)->hnext;
	if (*p == d) {
		*p = d->hnext;
		o->dcount--;
	}
}

void ovl_dent_add(struct ovl *o, struct onode *parent, const char *name, struct onode *n)
{
	struct odent *d = xcalloc(1, sizeof(*d));

	d->parent = parent;
	parent->refs++;
	d->node = n;
	d->name = xstrdup(name);
	d->anext = n->aliases;
	n->aliases = d;
	dent_hash(o, d);
}

struct odent *ovl_dent_find(struct ovl *o, const struct onode *parent, const char *name)
{
	for (struct odent *d = o->dtab[dhash(parent, name, o->dcap)].head; d != NULL; d = d->hnext)
		if (d->parent == parent && strcmp(d->name, name) == 0)
			return d;
	return NULL;
}

void ovl_dent_drop(struct ovl *o, struct odent *d)
{
	struct onode *parent = d->parent;

	dent_unhash(o, d);
	for (struct odent **p = &d->node->aliases; *p != NULL; p = &(*p)->anext) {
		if (*p == d) {
			*p = d->anext;
			break;
		}
	}
	free(d->name);
	free(d);
	ovl_node_unref(o, parent);
}

void ovl_dent_forget(struct ovl *o, const struct onode *parent, const char *name)
{
	struct odent *d = ovl_dent_find(o, parent, name);

	if (d != NULL)
		ovl_dent_drop(o, d);
}

void ovl_dent_move(struct ovl *o, struct odent *d, struct onode *parent, const char *name)
{
	struct odent *old = ovl_dent_find(o, parent, name);
	struct onode *oldparent = d->parent;

	if (old == d)
		return;
	if (old != NULL)
		ovl_dent_drop(o, old);
	dent_unhash(o, d);
	parent->refs++;
	d->parent = parent;
	free(d->name);
	d->name = xstrdup(name);
	dent_hash(o, d);
	ovl_node_unref(o, oldparent);
}

static void itab_grow(struct ovl *o)
{
	size_t cap = o->icap * 2;
	struct onode_chain *tab = xcalloc(cap, sizeof(*tab));

	for (size_t i = 0; i < o->icap; i++) {
		struct onode *m = o->itab[i].head;
		while (m != NULL) {
			struct onode *next = m->inext;
			size_t k = ihash(m->dev, m->ino, cap);
			m->inext = tab[k].head;
			tab[k].head = m;
			m = next;
		}
	}
	free(o->itab);
	o->itab = tab;
	o->icap = cap;
}

static void itab_add(struct ovl *o, struct onode *n)
{
	size_t h;

	if (n->hashed)
		return;
	if (o->icount + 1 > o->icap)
		itab_grow(o);
	h = ihash(n->dev, n->ino, o->icap);
	n->inext = o->itab[h].head;
	o->itab[h].head = n;
	n->hashed = true;
	o->icount++;
}

static void itab_del(struct ovl *o, struct onode *n)
{
	struct onode **p;

	if (!n->hashed)
		return;
	p = &o->itab[ihash(n->dev, n->ino, o->icap)].head;
	while (*p != NULL && *p != n)
		p = &(*p)->inext;
	if (*p == n)
		*p = n->inext;
	n->hashed = false;
	o->icount--;
}

static struct onode *itab_find(struct ovl *o, dev_t dev, ino_t ino)
{
	for (struct onode *n = o->itab[ihash(dev, ino, o->icap)].head; n != NULL; n = n->inext)
		if (n->dev == dev && n->ino == ino)
			return n;
	return NULL;
}

static void maybe_free(struct ovl *o, struct onode *n)
{
	if (n == o->root || n->nlookup > 0 || n->refs > 0)
		return;
	n->refs++;   /* dropping the names must not free n twice */
	while (n->aliases != NULL)
		ovl_dent_drop(o, n->aliases);
	itab_del(o, n);
	if (n->lprev != NULL)
		n->lprev->lnext = n->lnext;
	else
		o->nodes = n->lnext;
	if (n->lnext != NULL)
		n->lnext->lprev = n->lprev;
	node_free(n);
}

void ovl_node_unref(struct ovl *o, struct onode *n)
{
	n->refs--;
	maybe_free(o, n);
}

void ovl_forget_node(struct ovl *o, struct onode *n, uint64_t count)
{
	n->nlookup = count > n->nlookup ? 0 : n->nlookup - count;
	maybe_free(o, n);
}

/* ---- resolution ----------------------------------------------------------- */

static bool is_opaque(int dirfd, const char *name)
{
	char path[PATH_MAX], val[2];
	ssize_t n;

	if (!ovl_fd_relpath(path, sizeof(path), dirfd, name))
		return false;
	n = lgetxattr(path, OVL_XATTR_OPAQUE, val, sizeof(val));
	return ovl_opaque_value(val, n);
}

int ovl_probe(struct ovl *o, const struct onode *dir, const char *name, struct oprobe **out)
{
	struct oprobe *p = xcalloc(1, sizeof(*p) + dir->ndirs * sizeof(p->dirs[0]));
	struct ovl_resolve r;

	(void)o;
	*out = NULL;
	ovl_resolve_init(&r, p->dirs);
	for (size_t i = 0; i < dir->ndirs; i++) {
		struct stat st;
		enum ovl_kind k = OVL_ABSENT;
		bool more;

		if (fstatat(dir->dirs[i].fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			bool opaque = S_ISDIR(st.st_mode) && i + 1 < dir->ndirs &&
				      is_opaque(dir->dirs[i].fd, name);
			k = ovl_classify(&st, opaque);
		} else if (errno != ENOENT) {
			int e = neg_errno();
			free(p);
			return e;
		}
		more = ovl_resolve_step(&r, dir->dirs[i].layer, k);
		if (r.kind != OVL_ABSENT && r.top == dir->dirs[i].layer)
			p->st = st;
		if (!more)
			break;
	}
	p->kind = r.kind;
	p->top = r.top;
	p->ndirs = r.ndirs;
	*out = p;
	return 0;
}

int ovl_lower_has(struct ovl *o, const struct onode *dir, const char *name)
{
	(void)o;
	for (size_t i = 0; i < dir->ndirs; i++) {
		struct stat st;

		if (dir->dirs[i].layer == 0)
			continue;
		if (fstatat(dir->dirs[i].fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		return ovl_is_whiteout(&st) ? 0 : 1;
	}
	return 0;
}

static bool node_matches(const struct onode *n, const struct oprobe *p)
{
	if (n->type != (p->st.st_mode & S_IFMT) || n->layer != p->top)
		return false;
	if (p->top == 0 && (n->dev != p->st.st_dev || n->ino != p->st.st_ino))
		return false;
	if (n->type != S_IFDIR)
		return true;
	if (n->ndirs != p->ndirs)
		return false;
	for (size_t i = 0; i < n->ndirs; i++)
		if (n->dirs[i].layer != p->dirs[i])
			return false;
	return true;
}

static int node_new(struct ovl *o, struct onode *dir, const char *name,
		    const struct oprobe *p, struct onode **out)
{
	struct onode *n = xcalloc(1, sizeof(*n));

	*out = NULL;
	n->type = p->st.st_mode & S_IFMT;
	n->layer = p->top;
	n->dev = p->st.st_dev;
	n->ino = p->st.st_ino;
	n->st_ino = ovl_mix_ino(p->st.st_ino, o->layers[p->top].fsidx, o->nfs);
	if (p->kind == OVL_DIR) {
		n->dirs = xcalloc(p->ndirs, sizeof(*n->dirs));
		for (size_t i = 0; i < p->ndirs; i++) {
			int fd = open_dir(ovl_dir_fd(dir, p->dirs[i]), name);
			if (fd < 0) {
				int e = neg_errno();
				node_free(n);
				return e;
			}
			n->dirs[n->ndirs].layer = p->dirs[i];
			n->dirs[n->ndirs].fd = fd;
			n->ndirs++;
		}
	}
	n->lnext = o->nodes;
	if (o->nodes != NULL)
		o->nodes->lprev = n;
	o->nodes = n;
	*out = n;
	return 0;
}

int ovl_do_lookup(struct ovl *o, struct onode *dir, const char *name,
		  struct fuse_entry_param *e)
{
	cleanup_free struct oprobe *p = NULL;
	struct odent *d;
	struct onode *n = NULL;
	int r;

	memset(e, 0, sizeof(*e));
	e->attr_timeout = e->entry_timeout = o->timeout;
	/* never "." or ".." (the kernel does not send them without export
	 * support, and ".." of the root would leave the layers) */
	if (!ovl_valid_name(name))
		return -EINVAL;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	r = ovl_probe(o, dir, name, &p);
	if (p == NULL)
		return r < 0 ? r : -EIO;
	if (p->kind == OVL_ABSENT)
		return 0;   /* a negative entry, cached as long as the rest */
	d = ovl_dent_find(o, dir, name);
	if (d != NULL && node_matches(d->node, p)) {
		n = d->node;
	} else {
		if (d != NULL)
			ovl_dent_drop(o, d);
		if (p->kind == OVL_OTHER && p->top == 0)
			n = itab_find(o, p->st.st_dev, p->st.st_ino);
		if (n == NULL) {
			r = node_new(o, dir, name, p, &n);
			if (n == NULL)
				return r < 0 ? r : -EIO;
			if (n->type != S_IFDIR && n->layer == 0)
				itab_add(o, n);
		}
		ovl_dent_add(o, dir, name, n);
	}
	n->nlookup++;
	e->ino = ovl_ino(o, n);
	e->attr = p->st;
	ovl_fix_stat(o, n, &e->attr);
	return 0;
}

/* ---- where a node is ------------------------------------------------------ */

int ovl_node_loc(struct ovl *o, const struct onode *n, int *dirfd, const char **name)
{
	(void)o;
	if (n->type == S_IFDIR) {
		*dirfd = n->dirs[0].fd;
		*name = ".";
		return 0;
	}
	for (const struct odent *a = n->aliases; a != NULL; a = a->anext) {
		int fd = ovl_dir_fd(a->parent, n->layer);
		if (fd >= 0) {
			*dirfd = fd;
			*name = a->name;
			return 0;
		}
	}
	return -ESTALE;
}

int ovl_node_upper_loc(struct ovl *o, const struct onode *n, int *dirfd, const char **name)
{
	if (n->layer != 0)
		return -EIO;
	return ovl_node_loc(o, n, dirfd, name);
}

void ovl_fix_stat(struct ovl *o, const struct onode *n, struct stat *st)
{
	(void)o;
	st->st_ino = n->st_ino;
	/* as overlayfs: counting the subdirectories of a merged one is not
	 * worth it, and 1 tells find(1) not to rely on the count */
	if (n->type == S_IFDIR && n->ndirs > 1)
		st->st_nlink = 1;
}

int ovl_node_stat(struct ovl *o, const struct onode *n, struct stat *st)
{
	int dirfd, r;
	const char *name;

	r = ovl_node_loc(o, n, &dirfd, &name);
	if (r == -ESTALE && n->handles != NULL)
		r = fstat(n->handles->fd, st) < 0 ? -errno : 0;
	else if (r == 0)
		r = fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
	if (r == 0)
		ovl_fix_stat(o, n, st);
	return r;
}

void ovl_unhash_dying(struct ovl *o, int dirfd, const char *name)
{
	struct stat st;
	struct onode *n;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || S_ISDIR(st.st_mode) ||
	    st.st_nlink > 1)
		return;
	n = itab_find(o, st.st_dev, st.st_ino);
	if (n != NULL)
		itab_del(o, n);
}

int ovl_node_set_upper(struct ovl *o, struct onode *n, int pfd, const char *name)
{
	struct stat st;

	if (n->type == S_IFDIR) {
		int fd = open_dir(pfd, name);
		if (fd < 0)
			return -errno;
		if (fstat(fd, &st) < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		n->dirs = xrealloc(n->dirs, n->ndirs + 1, sizeof(*n->dirs));
		memmove(&n->dirs[1], &n->dirs[0], n->ndirs * sizeof(*n->dirs));
		n->dirs[0].layer = 0;
		n->dirs[0].fd = fd;
		n->ndirs++;
	} else if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		return -errno;
	}
	/* read without the lock by reads on open files (ovlops_file.c) */
	__atomic_store_n(&n->layer, 0, __ATOMIC_RELEASE);
	n->dev = st.st_dev;
	n->ino = st.st_ino;
	if (n->type != S_IFDIR)
		itab_add(o, n);
	return 0;
}
