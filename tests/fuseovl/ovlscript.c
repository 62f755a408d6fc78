/* ovlscript.c: the lower layers of the FUSE overlay test and the one
 * file-operation script that runs on both kernel overlayfs and the FUSE
 * overlay. The layers hold files, directories, symbolic links, a fifo, hard
 * links, xattrs (an escaped user.overlay.overlay.* one too), whiteouts of a
 * file and of a directory, an opaque directory and a file over a lower
 * directory. The script writes, appends, truncates, changes mode, owner,
 * times and xattrs, renames and unlinks lower files, removes lower
 * directories, makes directories over whited-out names, links, makes
 * symbolic links and fifos, syncs, and checks what must fail (EXDEV for a
 * merged directory, ENOTEMPTY, EEXIST). Each step records what it got. */
#include "config.h"
#include "ovltest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

/* ---- the lower layers ------------------------------------------------------ */

static char base_dir[512];

static const char *at(const char *rel)
{
	static char buf[4][PATH_MAX + 512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", base_dir, rel);
	return buf[i];
}

static int put(const char *rel, const char *data)
{
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, data, strlen(data));
	close(fd);
	return n == (ssize_t)strlen(data) ? 0 : -1;
}

static int md(const char *rel)
{
	return ovlt_mkdir(at(rel));
}

static int setx(const char *rel, const char *name, const char *val)
{
	return lsetxattr(at(rel), name, val, strlen(val), 0);
}

static int set_t0(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	const struct timespec t[2] = { { .tv_sec = OVLT_T0 }, { .tv_sec = OVLT_T0 } };

	(void)st;
	(void)flag;
	(void)ftw;
	return utimensat(AT_FDCWD, path, t, AT_SYMLINK_NOFOLLOW);
}

