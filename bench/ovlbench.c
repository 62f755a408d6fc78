/* ovlbench.c: the FUSE overlay benchmark's driver (run by bench/fuseovl.sh).
 *
 *   ovlbench [-n FILES] [-r READ_MIB] [-c COPY_MIB] [-k REPS] [-f FUSE_OVERLAYFS] [-d]
 *            [-o ONLY_THIS_KIND] [-v]
 *
 * In a user and mount namespace of its own, on a tmpfs of its own (-d: on
 * the disk, in $OVLBENCH_DIR, $TMPDIR or /var/tmp), it builds one lower
 * layer (a READ_MIB file, a COPY_MIB file and a small directory) and
 * measures, on
 * the host directory itself (a bind mount), kernel overlayfs with
 * `userxattr`, our FUSE overlay (src/fuseovl.c) and fuse-overlayfs, each
 * freshly mounted with an empty upper for every run, in turn:
 *   create, stat, rename, delete  FILES files in a merged directory
 *   read                          the READ_MIB file, 1 MiB at a time
 *   copy-up                       open the COPY_MIB file for writing,
 *                                 write its last byte, close
 * REPS rounds go over the file systems in the order host, ours, kernel,
 * fuse-overlayfs, and the next round host, fuse-overlayfs, kernel, ours:
 * what the file system before freed changes how fast memory comes (on a
 * virtual machine whose freed memory goes back to the host, by far), so
 * neither FUSE server follows the other and each follows the same ones as
 * often. The median of each is printed (-v: every run too) with the ratios
 * that matter: ours to fuse-overlayfs (the
 * target is at most 1.0), and to the kernel and the host. The lower's data
 * is in the host's page cache for every file system alike (written, then
 * read once); each mount's own cache starts cold. */
#include "config.h"
#include "fuseovl.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FUSE_MAGIC 0x65735546
#define MIB (1UL << 20)

enum kind { HOST, KERNEL, FUSEOVL, FUSE_OVERLAYFS, NKINDS };
static const char *const kind_name[NKINDS] = { "host", "kernel", "fuseovl", "fuse-overlayfs" };
enum work { W_CREATE, W_STAT, W_RENAME, W_DELETE, W_META, W_READ, W_COPYUP, NWORK };
static const char *const work_name[NWORK] = { "create", "stat", "rename", "delete",
					      "metadata (sum)", "read", "copy-up" };

struct opts {
	unsigned files, read_mib, copy_mib, reps;
	const char *fo;
	bool tmpfs, verbose;
};

static char base[512];
static char buf[MIB];

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "ovlbench: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

static const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *P(const char *fmt, ...)
{
	static char out[8][PATH_MAX + 512];
	static int i;
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	i = (i + 1) % 8;
	snprintf(out[i], sizeof(out[i]), "%s/%s", base, rel);
	return out[i];
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die("write %s: %s", path, strerror(errno));
	close(fd);
}

static void enter_userns(void)
{
	char map[64];
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		die("unshare: %s", strerror(errno));
	write_str("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "0 %u 1", uid);
	write_str("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", gid);
	write_str("/proc/self/gid_map", map);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make mounts private: %s", strerror(errno));
}

static void make_file(const char *path, unsigned mib)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		die("create %s: %s", path, strerror(errno));
	for (unsigned i = 0; i < mib; i++)
		if (write(fd, buf, MIB) != (ssize_t)MIB)
			die("write %s: %s", path, strerror(errno));
	if (fsync(fd) < 0)
		die("fsync %s: %s", path, strerror(errno));
	close(fd);
}

static void read_all_of(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	while (read(fd, buf, MIB) > 0)
		;
	close(fd);
}

