/* userns.c: a mapped child for the image store (see userns.h). As in
 * launch.c: the parent plans the maps, clones the child blocked on a pipe,
 * writes the maps (newuidmap/newgidmap or directly), releases it and waits;
 * the child's error comes back packed over a close-on-exec pipe. Only
 * CLONE_NEWUSER is needed: the child touches files, not mounts. */
#include "config.h"
#include "userns.h"
#include "idmap.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static void child_main(int sync_fd, int err_fd, int (*fn)(void *, sb_error *), void *arg)
	__attribute__((noreturn));
static void child_main(int sync_fd, int err_fd, int (*fn)(void *, sb_error *), void *arg)
{
	sb_error err = NULL;
	char go, buf[4096];
	size_t n;

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
		_exit(SB_EXIT_FAILURE);
	/* End of file: the parent died before mapping us. */
	if (read_all(sync_fd, &go, 1) != 1)
		_exit(SB_EXIT_FAILURE);
	close(sync_fd);
	if (fn(arg, &err) == 0) {
		fflush(stdout);
		fflush(stderr);
		_exit(0);
	}
	if (err == NULL)
		sb_fail(&err, 0, "failed in the user namespace");
	n = sb_error_pack(&err, buf, sizeof(buf));
	if (write_all(err_fd, buf, n) < 0)
		sb_error_report(&err);
	_exit(SB_EXIT_FAILURE);
}

static void reap(pid_t child)
{
	kill(child, SIGKILL);
	while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
		;
}

int userns_run(int (*fn)(void *arg, sb_error *err), void *arg, unsigned long flags,
	       sb_error *err)
{
	struct idmap_plan plan;
	int sync_pipe[2], err_pipe[2];
	char buf[4096];
	ssize_t n;
	pid_t child;
	int st;

	if (idmap_plan(&plan, 0, 0, err) < 0)
		return -1;
	if (pipe2(sync_pipe, O_CLOEXEC) < 0) {
		idmap_plan_free(&plan);
		return sb_fail(err, errno, "pipe");
	}
	if (pipe2(err_pipe, O_CLOEXEC) < 0) {
		int e = errno;
		close(sync_pipe[0]);
		close(sync_pipe[1]);
		idmap_plan_free(&plan);
		return sb_fail(err, e, "pipe");
	}
	fflush(stdout);
	fflush(stderr);
	child = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (child == 0) {
		close(sync_pipe[1]);
		close(err_pipe[0]);
		child_main(sync_pipe[0], err_pipe[1], fn, arg);
	}
	close(sync_pipe[0]);
	close(err_pipe[1]);
	if (child < 0) {
		int e = errno;
		close(sync_pipe[1]);
		close(err_pipe[0]);
		idmap_plan_free(&plan);
		sb_fail(err, e, "cannot create a user namespace");
		if (e == EPERM || e == ENOSPC || e == EINVAL)
			sb_hint(err, "are unprivileged user namespaces enabled? run 'sandbox check'");
		return -1;
	}
	sb_trace("cloned pid %d into a new user namespace", (int)child);
	if (idmap_apply(&plan, child, err) < 0) {
		idmap_plan_free(&plan);
		close(sync_pipe[1]);
		close(err_pipe[0]);
		reap(child);
		return -1;
	}
	idmap_plan_free(&plan);
	if (write_all(sync_pipe[1], "g", 1) < 0) {
		int e = errno;
		close(sync_pipe[1]);
		close(err_pipe[0]);
		reap(child);
		return sb_fail(err, e, "release the user namespace child");
	}
	close(sync_pipe[1]);
	n = read_all(err_pipe[0], buf, sizeof(buf));
	close(err_pipe[0]);
	while (waitpid(child, &st, 0) < 0) {
		if (errno != EINTR)
			return sb_fail(err, errno, "wait for pid %d", (int)child);
	}
	if (n > 0)
		return sb_error_unpack(err, buf, (size_t)n);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return sb_fail(err, 0, "the user namespace child %s %d",
			       WIFEXITED(st) ? "exited with status" : "was killed by signal",
			       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	return 0;
}
