/* ovldir.c: the listing of a merged directory, as overlayfs shows it: the
 * entries of each directory of the stack, top first, where a name shown (or
 * whited out) by a higher layer hides the same name below and whiteouts
 * themselves are never shown. The listing is read whole when the directory
 * is opened and served from memory, which POSIX allows and which keeps
 * offsets stable while the directory changes; reading again from offset 0
 * (rewinddir) after a change lists it anew, as overlayfs does. Also the one
 * walk over a single directory's entries that the rest of the server uses
 * (clearing whiteouts, emptying work/work). Callers hold ovl.lock. */
#include "config.h"
#include "ovlfs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>

/* A readable stream of the directory `dirfd` (which may be O_PATH), or
 * NULL with errno set. */
static DIR *open_stream(int dirfd)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir;

	if (fd < 0)
		return NULL;
	dir = fdopendir(fd);
	if (dir == NULL) {
		int e = errno;
		close(fd);
		errno = e;
	}
	return dir;
}

int ovl_each_entry(int dirfd, int (*fn)(int, const char *))
{
	cleanup_dir DIR *dir = open_stream(dirfd);
	const struct dirent *de;

	if (dir == NULL)
		return -errno;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		int r;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = fn(dirfd, de->d_name);
		if (r < 0)
			return r;
	}
	return errno != 0 ? -errno : 0;
}

static void push(struct odir *d, size_t *cap, const char *name, uint64_t ino, unsigned char type)
{
	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		d->ents = xrealloc(d->ents, *cap, sizeof(*d->ents));
	}
	d->ents[d->n].name = xstrdup(name);
	d->ents[d->n].ino = ino;
	d->ents[d->n].type = type;
	d->n++;
}

/* Add the entries of one layer's directory; `seen` is NULL when it is the
 * only one. */
static int read_layer(struct ovl *o, const struct ostack *s, struct ovl_names *seen, bool last,
		      struct odir *out, size_t *cap)
{
	cleanup_dir DIR *dir = open_stream(s->fd);
	const struct dirent *de;

	if (dir == NULL)
		return -errno;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		unsigned char type = de->d_type;
		const char *name = de->d_name;

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (seen != NULL && ovl_names_has(seen, name))
			continue;
		if (type == DT_CHR || type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd(dir), name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
			type = (unsigned char)IFTODT(st.st_mode);
			if (ovl_is_whiteout(&st)) {
				if (seen != NULL && !last)
					ovl_names_add(seen, name);
				continue;
			}
		}
		if (seen != NULL && !last)
			ovl_names_add(seen, name);
		push(out, cap, name, ovl_mix_ino(de->d_ino, o->layers[s->layer].fsidx, o->nfs), type);
	}
	return errno != 0 ? -errno : 0;
}

int ovl_dir_read(struct ovl *o, const struct onode *dir, struct odir *out)
{
	struct ovl_names seen;
	size_t cap = 0;
	int r = 0;
	uint64_t up = dir->aliases != NULL ? dir->aliases->parent->st_ino : dir->st_ino;

	out->ents = NULL;
	out->n = 0;
	out->version = dir->version;
	push(out, &cap, ".", dir->st_ino, DT_DIR);
	push(out, &cap, "..", up, DT_DIR);
	if (dir->ndirs > 1)
		ovl_names_init(&seen);
	for (size_t i = 0; i < dir->ndirs && r == 0; i++)
		r = read_layer(o, &dir->dirs[i], dir->ndirs > 1 ? &seen : NULL,
			       i + 1 == dir->ndirs, out, &cap);
	if (dir->ndirs > 1)
		ovl_names_free(&seen);
	if (r < 0)
		ovl_dir_free(out);
	return r;
}

void ovl_dir_free(struct odir *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->ents[i].name);
	free(d->ents);
	d->ents = NULL;
	d->n = 0;
}

int ovl_dir_empty(struct ovl *o, const struct onode *dir)
{
	struct odir d;
	int r = ovl_dir_read(o, dir, &d);

	if (r < 0)
		return r;
	r = d.n > 2 ? -ENOTEMPTY : 0;
	ovl_dir_free(&d);
	return r;
}