static void setup(const struct opts *o)
{
	const char *dirs[] = { getenv("OVLBENCH_DIR"), getenv("TMPDIR"), "/var/tmp", "/tmp" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (dirs[i] == NULL || dirs[i][0] == '\0')
			continue;
		snprintf(base, sizeof(base), "%s/ovlbench.XXXXXX", dirs[i]);
		if (mkdtemp(base) != NULL)
			break;
	}
	if (i == sizeof(dirs) / sizeof(dirs[0]))
		die("no temporary directory");
	/* a tmpfs of our own: the disk (and whatever else uses it) stays out
	 * of the figures; user xattrs on tmpfs need Linux 6.6 */
	if (o->tmpfs && mount("ovlbench", base, "tmpfs", 0, "size=75%") < 0)
		die("mount a tmpfs on %s: %s", base, strerror(errno));
	memset(buf, 'x', sizeof(buf));
	if (mkdir(P("lower"), 0755) < 0 || mkdir(P("lower/meta"), 0755) < 0 ||
	    mkdir(P("m"), 0755) < 0)
		die("mkdir in %s: %s", base, strerror(errno));
	for (int j = 0; j < 100; j++) {
		int fd = open(P("lower/meta/lower%03d", j), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			die("create: %s", strerror(errno));
		close(fd);
	}
	make_file(P("lower/big"), o->read_mib);
	make_file(P("lower/copy"), o->copy_mib);
	read_all_of(P("lower/big"));
	read_all_of(P("lower/copy"));
}

/* ---- mounting ------------------------------------------------------------- */

struct mnt {
	enum kind kind;
	struct fuseovl *f;
	pid_t fo_pid;
};

static bool wait_fuse(const char *path, pid_t pid)
{
	struct timespec ts = { .tv_nsec = 5000000L };

	for (int i = 0; i < 2000; i++) {
		struct statfs sf;
		if (statfs(path, &sf) == 0 && sf.f_type == FUSE_MAGIC)
			return true;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return false;
		nanosleep(&ts, NULL);
	}
	return false;
}

static int do_mount(struct mnt *m, const struct opts *o, unsigned run)
{
	const char *upper = P("u-%s-%u", kind_name[m->kind], run);
	const char *work = P("w-%s-%u", kind_name[m->kind], run);
	const char *lowers[] = { P("lower") };
	char opts[3 * PATH_MAX];
	sb_error err = NULL;

	if (mkdir(upper, 0755) < 0 || mkdir(work, 0755) < 0)
		die("mkdir: %s", strerror(errno));
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", P("lower"), upper, work);
	switch (m->kind) {
	case HOST:
		return mount(P("lower"), P("m"), NULL, MS_BIND, NULL);
	case KERNEL:
		strncat(opts, ",userxattr", sizeof(opts) - strlen(opts) - 1);
		return mount("overlay", P("m"), "overlay", 0, opts);
	case FUSEOVL:
		if (fuseovl_start(P("m"), lowers, 1, upper, work, &m->f, &err) == 0)
			return 0;
		fprintf(stderr, "ovlbench: %s\n", err->msg);
		sb_error_free(&err);
		return -1;
	case FUSE_OVERLAYFS:
		m->fo_pid = fork();
		if (m->fo_pid == 0) {
			int null = open("/dev/null", O_RDWR);
			dup2(null, 1);
			dup2(null, 2);
			execlp(o->fo, o->fo, "-f", "-o", opts, P("m"), (char *)NULL);
			_exit(127);
		}
		return m->fo_pid > 0 && wait_fuse(P("m"), m->fo_pid) ? 0 : -1;
	case NKINDS:
		break;
	}
	return -1;
}

static void do_umount(struct mnt *m)
{
	if (m->kind == FUSEOVL) {
		fuseovl_stop(m->f);
		return;
	}
	if (umount2(P("m"), 0) < 0)
		(void)umount2(P("m"), MNT_DETACH);
	if (m->kind == FUSE_OVERLAYFS && m->fo_pid > 0) {
		kill(m->fo_pid, SIGTERM);
		waitpid(m->fo_pid, NULL, 0);
	}
}

static void remove_run(const struct mnt *m, unsigned run)
{
	char cmd[2 * PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", P("u-%s-%u", kind_name[m->kind], run),
		 P("w-%s-%u", kind_name[m->kind], run));
	if (system(cmd) != 0)
		die("could not remove the upper of %s", kind_name[m->kind]);
}

/* ---- workloads ------------------------------------------------------------ */

static void meta(unsigned n, double t[NWORK])
{
	char a[PATH_MAX + 600], b[PATH_MAX + 600];
	const char *dir = P("m/meta");
	struct stat st;
	double t0 = now(), t1, t2, t3;

	for (unsigned i = 0; i < n; i++) {
		int fd;
		snprintf(a, sizeof(a), "%s/f%05u", dir, i);
		fd = open(a, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "0123456789abcdef", 16) != 16)
			die("create %s: %s", a, strerror(errno));
		close(fd);
	}
	t1 = now();
	for (unsigned i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "%s/f%05u", dir, i);
		if (stat(a, &st) < 0)
			die("stat %s: %s", a, strerror(errno));
	}
	t2 = now();
	for (unsigned i = 0; i < n; i++) {
		snprintf(a, sizeof(a), "%s/f%05u", dir, i);
		snprintf(b, sizeof(b), "%s/g%05u", dir, i);
		if (rename(a, b) < 0)
			die("rename %s: %s", a, strerror(errno));
	}
	t3 = now();
	for (unsigned i = 0; i < n; i++) {
		snprintf(b, sizeof(b), "%s/g%05u", dir, i);
		if (unlink(b) < 0)
			die("unlink %s: %s", b, strerror(errno));
	}
	t[W_CREATE] = t1 - t0;
	t[W_STAT] = t2 - t1;
	t[W_RENAME] = t3 - t2;
	t[W_DELETE] = now() - t3;
	t[W_META] = now() - t0;
}

