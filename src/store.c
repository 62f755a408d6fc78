/* store.c: the image store's directories, lock, records and removal (see
 * store.h). Paths inside the store are only ever names relative to one of
 * its directory fds, and removal never follows a symlink. */
#include "config.h"
#include "store.h"
#include "digest.h"
#include "imgname.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <locale.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

int store_path(char **out, sb_error *err)
{
	const char *x = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (x != NULL && x[0] == '/') {
		*out = xasprintf("%s/sandbox", x);
		return 0;
	}
	if (x != NULL && x[0] != '\0')
		sb_trace("XDG_DATA_HOME '%s' is not absolute: ignored", x);
	if (home != NULL && home[0] == '/') {
		*out = xasprintf("%s/.local/share/sandbox", home);
		return 0;
	}
	return sb_fail(err, 0, "cannot locate the image store: HOME is %s and XDG_DATA_HOME "
		       "is not an absolute path", home ? "not absolute" : "not set"),
	       sb_hint(err, "set HOME, or XDG_DATA_HOME to an absolute path");
}

/* mkdir -p with mode 0700 for what is made. */
static int make_path(const char *path, sb_error *err)
{
	cleanup_free char *p = xstrdup(path);

	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		if (s != NULL)
			*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return sb_fail(err, errno, "cannot create the image store '%s'", p);
		if (s == NULL)
			return 0;
		*s = '/';
	}
}

static int open_sub(struct store *s, const char *name, bool create, int *fd, sb_error *err)
{
	if (create && mkdirat(s->dir, name, 0700) < 0 && errno != EEXIST)
		return sb_fail(err, errno, "cannot create '%s/%s'", s->path, name);
	*fd = openat(s->dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0 && (create || errno != ENOENT))
		return sb_fail(err, errno, "cannot open '%s/%s'", s->path, name);
	return 0;
}

int store_open(struct store *s, bool create, sb_error *err)
{
	memset(s, 0, sizeof(*s));
	s->dir = s->layers = s->images = s->tmp = s->lock = -1;
	if (store_path(&s->path, err) < 0)
		return -1;
	if (create && make_path(s->path, err) < 0)
		return -1;
	s->dir = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dir < 0) {
		if (!create && errno == ENOENT)
			return 0;
		return sb_fail(err, errno, "cannot open the image store '%s'", s->path);
	}
	if (open_sub(s, "layers", create, &s->layers, err) < 0 ||
	    open_sub(s, "images", create, &s->images, err) < 0 ||
	    open_sub(s, "tmp", create, &s->tmp, err) < 0)
		return -1;
	return 0;
}

void store_close(struct store *s)
{
	closep(&s->dir);
	closep(&s->layers);
	closep(&s->images);
	closep(&s->tmp);
	closep(&s->lock);
	free(s->path);
	s->path = NULL;
}

int store_lock(struct store *s, sb_error *err)
{
	s->lock = openat(s->dir, "lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->lock < 0)
		return sb_fail(err, errno, "cannot open the lock of '%s'", s->path);
	if (flock(s->lock, LOCK_EX | LOCK_NB) == 0)
		return 0;
	if (errno != EWOULDBLOCK)
		return sb_fail(err, errno, "cannot lock '%s/lock'", s->path);
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "sandbox: waiting for another import or rmi to finish\n");
	while (flock(s->lock, LOCK_EX) < 0) {
		if (errno != EINTR)
			return sb_fail(err, errno, "cannot lock '%s/lock'", s->path);
	}
	return 0;
}

static int record_cmp(const void *a, const void *b)
{
	return strcmp(((const struct image_record *)a)->name,
		      ((const struct image_record *)b)->name);
}

static int read_record(const struct store *s, const char *file, const char *name,
		       struct image_record *r, sb_error *err)
{
	cleanup_free char *text = NULL;
	cleanup_free char *what = xasprintf("%s/images/%s", s->path, file);

