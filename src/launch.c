/* launch.c: the process model of `sandbox run` (doc/ARCHITECTURE.md).
 *
 * The monitor (this process) opens every source, blocks the relayed signals
 * and clones one child into new user, mount, pid, ipc, uts, cgroup and
 * network namespaces at once, so that every namespace is owned by the new
 * user namespace. The child, pid 1 inside, waits on a pipe until the monitor
 * has written its id maps, then builds the root, forks the command and
 * becomes its init. Errors of the sandboxed side travel back over a
 * close-on-exec pipe: end of file there means the command was executed. The
 * child dies with the monitor (PR_SET_PDEATHSIG), and the whole pid namespace
 * with it, so a SIGKILL of the launcher leaves nothing behind. */
#include "config.h"
#include "launch.h"
#include "exec.h"
#include "idmap.h"
#include "init.h"
#include "log.h"
#include "rootfs.h"
#include "scnotify.h"
#include "scfilter.h"
#include "util.h"

#include <poll.h>
#include <sys/signalfd.h>
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
	/* End of file: the monitor died before mapping us. */
	if (read_all(a->sync_fd, &go, 1) != 1)
		_exit(SB_EXIT_FAILURE);
	close(a->sync_fd);
	sb_trace("in the new namespaces, ids mapped");

	if (sethostname(hostname, strlen(hostname)) < 0) {
		sb_fail(&err, errno, "set the host name");
		child_fail(&err, a->err_fd);
	}
	if (rootfs_setup(a->spec, &a->plan->gid, &err) < 0)
		child_fail(&err, a->err_fd);

	payload = fork();
	if (payload < 0) {
		sb_fail(&err, errno, "fork the command");
		child_fail(&err, a->err_fd);
	}
	if (payload == 0) {
		struct payload p = { .spec = a->spec, .may_setgroups = !a->plan->deny_setgroups,
				     .err_fd = a->err_fd, .filter = a->filter,
				     .notify_sock = a->notify_sock };
		payload_exec(&p);
	}
	close(a->err_fd);
	close(a->notify_sock);
	_exit(init_loop(payload));
}

/* Wait for the child while relaying signals sent to the monitor and
 * answering the seccomp listener. */
static int monitor_loop(pid_t child, struct scnotify *notify)
{
	sigset_t set;
	cleanup_close int sfd = -1;

	relay_sigset(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return SB_EXIT_FAILURE;
	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
				       { .fd = notify->fd, .events = POLLIN } };
		struct signalfd_siginfo si;
		int st;

		if (poll(p, notify->fd >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return SB_EXIT_FAILURE;
		}
		/* the listener hangs up when every filtered process has exited */
		if (notify->fd >= 0 && p[1].revents != 0 &&
		    (!(p[1].revents & POLLIN) || scnotify_handle(notify) < 0))
			closep(&notify->fd);
		if (!(p[0].revents & POLLIN))
			continue;
		if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			continue;
		if (si.ssi_signo == SIGCHLD) {
			pid_t w = waitpid(child, &st, WNOHANG);
			if (w == child)
				return exit_status_of(st);
			continue;
		}
		if (si.ssi_code != SI_KERNEL)
			kill(child, (int)si.ssi_signo);
	}
}

static void reap(pid_t child)
{
	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
}

int sandbox_run(const struct run_spec *spec, sb_error *err)
{
	struct rootfs_src src;
	struct idmap_plan plan;
	struct child_args a;
	struct sc_policy policy;
	struct sc_filter filter;
	struct scnotify notify = { .fd = -1 };
	int sync_pipe[2], err_pipe[2], nsock[2];
	sigset_t set, old;
	char buf[4096];
	ssize_t n;
	pid_t child;
	int status;

	/* Validate the sources here, so a bad path fails before any clone. */
	if (rootfs_open_sources(spec, &src, err) < 0) {
		rootfs_close_sources(&src);
		return -1;
	}
	rootfs_close_sources(&src);
	if (idmap_plan(&plan, spec->uid, spec->gid, err) < 0)
		return -1;
	sb_trace("sources opened, id maps planned");
	scpolicy_build(spec->sc_ops, spec->n_sc_ops, &policy);
	{
		struct sc_options o = { .policy = &policy, .json_profile = spec->seccomp_profile,
					.allow_userns = spec->allow_userns, .quiet = spec->quiet,
					.caps_mask = &(unsigned long long){ spec->uid == 0 ? spec->caps : 0 } };
		if (seccomp_filter_build(&o, &filter, err) < 0) {
			scpolicy_free(&policy);
			idmap_plan_free(&plan);
			return -1;
		}
	}
	sb_trace("seccomp filter: %zu instructions, %s", filter.n,
		 filter.notify ? "refusals reported" : "refusals silent");
	if (pipe2(sync_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, nsock) < 0) {
		seccomp_filter_free(&filter);
		scpolicy_free(&policy);
		idmap_plan_free(&plan);
		return sb_fail(err, errno, "pipe");
	}
	relay_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);

	a = (struct child_args){ .spec = spec, .plan = &plan, .filter = &filter,
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
	seccomp_filter_free(&filter);
	if (child < 0) {
		int e = errno;
		close(sync_pipe[1]);
		close(err_pipe[0]);
		close(nsock[0]);
		scpolicy_free(&policy);
		idmap_plan_free(&plan);
		sigprocmask(SIG_SETMASK, &old, NULL);
		sb_fail(err, e, "cannot create the namespaces");
		if (e == EPERM || e == ENOSPC || e == EINVAL)
			sb_hint(err, "are unprivileged user namespaces enabled? run 'sandbox check'");
		return -1;
	}
	sb_trace("cloned pid %d", (int)child);
	if (idmap_apply(&plan, child, err) < 0) {
		idmap_plan_free(&plan);
		scpolicy_free(&policy);
		close(sync_pipe[1]);
		close(err_pipe[0]);
		close(nsock[0]);
		reap(child);
		return -1;
	}
	idmap_plan_free(&plan);
	sb_trace("id maps written");
	if (write_all(sync_pipe[1], "g", 1) < 0) {
		int e = errno;
		scpolicy_free(&policy);
		close(sync_pipe[1]);
		close(err_pipe[0]);
		close(nsock[0]);
		reap(child);
		return sb_fail(err, e, "release the sandbox");
	}
	close(sync_pipe[1]);

	n = read_all(err_pipe[0], buf, sizeof(buf));
	close(err_pipe[0]);
	if (n > 0) {
		int wst;
		sb_error_unpack(err, buf, (size_t)n);
		close(nsock[0]);
		scpolicy_free(&policy);
		while (waitpid(child, &wst, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	notify.fd = recv_fd(nsock[0]);
	notify.policy = &policy;
	close(nsock[0]);
	status = monitor_loop(child, &notify);
	scnotify_free(&notify);
	scpolicy_free(&policy);
	sb_trace("sandbox exited with status %d", status);
	return status;
}
