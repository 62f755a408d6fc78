/*
 * sbhelper: a static test helper that runs *inside* a sandbox and reports one
 * fact per invocation on stdout, so that the bats tests can assert on it.
 *
 * Build:  gcc -static -O2 -Wall -Wextra -Werror -o sbhelper sbhelper.c
 * Usage:  sbhelper SUBCOMMAND [ARG...]    (`sbhelper help` lists them)
 *
 * Exit status: 0 when the fact was reported, including "the call failed with
 * errno=E" for `syscall`, `write` and `stat`; 1 when the helper itself could
 * not do its job (message on stderr); 2 for a usage error.
 *
 * `syscall NAME` makes one call with syscall(2) and prints "NAME: ok" or
 * "NAME: errno=EPERM".  Every call is harmless whether it is allowed or not:
 * it either passes current values or arguments the kernel rejects *after*
 * its permission check.  So EPERM (or EACCES) means "refused" by seccomp or
 * a missing capability, and the "allowed" result is given below.
 *
 *   name               call                                   allowed
 *   settimeofday       settimeofday(NULL, NULL)               ok
 *   clock_settime      CLOCK_REALTIME, tv_nsec = 1e9          EINVAL
 *   adjtimex           modes = 0 (read only)                  ok
 *   adjtimex-set       modes = ADJ_TICK, the current tick     ok
 *   reboot             magic1 = 0                             EINVAL
 *   unshare-user       unshare(CLONE_NEWUSER)                 ok
 *   mount-tmpfs        tmpfs on /tmp, "size=sbhelper"         EINVAL
 *   sethostname        the current host name                  ok
 *   ptrace-attach-1    PTRACE_SEIZE pid 1 (never stops it)    ok
 *   perf_event_open    software task-clock on self            ok
 *   bpf                BPF_PROG_LOAD, attr NULL, size 0       EINVAL/E2BIG
 *   kexec_load         1000 segments, unknown flag 0x8000     EINVAL
 *   init_module        (NULL, 0, "")                          EFAULT/ENOEXEC
 *   swapon             ("/nonexistent", 0)                    ENOENT
 *   ioperm             (0, 1, 1)                              ok
 *   iopl               (3)                                    ok
 *   keyctl             KEYCTL_GET_KEYRING_ID, session, no create  ok
 *   acct               ("/nonexistent/acct")                  ENOENT
 *   syslog             SYSLOG_ACTION_SIZE_BUFFER (10)         ok
 *   userfaultfd        (0)                                    ok
 *   open_by_handle_at  mount fd -1                            EBADF
 *   personality        (0xffffffff), a query                  ok
 *   ioctl-tiocsti      ioctl(0, TIOCSTI, NULL)                EFAULT
 *   ioctl-tiocsti-high the same, request | 1 << 32            EFAULT
 *   x32-settimeofday   settimeofday(NULL, NULL) by the x32 ABI    ok, or
 *                      ENOSYS where the kernel has no x32
 *   personality-unsafe ADDR_NO_RANDOMIZE, then restored          ok
 *   modify_ldt         read 0 bytes of the LDT                   ok
 *   clone3             (NULL, 0)                                 EINVAL/EFAULT
 *   quotactl           Q_GETFMT on /nonexistent                  ENOENT
 *
 * Notes: the "allowed" column assumes the needed capability is held; e.g.
 * settimeofday needs CAP_SYS_TIME in the initial user namespace, so it is
 * EPERM in every sandbox.  Passing NULL/NULL, an invalid nsec, a bad acct
 * path, PTRACE_SEIZE instead of PTRACE_ATTACH and a NULL TIOCSTI buffer keep
 * the calls harmless even when run by root on the host: nothing is stepped,
 * switched off, stopped or typed into a terminal.  On ioctl-tiocsti, EIO
 * means dev.tty.legacy_tiocsti=0 and ENOTTY that fd 0 is not a terminal.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
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
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>

extern char **environ;

static const char *prog = "sbhelper";

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Symbolic name of an errno value; unknown values come back as a number. */
static const char *
errno_name(int err)
{
	static const struct {
		int value;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },	      { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" },	      { EINTR, "EINTR" },
		{ EIO, "EIO" },		      { ENXIO, "ENXIO" },
		{ E2BIG, "E2BIG" },	      { ENOEXEC, "ENOEXEC" },
		{ EBADF, "EBADF" },	      { ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" },	      { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" },	      { EFAULT, "EFAULT" },
		{ EBUSY, "EBUSY" },	      { EEXIST, "EEXIST" },
		{ EXDEV, "EXDEV" },	      { ENODEV, "ENODEV" },
		{ ENOTDIR, "ENOTDIR" },	      { EISDIR, "EISDIR" },
		{ EINVAL, "EINVAL" },	      { ENFILE, "ENFILE" },
		{ EMFILE, "EMFILE" },	      { ENOTTY, "ENOTTY" },
		{ ETXTBSY, "ETXTBSY" },	      { ENOSPC, "ENOSPC" },
		{ ESPIPE, "ESPIPE" },	      { EROFS, "EROFS" },
		{ ENAMETOOLONG, "ENAMETOOLONG" }, { ENOSYS, "ENOSYS" },
		{ ENOTEMPTY, "ENOTEMPTY" },   { ELOOP, "ELOOP" },
		{ EOVERFLOW, "EOVERFLOW" },   { EOPNOTSUPP, "EOPNOTSUPP" },
		{ ENOKEY, "ENOKEY" },
	};
	static char buf[32];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].value == err)
			return names[i].name;
	snprintf(buf, sizeof(buf), "%d", err);
	return buf;
}

