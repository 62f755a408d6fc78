/* extract.c: one layer tar onto disk, confined to the layer root (see
 * extract.h). Order per entry: clean and check the name, classify whiteouts,
 * resolve (or make) the parent without following symlinks, remove an old
 * entry of the same name, create the new one without following symlinks,
 * then owner, mode (after chown, which clears set-id bits), xattrs (after
 * chown, which clears security.capability) and times. Directory times are
 * set last, since creating their children changes them. */
#include "config.h"
#include "extract.h"
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
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#define OPAQUE_XATTR "user.overlay.opaque"
#define RESOLVE_FLAGS (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | \
		       RESOLVE_NO_XDEV)

struct dir_time {
	char *path;
	struct timespec ts[2];
};

static bool have_openat2 = true;

void extract_init(struct extractor *x, int rootfd)
{
	memset(x, 0, sizeof(*x));
	x->root = rootfd;
	x->cache_fd = -1;
}

void extract_free(struct extractor *x)
{
	free(x->cache_dir);
	closep(&x->cache_fd);
	for (size_t i = 0; i < x->n_dirs; i++)
		free(x->dirs[i].path);
	free(x->dirs);
	x->cache_dir = NULL;
	x->dirs = NULL;
	x->n_dirs = x->cap_dirs = 0;
}

/* openat2 below `dfd` refusing symlinks; -1 with errno. */
static int open_beneath(int dfd, const char *rel, int flags)
{
	struct open_how how = { .flags = (uint64_t)flags | O_CLOEXEC, .resolve = RESOLVE_FLAGS };

	if (have_openat2) {
		int fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd;
		have_openat2 = false;
	}
	errno = ENOSYS;
	return -1;
}

/* Walk `dir` one component at a time (each a plain name, never ".."), with
 * O_NOFOLLOW, making missing directories when `make`; names the component
 * that is a symlink or not a directory. The fallback of open_beneath, and
 * the way to make parents. */
