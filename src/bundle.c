/* bundle.c: image archives as named members (see bundle.h). A directory is
 * read through openat2(RESOLVE_BENEATH), so its symlinks may point inside
 * it but never out; a tar's own symlinks and hardlinks (docker save writes
 * them for repeated layers) are resolved lexically against its members. */
#include "config.h"
#include "bundle.h"
#include "tarpath.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define SMALL_MAX (4 << 20)   /* members read whole: manifests and configs */
#define LINK_HOPS 16

struct member {
	char *name;      /* clean */
	mode_t type;     /* AE_IF* */
	char *link;      /* symlink target as written, or clean hardlink target */
	bool hard;
	char *data;      /* whole contents of a small regular member */
	size_t len;
};

static struct archive *tar_reader(int fd, const char *path, sb_error *err)
{
	struct archive *a;

	if (lseek(fd, 0, SEEK_SET) < 0) {
		sb_fail(err, errno, "cannot read '%s' twice (a pipe?)", path);
		return NULL;
	}
	a = archive_read_new();
	if (a == NULL)
		sb_oom();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, 1 << 20) != ARCHIVE_OK) {
		sb_fail(err, 0, "not a tar archive, an OCI layout or a docker-save archive (%s)",
			archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Does this member show that the tar is a plain layer, not an image archive?
 * Image archives hold documents and blobs at most three levels down
 * ("blobs/sha256/<hex>", "<hex>/layer.tar"): a deeper name, a device, a
 * fifo or a whiteout is a file system's. Stops the scan of a root file
 * system tarball at its first few entries. */
static bool plain_member(const char *name, mode_t type)
{
	size_t depth = 1;

	if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || strstr(name, ".wh.") != NULL)
		return true;
	for (const char *p = name; *p; p++)
		depth += *p == '/';
	return depth > 3;
}

/* Members worth reading whole in the scan: the JSON documents. */
static bool document_member(const char *name)
{
	size_t len = strlen(name);

	return strcmp(name, "oci-layout") == 0 || strncmp(name, "blobs/", 6) == 0 ||
	       (len > 5 && strcmp(name + len - 5, ".json") == 0);
}

static int read_small(struct archive *a, struct member *m, int64_t size, sb_error *err)
{
	m->data = xcalloc((size_t)size + 1, 1);
	while (m->len < (size_t)size) {
		la_ssize_t n = archive_read_data(a, m->data + m->len, (size_t)size - m->len);
		if (n < 0)
			return sb_fail(err, 0, "member '%s': %s", m->name, archive_error_string(a));
		if (n == 0)
			break;
		m->len += (size_t)n;
	}
	return 0;
}

static const struct member *find(const struct bundle *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->m[i].name, name) == 0)
			return &b->m[i];
	return NULL;
}

/* Record one member; *plain when it shows this is no image archive. */
static int scan_entry(struct bundle *b, struct archive *a, struct archive_entry *e,
		      bool *plain, sb_error *err)
{
	const char *raw = archive_entry_pathname(e);
	const char *hard = archive_entry_hardlink(e);
	const char *sym = archive_entry_symlink(e);
	cleanup_error sb_error ignored = NULL;
	struct member *m;
	char *name = NULL;

	if (raw == NULL || tarpath_clean(raw, "member", &name, &ignored) < 0 ||
	    plain_member(name, archive_entry_filetype(e))) {
		free(name);
		*plain = true;
		return 0;
	}
	b->m = xrealloc(b->m, b->n + 1, sizeof(*b->m));
	m = &b->m[b->n++];
	memset(m, 0, sizeof(*m));
	m->name = name;
	m->type = archive_entry_filetype(e);
	if (hard != NULL) {
		m->hard = true;
		if (tarpath_clean(hard, "hardlink target", &m->link, &ignored) < 0)
			m->link = xstrdup("/");   /* never matches a member */
		return 0;
	}
	if (m->type == AE_IFLNK && sym != NULL)
		m->link = xstrdup(sym);
	if (m->type == AE_IFREG && archive_entry_size(e) <= SMALL_MAX && document_member(name))
		return read_small(a, m, archive_entry_size(e), err);
	return 0;
}