static long
parse_long(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		fail("invalid %s '%s' (expected %ld..%ld)", what, s, min, max);
	return v;
}

/* Copy a file to stdout unchanged. */
static int
cat_file(const char *path)
{
	char buf[8192];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fail("open '%s': %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fail("read '%s': %s", path, strerror(errno));
		}
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			fail("write to stdout: %s", strerror(errno));
	}
	close(fd);
	return 0;
}

static int
cmd_uidmap(char **argv)
{
	(void)argv;
	return cat_file("/proc/self/uid_map");
}

static int
cmd_gidmap(char **argv)
{
	(void)argv;
	return cat_file("/proc/self/gid_map");
}

static int
cmd_setgroups(char **argv)
{
	(void)argv;
	return cat_file("/proc/self/setgroups");
}

static int
cmd_mounts(char **argv)
{
	(void)argv;
	return cat_file("/proc/self/mountinfo");
}

static int
cmd_ids(char **argv)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	gid_t groups[NGROUPS_MAX];
	int n;

	(void)argv;
	if (getresuid(&ruid, &euid, &suid) < 0)
		fail("getresuid: %s", strerror(errno));
	if (getresgid(&rgid, &egid, &sgid) < 0)
		fail("getresgid: %s", strerror(errno));
	n = getgroups(NGROUPS_MAX, groups);
	if (n < 0)
		fail("getgroups: %s", strerror(errno));
	printf("uid=%u/%u/%u gid=%u/%u/%u groups=", (unsigned)ruid,
	       (unsigned)euid, (unsigned)suid, (unsigned)rgid, (unsigned)egid,
	       (unsigned)sgid);
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)groups[i]);
	putchar('\n');
	return 0;
}

/* "mnt:[4026531840]" -> "4026531840" */
static int
cmd_ns(char **argv)
{
	char path[PATH_MAX], link[128];
	char *open_br, *close_br;
	ssize_t n;

	if (strchr(argv[0], '/') != NULL)
		fail("invalid namespace name '%s'", argv[0]);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", argv[0]);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		fail("readlink '%s': %s", path, strerror(errno));
	link[n] = '\0';
	open_br = strchr(link, '[');
	close_br = strrchr(link, ']');
	if (open_br == NULL || close_br == NULL || close_br < open_br)
		fail("unexpected link '%s' -> '%s'", path, link);
	*close_br = '\0';
	printf("%s\n", open_br + 1);
	return 0;
}

