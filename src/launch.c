/* launch.c: the process model of `sandbox run` (doc/ARCHITECTURE.md).
 *
 * The monitor (this process) opens every source, blocks the relayed signals
 * and clones one child into new user, mount, pid, ipc, uts, cgroup and
 * network namespaces at once, so that every namespace is owned by the new
 * user namespace. The child, pid 1 inside, waits on a pipe until the monitor
 * has written its id maps, then builds the root, forks the command and
 * becomes its init. Errors of the sandboxed side travel back over a
 * close-on-exec pipe: end of file there means the command was executed; fds
 * the sandbox hands over (its tap device, the seccomp listener) come over a
 * socketpair. The child dies with the monitor (PR_SET_PDEATHSIG), and the
 * whole pid namespace with it, so a SIGKILL of the launcher leaves nothing
 * behind. The monitor's own event loop is in monitor.c. */
#include "config.h"
#include "launch.h"
#include "exec.h"
#include "idmap.h"
#include "init.h"
#include "log.h"
#include "rootfs.h"
#include "monitor.h"
#include "net.h"
#include "scnotify.h"
#include "scfilter.h"
#include "tapdev.h"
#include "util.h"

#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NS_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | \
		  CLONE_NEWUTS | CLONE_NEWCGROUP)

struct child_args {
	const struct run_spec *spec;
	const struct idmap_plan *plan;
	const struct sc_filter *filter;
	const struct image_run *img;   /* ROOT_IMAGE only */
	int sync_fd;   /* read: one byte once the maps are written */
	int err_fd;    /* write: packed sb_error, close-on-exec */
	int notify_sock; /* write: the seccomp listener fd */
};

static void child_fail(sb_error *err, int fd)
{
	char buf[4096];
	size_t n = sb_error_pack(err, buf, sizeof(buf));

	if (write_all(fd, buf, n) < 0)
		sb_error_report(err);
	_exit(SB_EXIT_FAILURE);
}

static void close_fds_except(int a, int b, int c)
{
	int keep[3] = { a, b, c }, lo = 3;

	/* sort the three */
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (keep[j] < keep[i]) {
				int t = keep[i];
				keep[i] = keep[j];
				keep[j] = t;
			}
	for (int i = 0; i < 3; i++) {
		if (keep[i] > lo)
			syscall(SYS_close_range, lo, keep[i] - 1, 0);
		if (keep[i] + 1 > lo)
			lo = keep[i] + 1;
	}
	syscall(SYS_close_range, lo, ~0U, 0);
}

/* pid 1 of the new pid namespace. */
static void child_main(const struct child_args *a) __attribute__((noreturn));
static void child_main(const struct child_args *a)
{
	sb_error err = NULL;
	const char *hostname = a->spec->hostname ? a->spec->hostname : "sandbox";
	char go;
	pid_t payload;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0) {
		sb_fail(&err, errno, "set the parent death signal");
		child_fail(&err, a->err_fd);
	}
	/* Nothing of the host's passes in but stdin, stdout and stderr: not
	 * the caller's other fds, not the monitor's sockets and locks. */
	close_fds_except(a->sync_fd, a->err_fd, a->notify_sock);
	/* End of file: the monitor died before mapping us. */
	if (read_all(a->sync_fd, &go, 1) != 1)
		_exit(SB_EXIT_FAILURE);
	close(a->sync_fd);
	sb_trace("in the new namespaces, ids mapped");

	if (sethostname(hostname, strlen(hostname)) < 0) {
		sb_fail(&err, errno, "set the host name");
		child_fail(&err, a->err_fd);
	}
	if (a->spec->net == NET_SLIRP) {
		int tap = tap_create(a->spec->mtu, &err);
		if (tap < 0 || send_fd(a->notify_sock, tap, 't') < 0) {
			if (tap >= 0)
				sb_fail(&err, errno, "pass the tap device to the monitor");
			child_fail(&err, a->err_fd);
		}
		close(tap);
		sb_trace("tap device " TAP_NAME " up");
	} else if (a->spec->net == NET_NONE && net_loopback_up(&err) < 0) {
		child_fail(&err, a->err_fd);
	}
	if (rootfs_setup(a->spec, &a->plan->gid, a->img, &err) < 0)
		child_fail(&err, a->err_fd);

	payload = fork();
	if (payload < 0) {
		sb_fail(&err, errno, "fork the command");
		child_fail(&err, a->err_fd);
	}
	if (payload == 0) {
		struct payload p = { .spec = a->spec, .may_setgroups = !a->plan->deny_setgroups,
				     .err_fd = a->err_fd, .filter = a->filter,
				     .notify_sock = a->notify_sock,
				     .argv = a->img ? a->img->argv : a->spec->argv,
				     .image = a->img ? &a->img->rec.config : NULL };
		payload_exec(&p);
	}
	close(a->err_fd);
	close(a->notify_sock);
	_exit(init_loop(payload));
}

