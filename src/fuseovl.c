/* fuseovl.c: starting and stopping the FUSE overlay server (fuseovl.h).
 *
 * The caller opens the layers and /dev/fuse, then forks. The server child
 * ties its life to the caller (PR_SET_PDEATHSIG), hides from it (not
 * dumpable, own session, own private mount namespace), keeps only the fds
 * it needs, builds the libfuse session on the /dev/fuse fd ("/dev/fd/N"
 * tells libfuse the mount is someone else's job) and reports on a pipe:
 * one byte 'k', or a packed sb_error. The caller then mounts with fd=, tells
 * the server to go (a byte on a second pipe; end of file makes it exit) and
 * waits for the FUSE handshake with a statfs(2) of the target. The server
 * runs libfuse's multithreaded loop until the kernel ends the connection. */
#include "config.h"
#include "fuseovl.h"
#include "ovlfs.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <time.h>

#define STOP_WAIT_MS 2000

struct fuseovl {
	pid_t pid;
	char *target;
};

static const struct fuse_lowlevel_ops ovl_ops = {
	.init = ovlop_init,
	.lookup = ovlop_lookup,
	.forget = ovlop_forget,
	.forget_multi = ovlop_forget_multi,
	.getattr = ovlop_getattr,
	.setattr = ovlop_setattr,
	.readlink = ovlop_readlink,
	.mknod = ovlop_mknod,
	.mkdir = ovlop_mkdir,
	.unlink = ovlop_unlink,
	.rmdir = ovlop_rmdir,
	.symlink = ovlop_symlink,
	.rename = ovlop_rename,
	.link = ovlop_link,
	.open = ovlop_open,
	.read = ovlop_read,
	.write_buf = ovlop_write_buf,
	.release = ovlop_release,
	.fsync = ovlop_fsync,
	.opendir = ovlop_opendir,
	.readdir = ovlop_readdir,
	.readdirplus = ovlop_readdirplus,
	.releasedir = ovlop_releasedir,
	.fsyncdir = ovlop_fsyncdir,
	.statfs = ovlop_statfs,
	.setxattr = ovlop_setxattr,
	.getxattr = ovlop_getxattr,
	.listxattr = ovlop_listxattr,
	.removexattr = ovlop_removexattr,
	.create = ovlop_create,
	.fallocate = ovlop_fallocate,
};

/* ---- the server side ----------------------------------------------------- */

static void quiet_log(enum fuse_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
}

static bool fd_kept(const struct ovl *o, int fd, const int *extra, size_t nextra)
{
	for (size_t i = 0; i < nextra; i++)
		if (extra[i] == fd)
			return true;
	for (size_t i = 0; i < o->nlayers; i++)
		if (o->layers[i].fd == fd)
			return true;
	for (size_t i = 0; i < o->root->ndirs; i++)
		if (o->root->dirs[i].fd == fd)
			return true;
	return fd == o->workfd;
}

/* Close every fd but ours: the caller's pipes must not stay open here. */
static int close_others(const struct ovl *o, const int *extra, size_t nextra, sb_error *err)
{
	cleanup_dir DIR *d = opendir("/proc/self/fd");
	int fds[256];
	size_t n;

	if (d == NULL)
		return sb_fail(err, errno, "open /proc/self/fd");
	do {
		const struct dirent *de;

		n = 0;
		rewinddir(d);
		while ((de = readdir(d)) != NULL && n < sizeof(fds) / sizeof(fds[0])) {
			uint32_t fd;
			if (!parse_u32(de->d_name, &fd) || (int)fd < 3 || (int)fd == dirfd(d) ||
			    fd_kept(o, (int)fd, extra, nextra))
				continue;
			fds[n++] = (int)fd;
		}
		for (size_t i = 0; i < n; i++)
			close(fds[i]);
	} while (n == sizeof(fds) / sizeof(fds[0]));
	return 0;
}

static int server_setup(const struct ovl *o, const int *keep, size_t nkeep, sb_error *err)
{
	static const int ignored[] = { SIGINT, SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU,
				       SIGPIPE, SIGUSR1, SIGUSR2, SIGWINCH };
	sigset_t none;
	struct rlimit rl;
	int null;

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return sb_fail(err, errno, "make the server not dumpable");
	(void)setsid();
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
		return sb_fail(err, errno, "unblock signals");
	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		if (signal(ignored[i], SIG_IGN) == SIG_ERR)
			return sb_fail(err, errno, "ignore signal %d", ignored[i]);
	if (unshare(CLONE_NEWNS) < 0)
		return sb_fail(err, errno, "unshare the server's mount namespace");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return sb_fail(err, errno, "make the server's mounts private");
	if (close_others(o, keep, nkeep, err) < 0)
		return -1;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return sb_fail(err, errno, "open /dev/null");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(null, fd) < 0)
			return sb_fail(err, errno, "redirect fd %d to /dev/null", fd);
	close(null);
	umask(0);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	/* paths for the *xattr calls are "N/name" from here */
	if (chdir("/proc/self/fd") < 0) {
		sb_fail(err, errno, "enter /proc/self/fd");
		return sb_hint(err, "the FUSE overlay needs /proc mounted");
	}
	return 0;
}