static int scan(struct bundle *b, sb_error *err)
{
	struct archive *a = tar_reader(b->fd, b->path, err);
	struct archive_entry *e;
	bool plain = false;
	int r = 0;

	if (a == NULL)
		return -1;
	while (!plain) {
		int h = archive_read_next_header(a, &e);
		if (h == ARCHIVE_EOF)
			break;
		if (h < ARCHIVE_WARN) {
			r = sb_fail(err, 0, "%s", archive_error_string(a));
			break;
		}
		if (scan_entry(b, a, e, &plain, err) < 0) {
			r = -1;
			break;
		}
	}
	archive_read_free(a);
	b->image = r == 0 && !plain &&
		   (bundle_has(b, "manifest.json") ||
		    (bundle_has(b, "index.json") && bundle_has(b, "oci-layout")));
	return r;
}

static bool dir_has(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, 0) == 0 && S_ISREG(st.st_mode);
}

int bundle_open(const char *path, struct bundle *b, sb_error *err)
{
	struct stat st;

	memset(b, 0, sizeof(*b));
	b->dirfd = b->fd = -1;
	b->path = xstrdup(path);
	if (stat(path, &st) < 0)
		return sb_fail(err, errno, "open");
	if (S_ISDIR(st.st_mode)) {
		b->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (b->dirfd < 0)
			return sb_fail(err, errno, "open");
		b->image = dir_has(b->dirfd, "manifest.json") ||
			   (dir_has(b->dirfd, "index.json") && dir_has(b->dirfd, "oci-layout"));
		if (!b->image)
			return sb_fail(err, 0, "the directory is neither an OCI layout (oci-layout, "
				       "index.json) nor a docker-save directory (manifest.json)");
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return sb_fail(err, 0, "not a file or a directory");
	b->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (b->fd < 0)
		return sb_fail(err, errno, "open");
	return scan(b, err);
}

void bundle_close(struct bundle *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->m[i].name);
		free(b->m[i].link);
		free(b->m[i].data);
	}
	free(b->m);
	free(b->path);
	closep(&b->dirfd);
	closep(&b->fd);
	memset(b, 0, sizeof(*b));
	b->dirfd = b->fd = -1;
}

bool bundle_has(const struct bundle *b, const char *name)
{
	if (b->dirfd >= 0)
		return dir_has(b->dirfd, name);
	return find(b, name) != NULL;
}

static int open_beneath(const struct bundle *b, const char *raw, const char *name, int *fd,
			sb_error *err)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	struct stat st;

	*fd = (int)syscall(SYS_openat2, b->dirfd, name, &how, sizeof(how));
	if (*fd < 0 && errno == EXDEV)
		return sb_fail(err, 0, "manifest path '%s' leads outside the archive", raw);
	if (*fd < 0)
		return sb_fail(err, errno, "manifest path '%s'", raw);
	if (fstat(*fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		closep(fd);
		return sb_fail(err, 0, "manifest path '%s' is not a regular file", raw);
	}
	return 0;
}

