/* mounts.c: safe resolution and mounting inside the new root (see mounts.h).
 * Every mount target is an O_PATH fd obtained by resolving the destination
 * with the new root as "/", then passed to mount(2) as /proc/self/fd/N, so a
 * symlink planted in a root file system cannot redirect it. */
#include "config.h"
#include "mounts.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>

#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY 0x00000001
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

/* struct mount_attr of mount_setattr(2); the kernel reads every field. */
struct sb_mount_attr {
	uint64_t attr_set;     /* cppcheck-suppress unusedStructMember */
	uint64_t attr_clr;     /* cppcheck-suppress unusedStructMember */
	uint64_t propagation;  /* cppcheck-suppress unusedStructMember */
	uint64_t userns_fd;    /* cppcheck-suppress unusedStructMember */
};

const char *fd_path(int fd, char buf[static 32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

static bool have_openat2 = true;

/* Fallback walk for kernels without openat2: one component at a time with
 * O_NOFOLLOW, refusing symlinks (which cannot then be confined). */
static int walk_nofollow(int rootfd, const char *path, sb_error *err)
{
	cleanup_free char *copy = xstrdup(path);
	cleanup_close int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	char *save = NULL;

	if (cur < 0)
		return sb_fail(err, errno, "dup");
	for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		int next = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (next < 0)
			return sb_fail(err, errno, "'%s'", path);
		if (fstat(next, &st) == 0 && S_ISLNK(st.st_mode)) {
			close(next);
			return sb_fail(err, ELOOP, "'%s' has a symlink, which this kernel "
				       "(no openat2) cannot resolve safely", path);
		}
		close(cur);
		cur = next;
	}
	return steal_fd(&cur);
}

int open_in_root(int rootfd, const char *path, sb_error *err)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path;

	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	if (have_openat2) {
		int fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
		if (fd >= 0)
			return fd;
		if (errno != ENOSYS)
			return sb_fail(err, errno, "'%s'", path);
		have_openat2 = false;
	}
	return walk_nofollow(rootfd, rel, err);
}

int mkpath_in_root(int rootfd, const char *path, bool file, sb_error *err)
{
	cleanup_free char *buf = xstrdup(path);
	cleanup_close int parent = -1;
	char *p = buf;
	int fd;

	fd = open_in_root(rootfd, path, NULL);
	if (fd >= 0)
		return fd;
	parent = open_in_root(rootfd, "/", err);
	if (parent < 0)
		return -1;
	for (;;) {
		char *name, *end, saved;
		bool last;
		int next;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		name = p;
		end = strchrnul(p, '/');
		p = end;
		while (*p == '/')
			p++;
		last = *p == '\0';
		saved = *end;
		*end = '\0';   /* buf is now the prefix, name its last component */
		next = open_in_root(rootfd, buf, NULL);
		if (next < 0) {
			if (last && file) {
				int f = openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
				if (f < 0 && errno != EEXIST)
					return sb_fail(err, errno, "cannot create mount point '%s'", buf);
				if (f >= 0)
					close(f);
			} else if (mkdirat(parent, name, 0755) < 0 && errno != EEXIST) {
				return sb_fail(err, errno, "cannot create mount point '%s'", buf);
			}
			next = open_in_root(rootfd, buf, err);
			if (next < 0)
				return -1;
		}
		*end = saved;
		closep(&parent);
		parent = next;
	}
	return steal_fd(&parent);
}

int mount_on_fd(const char *src, int target_fd, const char *fstype,
		unsigned long flags, const char *data, const char *dest, sb_error *err)
{
	char buf[32];

	if (mount(src, fd_path(target_fd, buf), fstype, flags, data) < 0)
		return sb_fail(err, errno, "cannot mount %s on '%s'",
			       fstype ? fstype : "a bind of the source", dest);
	return 0;
}

int make_readonly(int rootfd, const char *path, bool recursive, sb_error *err)
{
	struct sb_mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
	cleanup_close int fd = open_in_root(rootfd, path, err);
	struct statvfs sv;
	unsigned long flags = MS_REMOUNT | MS_BIND | MS_RDONLY;
	char buf[32];

	if (fd < 0)
		return -1;
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
		    &attr, sizeof(attr)) == 0)
		return 0;
	if (errno != ENOSYS)
		return sb_fail(err, errno, "cannot make '%s' read-only", path);
	/* Older kernels: remount the top mount only, keeping its locked flags. */
	if (fstatvfs(fd, &sv) < 0)
		return sb_fail(err, errno, "statvfs '%s'", path);
	if (sv.f_flag & ST_NOSUID)
		flags |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		flags |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		flags |= MS_NOEXEC;
	if (sv.f_flag & ST_NOATIME)
		flags |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		flags |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		flags |= MS_RELATIME;
	if (mount(NULL, fd_path(fd, buf), NULL, flags, NULL) < 0)
		return sb_fail(err, errno, "cannot make '%s' read-only", path);
	return 0;
}