static int big_file(const char *rel)
{
	static char chunk[1 << 20];
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r = 0;

	if (fd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	/* data, a 1 MiB hole, data */
	if (pwrite(fd, chunk, sizeof(chunk), 0) != (ssize_t)sizeof(chunk) ||
	    pwrite(fd, chunk, sizeof(chunk), 2 << 20) != (ssize_t)sizeof(chunk))
		r = -1;
	close(fd);
	return r;
}

/* A dense file of HUGE_MIB MiB, large enough for a copy-up that takes a
 * while. */
#define HUGE_MIB 128

static int huge_file(const char *rel)
{
	static char chunk[1 << 20];
	int fd = open(at(rel), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int r = 0;

	if (fd < 0)
		return -1;
	memset(chunk, 'h', sizeof(chunk));
	for (int i = 0; i < HUGE_MIB && r == 0; i++)
		if (write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			r = -1;
	close(fd);
	return r;
}

static int build_l2(void)
{
	return md("l2") | put("l2/keep", "keep") | put("l2/f_write", "0123456789") |
	       put("l2/f_append", "abc") | put("l2/f_trunc", "truncate me") |
	       put("l2/f_otrunc", "otrunc data") | put("l2/f_chmod", "m") |
	       put("l2/f_chown", "o") | put("l2/f_utime", "u") | put("l2/f_xattr", "x") |
	       setx("l2/f_xattr", "user.old", "1") | setx("l2/f_xattr", "user.keep", "2") |
	       put("l2/f_esc", "e") | setx("l2/f_esc", "user.overlay.overlay.esc", "1") |
	       put("l2/f_rename", "r") | put("l2/f_unlink", "gone") | put("l2/f_hl1", "hl") |
	       link(at("l2/f_hl1"), at("l2/f_hl2")) | put("l2/link_src", "ls") |
	       big_file("l2/big") | symlink("keep", at("l2/sym")) |
	       mkfifo(at("l2/fifo"), 0640) | md("l2/d_lower") | put("l2/d_lower/a", "a") |
	       put("l2/d_lower/b", "b") | md("l2/d_lower/sub") | put("l2/d_lower/sub/c", "c") |
	       md("l2/d_rmdir") | md("l2/d_rmdir_full") | put("l2/d_rmdir_full/x", "x") |
	       md("l2/d_reuse") | put("l2/d_reuse/y", "y") | md("l2/d_merged") |
	       put("l2/d_merged/m2", "m2") | put("l2/d_merged/both", "bottom") |
	       md("l2/d_opq") | put("l2/d_opq/h2", "h2") | put("l2/wh_file", "hidden") |
	       md("l2/wh_dir") | put("l2/wh_dir/z", "z") | md("l2/shadow") |
	       put("l2/shadow/s", "s") | md("l2/d_ren") | put("l2/d_ren/q", "q") |
	       md("l2/d_setx") | md("l2/d_deep") | md("l2/d_deep/e1") | md("l2/d_deep/e1/e2") |
	       put("l2/d_deep/e1/e2/leaf", "leaf") | md("l2/d_huge") | huge_file("l2/d_huge/huge") |
	       huge_file("l2/d_huge/huge2");
}

static int build_l1(void)
{
	return md("l1") | md("l1/d_merged") | put("l1/d_merged/m1", "m1") |
	       put("l1/d_merged/both", "top") | md("l1/d_opq") |
	       setx("l1/d_opq", "user.overlay.opaque", "y") | put("l1/d_opq/h1", "h1") |
	       mknod(at("l1/wh_file"), S_IFCHR, makedev(0, 0)) |
	       mknod(at("l1/wh_dir"), S_IFCHR, makedev(0, 0)) | put("l1/shadow", "shadow file") |
	       put("l1/x_l1", "top only") | setx("l1/x_l1", "user.t", "top") |
	       md("l1/d_l1only") | put("l1/d_l1only/k", "k");
}

int ovlt_build_lowers(const char *base)
{
	snprintf(base_dir, sizeof(base_dir), "%s", base);
	if (build_l2() != 0 || build_l1() != 0)
		return -1;
	return nftw(at("l1"), set_t0, 16, FTW_DEPTH | FTW_PHYS) | nftw(at("l2"), set_t0, 16,
		    FTW_DEPTH | FTW_PHYS);
}

/* ---- the script --------------------------------------------------------------- */

struct ctx {
	const char *mnt;
	struct ovlt_op *ops;
	size_t n, max;
};

static const char *M(const struct ctx *c, const char *rel)
{
	static char buf[4][PATH_MAX + 512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", c->mnt, rel);
	return buf[i];
}

static void rec(struct ctx *c, const char *what, const char *want, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void rec(struct ctx *c, const char *what, const char *want, const char *fmt, ...)
{
	va_list ap;

	if (c->n == c->max)
		return;
	c->ops[c->n].what = what;
	c->ops[c->n].want = want;
	va_start(ap, fmt);
	vsnprintf(c->ops[c->n].got, sizeof(c->ops[c->n].got), fmt, ap);
	va_end(ap);
	c->n++;
}

/* "0" or the errno name of the call just made. */
static const char *rc(int r)
{
	if (r >= 0)
		return "0";
	return strerrorname_np(errno) ? strerrorname_np(errno) : "E?";
}

static int wr(const struct ctx *c, const char *rel, int flags, off_t off, const char *data)
{
	int fd = open(M(c, rel), flags | O_CLOEXEC, 0644);
	ssize_t n;

	if (fd < 0) {
		if (getenv("OVLTEST_DEBUG"))
			printf("# open %s: %s\n", rel, strerror(errno));
		return -1;
	}
	n = off < 0 ? write(fd, data, strlen(data)) : pwrite(fd, data, strlen(data), off);
	if (n < 0 && getenv("OVLTEST_DEBUG"))
		printf("# write %s: %s\n", rel, strerror(errno));
	if (close(fd) < 0 || n != (ssize_t)strlen(data)) {
		if (getenv("OVLTEST_DEBUG"))
			printf("# close %s: %s\n", rel, strerror(errno));
		return -1;
	}
	return 0;
}

static const char *rd(const struct ctx *c, const char *rel)
{
	static char buf[64];
	int fd = open(M(c, rel), O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return rc(-1);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return rc(-1);
	buf[n] = '\0';
	return buf;
}

static void files(struct ctx *c)
{
	const struct timespec t1[2] = { { .tv_sec = OVLT_T1 }, { .tv_sec = OVLT_T1 } };
	const char *s;

	s = rd(c, "keep");
	rec(c, "read a lower file", "keep", "%s", s);
	rec(c, "write into a lower file", "0", "%s", rc(wr(c, "f_write", O_WRONLY, 2, "XY")));
	rec(c, "append to a lower file", "0", "%s",
	    rc(wr(c, "f_append", O_WRONLY | O_APPEND, -1, "def")));
	rec(c, "truncate a lower file", "0", "%s", rc(truncate(M(c, "f_trunc"), 3)));
	rec(c, "open a lower file with O_TRUNC", "0", "%s",
	    rc(wr(c, "f_otrunc", O_WRONLY | O_TRUNC, -1, "t")));
	rec(c, "chmod a lower file", "0", "%s", rc(chmod(M(c, "f_chmod"), 0600)));
	rec(c, "chown a lower file", "0", "%s", rc(lchown(M(c, "f_chown"), 0, 0)));
	rec(c, "grow a file (sparse)", "0", "%s", rc(truncate(M(c, "f_chown"), 4096)));
	rec(c, "utimes on a lower file", "0", "%s",
	    rc(utimensat(AT_FDCWD, M(c, "f_utime"), t1, 0)));
	rec(c, "utimes on a lower symlink", "0", "%s",
	    rc(utimensat(AT_FDCWD, M(c, "sym"), t1, AT_SYMLINK_NOFOLLOW)));
	rec(c, "write into a large sparse lower file", "0", "%s",
	    rc(wr(c, "big", O_WRONLY, (1 << 20) + 10, "BIG")));
	{
		struct stat sb;
		/* copy-up keeps holes (a dense file is copied in one go) */
		rec(c, "a copied-up sparse file keeps its hole", "sparse", "%s",
		    lstat(M(c, "big"), &sb) < 0		? rc(-1)
		    : sb.st_blocks * 512 < sb.st_size	? "sparse"
							: "dense");
	}
	rec(c, "write one hard link of a lower file", "0", "%s",
	    rc(wr(c, "f_hl1", O_WRONLY | O_TRUNC, -1, "HL")));
	s = rd(c, "f_hl2");
	rec(c, "the other hard link keeps the lower data", "hl", "%s", s);
}

static void read_while_copied(struct ctx *c)
{
	char buf[32] = "";
	int fd = open(M(c, "d_merged/both"), O_RDONLY | O_CLOEXEC);
	ssize_t n = -1;

	if (fd >= 0 && wr(c, "d_merged/both", O_WRONLY | O_TRUNC, -1, "changed") == 0)
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n >= 0)
		buf[n] = '\0';
	if (fd >= 0)
		close(fd);
	rec(c, "a reader opened before copy-up sees the new data", "changed", "%s",
	    n >= 0 ? buf : rc(-1));
}

static void xattrs(struct ctx *c)
{
	char buf[256] = "";
	ssize_t n;

	rec(c, "setxattr on a lower file", "0", "%s",
	    rc(lsetxattr(M(c, "f_xattr"), "user.new", "val", 3, 0)));
	rec(c, "removexattr on a copied-up file", "0", "%s",
	    rc(lremovexattr(M(c, "f_xattr"), "user.old")));
	rec(c, "removexattr of a missing name", "ENODATA", "%s",
	    rc(lremovexattr(M(c, "x_l1"), "user.nonexist")));
	n = llistxattr(M(c, "f_esc"), buf, sizeof(buf));
	rec(c, "an escaped overlay xattr shows unescaped", "user.overlay.esc", "%s",
	    n < 0 ? rc(-1) : buf);
	n = lgetxattr(M(c, "d_opq"), "user.overlay.opaque", buf, sizeof(buf));
	rec(c, "user.overlay.opaque is hidden", "ENODATA", "%s", rc((int)n));
	n = llistxattr(M(c, "d_opq"), buf, sizeof(buf));
	rec(c, "the opaque directory lists no xattr", "0", "%zd", n);
	rec(c, "set user.overlay.foo through the overlay", "0", "%s",
	    rc(lsetxattr(M(c, "x_l1"), "user.overlay.foo", "1", 1, 0)));
	n = lgetxattr(M(c, "x_l1"), "user.overlay.foo", buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n] = '\0';
	rec(c, "get user.overlay.foo back", "1", "%s", n < 0 ? rc(-1) : buf);
	rec(c, "setxattr on a lower directory", "0", "%s",
	    rc(lsetxattr(M(c, "d_setx"), "user.dx", "1", 1, 0)));
	rec(c, "chmod a lower directory", "0", "%s", rc(chmod(M(c, "d_setx"), 0700)));
}

/* A file unlinked while open is still changed through its fd. */
static void orphan(struct ctx *c)
{
	struct stat st;
	int fd = open(M(c, "orphan"), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	int r = fd < 0 ? -1 : unlink(M(c, "orphan"));

	r = r < 0 ? r : ftruncate(fd, 5);
	r = r < 0 ? r : fchmod(fd, 0600);
	r = r < 0 ? r : fstat(fd, &st);
	if (r == 0)
		rec(c, "truncate, chmod and stat an unlinked open file", "5 600 0", "%lld %o %lu",
		    (long long)st.st_size, (unsigned)(st.st_mode & 07777), (unsigned long)st.st_nlink);
	else
		rec(c, "truncate, chmod and stat an unlinked open file", "5 600 0", "%s", rc(-1));
	if (fd >= 0)
		close(fd);
}

static void names(struct ctx *c)
{
	struct stat a, b;
	char buf[64];
	ssize_t n;
	int r;

	rec(c, "rename a lower file into a merged directory", "0", "%s",
	    rc(rename(M(c, "f_rename"), M(c, "d_merged/renamed"))));
	rec(c, "unlink a lower file", "0", "%s", rc(unlink(M(c, "f_unlink"))));
	r = unlink(M(c, "d_rmdir_full/x"));
	rec(c, "empty and rmdir a lower directory", "0 0", "%s %s", rc(r),
	    rc(rmdir(M(c, "d_rmdir_full"))));
	rec(c, "rmdir an empty lower directory", "0", "%s", rc(rmdir(M(c, "d_rmdir"))));
	rec(c, "rmdir a non-empty directory", "ENOTEMPTY", "%s", rc(rmdir(M(c, "d_lower"))));
	r = unlink(M(c, "d_reuse/y"));
	r = r < 0 ? r : rmdir(M(c, "d_reuse"));
	r = r < 0 ? r : mkdir(M(c, "d_reuse"), 0755);
	rec(c, "rmdir, then mkdir the same name (opaque)", "0 0", "%s %s", rc(r),
	    rc(wr(c, "d_reuse/new", O_WRONLY | O_CREAT, -1, "new")));
	rec(c, "mkdir over a name a lower layer whited out", "0", "%s",
	    rc(mkdir(M(c, "wh_file"), 0750)));
	rec(c, "a whited-out directory is absent", "ENOENT", "%s", rc(lstat(M(c, "wh_dir"), &a)));
	/* (overlayfs shows the copied-up name with the lower's inode number
	 * and the new one with the upper's: only the counts are compared) */
	r = link(M(c, "link_src"), M(c, "d_merged/linked"));
	if (r == 0 && lstat(M(c, "link_src"), &a) == 0 && lstat(M(c, "d_merged/linked"), &b) == 0)
		rec(c, "link a lower file", "2 2", "%lu %lu", (unsigned long)a.st_nlink,
		    (unsigned long)b.st_nlink);
	else
		rec(c, "link a lower file", "2 2", "%s", rc(-1));
	r = symlink("some/target", M(c, "newsym"));
	n = r < 0 ? -1 : readlink(M(c, "newsym"), buf, sizeof(buf) - 1);
	if (n >= 0)
		buf[n] = '\0';
	rec(c, "symlink and readlink", "some/target", "%s", n < 0 ? rc(-1) : buf);
	rec(c, "mkfifo", "0", "%s", rc(mkfifo(M(c, "newfifo"), 0640)));
	r = unlink(M(c, "d_merged/m2"));
	rec(c, "unlink, then create the same name", "0 0", "%s %s", rc(r),
	    rc(wr(c, "d_merged/m2", O_WRONLY | O_CREAT, -1, "new m2")));
	rec(c, "rename a file onto a whiteout", "0", "%s",
	    rc(rename(M(c, "d_l1only/k"), M(c, "f_unlink"))));
	rec(c, "create a file deep in lower directories", "0", "%s",
	    rc(wr(c, "d_deep/e1/e2/new", O_WRONLY | O_CREAT, -1, "n")));
	r = wr(c, "newfile", O_WRONLY | O_CREAT, -1, "nf");
	rec(c, "rename a new file over a lower file", "0 0", "%s %s", rc(r),
	    rc(rename(M(c, "newfile"), M(c, "d_lower/a"))));
	rec(c, "rename with RENAME_NOREPLACE onto a name", "EEXIST", "%s",
	    rc(renameat2(AT_FDCWD, M(c, "d_lower/b"), AT_FDCWD, M(c, "keep"), RENAME_NOREPLACE)));
	orphan(c);
	rec(c, "exchange two names", "0", "%s",
	    rc(renameat2(AT_FDCWD, M(c, "x_l1"), AT_FDCWD, M(c, "newsym"), RENAME_EXCHANGE)));
}

static int count_entries(DIR *d)
{
	int n = 0;

	rewinddir(d);
	while (readdir(d) != NULL)
		n++;
	return n;
}

/* Merged listings, and a listing read again after a change. */
static void listings(struct ctx *c)
{
	DIR *d = opendir(M(c, "d_merged"));
	int before, after;

	if (d == NULL) {
		rec(c, "list a merged directory, change it, list it again", "8 9", "%s", rc(-1));
		return;
	}
	before = count_entries(d);
	after = wr(c, "d_merged/late", O_WRONLY | O_CREAT, -1, "late") < 0 ? -1 : count_entries(d);
	closedir(d);
	rec(c, "list a merged directory, change it, list it again", "8 9", "%d %d", before, after);
}

static void dirs(struct ctx *c)
{
	int r;

	rec(c, "rename a merged directory", "EXDEV", "%s",
	    rc(rename(M(c, "d_ren"), M(c, "d_ren2"))));
	rec(c, "rename a lower-only directory", "EXDEV", "%s",
	    rc(rename(M(c, "d_l1only"), M(c, "d_l1only2"))));
	r = mkdir(M(c, "newdir"), 0755);
	r = r < 0 ? r : wr(c, "newdir/f", O_WRONLY | O_CREAT, -1, "f");
	rec(c, "move a new directory into a merged one", "0 0", "%s %s", rc(r),
	    rc(rename(M(c, "newdir"), M(c, "d_merged/moved"))));
	r = mkdir(M(c, "newd2"), 0755);
	rec(c, "rename a new directory within the root", "0 0", "%s %s", rc(r),
	    rc(rename(M(c, "newd2"), M(c, "newd2b"))));
	r = mkdir(M(c, "newd3"), 0755);
	rec(c, "rename a directory onto a whiteout", "0 0", "%s %s", rc(r),
	    rc(rename(M(c, "newd3"), M(c, "d_rmdir"))));
	r = unlink(M(c, "d_lower/sub/c"));
	r = r < 0 ? r : mkdir(M(c, "newd4"), 0755);
	rec(c, "rename a directory onto an empty merged one", "0 0", "%s %s", rc(r),
	    rc(rename(M(c, "newd4"), M(c, "d_lower/sub"))));
	r = unlink(M(c, "d_opq/h1"));
	rec(c, "empty and rmdir an opaque lower directory", "0 0", "%s %s", rc(r),
	    rc(rmdir(M(c, "d_opq"))));
}

static void sync_and_statfs(struct ctx *c)
{
	struct statfs sf;
	int fd = open(M(c, "f_write"), O_RDWR | O_CLOEXEC);
	int r = fd < 0 ? -1 : fsync(fd), d;

	if (fd >= 0)
		close(fd);
	d = open(M(c, "d_merged"), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rec(c, "fsync a file, and a directory", "0 0", "%s %s", rc(r), rc(d < 0 ? -1 : fsync(d)));
	if (d >= 0)
		close(d);
	r = statfs(c->mnt, &sf);
	rec(c, "statfs", "ok", "%s", r < 0 ? rc(r) : sf.f_bsize > 0 && sf.f_blocks > 0 ? "ok" : "zero");
}

/* Four processes at once, each in its own new directory of a merged one:
 * create, write, read back, rename, stat and delete, while reading a lower
 * file; the server's threads and its lock must keep every answer right. */
static int worker(const struct ctx *c, int id)
{
	char dir[64], a[96], b[96], buf[32];

	snprintf(dir, sizeof(dir), "d_merged/w%d", id);
	if (mkdir(M(c, dir), 0755) < 0)
		return -1;
	for (int i = 0; i < 150; i++) {
		struct stat st = { 0 };
		int fd;
		ssize_t n;

		snprintf(a, sizeof(a), "%s/f%d", dir, i);
		snprintf(b, sizeof(b), "%s/g%d", dir, i);
		const char *step = "create";
		int r = wr(c, a, O_WRONLY | O_CREAT | O_EXCL, -1, "worker data");

		if (r == 0 && (step = "rename", rename(M(c, a), M(c, b))) < 0)
			r = -1;
		if (r == 0 && (step = "stat", lstat(M(c, b), &st)) < 0)
			r = -1;
		if (r < 0 || st.st_size != 11) {
			printf("# worker %d, file %d: %s: %s\n", id, i, step, strerror(errno));
			return -1;
		}
		fd = open(M(c, b), O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
		if (fd >= 0)
			close(fd);
		if (n != 11 || memcmp(buf, "worker data", 11) != 0 || unlink(M(c, b)) < 0)
			return -1;
		if (strcmp(rd(c, "d_merged/m1"), "m1") != 0)
			return -1;
	}
	return rmdir(M(c, dir));
}

static void concurrent(struct ctx *c)
{
	pid_t pids[4];
	int bad = 0;

	fflush(stdout);
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(worker(c, i) < 0 ? 1 : 0);
	}
	for (int i = 0; i < 4; i++) {
		int st = 1;
		if (pids[i] < 0 || waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			bad++;
	}
	rec(c, "four processes create, rename, read and delete at once", "0 failed",
	    "%d failed", bad);
}

/* The two operations that copy a large lower file up in
 * work_during_copy_up: opening it for writing, and renaming it. */
static int open_huge(const struct ctx *c)
{
	int fd = open(M(c, "d_huge/huge"), O_WRONLY | O_CLOEXEC);

	return fd < 0 ? -1 : close(fd);
}

static int rename_huge2(const struct ctx *c)
{
	return rename(M(c, "d_huge/huge2"), M(c, "d_huge/huge2.moved"));
}

/* Files are created in another directory while a large lower file is
 * copied up (by `op`): the copy must not hold everything else up. A create
 * counts when it began and ended while `op` was under way; a file system
 * that serialised them would show at most one. */
static void work_during_copy_up(struct ctx *c, const char *what, int (*op)(const struct ctx *))
{
	struct shared {
		volatile int phase;   /* 0 starting, 1 copying, 2 done */
		volatile int ready, during;
	} *sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char name[64];
	pid_t pid;
	int r, st = 0;

	if (sh == MAP_FAILED || mkdir(M(c, "d_busy"), 0755) < 0) {
		rec(c, what, "yes", "setup: %s", rc(-1));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		for (int i = 0; sh->phase != 2 && i < 100000; i++) {
			int was = sh->phase, f;
			snprintf(name, sizeof(name), "d_busy/b%d", i);
			f = open(M(c, name), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			if (f < 0)
				_exit(1);
			close(f);
			if (was == 1 && sh->phase == 1)
				sh->during++;
			sh->ready = 1;
		}
		_exit(0);
	}
	while (pid > 0 && !sh->ready && waitpid(pid, &st, WNOHANG) == 0)
		sched_yield();
	sh->phase = 1;
	r = op(c);
	sh->phase = 2;
	if (pid > 0)
		waitpid(pid, &st, 0);
	rec(c, what, "yes", "%s", r < 0 ? rc(-1) : sh->during >= 3 ? "yes" : "no");
	munmap(sh, sizeof(*sh));
	/* how many there are differs from run to run: none may stay */
	for (int i = 0;; i++) {
		snprintf(name, sizeof(name), "d_busy/b%d", i);
		if (unlink(M(c, name)) < 0)
			break;
	}
	rec(c, "the busy directory is removed", "0", "%s", rc(rmdir(M(c, "d_busy"))));
}

size_t ovlt_run_script(const char *mnt, struct ovlt_op *ops, size_t max)
{
	struct ctx c = { .mnt = mnt, .ops = ops, .max = max };

	files(&c);
	read_while_copied(&c);
	xattrs(&c);
	names(&c);
	dirs(&c);
	sync_and_statfs(&c);
	listings(&c);
	concurrent(&c);
	work_during_copy_up(&c, "creates go on during a large copy-up (open)", open_huge);
	work_during_copy_up(&c, "creates go on during a large copy-up (rename)", rename_huge2);
	return c.n;
}
