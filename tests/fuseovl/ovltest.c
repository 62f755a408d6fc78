/* ovltest.c: the FUSE overlay (src/fuseovl.c) against kernel overlayfs.
 *
 * It enters a new user and mount namespace (a single-id map, so it works
 * for root and for an ordinary user alike), builds two lower layers
 * (ovlscript.c), then runs one file-operation script on kernel overlayfs
 * mounted with `userxattr` and on the FUSE overlay, each with a fresh
 * upper, and compares every step's result, the merged trees and the upper
 * layers (ovltree.c). Then each mounts the upper the other wrote and the
 * merged trees must be the same again; a read-only FUSE overlay must show
 * what a lowers-only kernel overlay shows. Finally the server's lifetime:
 * fuseovl_stop() unmounts and reaps it, and a SIGKILL of the process that
 * started it takes the server (and, with its mount namespace, the mount)
 * along. TAP out; skipped with the reason where the namespaces or
 * /dev/fuse are not usable. Without kernel overlayfs in a user namespace
 * (Linux < 5.11), results are checked against the expected ones only. */
#include "config.h"
#include "fuseovl.h"
#include "ovltest.h"
#include "../unit/tap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define MAXOPS 96

static char base[512];

struct run {
	struct ovlt_op ops[MAXOPS];
	size_t nops;
	char *merged;
	char *upper;
};