static struct fuse_session *server_session(struct ovl *o, int fusefd, sb_error *err)
{
	char fdarg[32];
	char *argv[] = { (char *)"fuseovl", NULL };
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fuse_session *se;

	fuse_set_log_func(quiet_log);
	se = fuse_session_new(&args, &ovl_ops, sizeof(ovl_ops), o);
	if (se == NULL) {
		sb_fail(err, 0, "create the FUSE session");
		return NULL;
	}
	snprintf(fdarg, sizeof(fdarg), "/dev/fd/%d", fusefd);
	if (fuse_session_mount(se, fdarg) != 0) {
		fuse_session_destroy(se);
		sb_fail(err, 0, "attach the FUSE session to /dev/fuse");
		return NULL;
	}
	return se;
}

/* Threads for the loop: one per CPU, at least 2 and at most 8. Requests
 * are mostly short and serialised by the namespace lock; more threads
 * only hand requests around (the kernel wakes the longest waiting one). */
static unsigned loop_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 8 ? 8 : (unsigned)n;
}

static void server_fail(sb_error *err, int status_fd) __attribute__((noreturn));
static void server_fail(sb_error *err, int status_fd)
{
	char buf[4096];
	size_t n;

	sb_wrap(err, "FUSE overlay server");
	n = sb_error_pack(err, buf, sizeof(buf));
	(void)write_all(status_fd, buf, n);
	sb_error_free(err);
	_exit(SB_EXIT_FAILURE);
}

static void server_main(struct ovl *o, int fusefd, int status_fd, int go_fd, pid_t parent)
	__attribute__((noreturn));
static void server_main(struct ovl *o, int fusefd, int status_fd, int go_fd, pid_t parent)
{
	sb_error err = NULL;
	const int keep[] = { fusefd, status_fd, go_fd };
	struct fuse_session *se;
	struct fuse_loop_config *cfg;
	char go;
	int r;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		sb_fail(&err, errno, "set the parent death signal");
		server_fail(&err, status_fd);
	}
	if (getppid() != parent)
		_exit(SB_EXIT_FAILURE);
	if (server_setup(o, keep, sizeof(keep) / sizeof(keep[0]), &err) < 0)
		server_fail(&err, status_fd);
	se = server_session(o, fusefd, &err);
	if (se == NULL)
		server_fail(&err, status_fd);
	if (write_all(status_fd, "k", 1) < 0 || read_all(go_fd, &go, 1) != 1)
		_exit(0);
	close(status_fd);
	close(go_fd);
	cfg = fuse_loop_cfg_create();
	if (cfg == NULL)
		sb_oom();
	fuse_loop_cfg_set_clone_fd(cfg, 0);
	fuse_loop_cfg_set_max_threads(cfg, loop_threads());
	r = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	fuse_session_destroy(se);
	ovl_free(o);
	_exit(r < 0 ? 1 : 0);
}

/* ---- the caller's side ------------------------------------------------- */

