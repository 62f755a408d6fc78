/* ovltree.c: manifests of directory trees for the FUSE overlay test. A
 * manifest has one line per entry, sorted by path: type, mode, owner, size,
 * link count, mtime (exact when it is one of the fixed times the test set,
 * "new" when something wrote it during the run), a hash of a file's data, a
 * link's target or a device's numbers, and the extended attributes with
 * their values. Two trees are the same when their manifests are equal. */
#include "config.h"
#include "ovltest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

struct lines {
	char **v;
	size_t n, cap;
};

static void add_line(struct lines *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (l->v == NULL)
			abort();
	}
	l->v[l->n++] = s;
}

static int hash_file(const char *path, uint64_t *out)
{
	char buf[65536];
	uint64_t h = 14695981039346656037ULL;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
	close(fd);
	*out = h;
	return n < 0 ? -1 : 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "name=value,..." of the xattrs of path, sorted. */
static int xattrs(const char *path, bool upper, char *out, size_t len)
{
	char list[4096], val[256];
	const char *names[64];
	size_t nn = 0, used = 0;
	ssize_t n = llistxattr(path, list, sizeof(list));

	out[0] = '\0';
	if (n < 0)
		return errno == ENOTSUP ? 0 : -1;
	for (const char *p = list; p < list + n && nn < 64; p += strlen(p) + 1) {
		if (upper && strncmp(p, "user.overlay.", 13) == 0 &&
		    strcmp(p, "user.overlay.opaque") != 0 &&
		    strncmp(p, "user.overlay.overlay.", 21) != 0)
			continue;
		names[nn++] = p;
	}
	qsort(names, nn, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		ssize_t vl = lgetxattr(path, names[i], val, sizeof(val) - 1);
		int w;
		if (vl < 0)
			return -1;
		val[vl] = '\0';
		w = snprintf(out + used, len - used, "%s%s=%s", i ? "," : "", names[i], val);
		if (w < 0 || (size_t)w >= len - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

static char type_char(const struct stat *st, bool upper)
{
	if (upper && S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0))
		return 'w';
	switch (st->st_mode & S_IFMT) {
	case S_IFDIR: return 'd';
	case S_IFREG: return 'f';
	case S_IFLNK: return 'l';
	case S_IFIFO: return 'p';
	case S_IFCHR: return 'c';
	case S_IFBLK: return 'b';
	default: return 's';
	}
}

static int entry_line(const char *root, const char *rel, bool upper, struct lines *l)
{
	char path[PATH_MAX], extra[PATH_MAX] = "-", xa[2048], mt[32], nl[32], sz[32], *line;
	struct stat st;
	char t;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (lstat(path, &st) < 0)
		return -1;
	t = type_char(&st, upper);
	if (t == 'w') {
		/* overlayfs hard-links its whiteouts together: no count */
		if (asprintf(&line, "%s|w|%04o|%u:%u", rel, (unsigned)(st.st_mode & 07777),
			     (unsigned)st.st_uid, (unsigned)st.st_gid) < 0)
			abort();
		add_line(l, line);
		return 0;
	}
	if (t == 'f') {
		uint64_t h;
		if (hash_file(path, &h) < 0)
			return -1;
		snprintf(extra, sizeof(extra), "%016llx", (unsigned long long)h);
	} else if (t == 'l') {
		ssize_t n = readlink(path, extra, sizeof(extra) - 1);
		if (n < 0)
			return -1;
		extra[n] = '\0';
	} else if (t == 'c' || t == 'b') {
		snprintf(extra, sizeof(extra), "%u/%u", major(st.st_rdev), minor(st.st_rdev));
	}
	if (xattrs(path, upper, xa, sizeof(xa)) < 0)
		return -1;
	if (st.st_mtime < OVLT_NEW)
		snprintf(mt, sizeof(mt), "%lld", (long long)st.st_mtime);
	else
		snprintf(mt, sizeof(mt), "new");
	snprintf(nl, sizeof(nl), "%lu", (unsigned long)st.st_nlink);
	if (t == 'd')
		snprintf(sz, sizeof(sz), "-");
	else
		snprintf(sz, sizeof(sz), "%lld", (long long)st.st_size);
	if (asprintf(&line, "%s|%c|%04o|%u:%u|%s|%s|%s|%s|%s", rel, t,
		     (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
		     sz, nl, mt, extra, xa) < 0)
		abort();
	add_line(l, line);
	return 0;
}

static int walk(const char *root, const char *rel, bool upper, struct lines *l)
{
	char path[PATH_MAX];
	DIR *d;
	const struct dirent *de;
	int r = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while (r == 0 && (de = readdir(d)) != NULL) {
		char sub[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
		r = entry_line(root, sub, upper, l);
		if (r == 0 && fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode))
			r = walk(root, sub, upper, l);
	}
	closedir(d);
	return r;
}

char *ovlt_manifest(const char *root, bool upper)
{
	struct lines l = { 0 };
	size_t len = 1, used = 0;
	char *out;

	if (entry_line(root, ".", upper, &l) < 0 || walk(root, "", upper, &l) < 0) {
		printf("# manifest of %s failed: %s\n", root, strerror(errno));
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
		return NULL;
	}
	qsort(l.v, l.n, sizeof(l.v[0]), cmp_str);
	for (size_t i = 0; i < l.n; i++)
		len += strlen(l.v[i]) + 1;
	out = malloc(len);
	if (out == NULL)
		abort();
	for (size_t i = 0; i < l.n; i++) {
		size_t n = strlen(l.v[i]);
		memcpy(out + used, l.v[i], n);
		out[used + n] = '\n';
		used += n + 1;
		free(l.v[i]);
	}
	out[used] = '\0';
	free(l.v);
	return out;
}

static char *next_line(const char **p)
{
	const char *nl;
	char *s;

	if (**p == '\0')
		return NULL;
	nl = strchr(*p, '\n');
	s = strndup(*p, (size_t)(nl - *p));
	*p = nl + 1;
	return s;
}

int ovlt_diff(const char *a, const char *b, const char *name_a, const char *name_b)
{
	const char *pa = a, *pb = b;
	char *la = next_line(&pa), *lb = next_line(&pb);
	int ndiff = 0;

	while (la != NULL || lb != NULL) {
		int c = la == NULL ? 1 : lb == NULL ? -1 : strcmp(la, lb);
		if (c != 0 && ndiff++ < 20)
			printf("# only in %s: %s\n", c < 0 ? name_a : name_b, c < 0 ? la : lb);
		if (c <= 0) {
			free(la);
			la = next_line(&pa);
		}
		if (c >= 0) {
			free(lb);
			lb = next_line(&pb);
		}
	}
	return ndiff;
}

int ovlt_mkdir(const char *path)
{
	return mkdir(path, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT ? -1 : 0;
}

int ovlt_rm_rf(const char *path)
{
	return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT ? -1 : 0;
}