/* Print the lines of /proc/self/status whose key is in KEYS. */
static int
print_status_lines(const char *const *keys)
{
	char line[512];
	FILE *f;

	f = fopen("/proc/self/status", "re");
	if (f == NULL)
		fail("open '/proc/self/status': %s", strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		for (const char *const *k = keys; *k != NULL; k++) {
			size_t len = strlen(*k);

			if (strncmp(line, *k, len) == 0 && line[len] == ':') {
				fputs(line, stdout);
				break;
			}
		}
	}
	fclose(f);
	return 0;
}

static int
cmd_caps(char **argv)
{
	static const char *const keys[] = { "CapInh", "CapPrm", "CapEff",
					    "CapBnd", "CapAmb", "NoNewPrivs",
					    NULL };

	(void)argv;
	return print_status_lines(keys);
}

static int
cmd_seccomp(char **argv)
{
	static const char *const keys[] = { "Seccomp", "Seccomp_filters",
					    NULL };

	(void)argv;
	return print_status_lines(keys);
}

static int
cmd_pid(char **argv)
{
	(void)argv;
	printf("pid=%d ppid=%d\n", (int)getpid(), (int)getppid());
	return 0;
}

/*
 * The probes of `syscall NAME`.  Each returns the raw result of syscall(2)
 * (-1 with errno set on failure) and releases whatever it obtained.
 */

static long
try_settimeofday(void)
{
	return syscall(SYS_settimeofday, NULL, NULL);
}

static long
try_clock_settime(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		fail("clock_gettime: %s", strerror(errno));
	ts.tv_nsec = 1000000000; /* out of range: rejected, never set */
	return syscall(SYS_clock_settime, CLOCK_REALTIME, &ts);
}

static long
try_adjtimex(void)
{
	struct timex tx = { .modes = 0 };

	return syscall(SYS_adjtimex, &tx);
}

static long
try_adjtimex_set(void)
{
	struct timex tx = { .modes = 0 };

	if (syscall(SYS_adjtimex, &tx) < 0)
		return -1;
	tx.modes = ADJ_TICK; /* the tick it already has */
	return syscall(SYS_adjtimex, &tx);
}

static long
try_reboot(void)
{
	return syscall(SYS_reboot, 0, 0, 0, NULL);
}

static long
try_unshare_user(void)
{
	return syscall(SYS_unshare, CLONE_NEWUSER);
}

static long
try_mount_tmpfs(void)
{
	return syscall(SYS_mount, "sbhelper", "/tmp", "tmpfs", 0UL,
		       "size=sbhelper");
}

static long
try_sethostname(void)
{
	struct utsname u;

	if (uname(&u) < 0)
		fail("uname: %s", strerror(errno));
	return syscall(SYS_sethostname, u.nodename, strlen(u.nodename));
}

static long
try_ptrace_attach_1(void)
{
	/* Seized, pid 1 is never stopped; it is released when we exit. */
	return syscall(SYS_ptrace, PTRACE_SEIZE, 1, NULL, NULL);
}

static long
try_perf_event_open(void)
{
	struct perf_event_attr attr;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0UL);
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static long
try_bpf(void)
{
	long fd = syscall(SYS_bpf, BPF_PROG_LOAD, NULL, 0);

	if (fd >= 0)
		close((int)fd);
	return fd;
}

static long
try_kexec_load(void)
{
	/* Both too many segments and an unknown flag: always rejected. */
	return syscall(SYS_kexec_load, 0UL, 1000UL, NULL, 0x8000UL);
}

static long
try_init_module(void)
{
	return syscall(SYS_init_module, NULL, 0UL, "");
}

static long
try_swapon(void)
{
	return syscall(SYS_swapon, "/nonexistent", 0);
}

static long
try_ioperm(void)
{
#ifdef SYS_ioperm
	return syscall(SYS_ioperm, 0UL, 1UL, 1);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static long
try_iopl(void)
{
#ifdef SYS_iopl
	return syscall(SYS_iopl, 3);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static long
try_keyctl(void)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
		       KEY_SPEC_SESSION_KEYRING, 0);
}