int bundle_resolve(const struct bundle *b, const char *raw, char **canon, sb_error *err)
{
	cleanup_error sb_error why = NULL;
	char *name = NULL;

	if (tarpath_clean(raw, "manifest path", &name, &why) < 0 || name[0] == '\0') {
		free(name);
		return sb_fail(err, 0, "manifest path '%s' points outside the archive", raw);
	}
	if (b->dirfd >= 0) {
		cleanup_close int fd = -1;
		if (open_beneath(b, raw, name, &fd, err) < 0) {
			free(name);
			return -1;
		}
		*canon = name;
		return 0;
	}
	for (int hop = 0; hop < LINK_HOPS; hop++) {
		const struct member *m = find(b, name);
		char *next = NULL;

		if (m == NULL) {
			free(name);
			return sb_fail(err, 0, "manifest path '%s' is not in the archive", raw);
		}
		if (!m->hard && m->type == AE_IFREG) {
			*canon = name;
			return 0;
		}
		if (m->hard)
			next = xstrdup(m->link);
		else if (m->type != AE_IFLNK || m->link == NULL ||
			 tarpath_resolve_link(m->name, m->link, &next, &why) < 0) {
			free(name);
			return sb_fail(err, 0, "manifest path '%s' %s", raw,
				       m->type == AE_IFLNK ? "leads outside the archive"
							   : "is not a regular file");
		}
		free(name);
		name = next;
	}
	free(name);
	return sb_fail(err, 0, "manifest path '%s': too many links", raw);
}

int bundle_read(const struct bundle *b, const char *canon, char **data, size_t *len,
		sb_error *err)
{
	const struct member *m;

	if (b->dirfd >= 0) {
		cleanup_close int fd = -1;
		struct stat st;
		ssize_t got;

		if (open_beneath(b, canon, canon, &fd, err) < 0)
			return -1;
		if (fstat(fd, &st) < 0)
			return sb_fail(err, errno, "'%s'", canon);
		if (st.st_size > SMALL_MAX)
			return sb_fail(err, 0, "'%s' is too large for a manifest or config", canon);
		*data = xcalloc((size_t)st.st_size + 1, 1);
		got = read_all(fd, *data, (size_t)st.st_size);
		if (got < 0) {
			free(steal_ptr(data));
			return sb_fail(err, errno, "read '%s'", canon);
		}
		if (len != NULL)
			*len = (size_t)got;
		return 0;
	}
	m = find(b, canon);
	if (m == NULL)
		return sb_fail(err, 0, "'%s' is not in the archive", canon);
	if (m->data == NULL)
		return sb_fail(err, 0, "'%s' is too large for a manifest or config", canon);
	*data = xcalloc(m->len + 1, 1);
	memcpy(*data, m->data, m->len);
	if (len != NULL)
		*len = m->len;
	return 0;
}

int bundle_open_member(const struct bundle *b, const char *canon, int *fd, sb_error *err)
{
	return open_beneath(b, canon, canon, fd, err);
}

int bundle_stream(const struct bundle *b, char *const *wanted, size_t n,
		  int (*fn)(void *ctx, size_t i, struct archive *a, sb_error *err), void *ctx,
		  sb_error *err)
{
	struct archive *a = tar_reader(b->fd, b->path, err);
	struct archive_entry *e;
	bool *done = xcalloc(n, sizeof(bool));
	size_t left = n;
	int r = 0;

	if (a == NULL) {
		free(done);
		return -1;
	}
	while (left > 0 && r == 0) {
		cleanup_error sb_error ignored = NULL;
		cleanup_free char *name = NULL;
		const char *raw;
		int h = archive_read_next_header(a, &e);

		if (h == ARCHIVE_EOF)
			break;
		if (h < ARCHIVE_WARN) {
			r = sb_fail(err, 0, "'%s': %s", b->path, archive_error_string(a));
			break;
		}
		raw = archive_entry_pathname(e);
		if (raw == NULL || archive_entry_hardlink(e) != NULL ||
		    tarpath_clean(raw, "member", &name, &ignored) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			if (done[i] || strcmp(wanted[i], name) != 0)
				continue;
			done[i] = true;
			left--;
			r = fn(ctx, i, a, err);
			break;
		}
	}
	archive_read_free(a);
	for (size_t i = 0; i < n && r == 0; i++)
		if (!done[i])
			r = sb_fail(err, 0, "'%s' vanished from '%s'", wanted[i], b->path);
	free(done);
	return r;
}
