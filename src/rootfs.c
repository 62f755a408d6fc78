/* rootfs.c: builds the sandbox's root file system (see rootfs.h).
 *
 * Order: make every mount private; put the new root in a staging tmpfs on
 * /tmp of this private mount namespace (a bind of --rootfs, or a tmpfs
 * holding read-only binds of the host's system directories); mount /proc, a minimal /dev, /sys and /tmp;
 * apply the user's mounts in order; mask and protect the dangerous parts of
 * /proc and /sys; pivot_root and detach the old root; make the root read-only
 * unless asked otherwise. Every destination is resolved inside the new root
 * (mounts.c). Device nodes cannot be made in a user namespace, so each is a
 * bind of the host's node. */
#include "config.h"
#include "rootfs.h"
#include "log.h"
#include "mounts.h"
#include "fuseovl.h"
#include "overlay.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/* Staging: a private tmpfs on /tmp of the sandbox's mount namespace holds
 * the new root and the files made for it; it goes away with the old root. */
#define STAGE "/tmp"
#define NEWROOT STAGE "/root"
#define FILES STAGE "/files"

struct ctx {
	const struct run_spec *spec;
	int rootfd;
};

int rootfs_open_sources(const struct run_spec *spec, struct rootfs_src *src, sb_error *err)
{
	memset(src, 0, sizeof(*src));
	src->rootfs_fd = -1;
	src->n = spec->n_mounts;
	src->src_fds = xcalloc(spec->n_mounts, sizeof(int));
	for (size_t i = 0; i < spec->n_mounts; i++)
		src->src_fds[i] = -1;
	if (spec->root == ROOT_DIR) {
		src->rootfs_fd = open(spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (src->rootfs_fd < 0)
			return sb_fail(err, errno, "--rootfs '%s'", spec->rootfs);
	}
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct mount_op *m = &spec->mounts[i];
		if (m->kind == MNT_TMPFS)
			continue;
		src->src_fds[i] = open(m->src, O_PATH | O_CLOEXEC);
		if (src->src_fds[i] < 0)
			return sb_fail(err, errno, "--%s source '%s'",
				       m->kind == MNT_BIND ? "bind" : "ro-bind", m->src);
	}
	return 0;
}

void rootfs_close_sources(struct rootfs_src *src)
{
	closep(&src->rootfs_fd);
	for (size_t i = 0; i < src->n; i++)
		closep(&src->src_fds[i]);
	free(src->src_fds);
	src->src_fds = NULL;
	src->n = 0;
}

/* Open the mount point `dest`, creating it if missing; creation fails with
 * EROFS inside a read-only --rootfs, which is made read-only first. */
static int target(struct ctx *c, const char *dest, bool file, sb_error *err)
{
	int fd = mkpath_in_root(c->rootfd, dest, file, err);

	if (fd < 0 && err && *err && (*err)->errnum == EROFS)
		sb_hint(err, "the read-only root has no such mount point: create it in the "
			"root directory, or use --rootfs-rw");
	return fd;
}

/* As target(), for mount points the root may lack: -2 when it does. */
static int optional_target(struct ctx *c, const char *dest, sb_error *err)
{
	cleanup_error sb_error e = NULL;
	int fd = target(c, dest, false, &e);

	if (fd >= 0)
		return fd;
	if (e->errnum == EROFS)
		return -2;
	*err = steal_ptr(&e);
	return -1;
}

static int mount_fs(struct ctx *c, const char *dest, const char *fstype,
		    unsigned long flags, const char *data, sb_error *err)
{
	cleanup_close int fd = target(c, dest, false, err);
	if (fd < 0)
		return -1;
	return mount_on_fd(fstype, fd, fstype, flags, data, dest, err);
}

static int bind_path(struct ctx *c, const char *src, const char *dest, bool file,
		     bool ro, sb_error *err)
{
	cleanup_close int fd = target(c, dest, file, err);
	if (fd < 0)
		return -1;
	if (mount_on_fd(src, fd, NULL, MS_BIND | MS_REC, NULL, dest, err) < 0)
		return -1;
	return ro ? make_readonly(c->rootfd, dest, true, err) : 0;
}