	if (read_file_at(s->images, file, &text, NULL, err) < 0)
		return -1;
	if (image_record_from_json(text, what, r, err) < 0)
		return -1;
	/* The file name is the authority on the name. */
	free(r->name);
	r->name = xstrdup(name);
	return 0;
}

int store_images(const struct store *s, bool strict, struct image_record **out, size_t *n,
		 sb_error *err)
{
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	struct image_record *v = NULL;
	size_t cnt = 0;
	int fd;

	*out = NULL;
	*n = 0;
	if (s->images < 0)
		return 0;
	fd = fcntl(s->images, F_DUPFD_CLOEXEC, 3);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return sb_fail(err, errno, "cannot list '%s/images'", s->path);
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		cleanup_free char *name = image_file_to_name(de->d_name);
		cleanup_error sb_error e = NULL;

		if (name == NULL)
			continue;
		v = xrealloc(v, cnt + 1, sizeof(*v));
		if (read_record(s, de->d_name, name, &v[cnt], &e) == 0) {
			cnt++;
			continue;
		}
		if (strict) {
			store_images_free(v, cnt);
			*err = steal_ptr(&e);
			return -1;
		}
		sb_warn("%s", e->msg);
	}
	if (errno != 0) {
		int saved = errno;
		store_images_free(v, cnt);
		return sb_fail(err, saved, "cannot list '%s/images'", s->path);
	}
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), record_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

void store_images_free(struct image_record *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		image_record_free(&v[i]);
	free(v);
}

int store_image(const struct store *s, const char *name, struct image_record *r,
		sb_error *err)
{
	cleanup_free char *file = image_name_to_file(name);
	struct stat st;

	memset(r, 0, sizeof(*r));
	if (s->images < 0 || (fstatat(s->images, file, &st, AT_SYMLINK_NOFOLLOW) < 0 &&
			      errno == ENOENT))
		return sb_fail(err, 0, "no image '%s' in the store", name),
		       sb_hint(err, "see 'sandbox images'");
	return read_record(s, file, name, r, err);
}

int store_put_image(const struct store *s, const struct image_record *r, sb_error *err)
{
	cleanup_free char *json = image_record_to_json(r);
	cleanup_free char *file = image_name_to_file(r->name);
	cleanup_free char *tmp = xasprintf("image.%d.json", (int)getpid());
	cleanup_close int fd = openat(s->tmp, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				      O_CLOEXEC, 0644);

	if (fd < 0)
		return sb_fail(err, errno, "cannot create '%s/tmp/%s'", s->path, tmp);
	if (write_all(fd, json, strlen(json)) < 0 || fsync(fd) < 0)
		return sb_fail(err, errno, "cannot write '%s/tmp/%s'", s->path, tmp);
	if (renameat(s->tmp, tmp, s->images, file) < 0)
		return sb_fail(err, errno, "cannot rename the record into '%s/images/%s'",
			       s->path, file);
	if (fsync(s->images) < 0)
		return sb_fail(err, errno, "cannot sync '%s/images'", s->path);
	return 0;
}

int store_drop_image(const struct store *s, const char *name, sb_error *err)
{
	cleanup_free char *file = image_name_to_file(name);

	if (unlinkat(s->images, file, 0) < 0)
		return sb_fail(err, errno, "cannot remove '%s/images/%s'", s->path, file);
	return 0;
}