static double seq_read(unsigned mib)
{
	double t0 = now();
	int fd = open(P("m/big"), O_RDONLY | O_CLOEXEC);
	size_t total = 0;
	ssize_t n;

	if (fd < 0)
		die("open big: %s", strerror(errno));
	while ((n = read(fd, buf, MIB)) > 0)
		total += (size_t)n;
	close(fd);
	if (total != (size_t)mib * MIB)
		die("read %zu bytes of %u MiB", total, mib);
	return now() - t0;
}

static double copy_up(unsigned mib)
{
	double t0 = now();
	int fd = open(P("m/copy"), O_WRONLY | O_CLOEXEC);

	if (fd < 0 || pwrite(fd, "x", 1, (off_t)mib * (off_t)MIB - 1) != 1 || close(fd) < 0)
		die("copy-up: %s", strerror(errno));
	return now() - t0;
}

/* ---- report ----------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void report(const struct opts *o, double *t, const bool *ok)
{
	double med[NKINDS][NWORK];

	for (int k = 0; k < NKINDS; k++)
		for (int w = 0; w < NWORK; w++)
			med[k][w] = ok[k] ? median(&t[((size_t)k * NWORK + (size_t)w) * o->reps], o->reps)
					  : 0;
	printf("FUSE overlay: %u files, %u MiB read, %u MiB copy-up; median of %u runs, seconds\n",
	       o->files, o->read_mib, o->copy_mib, o->reps);
	printf("%-15s", "workload");
	for (int k = 0; k < NKINDS; k++)
		printf(" %14s", kind_name[k]);
	printf(" %14s %10s\n", "ours/fuse-ovl", "ours/kern");
	for (int w = 0; w < NWORK; w++) {
		printf("%-15s", work_name[w]);
		for (int k = 0; k < NKINDS; k++) {
			if (ok[k])
				printf(" %14.3f", med[k][w]);
			else
				printf(" %14s", "-");
		}
		if (ok[FUSEOVL] && ok[FUSE_OVERLAYFS] && med[FUSE_OVERLAYFS][w] > 0)
			printf(" %14.2f", med[FUSEOVL][w] / med[FUSE_OVERLAYFS][w]);
		else
			printf(" %14s", "-");
		if (ok[FUSEOVL] && ok[KERNEL] && med[KERNEL][w] > 0)
			printf(" %10.2f\n", med[FUSEOVL][w] / med[KERNEL][w]);
		else
			printf(" %10s\n", "-");
	}
	for (int k = 0; k < NKINDS; k++)
		if (ok[k] && med[k][W_READ] > 0)
			printf("read throughput %-15s %8.0f MiB/s\n", kind_name[k],
			       o->read_mib / med[k][W_READ]);
	if (ok[FUSEOVL] && ok[FUSE_OVERLAYFS]) {
		bool all = true;
		for (int w = 0; w < NWORK; w++)
			all = all && med[FUSEOVL][w] <= med[FUSE_OVERLAYFS][w];
		printf("fuseovl: ours/fuse-overlayfs time ratio <= 1.0 on every workload: %s\n",
		       all ? "yes" : "NO");
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: ovlbench [-n FILES] [-r READ_MIB] [-c COPY_MIB] [-k REPS] "
			"[-f FUSE_OVERLAYFS] [-d] [-o KIND] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct opts o = { .files = 20000, .read_mib = 1024, .copy_mib = 512, .reps = 4,
			  .fo = "fuse-overlayfs", .tmpfs = true };
	bool ok[NKINDS] = { true, true, true, true };
	double *t;
	int c;

	while ((c = getopt(argc, argv, "n:r:c:k:f:do:v")) != -1) {
		switch (c) {
		case 'n': o.files = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'r': o.read_mib = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'c': o.copy_mib = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'k': o.reps = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'f': o.fo = optarg; break;
		case 'd': o.tmpfs = false; break;
		case 'v': o.verbose = true; break;
		case 'o':
			for (int k = 0; k < NKINDS; k++)
				ok[k] = strcmp(optarg, kind_name[k]) == 0;
			break;
		default: usage();
		}
	}
	if (o.files == 0 || o.read_mib == 0 || o.copy_mib == 0 || o.reps == 0 || o.files > 99999)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	enter_userns();
	setup(&o);
	t = calloc((size_t)NKINDS * NWORK * o.reps, sizeof(*t));
	if (t == NULL)
		die("out of memory");
	for (unsigned r = 0; r < o.reps; r++) {
		static const enum kind order[2][NKINDS] = {
			{ HOST, FUSEOVL, KERNEL, FUSE_OVERLAYFS },
			{ HOST, FUSE_OVERLAYFS, KERNEL, FUSEOVL },
		};
		for (int i = 0; i < NKINDS; i++) {
			int k = (int)order[r % 2][i];
			struct mnt m = { .kind = (enum kind)k };
			double w[NWORK];

			if (!ok[k])
				continue;
			if (do_mount(&m, &o, r) < 0) {
				fprintf(stderr, "ovlbench: %s: cannot mount (%s), skipped\n",
					kind_name[k], strerror(errno));
				ok[k] = false;
				continue;
			}
			meta(o.files, w);
			w[W_READ] = seq_read(o.read_mib);
			w[W_COPYUP] = copy_up(o.copy_mib);
			do_umount(&m);
			remove_run(&m, r);
			for (int j = 0; j < NWORK; j++)
				t[((size_t)k * NWORK + (size_t)j) * o.reps + r] = w[j];
			if (o.verbose)
				printf("run %u %-15s create %.3f stat %.3f rename %.3f delete %.3f "
				       "read %.3f copy-up %.3f\n", r + 1, kind_name[k], w[W_CREATE],
				       w[W_STAT], w[W_RENAME], w[W_DELETE], w[W_READ], w[W_COPYUP]);
		}
	}
	report(&o, t, ok);
	free(t);
	if (o.tmpfs)
		(void)umount2(base, MNT_DETACH);
	if (getenv("OVLBENCH_KEEP") == NULL) {
		char cmd[PATH_MAX + 32];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd) != 0)
			fprintf(stderr, "ovlbench: could not remove %s\n", base);
	}
	return 0;
}