static long
try_acct(void)
{
	return syscall(SYS_acct, "/nonexistent/acct");
}

static long
try_syslog(void)
{
	return syscall(SYS_syslog, 10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
}

static long
try_userfaultfd(void)
{
	long fd = syscall(SYS_userfaultfd, 0);

	if (fd >= 0)
		close((int)fd);
	return fd;
}

static long
try_open_by_handle_at(void)
{
	union {
		struct file_handle fh;
		char space[sizeof(struct file_handle) + 16];
	} h;
	long fd;

	memset(&h, 0, sizeof(h));
	h.fh.handle_bytes = 16;
	fd = syscall(SYS_open_by_handle_at, -1, &h.fh, O_RDONLY);
	if (fd >= 0)
		close((int)fd);
	return fd;
}

static long
try_personality(void)
{
	return syscall(SYS_personality, 0xffffffffUL);
}

/* Asks for no address randomisation (in this process only); the flag is
 * read back and the old persona restored, so nothing lasts either way. */
static long
try_personality_unsafe(void)
{
	long old = syscall(SYS_personality, 0xffffffffUL);
	long r = syscall(SYS_personality, (unsigned long)(old | 0x0040000));

	if (r >= 0)
		syscall(SYS_personality, (unsigned long)old);
	return r < 0 ? r : 0;
}

/* Reads the LDT into a zero-length buffer: harmless when allowed. */
static long
try_modify_ldt(void)
{
#ifdef SYS_modify_ldt
	return syscall(SYS_modify_ldt, 0, NULL, 0UL);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* clone3 with no arguments: EINVAL from the kernel, ENOSYS from a filter
 * that sends libc back to clone. */
static long
try_clone3(void)
{
#ifdef SYS_clone3
	return syscall(SYS_clone3, NULL, 0UL);
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* quotactl on a path that does not exist: ENOENT when allowed. */
static long
try_quotactl(void)
{
	return syscall(SYS_quotactl, 0x800004 /* Q_GETFMT */, "/nonexistent", 0, NULL);
}

static long
try_ioctl_tiocsti(void)
{
	return syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI, NULL);
}

static long
try_ioctl_tiocsti_high(void)
{
	/* The kernel truncates the request to 32 bits; a filter may not. */
#if __SIZEOF_LONG__ == 8
	return syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI | (1UL << 32),
		       NULL);
#else
	return syscall(SYS_ioctl, 0, (unsigned long)TIOCSTI, NULL);
#endif
}

/* x32 ABI: the x86_64 number with bit 30 set. Kernels without x32 say
 * ENOSYS; a filter that covers x32 refuses first. */
static long
try_x32_settimeofday(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return syscall(SYS_settimeofday, NULL, NULL);
#elif defined(__x86_64__)
	return syscall(0x40000000L | SYS_settimeofday, NULL, NULL);
#else
	errno = ENOSYS;
	return -1;
#endif
}

static const struct probe {
	const char *name;
	long (*fn)(void);
} probes[] = {
	{ "settimeofday", try_settimeofday },
	{ "clock_settime", try_clock_settime },
	{ "adjtimex", try_adjtimex },
	{ "adjtimex-set", try_adjtimex_set },
	{ "reboot", try_reboot },
	{ "unshare-user", try_unshare_user },
	{ "mount-tmpfs", try_mount_tmpfs },
	{ "sethostname", try_sethostname },
	{ "ptrace-attach-1", try_ptrace_attach_1 },
	{ "perf_event_open", try_perf_event_open },
	{ "bpf", try_bpf },
	{ "kexec_load", try_kexec_load },
	{ "init_module", try_init_module },
	{ "swapon", try_swapon },
	{ "ioperm", try_ioperm },
	{ "iopl", try_iopl },
	{ "keyctl", try_keyctl },
	{ "acct", try_acct },
	{ "syslog", try_syslog },
	{ "userfaultfd", try_userfaultfd },
	{ "open_by_handle_at", try_open_by_handle_at },
	{ "personality", try_personality },
	{ "ioctl-tiocsti", try_ioctl_tiocsti },
	{ "ioctl-tiocsti-high", try_ioctl_tiocsti_high },
	{ "x32-settimeofday", try_x32_settimeofday },
	{ "personality-unsafe", try_personality_unsafe },
	{ "modify_ldt", try_modify_ldt },
	{ "clone3", try_clone3 },
	{ "quotactl", try_quotactl },
};

static int
cmd_syscall(char **argv)
{
	const char *name = argv[0];

	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		if (strcmp(probes[i].name, name) != 0)
			continue;
		errno = 0;
		if (probes[i].fn() == -1)
			printf("%s: errno=%s\n", name, errno_name(errno));
		else
			printf("%s: ok\n", name);
		return 0;
	}
	fprintf(stderr, "%s: unknown syscall probe '%s'; known:", prog, name);
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		fprintf(stderr, " %s", probes[i].name);
	fputc('\n', stderr);
	return 2;
}