bool store_has_layer(const struct store *s, const char *diffid)
{
	struct stat st;

	return s->layers >= 0 && digest_valid(diffid) &&
	       fstatat(s->layers, digest_hex(diffid), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* Empty the directory read by d. One fd per level of the tree: a layer's
 * depth is bounded (extract.c), and the child raises its fd limit. */
static int rm_children(DIR *d, const char *name, sb_error *err)
{
	for (int pass = 0; pass < 2; pass++) {
		struct dirent *de;
		size_t seen = 0;

		rewinddir(d);
		while ((errno = 0, de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			seen++;
			if (rm_tree_at(dirfd(d), de->d_name, err) < 0)
				return -1;
		}
		if (errno != 0)
			return sb_fail(err, errno, "cannot list '%s'", name);
		if (seen == 0)
			break;
	}
	return 0;
}

int rm_tree_at(int dirfd, const char *name, sb_error *err)
{
	struct stat st;
	DIR *d;
	int fd, r;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return sb_fail(err, errno, "cannot stat '%s'", name);
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
			return sb_fail(err, errno, "cannot remove '%s'", name);
		return 0;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return sb_fail(err, errno, "cannot open '%s'", name);
	d = fdopendir(fd);
	if (d == NULL) {
		sb_fail(err, errno, "cannot list '%s'", name);
		close(fd);
		return -1;
	}
	r = rm_children(d, name, err);
	closedir(d);
	if (r < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return sb_fail(err, errno, "cannot remove '%s'", name);
	return 0;
}

/* Names of dirfd's entries except "." and ".." (NULL-terminated). */
static int list_dir(int dirfd, const char *what, char ***out, sb_error *err)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 3);
	cleanup_dir DIR *d = NULL;
	struct dirent *de;
	char **v = xcalloc(1, sizeof(char *));
	size_t n = 0;

	*out = NULL;
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		sb_fail(err, errno, "cannot list '%s'", what);
		if (fd >= 0)
			close(fd);
		free(v);
		return -1;
	}
	rewinddir(d);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		v = xrealloc(v, n + 2, sizeof(char *));
		v[n++] = xstrdup(de->d_name);
		v[n] = NULL;
	}
	if (errno != 0) {
		sb_fail(err, errno, "cannot list '%s'", what);
		strv_free(v);
		return -1;
	}
	*out = v;
	return 0;
}

int store_clean_tmp(const struct store *s, sb_error *err)
{
	char **names = NULL;
	int r = 0;

	if (list_dir(s->tmp, "tmp", &names, err) < 0)
		return -1;
	for (size_t i = 0; names[i] != NULL && r == 0; i++) {
		sb_trace("removing the leftover '%s/tmp/%s'", s->path, names[i]);
		r = rm_tree_at(s->tmp, names[i], err);
	}
	strv_free(names);
	if (r < 0)
		return sb_wrap(err, "cannot clean '%s/tmp'", s->path);
	return 0;
}

static bool referenced(const struct image_record *v, size_t n, const char *hex)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < v[i].n_layers; j++)
			if (strcmp(digest_hex(v[i].layers[j].diffid), hex) == 0)
				return true;
	return false;
}

int store_gc(const struct store *s, sb_error *err)
{
	struct image_record *v = NULL;
	cleanup_error sb_error bad = NULL;
	char **names = NULL;
	size_t n = 0;
	int r = 0;

	if (store_images(s, true, &v, &n, &bad) < 0) {
		sb_warn("unused layers are kept: %s", bad->msg);
		return 0;
	}
	if (list_dir(s->layers, "layers", &names, err) < 0) {
		store_images_free(v, n);
		return -1;
	}
	for (size_t i = 0; names[i] != NULL && r == 0; i++) {
		cleanup_free char *gone = NULL;

		if (!digest_hex_valid(names[i]) || referenced(v, n, names[i]))
			continue;
		gone = xasprintf("gc-%s", names[i]);
		sb_trace("removing the unused layer %s", names[i]);
		if (renameat(s->layers, names[i], s->tmp, gone) < 0)
			r = sb_fail(err, errno, "cannot move the unused layer '%s'", names[i]);
		else
			r = rm_tree_at(s->tmp, gone, err);
	}
	strv_free(names);
	store_images_free(v, n);
	if (r < 0)
		return sb_wrap(err, "cannot remove unused layers from '%s'", s->path);
	return 0;
}

void store_child_setup(void)
{
	struct rlimit rl;

	/* Modes are the layer's own, whatever the caller's umask (implicit
	 * parent directories are made 0755). */
	umask(0);
	/* Names in pax headers are UTF-8: read them as they are. */
	(void)setlocale(LC_CTYPE, "C.UTF-8");
	/* Removing a deep tree holds one directory fd per level. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}
