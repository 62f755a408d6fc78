/* cmd_check.c: `sandbox check`: probe what this host supports and say how
 * to fix each gap. Each probe that needs namespaces runs in a throw-away
 * child; the check creates nothing on the host but the runtime directory. Exit status 0 when
 * sandboxes can run (user namespaces work), 1 when they cannot. */
#include "config.h"
#include "cmd.h"
#include "idmap.h"
#include "runtime.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/seccomp.h>
#include <pwd.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>

static void line(bool ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void line(bool ok, const char *what, const char *fmt, ...)
{
	va_list ap;
	printf("%-5s %-22s ", ok ? "ok" : "FIX", what);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Run fn in a forked child; its exit status (0 = ok, else an errno). */
static int probe(int (*fn)(void *), void *arg)
{
	int st;
	pid_t p;

	fflush(stdout);
	p = fork();
	if (p < 0)
		return errno;
	if (p == 0)
		_exit(fn(arg));
	if (waitpid(p, &st, 0) < 0)
		return errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : EINTR;
}

static int map_self(void)
{
	char buf[64];
	uid_t u = geteuid();
	gid_t g = getegid();

	if (unshare(CLONE_NEWUSER) < 0)
		return errno;
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)u);
	if (write_file("/proc/self/uid_map", buf, strlen(buf), NULL) < 0)
		return EPERM;
	write_file("/proc/self/setgroups", "deny", 4, NULL);
	snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)g);
	if (write_file("/proc/self/gid_map", buf, strlen(buf), NULL) < 0)
		return EPERM;
	return 0;
}

static int probe_userns(void *arg)
{
	return map_self();
}

static int probe_overlay(void *arg)
{
	const char *base = arg;
	cleanup_free char *opts = NULL;
	int r = map_self();

	if (r != 0)
		return r;
	if (unshare(CLONE_NEWNS) < 0)
		return errno;
	opts = xasprintf("lowerdir=%s/l,upperdir=%s/u,workdir=%s/w,userxattr", base, base, base);
	if (mount("overlay", arg, "overlay", 0, opts) < 0)
		return errno;
	return 0;
}

static void check_userns(bool *fatal)
{
	int r = probe(probe_userns, NULL);
	cleanup_free char *clone_ok = NULL, *aa = NULL;

	if (r == 0) {
		line(true, "user namespaces", "unprivileged user namespaces work");
		return;
	}
	*fatal = true;
	read_file_at(AT_FDCWD, "/proc/sys/kernel/unprivileged_userns_clone", &clone_ok, NULL, NULL);
	read_file_at(AT_FDCWD, "/proc/sys/kernel/apparmor_restrict_unprivileged_userns", &aa, NULL, NULL);
	if (clone_ok && clone_ok[0] == '0')
		line(false, "user namespaces", "disabled (fix: sudo sysctl kernel.unprivileged_userns_clone=1)");
	else if (aa && aa[0] == '1')
		line(false, "user namespaces", "restricted by AppArmor (fix: an AppArmor profile for sandbox, "
		     "or sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0)");
	else
		line(false, "user namespaces", "cannot be created: %s (fix: sudo sysctl "
		     "user.max_user_namespaces=15000)", strerror(r));
}

static void check_subids(void)
{
	static const char *const files[] = { "/etc/subuid", "/etc/subgid" };
	struct passwd *pw = getpwuid(geteuid());
	const char *name = pw ? pw->pw_name : "?";

	for (int i = 0; i < 2; i++) {
		struct subid_range r[IDMAP_MAX];
		cleanup_free char *text = NULL;
		size_t n = 0;
		uint64_t total = 0;

		if (read_file_at(AT_FDCWD, files[i], &text, NULL, NULL) == 0)
			n = subid_parse(text, name, geteuid(), r, IDMAP_MAX);
		for (size_t k = 0; k < n; k++)
			total += r[k].count;
		if (n > 0)
			line(true, files[i] + 5, "%llu ids for '%s' in %zu range%s (first %u-%llu)",
			     (unsigned long long)total, name, n, n > 1 ? "s" : "", r[0].start,
			     (unsigned long long)r[0].start + r[0].count - 1);
		else {
			cleanup_free char *fix = subid_fix_command(name);
			line(false, files[i] + 5, "no range for '%s' in %s: only one id is mapped inside "
			     "(fix: %s)", name, files[i], fix);
		}
	}
}

static void check_helpers(void)
{
	static const char *const names[] = { "newuidmap", "newgidmap" };

	for (int i = 0; i < 2; i++) {
		cleanup_free char *p = idmap_find_helper(names[i]);
		struct stat st;
		if (p == NULL) {
			line(false, names[i], "not found (fix: sudo apt-get install uidmap)");
		} else if (stat(p, &st) == 0 && !(st.st_mode & S_ISUID) &&
			   getxattr(p, "security.capability", NULL, 0) <= 0) {
			line(false, names[i], "%s is neither setuid nor has file capabilities "
			     "(fix: sudo apt-get install --reinstall uidmap)", p);
		} else {
			line(true, names[i], "%s", p);
		}
	}
}