static int
cmd_exit(char **argv)
{
	exit((int)parse_long(argv[0], 0, 255, "exit status"));
}

static int
cmd_kill_self(char **argv)
{
	int sig = (int)parse_long(argv[0], 1, NSIG - 1, "signal number");
	sigset_t set;

	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	fflush(stdout);
	raise(sig);
	fail("still alive after signal %d", sig);
	return 1;
}

static int
cmd_sleep(char **argv)
{
	struct timespec ts;
	char *end;
	double secs;

	errno = 0;
	secs = strtod(argv[0], &end);
	if (errno != 0 || end == argv[0] || *end != '\0' || !(secs >= 0) ||
	    secs > 1e9)
		fail("invalid number of seconds '%s'", argv[0]);
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0) {
		if (errno != EINTR)
			fail("nanosleep: %s", strerror(errno));
	}
	return 0;
}

static const struct {
	int sig;
	const char *name;
} waited_signals[] = {
	{ SIGINT, "SIGINT" },	{ SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" },
	{ SIGQUIT, "SIGQUIT" }, { SIGUSR1, "SIGUSR1" }, { SIGUSR2, "SIGUSR2" },
	{ SIGWINCH, "SIGWINCH" },
};

#define N_WAITED (sizeof(waited_signals) / sizeof(waited_signals[0]))

static volatile sig_atomic_t received[N_WAITED];

static void
on_signal(int sig)
{
	for (size_t i = 0; i < N_WAITED; i++)
		if (waited_signals[i].sig == sig)
			received[i]++;
}

/*
 * The signals stay blocked except inside sigsuspend(), so none can arrive
 * between the check of received[] and the wait.
 */
static int
cmd_wait_signal(char **argv)
{
	struct sigaction sa;
	sigset_t block, waitmask;
	bool done = false;

	(void)argv;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (size_t i = 0; i < N_WAITED; i++) {
		sigaddset(&block, waited_signals[i].sig);
		if (sigaction(waited_signals[i].sig, &sa, NULL) < 0)
			fail("sigaction %s: %s", waited_signals[i].name,
			     strerror(errno));
	}
	if (sigprocmask(SIG_BLOCK, &block, &waitmask) < 0)
		fail("sigprocmask: %s", strerror(errno));
	for (size_t i = 0; i < N_WAITED; i++)
		sigdelset(&waitmask, waited_signals[i].sig);

	printf("ready\n");
	fflush(stdout);
	while (!done) {
		sigsuspend(&waitmask);
		for (size_t i = 0; i < N_WAITED; i++) {
			for (; received[i] > 0; received[i]--) {
				printf("got %s\n", waited_signals[i].name);
				fflush(stdout);
				if (waited_signals[i].sig == SIGTERM)
					done = true;
			}
		}
	}
	return 0;
}

static int
cmd_write(char **argv)
{
	static const char data[] = "sbhelper\n";
	const char *path = argv[0];
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		err = errno;
	} else {
		if (write(fd, data, sizeof(data) - 1) != (ssize_t)sizeof(data) - 1)
			err = errno ? errno : EIO;
		if (close(fd) < 0 && err == 0)
			err = errno;
	}
	if (err != 0)
		printf("write %s: errno=%s\n", path, errno_name(err));
	else
		printf("write %s: ok\n", path);
	return 0;
}

