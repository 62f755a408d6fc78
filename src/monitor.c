/* monitor.c: the monitor's event loop and self-confinement (see
 * monitor.h). Signals arrive through a signalfd; ones the terminal sent
 * (SI_KERNEL) already reached the whole foreground group and are not relayed
 * twice. When libslirp runs here, the monitor first drops every capability,
 * sets no_new_privs and loads an allow-list filter, so a bug in the packet
 * parser cannot reach much of the kernel. */
#include "config.h"
#include "monitor.h"
#include "init.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

/* What the loop, libslirp (sockets of every kind), the DNS forwarder and
 * the seccomp listener (which reads /proc/PID/status) use. */
static const char *const allowed[] = {
	"read", "write", "readv", "writev", "recvfrom", "sendto", "recvmsg", "sendmsg",
	"recvmmsg", "sendmmsg", "poll", "ppoll", "close", "socket", "connect", "accept",
	"accept4", "bind", "listen", "shutdown", "getsockname", "getpeername", "getsockopt",
	"setsockopt", "fcntl", "ioctl", "openat", "newfstatat", "fstat", "lseek", "wait4",
	"waitid", "kill", "exit", "exit_group", "rt_sigreturn", "rt_sigprocmask", "brk",
	"mmap", "munmap", "mremap", "madvise", "futex", "getrandom", "clock_gettime",
	"gettimeofday", "clock_nanosleep", "nanosleep", "getpid", "gettid", "restart_syscall",
	"sched_yield", "uname", "getuid", "geteuid", "getgid", "getegid", "time", "statx",
	"pread64", "getrusage", "clone", "close_range",
};

int monitor_confine(sb_error *err)
{
	scmp_filter_ctx ctx;
	cap_t none = cap_init();
	int r;

	if (none == NULL || cap_set_proc(none) < 0) {
		if (none != NULL)
			cap_free(none);
		return sb_fail(err, errno, "drop the monitor's capabilities");
	}
	cap_free(none);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return sb_fail(err, errno, "set no_new_privs on the monitor");
	ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	if (ctx == NULL)
		return sb_fail(err, ENOMEM, "seccomp_init");
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		int nr = seccomp_syscall_resolve_name(allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (r < 0 && r != -EEXIST) {
			seccomp_release(ctx);
			return sb_fail(err, -r, "monitor filter: %s", allowed[i]);
		}
	}
	r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return sb_fail(err, -r, "load the monitor's seccomp filter");
	return 0;
}

/* Closing the last fd of a tap device waits for an RCU grace period, tens
 * of milliseconds. A short-lived child takes the last reference, so the
 * exit status reaches the caller at once; it ends by itself. */
static void close_tap_later(int tapfd)
{
	pid_t p = tapfd >= 0 ? fork() : -1;

	if (p == 0) {
		struct timespec ts = { .tv_sec = 0, .tv_nsec = 200000000 };
		/* nothing else: not the caller's stdout, which someone may read to the end */
		if (tapfd > 0)
			syscall(SYS_close_range, 0, tapfd - 1, 0);
		syscall(SYS_close_range, tapfd + 1, ~0U, 0);
		nanosleep(&ts, NULL);
		_exit(0);
	}
}

/* One signal from the signalfd: >= 0 is the exit status when the child
 * ended, -1 to go on. */
static int on_signal(int sfd, pid_t child)
{
	struct signalfd_siginfo si;
	int st;

	if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return -1;
	if (si.ssi_signo == SIGCHLD) {
		if (waitpid(child, &st, WNOHANG) == child)
			return exit_status_of(st);
		return -1;
	}
	if (si.ssi_code != SI_KERNEL)
		kill(child, (int)si.ssi_signo);
	return -1;
}

int monitor_run(pid_t child, struct scnotify *notify, struct net *net)
{
	sigset_t set;
	cleanup_close int sfd = -1;
	size_t cap = 16;
	cleanup_free struct pollfd *pfds = xcalloc(cap, sizeof(*pfds));

	relay_sigset(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sfd < 0)
		return SB_EXIT_FAILURE;
	if (net != NULL) {
		sb_error err = NULL;
		if (monitor_confine(&err) < 0) {
			sb_warn("the monitor runs unconfined: %s", err->msg);
			sb_error_free(&err);
		}
		else
			sb_trace("monitor confined: no capabilities, no_new_privs, seccomp allow-list");
	}
	for (;;) {
		size_t n = 2;
		int timeout = -1, st;

		pfds[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfds[1] = (struct pollfd){ .fd = notify->fd, .events = POLLIN };
		if (net != NULL)
			net_fill(net, &pfds, &n, &cap, &timeout);
		if (poll(pfds, n, timeout) < 0) {
			if (errno == EINTR)
				continue;
			return SB_EXIT_FAILURE;
		}
		/* the listener hangs up when every filtered process has exited */
		if (notify->fd >= 0 && pfds[1].revents != 0 &&
		    (!(pfds[1].revents & POLLIN) || scnotify_handle(notify) < 0))
			closep(&notify->fd);
		if (net != NULL)
			net_poll(net, pfds, 2);
		if ((pfds[0].revents & POLLIN) && (st = on_signal(sfd, child)) >= 0) {
			if (net != NULL) {
				uint64_t in, out, dns;
				struct rusage ru;
				net_stats(net, &in, &out, &dns);
				getrusage(RUSAGE_SELF, &ru);
				sb_trace("network: %llu frames from the sandbox, %llu to it, %llu DNS "
					 "answers; monitor cpu %ld.%06ld s user %ld.%06ld s sys, peak "
					 "rss %ld KiB", (unsigned long long)in, (unsigned long long)out,
					 (unsigned long long)dns, (long)ru.ru_utime.tv_sec,
					 (long)ru.ru_utime.tv_usec, (long)ru.ru_stime.tv_sec,
					 (long)ru.ru_stime.tv_usec, ru.ru_maxrss);
				close_tap_later(net_tapfd(net));
			}
			return st;
		}
	}
}