static int bind_fd(struct ctx *c, int srcfd, const char *dest, bool ro, sb_error *err)
{
	struct stat st;
	char buf[32];

	if (fstat(srcfd, &st) < 0)
		return sb_fail(err, errno, "stat bind source for '%s'", dest);
	return bind_path(c, fd_path(srcfd, buf), dest, !S_ISDIR(st.st_mode), ro, err);
}

/* The host's system directories, read-only, for the image name "host". */
static int host_tree(struct ctx *c, sb_error *err)
{
	static const char *const dirs[] = { "usr", "etc", "bin", "sbin", "lib", "lib32",
		"lib64", "libx32", "opt" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		cleanup_free char *host = xasprintf("/%s", dirs[i]);
		struct stat st;

		if (lstat(host, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			char link[4096];
			ssize_t n = readlink(host, link, sizeof(link) - 1);
			if (n < 0)
				return sb_fail(err, errno, "readlink '%s'", host);
			link[n] = '\0';
			if (symlinkat(link, c->rootfd, dirs[i]) < 0)
				return sb_fail(err, errno, "symlink '%s'", host);
		} else if (S_ISDIR(st.st_mode)) {
			if (bind_path(c, host, host, false, true, err) < 0)
				return -1;
		}
	}
	return 0;
}

static int setup_dev(struct ctx *c, const struct id_map *gidmap, sb_error *err)
{
	static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
		{ "ptmx", "pts/ptmx" },
	};
	cleanup_close int devfd = -1;
	cleanup_free char *ptsopt = NULL;

	if (mount_fs(c, "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=0755,size=65536k", err) < 0)
		return -1;
	devfd = open_in_root(c->rootfd, "/dev", err);
	if (devfd < 0)
		return -1;
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		cleanup_free char *host = xasprintf("/dev/%s", nodes[i]);
		cleanup_close int f = openat(devfd, nodes[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0666);
		if (f < 0)
			return sb_fail(err, errno, "create /dev/%s", nodes[i]);
		if (mount(host, fd_path(f, (char[32]){0}), NULL, MS_BIND, NULL) < 0)
			return sb_fail(err, errno, "bind the host's %s", host);
	}
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlinkat(links[i][1], devfd, links[i][0]) < 0)
			return sb_fail(err, errno, "symlink /dev/%s", links[i][0]);
	if (mkdirat(devfd, "pts", 0755) < 0 || mkdirat(devfd, "shm", 01777) < 0)
		return sb_fail(err, errno, "mkdir in /dev");
	ptsopt = xstrdup(idmap_contains(gidmap, 5) ? "newinstance,ptmxmode=0666,mode=620,gid=5"
						    : "newinstance,ptmxmode=0666,mode=620");
	if (mount_fs(c, "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, ptsopt, err) < 0)
		return -1;
	return mount_fs(c, "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777", err);
}

/* /sys: a fresh read-only sysfs (the network namespace is ours), or a
 * read-only bind of the host's when that is refused. Optional in --rootfs. */
static int setup_sys(struct ctx *c, sb_error *err)
{
	cleanup_close int fd = optional_target(c, "/sys", err);

	if (fd == -2)
		return 0;
	if (fd < 0)
		return -1;
	if (mount("sysfs", fd_path(fd, (char[32]){0}), "sysfs",
		  MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL) == 0)
		return 0;
	return bind_path(c, "/sys", "/sys", false, true, err);
}

/* Hide or protect kernel interfaces that a sandbox has no business with. */
static int protect_kernel_files(struct ctx *c, sb_error *err)
{
	static const char *const ro[] = { "/proc/sys", "/proc/sysrq-trigger", "/proc/irq",
		"/proc/bus", "/proc/fs" };
	static const char *const masked[] = { "/proc/kcore", "/proc/keys", "/proc/key-users",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/latency_stats",
		"/proc/kallsyms", "/proc/acpi", "/proc/asound", "/proc/scsi", "/proc/driver",
		"/sys/firmware", "/sys/kernel/debug", "/sys/kernel/security",
		"/sys/devices/virtual/powercap" };

	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		cleanup_close int fd = open_in_root(c->rootfd, ro[i], NULL);
		if (fd < 0)
			continue;
		if (mount_on_fd(fd_path(fd, (char[32]){0}), fd, NULL, MS_BIND | MS_REC, NULL, ro[i], err) < 0 ||
		    make_readonly(c->rootfd, ro[i], true, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		cleanup_close int fd = open_in_root(c->rootfd, masked[i], NULL);
		struct stat st;
		if (fd < 0 || fstat(fd, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (mount_on_fd("tmpfs", fd, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
					"size=0,nr_inodes=1,mode=0555", masked[i], err) < 0)
				return -1;
		} else if (mount_on_fd("/dev/null", fd, NULL, MS_BIND, NULL, masked[i], err) < 0) {
			return -1;
		}
	}
	return 0;
}

/* /etc/resolv.conf and /etc/hosts for the user-mode network, bound over
 * the root's own (skipped where a read-only root has no such file). */
static int net_files(struct ctx *c, sb_error *err)
{
	const char *host = c->spec->hostname ? c->spec->hostname : "sandbox";
	cleanup_free char *hosts = xasprintf("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n"
					     "10.0.2.100\t%s\n", host);
	const struct { const char *name, *text; } files[] = {
		{ "resolv.conf", "nameserver 10.0.2.3\n" },
		{ "hosts", hosts },
	};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cleanup_free char *src = xasprintf(FILES "/%s", files[i].name);
		cleanup_free char *dest = xasprintf("/etc/%s", files[i].name);
		cleanup_close int fd = open(src, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
		cleanup_error sb_error e = NULL;

		if (fd < 0 || write_all(fd, files[i].text, strlen(files[i].text)) < 0)
			return sb_fail(err, errno, "write %s", src);
		if (bind_path(c, src, dest, true, true, &e) < 0) {
			if (e->errnum != EROFS)
				return *err = steal_ptr(&e), -1;
			sb_trace("no %s in the read-only root: left out", dest);
		}
	}
	return 0;
}

static int user_mounts(struct ctx *c, const struct rootfs_src *src, sb_error *err)
{
	for (size_t i = 0; i < c->spec->n_mounts; i++) {
		const struct mount_op *m = &c->spec->mounts[i];
		int r;

		switch (m->kind) {
		case MNT_TMPFS:
			r = mount_fs(c, m->dest, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755", err);
			break;
		case MNT_BIND:
		case MNT_RO_BIND:
		default:
			r = bind_fd(c, src->src_fds[i], m->dest, m->kind == MNT_RO_BIND, err);
			break;
		}
		if (r < 0)
			return sb_wrap(err, "--%s %s%s%s",
				       m->kind == MNT_TMPFS ? "tmpfs" : m->kind == MNT_BIND ? "bind" : "ro-bind",
				       m->src ? m->src : "", m->src ? " " : "", m->dest);
		sb_trace("mounted %s", m->dest);
	}
	return 0;
}

static int pivot(sb_error *err)
{
	if (chdir(NEWROOT) < 0)
		return sb_fail(err, errno, "chdir to the new root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return sb_fail(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return sb_fail(err, errno, "detach the old root");
	if (chdir("/") < 0)
		return sb_fail(err, errno, "chdir /");
	return 0;
}

/* The image's directories, opened before the staging tmpfs can hide them
 * (the store may well be under /tmp), and named as /proc/self/fd/N. */
struct image_fds {
	int *fds;
	char **paths;     /* lowers, then upper and work when kept */
	size_t n;
};

static void image_fds_close(struct image_fds *f)
{
	for (size_t i = 0; i < f->n; i++) {
		closep(&f->fds[i]);
		free(f->paths[i]);
	}
	if (f->paths != NULL)
		free(f->paths[f->n]);
	free(f->fds);
	free(f->paths);
	memset(f, 0, sizeof(*f));
}

static int image_open(const struct run_spec *spec, const struct image_run *img,
		      struct image_fds *f, sb_error *err)
{
	size_t total = img->n_lowers + (img->keep_dir ? 2 : 0);
	cleanup_free char *upper = NULL, *work = NULL;

	memset(f, 0, sizeof(*f));
	if (img->keep_dir != NULL) {
		upper = xasprintf("%s/upper", img->keep_dir);
		work = xasprintf("%s/work", img->keep_dir);
		/* the upper's root is the root's: 0755, like any image's / */
		if ((mkdir(upper, 0755) < 0 && errno != EEXIST) ||
		    (mkdir(work, 0700) < 0 && errno != EEXIST))
			return sb_fail(err, errno, "--name %s: make the kept upper", spec->name);
	}
	/* one spare slot: an empty lower for a read-only single layer */
	f->fds = xcalloc(total + 1, sizeof(int));
	f->paths = xcalloc(total + 1, sizeof(char *));
	f->fds[total] = -1;
	for (size_t i = 0; i < total; i++) {
		const char *p = i < img->n_lowers ? img->lowers[i] : i == img->n_lowers ? upper : work;
		int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return sb_fail(err, errno, "image '%s': '%s'", spec->image, p);
		f->fds[f->n] = fd;
		f->paths[f->n++] = xasprintf("/proc/self/fd/%d", fd);
	}
	return 0;
}

/* The image's layers under an upper: a tmpfs in the staging area that goes
 * with the sandbox, the kept one of --name/--keep, or none (--read-only). */
static int image_root(const struct run_spec *spec, const struct image_run *img,
		      struct image_fds *f, sb_error *err)
{
	const char *upper = NULL, *work = NULL;

	if (f->paths == NULL || img->n_lowers == 0)
		return sb_fail(err, EINVAL, "image '%s' has no layers open", spec->image);
	if (img->keep_dir != NULL) {
		upper = f->paths[img->n_lowers];
		work = f->paths[img->n_lowers + 1];
	} else if (!spec->read_only) {
		upper = STAGE "/upper";
		work = STAGE "/work";
		if (mkdir(upper, 0755) < 0 || mkdir(work, 0700) < 0)
			return sb_fail(err, errno, "make the upper directory");
	}
	if (upper == NULL && img->n_lowers == 1) {
		/* overlayfs needs two lowers when it has no upper: add an empty one */
		if (mkdir(STAGE "/empty", 0755) < 0)
			return sb_fail(err, errno, "make an empty layer");
		f->paths[1] = xstrdup(STAGE "/empty");
	}
	if (spec->overlay != OVL_FUSE) {
		cleanup_error sb_error kerr = NULL;
		size_t n = img->n_lowers + (upper == NULL && img->n_lowers == 1);
		if (overlay_mount(NEWROOT, f->paths, n, upper, work, &kerr) == 0) {
			sb_trace("kernel overlay of %zu layer%s mounted%s", img->n_lowers,
				 img->n_lowers == 1 ? "" : "s", upper == NULL ? ", read-only" :
				 img->keep_dir ? ", kept upper" : "");
			return 0;
		}
		if (spec->overlay == OVL_KERNEL) {
			if (kerr->errnum == EPERM)
				sb_hint(&kerr, "a user namespace can mount overlayfs from Linux 5.11; "
					"--overlay fuse works before");
			*err = steal_ptr(&kerr);
			return sb_wrap(err, "image '%s'", spec->image);
		}
		sb_trace("the kernel refused the overlay (%s): using the FUSE overlay", kerr->msg);
	}
	{
		struct fuseovl *ovl = NULL;
		/* one layer and no upper was given an empty second lower above */
		if (fuseovl_start(NEWROOT, (const char *const *)f->paths, img->n_lowers, upper, work,
				  &ovl, err) < 0)
			return sb_wrap(err, "image '%s'", spec->image);
		/* it serves until the sandbox ends; init reaps it like any child */
		sb_trace("FUSE overlay of %zu layer%s served by pid %d", img->n_lowers,
			 img->n_lowers == 1 ? "" : "s", (int)fuseovl_pid(ovl));
	}
	return 0;
}

static int build(const struct run_spec *spec, const struct rootfs_src *src,
		 const struct id_map *gidmap, const struct image_run *img,
		 struct image_fds *ifds, sb_error *err)
{
	struct ctx c = { .spec = spec, .rootfd = -1 };
	cleanup_close int rootfd = -1;

	if (mount("tmpfs", STAGE, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0 ||
	    mkdir(NEWROOT, 0755) < 0 || mkdir(FILES, 0700) < 0)
		return sb_fail(err, errno, "make the staging directory");
	if (spec->root == ROOT_DIR) {
		char buf[32];
		if (mount(fd_path(src->rootfs_fd, buf), NEWROOT, NULL, MS_BIND | MS_REC, NULL) < 0)
			return sb_fail(err, errno, "bind --rootfs '%s'", spec->rootfs);
	} else if (spec->root == ROOT_IMAGE) {
		if (image_root(spec, img, ifds, err) < 0)
			return -1;
	} else if (mount("tmpfs", NEWROOT, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0) {
		return sb_fail(err, errno, "mount the root tmpfs");
	}
	rootfd = open(NEWROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return sb_fail(err, errno, "open the new root");
	c.rootfd = rootfd;
	/* Read-only before anything is mounted on it, so that no mount point
	 * is ever created in the user's directory. */
	if (spec->root == ROOT_DIR && !spec->rootfs_rw && make_readonly(rootfd, "/", true, err) < 0)
		return -1;
	if (spec->root == ROOT_HOST && host_tree(&c, err) < 0)
		return sb_wrap(err, "host view");
	if (mount_fs(&c, "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
		return -1;
	if (setup_dev(&c, gidmap, err) < 0)
		return sb_wrap(err, "/dev");
	if (setup_sys(&c, err) < 0)
		return sb_wrap(err, "/sys");
	/* a fresh /tmp where the root does not take writes */
	if ((spec->root == ROOT_DIR && !spec->rootfs_rw) || spec->root == ROOT_HOST ||
	    (spec->root == ROOT_IMAGE && spec->read_only)) {
		cleanup_close int tfd = optional_target(&c, "/tmp", err);
		if (tfd == -1)
			return -1;
		if (tfd >= 0 && mount_on_fd("tmpfs", tfd, "tmpfs", MS_NOSUID | MS_NODEV,
					    "mode=1777", "/tmp", err) < 0)
			return -1;
	}
	if (spec->net == NET_SLIRP && net_files(&c, err) < 0)
		return -1;
	sb_trace("system mounts done");
	if (user_mounts(&c, src, err) < 0)
		return -1;
	if (protect_kernel_files(&c, err) < 0)
		return -1;
	if (pivot(err) < 0)
		return -1;
	if (spec->root == ROOT_HOST) {
		cleanup_close int r = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (r < 0)
			return sb_fail(err, errno, "open /");
		if (make_readonly(r, "/", false, err) < 0)
			return -1;
	}
	sb_trace("pivoted into the new root");
	return 0;
}

int rootfs_setup(const struct run_spec *spec, const struct id_map *gidmap,
		 const struct image_run *img, sb_error *err)
{
	struct rootfs_src src;
	struct image_fds ifds = { 0 };
	int r;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return sb_fail(err, errno, "make mounts private");
	/* Sources are opened again here: an fd from the monitor points into its
	 * mount namespace, which cannot be bound from this one. */
	r = rootfs_open_sources(spec, &src, err);
	if (r == 0 && spec->root == ROOT_IMAGE)
		r = image_open(spec, img, &ifds, err);
	if (r == 0)
		r = build(spec, &src, gidmap, img, &ifds, err);
	image_fds_close(&ifds);
	rootfs_close_sources(&src);
	return r;
}