static int
cmd_tty(char **argv)
{
	(void)argv;
	printf("stdin=%d stdout=%d stderr=%d\n", isatty(0), isatty(1),
	       isatty(2));
	return 0;
}

static int
cmd_env(char **argv)
{
	(void)argv;
	for (char **e = environ; *e != NULL; e++)
		printf("%s\n", *e);
	return 0;
}

static int
cmd_cwd(char **argv)
{
	char buf[PATH_MAX];

	(void)argv;
	if (getcwd(buf, sizeof(buf)) == NULL)
		fail("getcwd: %s", strerror(errno));
	printf("%s\n", buf);
	return 0;
}

static int
cmd_hostname(char **argv)
{
	struct utsname u;

	(void)argv;
	if (uname(&u) < 0)
		fail("uname: %s", strerror(errno));
	printf("%s\n", u.nodename);
	return 0;
}

/*
 * Each child forks a grandchild and exits at once, so the grandchild is
 * re-parented to pid 1 (or a subreaper), which must reap it when it exits.
 */
static int
cmd_fork_orphans(char **argv)
{
	long n = parse_long(argv[0], 0, 1000, "number of orphans");

	fflush(stdout);
	for (long i = 0; i < n; i++) {
		pid_t child = fork();
		int status;

		if (child < 0)
			fail("fork: %s", strerror(errno));
		if (child == 0) {
			pid_t grandchild = fork();

			if (grandchild < 0)
				_exit(1);
			if (grandchild == 0) {
				struct timespec ts = { 0, 100000000 };
				int null = open("/dev/null", O_RDWR);

				/* Do not hold the caller's pipes open. */
				if (null >= 0) {
					dup2(null, 1);
					dup2(null, 2);
				}
				nanosleep(&ts, NULL);
				_exit(0);
			}
			_exit(0);
		}
		if (waitpid(child, &status, 0) < 0)
			fail("waitpid: %s", strerror(errno));
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail("fork in child failed");
	}
	return 0;
}

/* The state is the first field after the last ')' of /proc/PID/stat. */
/*
 * flood IFACE N: write N malformed frames straight onto IFACE (needs
 * CAP_NET_RAW): random bytes and lengths, truncated and lying IPv4/UDP/TCP
 * headers, DNS queries cut short. Prints "sent N".
 */
static int
cmd_flood(char **argv)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	unsigned char f[2048];
	long n = strtol(argv[1], NULL, 10), sent = 0;
	unsigned seed = 12345;
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	if (s < 0)
		fail("socket(AF_PACKET): %s", strerror(errno));
	to.sll_ifindex = (int)if_nametoindex(argv[0]);
	if (to.sll_ifindex == 0)
		fail("no interface %s", argv[0]);
	for (long i = 0; i < n; i++) {
		size_t len = 1 + rand_r(&seed) % 1514;
		for (size_t k = 0; k < len; k++)
			f[k] = (unsigned char)rand_r(&seed);
		if (len >= 34 && i % 4 != 0) {
			/* an IPv4 frame to the gateway or DNS with damaged fields */
			memset(f, 0xff, 6);
			f[12] = 0x08, f[13] = 0x00;
			f[14] = (unsigned char)(0x40 | (rand_r(&seed) % 16));
			f[23] = (unsigned char)(i % 3 == 0 ? 17 : i % 3 == 1 ? 6 : 1);
			f[30] = 10, f[31] = 0, f[32] = 2, f[33] = (unsigned char)(2 + i % 2);
			if (len >= 38)
				f[36] = 0, f[37] = 53;
		} else if (len >= 14 && i % 8 == 0) {
			f[12] = 0x08, f[13] = 0x06;   /* ARP of random content */
		}
		if (sendto(s, f, len, 0, (struct sockaddr *)&to, sizeof(to)) >= 0)
			sent++;
	}
	close(s);
	printf("sent %ld\n", sent);
	return 0;
}