/* Everything one run holds on the monitor side; released in one place. */
struct run {
	struct idmap_plan plan;
	struct sc_policy policy;
	struct sc_filter filter;
	struct net *net;
	struct scnotify notify;
	struct image_run img;
	int sync_w, err_r, sock_r;   /* the monitor's ends */
	pid_t child;                 /* > 0 until it has been waited for */
};

static void run_release(struct run *r)
{
	closep(&r->sync_w);
	closep(&r->err_r);
	closep(&r->sock_r);
	if (r->child > 0) {
		kill(r->child, SIGKILL);
		while (waitpid(r->child, NULL, 0) < 0 && errno == EINTR)
			;
	}
	net_stop(r->net);
	image_run_free(&r->img);
	scnotify_free(&r->notify);
	seccomp_filter_free(&r->filter);
	scpolicy_free(&r->policy);
	idmap_plan_free(&r->plan);
}
#define cleanup_run __attribute__((cleanup(run_release)))

/* Did the command line itself give seccomp-allow/deny or allow-userns? */
static bool cli_seccomp_ops(const struct run_spec *spec)
{
	for (size_t i = 0; i < spec->n_sc_ops; i++)
		if (strcmp(spec->sc_ops[i].source, "the command line") == 0)
			return true;
	return spec->allow_userns;
}

static int prepare(const struct run_spec *spec, struct run *r, sb_error *err)
{
	struct rootfs_src src;
	int rc;

	/* Validate the sources here, so a bad path fails before any clone. */
	rc = rootfs_open_sources(spec, &src, err);
	rootfs_close_sources(&src);
	if (rc < 0)
		return -1;
	if (spec->root == ROOT_IMAGE && image_run_prepare(spec, &r->img, err) < 0)
		return -1;
	/* An image's files were laid out with the own ids as 0 (import): its map
	 * must be the same, and --uid/--gid then only choose who runs. */
	if (idmap_plan(&r->plan, spec->root == ROOT_IMAGE ? 0 : spec->uid,
		       spec->root == ROOT_IMAGE ? 0 : spec->gid, err) < 0)
		return -1;
	sb_trace("sources opened, id maps planned");
	if (spec->seccomp_profile != NULL && !spec->quiet && cli_seccomp_ops(spec))
		sb_warn("--seccomp-profile replaces the syscall groups: seccomp-allow, seccomp-deny "
			"and allow-userns do not apply");
	if (spec->uid == 0 && (spec->caps & (1ull << 21)) && !spec->quiet)
		sb_warn("with CAP_SYS_ADMIN the command can remount read-only mounts read-write "
			"and change what it sees of the file system");
	scpolicy_build(spec->sc_ops, spec->n_sc_ops, &r->policy);
	{
		unsigned long long caps = spec->uid == 0 ? spec->caps : 0;
		struct sc_options o = { .policy = &r->policy, .json_profile = spec->seccomp_profile,
					.allow_userns = spec->allow_userns, .quiet = spec->quiet,
					.caps_mask = &caps };
		if (seccomp_filter_build(&o, &r->filter, err) < 0)
			return -1;
	}
	sb_trace("seccomp filter: %zu instructions, %s", r->filter.n,
		 r->filter.notify ? "refusals reported" : "refusals silent");
	if (spec->net == NET_SLIRP) {
		struct net_options o = { .mtu = spec->mtu, .host_loopback = spec->net_host_loopback,
					 .publish = spec->publish, .n_publish = spec->n_publish,
					 .dns_server = spec->dns_server,
					 .hostname = spec->hostname ? spec->hostname : "sandbox" };
		if (net_start(&o, &r->net, err) < 0)
			return -1;
		sb_trace("user-mode network ready, %zu port%s published", spec->n_publish,
			 spec->n_publish == 1 ? "" : "s");
	}
	return 0;
}