static int walk(struct extractor *x, const char *dir, bool make, const char *entry,
		sb_error *err)
{
	cleanup_free char *copy = xstrdup(dir);
	cleanup_close int cur = fcntl(x->root, F_DUPFD_CLOEXEC, 3);
	char *save = NULL;

	if (cur < 0)
		return sb_fail(err, errno, "dup");
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		int len = (int)(c + strlen(c) - copy);
		struct stat st;

		if (next < 0 && errno == ENOENT && make) {
			if (mkdirat(cur, c, 0755) < 0 && errno != EEXIST)
				return sb_fail(err, errno, "entry '%s': cannot make its directory "
					       "'%.*s'", entry, len, dir);
			next = openat(cur, c, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			int e = errno;
			if (fstatat(cur, c, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				return sb_fail(err, 0, "entry '%s': '%.*s' is a symlink; writing "
					       "through a symlink is refused", entry, len, dir);
			if (e == ENOTDIR)
				return sb_fail(err, 0, "entry '%s': '%.*s' is not a directory",
					       entry, len, dir);
			return sb_fail(err, e, "entry '%s': open '%.*s'", entry, len, dir);
		}
		close(cur);
		cur = next;
	}
	return steal_fd(&cur);
}

/* O_PATH fd of the directory `dir` below the layer root: one openat2, or
 * the walk when that fails (to make missing parents or say why). */
static int resolve_dir(struct extractor *x, const char *dir, bool make, const char *entry,
		       sb_error *err)
{
	int fd;

	if (dir[0] == '\0')
		return fcntl(x->root, F_DUPFD_CLOEXEC, 3);
	fd = open_beneath(x->root, dir, O_PATH | O_DIRECTORY);
	if (fd >= 0)
		return fd;
	if (errno != ENOENT && errno != ELOOP && errno != ENOTDIR && errno != ENOSYS &&
	    errno != EXDEV)
		return sb_fail(err, errno, "entry '%s': open '%s'", entry, dir);
	return walk(x, dir, make, entry, err);
}

/* The parent directory `dir` of the current entry (kept open for the next
 * entries in the same directory; owned by x). */
static int parent_fd(struct extractor *x, const char *dir, const char *entry, sb_error *err)
{
	int fd;

	if (dir[0] == '\0')
		return x->root;
	if (x->cache_dir != NULL && strcmp(x->cache_dir, dir) == 0)
		return x->cache_fd;
	fd = resolve_dir(x, dir, true, entry, err);
	if (fd < 0)
		return -1;
	closep(&x->cache_fd);
	free(x->cache_dir);
	x->cache_dir = xstrdup(dir);
	x->cache_fd = fd;
	return fd;
}

/* Remove what is at parent/base so that a new entry can take its place; an
 * existing directory stays when `keep_dir` (*is_dir is then set). */
static int make_room(int parent, const char *base, bool keep_dir, bool *is_dir,
		     const char *entry, sb_error *err)
{
	struct stat st;

	if (is_dir != NULL)
		*is_dir = false;
	if (fstatat(parent, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return sb_fail(err, errno, "entry '%s': stat", entry);
	}
	if (S_ISDIR(st.st_mode)) {
		if (keep_dir) {
			*is_dir = true;
			return 0;
		}
		if (unlinkat(parent, base, AT_REMOVEDIR) < 0)
			return sb_fail(err, errno, "entry '%s' would replace a directory", entry);
		return 0;
	}
	if (unlinkat(parent, base, 0) < 0)
		return sb_fail(err, errno, "entry '%s': remove the earlier entry", entry);
	return 0;
}

/* chown through fd (fd >= 0) or parent/base without following a symlink.
 * An owner the namespace does not map is left to root, and counted. */
static int set_owner(struct extractor *x, int fd, int parent, const char *base,
		     struct archive_entry *e, const char *entry, sb_error *err)
{
	la_int64_t u = archive_entry_uid(e), g = archive_entry_gid(e);
	int r;

	if (u == 0 && g == 0)
		return 0;
	if (u < 0 || g < 0 || u >= UINT32_MAX || g >= UINT32_MAX) {
		x->st.unmapped++;
		return 0;
	}
	if (fd >= 0)
		r = fchown(fd, (uid_t)u, (gid_t)g);
	else
		r = fchownat(parent, base, (uid_t)u, (gid_t)g, AT_SYMLINK_NOFOLLOW);
	if (r < 0 && errno == EINVAL) {
		x->st.unmapped++;
		return 0;
	}
	if (r < 0)
		return sb_fail(err, errno, "entry '%s': chown to %lld:%lld", entry, (long long)u,
			       (long long)g);
	return 0;
}

static bool xattr_kept(const char *name, bool regular)
{
	if (strncmp(name, "user.", 5) == 0)
		return strncmp(name, "user.overlay.", 13) != 0;
	return regular && strcmp(name, "security.capability") == 0;
}

/* user.* (not user.overlay.*, which only whiteouts may set) and, on regular
 * files, security.capability; other namespaces are not the layer's to set. */
static int set_xattrs(int fd, struct archive_entry *e, bool regular, const char *entry,
		      sb_error *err)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
		if (name == NULL || !xattr_kept(name, regular))
			continue;
		if (fsetxattr(fd, name, value, size, 0) < 0)
			return sb_fail(err, errno, "entry '%s': set xattr '%s'", entry, name);
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
}

/* Owner, mode, xattrs and times of a regular file or directory open at fd.
 * A new regular file already has its permission bits (the import runs with
 * umask 0); the set-id and sticky bits come after chown, which clears them. */
static int finish_fd(struct extractor *x, int fd, struct archive_entry *e, bool regular,
		     const char *entry, sb_error *err)
{
	mode_t perm = archive_entry_perm(e) & 07777;
	struct timespec ts[2];

	if (set_owner(x, fd, -1, NULL, e, entry, err) < 0)
		return -1;
	if ((!regular || (perm & 07000) != 0) && fchmod(fd, perm) < 0)
		return sb_fail(err, errno, "entry '%s': chmod", entry);
	if (set_xattrs(fd, e, regular, entry, err) < 0)
		return -1;
	if (!regular)
		return 0;
	entry_times(e, ts);
	if (futimens(fd, ts) < 0)
		return sb_fail(err, errno, "entry '%s': set times", entry);
	return 0;
}

/* Write the entry's data blocks where they belong; *end is where the last
 * one ended (less than the size when the file ends in a hole). */
static int write_data(int fd, struct archive *a, int64_t *end, const char *entry,
		      sb_error *err)
{
	*end = 0;
	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = archive_read_data_block(a, &buf, &size, &off);
		const char *p = buf;

		if (r == ARCHIVE_EOF)
			return 0;
		if (r < ARCHIVE_WARN)
			return sb_fail(err, 0, "entry '%s': %s", entry, archive_error_string(a));
		while (size > 0) {
			ssize_t n = pwrite(fd, p, size, (off_t)off);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return sb_fail(err, errno, "entry '%s': write", entry);
			p += n;
			off += n;
			size -= (size_t)n;
		}
		*end = off;
	}
}

static int make_file(struct extractor *x, int parent, const char *base, struct archive *a,
		     struct archive_entry *e, const char *entry, sb_error *err)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	mode_t mode = archive_entry_perm(e) & 0777;
	cleanup_close int fd = openat(parent, base, flags, mode);
	int64_t end;

	if (fd < 0 && errno == EEXIST) {
		if (make_room(parent, base, false, NULL, entry, err) < 0)
			return -1;
		fd = openat(parent, base, flags, mode);
	}
	if (fd < 0)
		return sb_fail(err, errno, "entry '%s': create", entry);
	if (write_data(fd, a, &end, entry, err) < 0)
		return -1;
	/* A sparse file may end in a hole. */
	if (archive_entry_size_is_set(e) && end < archive_entry_size(e) &&
	    ftruncate(fd, archive_entry_size(e)) < 0)
		return sb_fail(err, errno, "entry '%s': set size", entry);
	return finish_fd(x, fd, e, true, entry, err);
}