static int
cmd_zombies(char **argv)
{
	struct dirent *d;
	DIR *proc;
	int zombies = 0;

	(void)argv;
	proc = opendir("/proc");
	if (proc == NULL)
		fail("opendir '/proc': %s", strerror(errno));
	while ((d = readdir(proc)) != NULL) {
		char path[sizeof(d->d_name) + 16], buf[1024], *paren;
		ssize_t n;
		int fd;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* it went away */
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		paren = strrchr(buf, ')');
		if (paren != NULL && paren[1] == ' ' && paren[2] == 'Z')
			zombies++;
	}
	closedir(proc);
	printf("zombies=%d\n", zombies);
	return 0;
}

static const char *
file_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return "file";
	case S_IFDIR: return "dir";
	case S_IFLNK: return "symlink";
	case S_IFCHR: return "chr";
	case S_IFBLK: return "blk";
	case S_IFIFO: return "fifo";
	case S_IFSOCK: return "sock";
	default: return "unknown";
	}
}

static int
cmd_stat(char **argv)
{
	struct stat st;

	if (lstat(argv[0], &st) < 0) {
		printf("stat %s: errno=%s\n", argv[0], errno_name(errno));
		return 0;
	}
	printf("mode=%o uid=%u gid=%u type=%s\n", (unsigned)(st.st_mode & 07777),
	       (unsigned)st.st_uid, (unsigned)st.st_gid, file_type(st.st_mode));
	return 0;
}

static int cmd_help(char **argv);

static const struct command {
	const char *name;
	const char *args;
	int nargs;
	int (*fn)(char **argv);
} commands[] = {
	{ "uidmap", "", 0, cmd_uidmap },
	{ "gidmap", "", 0, cmd_gidmap },
	{ "setgroups", "", 0, cmd_setgroups },
	{ "ids", "", 0, cmd_ids },
	{ "ns", "NAME", 1, cmd_ns },
	{ "caps", "", 0, cmd_caps },
	{ "seccomp", "", 0, cmd_seccomp },
	{ "pid", "", 0, cmd_pid },
	{ "mounts", "", 0, cmd_mounts },
	{ "syscall", "NAME", 1, cmd_syscall },
	{ "exit", "N", 1, cmd_exit },
	{ "kill-self", "SIGNUM", 1, cmd_kill_self },
	{ "sleep", "SECONDS", 1, cmd_sleep },
	{ "wait-signal", "", 0, cmd_wait_signal },
	{ "write", "PATH", 1, cmd_write },
	{ "tty", "", 0, cmd_tty },
	{ "env", "", 0, cmd_env },
	{ "cwd", "", 0, cmd_cwd },
	{ "hostname", "", 0, cmd_hostname },
	{ "fork-orphans", "N", 1, cmd_fork_orphans },
	{ "zombies", "", 0, cmd_zombies },
	{ "flood", "IFACE N", 2, cmd_flood },
	{ "stat", "PATH", 1, cmd_stat },
	{ "help", "", 0, cmd_help },
};

static void
usage(FILE *out)
{
	fprintf(out, "usage: %s SUBCOMMAND [ARG...]\nsubcommands:\n", prog);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %s %s\n", commands[i].name, commands[i].args);
	fprintf(out, "syscall probes:");
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++)
		fprintf(out, " %s", probes[i].name);
	fputc('\n', out);
}

static int
cmd_help(char **argv)
{
	(void)argv;
	usage(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (strcmp(c->name, argv[1]) != 0)
			continue;
		if (argc - 2 != c->nargs) {
			fprintf(stderr, "usage: %s %s %s\n", prog, c->name,
				c->args);
			return 2;
		}
		rc = c->fn(argv + 2);
		if (fflush(stdout) != 0)
			fail("write to stdout: %s", strerror(errno));
		return rc;
	}
	fprintf(stderr, "%s: unknown subcommand '%s'\n", prog, argv[1]);
	usage(stderr);
	return 2;
}