/* After the command was executed: the fds the sandbox sent (tap, seccomp
 * listener), in the order they were sent. */
static void collect_fds(struct run *r)
{
	for (;;) {
		char tag = 0;
		int fd = recv_fd(r->sock_r, &tag);
		if (fd < 0)
			break;
		if (tag == 't' && r->net != NULL)
			net_attach(r->net, fd);
		else if (tag == 'n' && r->notify.fd < 0)
			r->notify.fd = fd;
		else
			close(fd);
	}
	r->notify.policy = &r->policy;
}

int sandbox_run(const struct run_spec *spec, sb_error *err)
{
	cleanup_run struct run r = { .notify = { .fd = -1 }, .sync_w = -1, .err_r = -1,
				     .sock_r = -1 };
	struct child_args a;
	int sync_pipe[2], err_pipe[2], nsock[2];
	sigset_t set;
	char buf[4096];
	ssize_t n;
	pid_t child;
	int status;

	if (prepare(spec, &r, err) < 0)
		return -1;
	if (pipe2(sync_pipe, O_CLOEXEC) < 0)
		return sb_fail(err, errno, "pipe");
	r.sync_w = sync_pipe[1];
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		close(sync_pipe[0]);
		return sb_fail(err, errno, "pipe");
	}
	r.err_r = err_pipe[0];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, nsock) < 0) {
		close(sync_pipe[0]);
		close(err_pipe[1]);
		return sb_fail(err, errno, "socketpair");
	}
	r.sock_r = nsock[0];
	relay_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);

	a = (struct child_args){ .spec = spec, .plan = &r.plan, .filter = &r.filter,
				 .img = spec->root == ROOT_IMAGE ? &r.img : NULL,
				 .sync_fd = sync_pipe[0], .err_fd = err_pipe[1],
				 .notify_sock = nsock[1] };
	child = (pid_t)syscall(SYS_clone, NS_FLAGS | (spec->net == NET_HOST ? 0 : CLONE_NEWNET) |
			       SIGCHLD, NULL, NULL, NULL, NULL);
	if (child == 0) {
		close(sync_pipe[1]);
		close(err_pipe[0]);
		close(nsock[0]);
		child_main(&a);
	}
	close(sync_pipe[0]);
	close(err_pipe[1]);
	close(nsock[1]);
	if (child < 0) {
		int e = errno;
		sb_fail(err, e, "cannot create the namespaces");
		if (e == EPERM || e == ENOSPC || e == EINVAL)
			sb_hint(err, "are unprivileged user namespaces enabled? run 'sandbox check'");
		return -1;
	}
	r.child = child;
	sb_trace("cloned pid %d", (int)child);
	if (idmap_apply(&r.plan, child, err) < 0)
		return -1;
	sb_trace("id maps written");
	if (write_all(r.sync_w, "g", 1) < 0)
		return sb_fail(err, errno, "release the sandbox");
	closep(&r.sync_w);

	n = read_all(r.err_r, buf, sizeof(buf));
	if (n > 0) {
		int wst;
		sb_error_unpack(err, buf, (size_t)n);
		while (waitpid(child, &wst, 0) < 0 && errno == EINTR)
			;
		r.child = 0;   /* cppcheck-suppress unreadVariable ; read by run_release */
		return -1;
	}
	closep(&r.err_r);
	collect_fds(&r);
	closep(&r.sock_r);
	status = monitor_run(child, &r.notify, r.net);
	r.child = 0;   /* cppcheck-suppress unreadVariable ; read by run_release */
	sb_trace("sandbox exited with status %d", status);
	return status;
}