static void reap(pid_t pid, bool kill_it)
{
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Read the server's report; 0 when it is ready. */
static int server_ready(int fd, pid_t pid, sb_error *err)
{
	char buf[4096];
	ssize_t n;

	do
		n = read(fd, buf, sizeof(buf));
	while (n < 0 && errno == EINTR);
	if (n == 1 && buf[0] == 'k')
		return 0;
	reap(pid, true);
	if (n > 1 && sb_error_unpack(err, buf, (size_t)n) == 0)
		return -1;
	return sb_fail(err, n < 0 ? errno : 0, "the FUSE overlay server exited while starting");
}

static int mount_fuse(const char *target, int fusefd, bool rdonly, sb_error *err)
{
	unsigned long flags = MS_NODEV | (rdonly ? MS_RDONLY : 0);
	cleanup_free char *opts = xasprintf(
		"fd=%d,rootmode=%o,user_id=%u,group_id=%u,allow_other,default_permissions",
		fusefd, (unsigned)S_IFDIR, (unsigned)getuid(), (unsigned)getgid());
	cleanup_free char *opts2 = NULL;

	if (mount("fuseovl", target, "fuse.fuseovl", flags, opts) == 0)
		return 0;
	if (errno == ENODEV) {
		opts2 = xasprintf("%s,subtype=fuseovl", opts);
		if (mount("fuseovl", target, "fuse", flags, opts2) == 0)
			return 0;
	}
	sb_fail(err, errno, "mount the FUSE overlay on '%s'", target);
	if (errno == EPERM)
		sb_hint(err, "FUSE needs root, or a user namespace on Linux 4.18 or later");
	return -1;
}

static int open_fuse(sb_error *err)
{
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	sb_fail(err, errno, "open /dev/fuse");
	if (errno == EACCES)
		sb_hint(err, "make /dev/fuse usable by everyone: chmod 0666 /dev/fuse");
	else if (errno == ENOENT)
		sb_hint(err, "load the fuse module: modprobe fuse");
	return -1;
}

static int check_args(const char *target, size_t nlowers, const char *upper, const char *work,
		      sb_error *err)
{
	struct stat st;

	if (nlowers == 0)
		return sb_fail(err, 0, "an overlay needs at least one lower layer");
	if ((upper == NULL) != (work == NULL))
		return sb_fail(err, 0, "an upper layer needs a work directory, and only then");
	if (stat(target, &st) < 0)
		return sb_fail(err, errno, "overlay mount point '%s'", target);
	if (!S_ISDIR(st.st_mode))
		return sb_fail(err, ENOTDIR, "overlay mount point '%s'", target);
	return 0;
}

static int start(const char *target, struct ovl *o, struct fuseovl **out, sb_error *err)
{
	cleanup_close int fusefd = -1;
	cleanup_close int status_r = -1;
	cleanup_close int go_w = -1;
	int st[2], go[2];
	struct statfs sfs;
	pid_t pid, self = getpid();

	fusefd = open_fuse(err);
	if (fusefd < 0)
		return -1;
	if (pipe2(st, O_CLOEXEC) < 0)
		return sb_fail(err, errno, "create a pipe");
	if (pipe2(go, O_CLOEXEC) < 0) {
		close(st[0]);
		close(st[1]);
		return sb_fail(err, errno, "create a pipe");
	}
	status_r = st[0];
	go_w = go[1];
	pid = fork();
	if (pid < 0) {
		close(st[1]);
		close(go[0]);
		return sb_fail(err, errno, "fork the FUSE overlay server");
	}
	if (pid == 0) {
		close(st[0]);
		close(go[1]);
		server_main(o, fusefd, st[1], go[0], self);
	}
	close(st[1]);
	close(go[0]);
	if (server_ready(status_r, pid, err) < 0)
		return -1;
	if (mount_fuse(target, fusefd, o->rdonly, err) < 0) {
		reap(pid, true);
		return -1;
	}
	if (write_all(go_w, "g", 1) < 0 || statfs(target, &sfs) < 0) {
		sb_fail(err, errno, "start the FUSE overlay on '%s'", target);
		(void)umount2(target, MNT_DETACH);
		reap(pid, true);
		return -1;
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->pid = pid;
	(*out)->target = xstrdup(target);
	return 0;
}

int fuseovl_start(const char *target, const char *const *lowers, size_t nlowers,
		  const char *upper, const char *work, struct fuseovl **out, sb_error *err)
{
	struct ovl *o;
	struct rlimit saved, raised;
	bool restore;
	int r;

	if (check_args(target, nlowers, upper, work, err) < 0)
		return -1;
	/* a directory holds an fd per layer: an image of many layers needs
	 * more than the usual soft limit of 1024, here and in the server,
	 * which keeps the raised limit; the caller gets its own back */
	restore = getrlimit(RLIMIT_NOFILE, &saved) == 0 && saved.rlim_cur < saved.rlim_max;
	if (restore) {
		raised = saved;
		raised.rlim_cur = raised.rlim_max;
		restore = setrlimit(RLIMIT_NOFILE, &raised) == 0;
	}
	o = ovl_new(lowers, nlowers, upper, work, err);
	if (o == NULL) {
		r = sb_wrap(err, "FUSE overlay");
	} else {
		r = start(target, o, out, err);
		ovl_free(o);   /* the server has its own copy */
	}
	if (restore)
		(void)setrlimit(RLIMIT_NOFILE, &saved);
	return r;
}

static bool wait_exit(pid_t pid, int ms, int *status)
{
	struct timespec ts = { .tv_nsec = 5000000L };

	for (int waited = 0; waited <= ms; waited += 5) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid || (w < 0 && errno == ECHILD))
			return w == pid;
		nanosleep(&ts, NULL);
	}
	return false;
}

int fuseovl_stop(struct fuseovl *o)
{
	int r = 0, status = 0;

	if (o == NULL)
		return 0;
	if (umount2(o->target, 0) < 0 && (errno != EBUSY || umount2(o->target, MNT_DETACH) < 0))
		r = -1;
	if (!wait_exit(o->pid, STOP_WAIT_MS, &status)) {
		kill(o->pid, SIGKILL);
		while (waitpid(o->pid, &status, 0) < 0 && errno == EINTR)
			;
		r = -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		r = -1;
	free(o->target);
	free(o);
	return r;
}

pid_t fuseovl_pid(const struct fuseovl *o)
{
	return o->pid;
}