static void remember_dir(struct extractor *x, const char *path, struct archive_entry *e)
{
	if (x->n_dirs == x->cap_dirs) {
		x->cap_dirs = x->cap_dirs ? x->cap_dirs * 2 : 64;
		x->dirs = xrealloc(x->dirs, x->cap_dirs, sizeof(*x->dirs));
	}
	x->dirs[x->n_dirs].path = xstrdup(path);
	entry_times(e, x->dirs[x->n_dirs].ts);
	x->n_dirs++;
}

static int make_dir(struct extractor *x, int parent, const char *base, const char *path,
		    struct archive_entry *e, const char *entry, sb_error *err)
{
	cleanup_close int fd = -1;
	bool exists = false;

	if (path[0] == '\0') {
		fd = fcntl(x->root, F_DUPFD_CLOEXEC, 3);
	} else {
		if (make_room(parent, base, true, &exists, entry, err) < 0)
			return -1;
		if (!exists && mkdirat(parent, base, 0700) < 0)
			return sb_fail(err, errno, "entry '%s': mkdir", entry);
		fd = openat(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return sb_fail(err, errno, "entry '%s': open", entry);
	if (finish_fd(x, fd, e, false, entry, err) < 0)
		return -1;
	remember_dir(x, path, e);
	return 0;
}

/* Symlinks, fifos and whiteout devices: no fd to work through. */
static int finish_at(struct extractor *x, int parent, const char *base, struct archive_entry *e,
		     bool chmod_too, const char *entry, sb_error *err)
{
	struct timespec ts[2];

	if (set_owner(x, -1, parent, base, e, entry, err) < 0)
		return -1;
	if (chmod_too && fchmodat(parent, base, archive_entry_perm(e) & 07777, 0) < 0)
		return sb_fail(err, errno, "entry '%s': chmod", entry);
	entry_times(e, ts);
	if (utimensat(parent, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return sb_fail(err, errno, "entry '%s': set times", entry);
	return 0;
}

/* The name of a link target, NULL if it cannot be decoded. */
static const char *link_name(const char *mbs, const char *utf8)
{
	return mbs != NULL ? mbs : utf8;
}

static int make_symlink(struct extractor *x, int parent, const char *base,
			struct archive_entry *e, const char *entry, sb_error *err)
{
	const char *target = link_name(archive_entry_symlink(e), archive_entry_symlink_utf8(e));

	if (target == NULL || target[0] == '\0')
		return sb_fail(err, 0, "symlink entry '%s' has no readable target", entry);
	if (make_room(parent, base, false, NULL, entry, err) < 0)
		return -1;
	if (symlinkat(target, parent, base) < 0)
		return sb_fail(err, errno, "entry '%s': symlink", entry);
	return finish_at(x, parent, base, e, false, entry, err);
}

static int make_node(struct extractor *x, int parent, const char *base, mode_t type,
		     struct archive_entry *e, const char *entry, sb_error *err)
{
	mode_t perm = type == S_IFIFO ? (archive_entry_perm(e) & 0777) : 0;

	if (make_room(parent, base, false, NULL, entry, err) < 0)
		return -1;
	if (mknodat(parent, base, type | perm, makedev(0, 0)) < 0)
		return sb_fail(err, errno, "entry '%s': mknod", entry);
	return finish_at(x, parent, base, e, type == S_IFIFO, entry, err);
}

static int make_hardlink(struct extractor *x, int parent, const char *base, const char *path,
			 const char *raw_target, const char *entry, sb_error *err)
{
	cleanup_free char *target = NULL;
	cleanup_free char *tdir = NULL;
	cleanup_close int tparent = -1;
	cleanup_error sb_error terr = NULL;
	const char *tbase;
	struct stat st;

	if (tarpath_clean(raw_target, "hardlink target", &target, err) < 0)
		return sb_wrap(err, "entry '%s'", entry);
	if (target[0] == '\0')
		return sb_fail(err, 0, "entry '%s': hardlink to the layer root", entry);
	if (strcmp(target, path) == 0)
		return 0;
	tbase = tarpath_split(target, &tdir);
	tparent = resolve_dir(x, tdir, false, entry, &terr);
	if (tparent < 0 || fstatat(tparent, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return sb_fail(err, 0, "hardlink entry '%s' points to '%s', which is not in "
			       "this layer", entry, raw_target);
	if (S_ISDIR(st.st_mode))
		return sb_fail(err, 0, "hardlink entry '%s' points to the directory '%s'", entry,
			       raw_target);
	if (make_room(parent, base, false, NULL, entry, err) < 0)
		return -1;
	if (linkat(tparent, tbase, parent, base, 0) < 0)
		return sb_fail(err, errno, "entry '%s': link to '%s'", entry, raw_target);
	return 0;
}

static int whiteout(struct extractor *x, int parent, enum whiteout_kind kind,
		    const char *hidden, const char *entry, sb_error *err)
{
	struct stat st;

	x->st.entries++;
	if (kind == WHITEOUT_OPAQUE) {
		cleanup_close int dfd = openat(parent, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd < 0 || fsetxattr(dfd, OPAQUE_XATTR, "y", 1, 0) < 0)
			return sb_fail(err, errno, "entry '%s': set %s", entry, OPAQUE_XATTR);
		return 0;
	}
	/* A whiteout only hides what is below: a file of that name in this very
	 * layer stays (OCI image spec, "Whiteouts"). */
	if (fstatat(parent, hidden, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (mknodat(parent, hidden, S_IFCHR, makedev(0, 0)) < 0)
		return sb_fail(err, errno, "entry '%s': make the whiteout device", entry);
	return 0;
}

int extract_entry(struct extractor *x, struct archive *a, struct archive_entry *e,
		  sb_error *err)
{
	const char *entry = link_name(archive_entry_pathname(e), archive_entry_pathname_utf8(e));
	const char *hard = link_name(archive_entry_hardlink(e), archive_entry_hardlink_utf8(e));
	cleanup_free char *path = NULL;
	cleanup_free char *dir = NULL;
	enum whiteout_kind kind;
	const char *base, *hidden;
	mode_t type = archive_entry_filetype(e);
	int parent;

	if (entry == NULL)
		return sb_fail(err, 0, "an entry has a name that cannot be decoded");
	if (tarpath_clean(entry, "entry", &path, err) < 0)
		return -1;
	if (path[0] == '\0') {
		if (type != AE_IFDIR)
			return sb_fail(err, 0, "entry '%s' (the layer root) is not a directory",
				       entry);
		x->st.entries++;
		return make_dir(x, x->root, ".", path, e, entry, err);
	}
	base = tarpath_split(path, &dir);
	if (whiteout_parse(base, &kind, &hidden, err) < 0)
		return sb_wrap(err, "entry '%s'", entry);
	parent = parent_fd(x, dir, entry, err);
	if (parent < 0)
		return -1;
	if (kind != WHITEOUT_NONE)
		return whiteout(x, parent, kind, hidden, entry, err);
	x->st.entries++;
	if (hard != NULL)
		return make_hardlink(x, parent, base, path, hard, entry, err);
	switch (type) {
	case AE_IFREG:
		return make_file(x, parent, base, a, e, entry, err);
	case AE_IFDIR:
		return make_dir(x, parent, base, path, e, entry, err);
	case AE_IFLNK:
		return make_symlink(x, parent, base, e, entry, err);
	case AE_IFIFO:
		return make_node(x, parent, base, S_IFIFO, e, entry, err);
	case AE_IFCHR:
		/* 0/0 is an overlay whiteout already; other nodes need privilege
		 * and the sandbox gives its own /dev. */
		if (archive_entry_rdevmajor(e) == 0 && archive_entry_rdevminor(e) == 0)
			return make_node(x, parent, base, S_IFCHR, e, entry, err);
		x->st.devices++;
		return 0;
	case AE_IFBLK:
		x->st.devices++;
		return 0;
	default:
		x->st.sockets++;
		return 0;
	}
}

int extract_finish(struct extractor *x, sb_error *err)
{
	for (size_t i = 0; i < x->n_dirs; i++) {
		const char *p = x->dirs[i].path;
		cleanup_error sb_error gone = NULL;
		cleanup_close int pfd = resolve_dir(x, p, false, p, &gone);
		cleanup_close int fd = -1;

		/* Gone or replaced by a later entry: nothing to do. */
		if (pfd < 0)
			continue;
		fd = openat(pfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0 || futimens(fd, x->dirs[i].ts) < 0)
			return sb_fail(err, errno, "directory '%s': set times", p);
	}
	return 0;
}