static const char *B(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *B(const char *fmt, ...)
{
	static char buf[8][PATH_MAX + 512];
	static int i;
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base, rel);
	return buf[i];
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

static int enter_userns(char *why, size_t len)
{
	char map[64];
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		snprintf(why, len, "cannot create a user namespace: %s", strerror(errno));
		return -1;
	}
	if (write_str("/proc/self/setgroups", "deny") < 0 && errno != ENOENT) {
		snprintf(why, len, "setgroups deny: %s", strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (write_str("/proc/self/uid_map", map) < 0) {
		snprintf(why, len, "uid_map: %s", strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1", gid);
	if (write_str("/proc/self/gid_map", map) < 0) {
		snprintf(why, len, "gid_map: %s", strerror(errno));
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		snprintf(why, len, "make mounts private: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* A fresh directory on a file system with user xattrs. */
static int pick_base(void)
{
	const char *dirs[] = { getenv("OVLTEST_DIR"), getenv("TMPDIR"), "/var/tmp", "/tmp" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dirs[i] == NULL || dirs[i][0] == '\0')
			continue;
		snprintf(base, sizeof(base), "%s/ovltest.XXXXXX", dirs[i]);
		if (mkdtemp(base) == NULL)
			continue;
		if (lsetxattr(base, "user.probe", "1", 1, 0) == 0)
			return 0;
		rmdir(base);
	}
	return -1;
}

static int kernel_mount(const char *mnt, const char *upper, const char *work)
{
	char opts[3 * PATH_MAX];

	if (upper != NULL)
		snprintf(opts, sizeof(opts), "lowerdir=%s:%s,upperdir=%s,workdir=%s,userxattr",
			 B("l1"), B("l2"), upper, work);
	else
		snprintf(opts, sizeof(opts), "lowerdir=%s:%s,userxattr", B("l1"), B("l2"));
	return mount("overlay", mnt, "overlay", 0, opts);
}

static int fuse_mount(const char *mnt, const char *upper, const char *work, struct fuseovl **f)
{
	const char *lowers[] = { B("l1"), B("l2") };
	sb_error err = NULL;

	if (fuseovl_start(mnt, lowers, 2, upper, work, f, &err) < 0) {
		printf("# fuseovl_start: %s\n", err->msg);
		sb_error_free(&err);
		return -1;
	}
	return 0;
}

static int mkdirs(const char *dir)
{
	return ovlt_mkdir(B("%s", dir)) | ovlt_mkdir(B("%s/u", dir)) | ovlt_mkdir(B("%s/w", dir)) |
	       ovlt_mkdir(B("%s/m", dir));
}

/* The script on kernel overlayfs in base/k. */
static bool run_kernel(struct run *r)
{
	if (mkdirs("k") < 0 || kernel_mount(B("k/m"), B("k/u"), B("k/w")) < 0) {
		printf("# kernel overlayfs with userxattr: %s\n", strerror(errno));
		return false;
	}
	r->nops = ovlt_run_script(B("k/m"), r->ops, MAXOPS);
	r->merged = ovlt_manifest(B("k/m"), false);
	if (umount(B("k/m")) < 0)
		printf("# umount kernel overlay: %s\n", strerror(errno));
	r->upper = ovlt_manifest(B("k/u"), true);
	return true;
}

/* Is path still a mount point (on another device than its parent)? */
static bool mounted(const char *path)
{
	struct stat a, b;
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s/..", path);
	return stat(path, &a) == 0 && stat(parent, &b) == 0 && a.st_dev != b.st_dev;
}

static void run_fuse(struct run *r)
{
	struct fuseovl *f = NULL;
	int ok = mkdirs("f") == 0 && fuse_mount(B("f/m"), B("f/u"), B("f/w"), &f) == 0;
	int stopped;

	CHECK(ok, "the FUSE overlay starts");
	if (!ok)
		return;
	r->nops = ovlt_run_script(B("f/m"), r->ops, MAXOPS);
	r->merged = ovlt_manifest(B("f/m"), false);
	stopped = fuseovl_stop(f);
	CHECK(stopped == 0 && !mounted(B("f/m")), "fuseovl_stop unmounts and reaps the server");
	r->upper = ovlt_manifest(B("f/u"), true);
}

static void compare_ops(const struct run *k, const struct run *f, bool have_kernel)
{
	for (size_t i = 0; i < f->nops; i++) {
		const struct ovlt_op *op = &f->ops[i];
		const char *kgot = have_kernel && i < k->nops ? k->ops[i].got : op->want;

		CHECK(strcmp(op->got, op->want) == 0 && strcmp(op->got, kgot) == 0,
		      "%s: fuse '%s', kernel '%s'", op->what, op->got, kgot);
	}
}

static void compare(const char *a, const char *b, const char *na, const char *nb,
		    const char *what)
{
	int ndiff = a != NULL && b != NULL ? ovlt_diff(a, b, na, nb) : -1;

	CHECK(ndiff == 0, "%s", what);
}

/* The number of entries in a directory, -1 when it cannot be read. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	const struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Each mounts the upper the other wrote. */
static void cross(const struct run *k)
{
	struct fuseovl *f = NULL;
	char *m;

	if (ovlt_mkdir(B("kx")) < 0 || ovlt_mkdir(B("f/w2")) < 0 || ovlt_mkdir(B("k/w2")) < 0)
		return;
	if (kernel_mount(B("kx"), B("f/u"), B("f/w2")) == 0) {
		m = ovlt_manifest(B("kx"), false);
		compare(k->merged, m, "kernel", "kernel on the FUSE upper",
			"kernel overlayfs reads the upper the FUSE overlay wrote");
		free(m);
		umount(B("kx"));
	} else {
		CHECK(0, "kernel overlayfs mounts the FUSE upper: %s", strerror(errno));
	}
	/* what a killed copy-up leaves in work/work goes at the next mount */
	if (ovlt_mkdir(B("k/w2/work")) < 0 || ovlt_mkdir(B("k/w2/work/#fo1.2")) < 0 ||
	    close(open(B("k/w2/work/#fo1.1"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    mknod(B("k/w2/work/#fo1.3"), S_IFCHR, makedev(0, 0)) < 0)
		CHECK(0, "leave things in work/work: %s", strerror(errno));
	if (fuse_mount(B("kx"), B("k/u"), B("k/w2"), &f) == 0) {
		CHECK(entries(B("k/w2/work")) == 0,
		      "the FUSE overlay empties work/work of an earlier mount's leftovers");
		m = ovlt_manifest(B("kx"), false);
		compare(k->merged, m, "kernel", "FUSE on the kernel upper",
			"the FUSE overlay reads the upper kernel overlayfs wrote");
		free(m);
		fuseovl_stop(f);
	} else {
		CHECK(0, "the FUSE overlay mounts the kernel upper");
	}
}

/* Lowers only: the same view, and no writes. */
static void read_only(bool have_kernel)
{
	struct fuseovl *f = NULL;
	char *km = NULL, *fm = NULL;
	int fd, e;

	if (ovlt_mkdir(B("ro")) < 0)
		return;
	if (have_kernel && kernel_mount(B("ro"), NULL, NULL) == 0) {
		km = ovlt_manifest(B("ro"), false);
		umount(B("ro"));
	}
	if (fuse_mount(B("ro"), NULL, NULL, &f) < 0) {
		CHECK(0, "a read-only FUSE overlay starts");
		free(km);
		return;
	}
	fm = ovlt_manifest(B("ro"), false);
	fd = open(B("ro/keep"), O_WRONLY | O_CLOEXEC);
	e = errno;
	if (fd >= 0)
		close(fd);
	CHECK(fd < 0 && e == EROFS, "a read-only FUSE overlay refuses writes with EROFS");
	if (have_kernel)
		compare(km, fm, "kernel", "fuse", "a read-only FUSE overlay shows the lowers as "
			"kernel overlayfs does");
	else
		CHECK(fm != NULL, "a read-only FUSE overlay can be walked");
	fuseovl_stop(f);
	free(km);
	free(fm);
}

static bool wait_pid(pid_t pid, int *status, int ms)
{
	struct timespec ts = { .tv_nsec = 10000000L };

	for (int t = 0; t < ms; t += 10) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

/* SIGKILL the process that started a server: the server goes too, by its
 * parent death signal; when the mount was in that process's own mount
 * namespace, the mount goes with it. */
static void lifetime(bool own_ns)
{
	const char *mnt = B(own_ns ? "lt1" : "lt2");
	int p[2], status = 0;
	pid_t child, server = 0;
	bool died;

	if (ovlt_mkdir(mnt) < 0 || pipe2(p, O_CLOEXEC) < 0 ||
	    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
		CHECK(0, "lifetime test set-up: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	child = fork();
	if (child == 0) {
		struct fuseovl *f = NULL;
		close(p[0]);
		if ((own_ns && unshare(CLONE_NEWNS) < 0) || fuse_mount(mnt, NULL, NULL, &f) < 0)
			_exit(1);
		server = fuseovl_pid(f);
		if (write(p[1], &server, sizeof(server)) != (ssize_t)sizeof(server))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (child < 0 || read(p[0], &server, sizeof(server)) != (ssize_t)sizeof(server)) {
		close(p[0]);
		CHECK(0, "a child starts a FUSE overlay");
		return;
	}
	close(p[0]);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	died = wait_pid(server, &status, 5000);
	if (own_ns)
		/* killed, or ended cleanly when the dying namespace took the
		 * mount (and so the connection) first */
		CHECK(died && ((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) ||
			       (WIFEXITED(status) && WEXITSTATUS(status) == 0)),
		      "SIGKILL of the starting process ends the server (%s, status %#x)",
		      died ? "reaped" : "still running", (unsigned)status);
	else
		CHECK(died && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL,
		      "the server dies of its parent death signal (%s, status %#x)",
		      died ? "reaped" : "still running", (unsigned)status);
	if (!died) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
	}
	if (own_ns)
		CHECK(!mounted(mnt), "the mount lived in the dead namespace only");
	else
		(void)umount2(mnt, MNT_DETACH);
	prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

static void errors(void)
{
	const char *bad[] = { "/nonexistent-lower" };
	const char *good[] = { B("l2") };
	struct fuseovl *f = NULL;
	sb_error err = NULL;
	int r;

	r = fuseovl_start(B("kx"), bad, 1, NULL, NULL, &f, &err);
	CHECK(r < 0 && err != NULL && strstr(err->msg, "/nonexistent-lower") != NULL,
	      "a missing lower is named in the error (%s)", err ? err->msg : "none");
	sb_error_free(&err);
	r = fuseovl_start(B("kx"), good, 1, B("f/u"), NULL, &f, &err);
	CHECK(r < 0 && err != NULL, "an upper without a work directory is refused (%s)",
	      err ? err->msg : "none");
	sb_error_free(&err);
	r = fuseovl_start(B("keep-not-there"), good, 1, NULL, NULL, &f, &err);
	CHECK(r < 0 && err != NULL, "a missing mount point is refused (%s)",
	      err ? err->msg : "none");
	sb_error_free(&err);
}

int main(void)
{
	static struct run k, f;
	char why[256];
	bool have_kernel;
	int fd, built;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (enter_userns(why, sizeof(why)) < 0) {
		printf("1..0 # SKIP %s\n", why);
		return 0;
	}
	fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("1..0 # SKIP /dev/fuse is not usable: %s\n", strerror(errno));
		return 0;
	}
	close(fd);
	if (pick_base() < 0) {
		printf("1..0 # SKIP no temporary directory with user xattrs\n");
		return 0;
	}
	built = ovlt_build_lowers(base);
	CHECK(built == 0, "build the lower layers in %s", base);
	have_kernel = run_kernel(&k);
	if (!have_kernel)
		printf("# no kernel overlayfs in a user namespace: checking expected results only\n");
	run_fuse(&f);
	compare_ops(&k, &f, have_kernel);
	if (have_kernel) {
		compare(k.merged, f.merged, "kernel", "fuse", "the merged trees are the same");
		compare(k.upper, f.upper, "kernel", "fuse", "the upper layers are the same");
		cross(&k);
	}
	read_only(have_kernel);
	lifetime(true);
	lifetime(false);
	errors();
	free(k.merged);
	free(k.upper);
	free(f.merged);
	free(f.upper);
	if (getenv("OVLTEST_KEEP") == NULL)
		ovlt_rm_rf(base);
	else
		printf("# kept %s\n", base);
	return tap_done();
}