static void check_overlay(void)
{
	cleanup_free char *base = NULL;
	const char *why;
	cleanup_free char *dir = NULL;
	static const char *const sub[] = { "l", "u", "w" };
	int r;

	if (runtime_base(&base, &why, NULL) < 0) {
		line(false, "overlay in userns", "no runtime directory to test in");
		return;
	}
	dir = xasprintf("%s/check.XXXXXX", base);
	if (mkdtemp(dir) == NULL) {
		line(false, "overlay in userns", "cannot create a test directory in %s", base);
		return;
	}
	for (int i = 0; i < 3; i++) {
		cleanup_free char *d = xasprintf("%s/%s", dir, sub[i]);
		mkdir(d, 0700);
	}
	r = probe(probe_overlay, dir);
	for (int i = 2; i >= 0; i--) {
		cleanup_free char *d = xasprintf("%s/%s", dir, sub[i]);
		cleanup_free char *w = xasprintf("%s/w/work", dir);
		if (i == 2)
			rmdir(w);
		rmdir(d);
	}
	rmdir(dir);
	if (r == 0)
		line(true, "overlay in userns", "kernel overlayfs mounts in a user namespace (userxattr)");
	else if (access("/dev/fuse", R_OK | W_OK) == 0)
		line(true, "overlay in userns", "the kernel refuses it (%s): images run on the FUSE "
		     "overlay instead (--overlay auto)", strerror(r));
	else
		line(false, "overlay in userns", "the kernel refuses it (%s) and /dev/fuse is not "
		     "usable: images cannot run (fix: Linux 5.11+, or sudo chmod 0666 /dev/fuse)",
		     strerror(r));
}

static void check_dev(const char *path, const char *what, const char *use)
{
	if (access(path, R_OK | W_OK) == 0)
		line(true, what, "%s is usable", path);
	else
		line(false, what, "%s: %s; %s (fix: sudo chmod 0666 %s, as desktops have it)",
		     path, strerror(errno), use, path);
}

static void check_cgroup(void)
{
	struct statfs sf;
	cleanup_free char *self = NULL;

	if (statfs("/sys/fs/cgroup", &sf) < 0 || sf.f_type != CGROUP2_SUPER_MAGIC) {
		line(false, "cgroup v2", "/sys/fs/cgroup is not cgroup v2 (v1 or hybrid): memory, cpu "
		     "and pids limits cannot be enforced by cgroups here (fix: boot with "
		     "systemd.unified_cgroup_hierarchy=1)");
		return;
	}
	if (read_file_at(AT_FDCWD, "/proc/self/cgroup", &self, NULL, NULL) == 0 &&
	    strncmp(self, "0::", 3) == 0) {
		cleanup_free char *path = NULL;
		char *nl = strchr(self + 3, '\n');
		if (nl)
			*nl = '\0';
		path = xasprintf("/sys/fs/cgroup%s", self + 3);
		if (access(path, W_OK) == 0) {
			line(true, "cgroup v2", "delegated: %s is writable", path);
			return;
		}
		line(false, "cgroup v2", "%s is not delegated to you: limits cannot be enforced "
		     "(fix: run under a systemd user session, e.g. systemd-run --user --scope)", path);
		return;
	}
	line(false, "cgroup v2", "cannot find this process's cgroup");
}

static void check_seccomp(void)
{
	uint32_t action = SECCOMP_RET_USER_NOTIF;

	if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0)
		line(true, "seccomp", "filters and user notification are available");
	else
		line(false, "seccomp", "user notification unavailable (%s): blocked calls cannot "
		     "be reported (needs Linux 5.0+)", strerror(errno));
}

static void check_runtime(void)
{
	cleanup_free char *base = NULL;
	const char *why = NULL;
	sb_error err = NULL;

	if (runtime_base(&base, &why, &err) < 0) {
		line(false, "runtime directory", "%s", err->msg);
		sb_error_free(&err);
		return;
	}
	line(true, "runtime directory", "%s (%s)", base, why);
}

int cmd_check(int argc, char **argv)
{
	bool fatal = false;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: sandbox check\n\nShow what this host supports for sandboxes, one line "
		       "per feature:\n'ok' or 'FIX' with the command that fixes it.\n"
		       "Exit status 0 when sandboxes can run, 1 when they cannot.\n");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "sandbox: check: unexpected argument '%s' (see sandbox check --help)\n", argv[1]);
		return 125;
	}
	check_userns(&fatal);
	check_subids();
	check_helpers();
	check_overlay();
	check_dev("/dev/fuse", "/dev/fuse", "the FUSE overlay fallback cannot run");
	check_dev("/dev/net/tun", "/dev/net/tun", "user-mode networking cannot run");
	check_cgroup();
	check_seccomp();
	check_runtime();
	return fatal ? 1 : 0;
}
