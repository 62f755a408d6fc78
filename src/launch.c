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
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define NS_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | \
		  CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_NEWNET)

struct child_args {
	const struct run_spec *spec;
	const struct idmap_plan *plan;
	int sync_fd;   /* read: one byte once the maps are written */
	int err_fd;    /* write: packed sb_error, close-on-exec */
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
	if (payload == 0)
		payload_exec(a->spec, !a->plan->deny_setgroups, a->err_fd);
	close(a->err_fd);
	_exit(init_loop(payload));
}

/* Wait for the child while relaying signals sent to the monitor. */
static int monitor_loop(pid_t child)
{
	sigset_t set;

	relay_sigset(&set);
	for (;;) {
		siginfo_t si;
		int st, sig = sigwaitinfo(&set, &si);

		if (sig < 0 && errno == EINTR)
			continue;
		if (sig == SIGCHLD || sig < 0) {
			pid_t p = waitpid(child, &st, sig < 0 ? 0 : WNOHANG);
			if (p == child)
				return exit_status_of(st);
			if (p < 0 && errno != EINTR)
				return SB_EXIT_FAILURE;
			continue;
		}
		if (si.si_code != SI_KERNEL)
			kill(child, sig);
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
	int sync_pipe[2], err_pipe[2];
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
	if (!idmap_contains(&plan.uid, spec->uid) || !idmap_contains(&plan.gid, spec->gid)) {
		idmap_plan_free(&plan);
		return sb_fail(err, 0, "--uid %u/--gid %u is not mapped inside (only your own "
			       "ids are, without subordinate ids)", spec->uid, spec->gid);
	}
	sb_trace("sources opened, id maps planned");
	if (pipe2(sync_pipe, O_CLOEXEC) < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
		idmap_plan_free(&plan);
		return sb_fail(err, errno, "pipe");
	}
	relay_sigset(&set);
	sigprocmask(SIG_BLOCK, &set, &old);

	a = (struct child_args){ .spec = spec, .plan = &plan,
				 .sync_fd = sync_pipe[0], .err_fd = err_pipe[1] };
	child = (pid_t)syscall(SYS_clone, NS_FLAGS | SIGCHLD, NULL, NULL, NULL, NULL);
	if (child == 0) {
		close(sync_pipe[1]);
		close(err_pipe[0]);
		child_main(&a);
	}
	close(sync_pipe[0]);
	close(err_pipe[1]);
	if (child < 0) {
		int e = errno;
		close(sync_pipe[1]);
		close(err_pipe[0]);
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
		close(sync_pipe[1]);
		close(err_pipe[0]);
		reap(child);
		return -1;
	}
	idmap_plan_free(&plan);
	sb_trace("id maps written");
	if (write_all(sync_pipe[1], "g", 1) < 0) {
		int e = errno;
		close(sync_pipe[1]);
		close(err_pipe[0]);
		reap(child);
		return sb_fail(err, e, "release the sandbox");
	}
	close(sync_pipe[1]);

	n = read_all(err_pipe[0], buf, sizeof(buf));
	close(err_pipe[0]);
	if (n > 0) {
		int wst;
		sb_error_unpack(err, buf, (size_t)n);
		while (waitpid(child, &wst, 0) < 0 && errno == EINTR)
			;
		return -1;
	}
	status = monitor_loop(child);
	sb_trace("sandbox exited with status %d", status);
	return status;
}
