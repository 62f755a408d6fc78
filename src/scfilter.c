/* scfilter.c: compiles and loads the sandbox's seccomp filter (see
 * scfilter.h). Rules: every denied call (scpolicy) returns EPERM, through the
 * monitor's listener unless --quiet; TIOCSTI/TIOCLINUX ioctls compare only
 * the low 32 bits of the request, so high bits cannot slip past; unsafe
 * personality flags are refused; clone3 returns ENOSYS so libc falls back to
 * clone, whose flags can be checked; CLONE_NEWUSER through clone or unshare
 * is refused unless allow-userns. The filter covers every ABI the kernel
 * runs (x86_64, i386 and x32 on x86_64). */
#include "config.h"
#include "scfilter.h"
#include "log.h"
#include "runtime.h"
#include "scgroups.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <errno.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>

static void ctx_release(scmp_filter_ctx *c)
{
	if (*c != NULL)
		seccomp_release(*c);
}
#define cleanup_scmp __attribute__((cleanup(ctx_release)))

static int add_arches(scmp_filter_ctx ctx, sb_error *err)
{
	static const uint32_t x86[] = { SCMP_ARCH_X86, SCMP_ARCH_X32 };
	static const uint32_t arm[] = { SCMP_ARCH_ARM };
	const uint32_t *extra = NULL;
	size_t n = 0;
	uint32_t native = seccomp_arch_native();

	if (native == SCMP_ARCH_X86_64) {
		extra = x86;
		n = 2;
	} else if (native == SCMP_ARCH_AARCH64) {
		extra = arm;
		n = 1;
	}
	for (size_t i = 0; i < n; i++) {
		int r = seccomp_arch_add(ctx, extra[i]);
		if (r < 0 && r != -EEXIST)
			return sb_fail(err, -r, "seccomp: add architecture");
	}
	return 0;
}

/* A rule whose call may not exist on some architecture is fine. */
static int rule(scmp_filter_ctx ctx, uint32_t action, const char *call,
		unsigned n, const struct scmp_arg_cmp *args, sb_error *err)
{
	int nr = seccomp_syscall_resolve_name(call);
	int r;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	r = seccomp_rule_add_array(ctx, action, nr, n, args);
	if (r < 0 && r != -EDOM && r != -EEXIST)
		return sb_fail(err, -r, "seccomp: rule for %s", call);
	return 0;
}

static int tty_inject_rules(scmp_filter_ctx ctx, uint32_t action, sb_error *err)
{
	/* the kernel reads the request as 32 bits: compare only those */
	struct scmp_arg_cmp sti[] = { SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCSTI) };
	struct scmp_arg_cmp lnx[] = { SCMP_A1_64(SCMP_CMP_MASKED_EQ, 0xffffffffu, TIOCLINUX) };

	if (rule(ctx, action, "ioctl", 1, sti, err) < 0)
		return -1;
	return rule(ctx, action, "ioctl", 1, lnx, err);
}

/* Refuse personality flags that weaken the process (no ASLR, executable
 * data, ...) while allowing the query 0xffffffff and plain values. */
static int personality_rules(scmp_filter_ctx ctx, uint32_t action, sb_error *err)
{
	static const uint32_t bad[] = { ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ADDR_COMPAT_LAYOUT,
		MMAP_PAGE_ZERO, ADDR_LIMIT_32BIT, SHORT_INODE, WHOLE_SECONDS, STICKY_TIMEOUTS,
		ADDR_LIMIT_3GB, FDPIC_FUNCPTRS, UNAME26 };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* bad flag set, and bit 31 clear (so not the query) */
		struct scmp_arg_cmp a[] = { SCMP_A0_32(SCMP_CMP_MASKED_EQ, 0x80000000u | bad[i], bad[i]) };
		if (bad[i] == UNAME26)
			continue;   /* harmless: only changes the reported version */
		if (rule(ctx, action, "personality", 1, a, err) < 0)
			return -1;
	}
	/* bit 31 set with any other bit clear: anything but the query */
	for (int k = 0; k < 31; k++) {
		struct scmp_arg_cmp a[] = { SCMP_A0_32(SCMP_CMP_MASKED_EQ, 0x80000000u | (1u << k), 0x80000000u) };
		if (rule(ctx, action, "personality", 1, a, err) < 0)
			return -1;
	}
	return 0;
}

static int userns_rules(scmp_filter_ctx ctx, uint32_t action, sb_error *err)
{
	struct scmp_arg_cmp a[] = { SCMP_A0_64(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER) };

	if (rule(ctx, action, "unshare", 1, a, err) < 0)
		return -1;
	return rule(ctx, action, "clone", 1, a, err);
}

static int policy_rules(scmp_filter_ctx ctx, const struct sc_options *o, uint32_t deny,
			sb_error *err)
{
	for (size_t i = 0; i < o->policy->n; i++) {
		const char *call = o->policy->rules[i].call;
		int r;

		if (strcmp(call, SC_TTY_INJECT) == 0)
			r = tty_inject_rules(ctx, deny, err);
		else if (strcmp(call, SC_PERSONALITY) == 0)
			r = personality_rules(ctx, deny, err);
		else
			r = rule(ctx, deny, call, 0, NULL, err);
		if (r < 0)
			return -1;
	}
	if (!o->allow_userns && userns_rules(ctx, deny, err) < 0)
		return -1;
	return rule(ctx, SCMP_ACT_ERRNO(ENOSYS), "clone3", 0, NULL, err);
}

static int export(scmp_filter_ctx ctx, struct sc_filter *out, sb_error *err)
{
	cleanup_close int fd = memfd_create("sandbox-seccomp", MFD_CLOEXEC);
	cleanup_free char *buf = NULL;
	off_t end;
	size_t len;
	int r;

	if (fd < 0)
		return sb_fail(err, errno, "memfd_create");
	r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return sb_fail(err, -r, "seccomp: export the filter");
	end = lseek(fd, 0, SEEK_END);
	if (end <= 0 || lseek(fd, 0, SEEK_SET) < 0)
		return sb_fail(err, errno, "seccomp: size of the exported filter");
	len = (size_t)end;
	buf = xcalloc(len, 1);
	if (read_all(fd, buf, len) != (ssize_t)len)
		return sb_fail(err, errno, "seccomp: read the exported filter");
	if (len % sizeof(struct sock_filter) != 0)
		return sb_fail(err, 0, "seccomp: the exported filter has a bad size (%zu)", len);
	out->n = len / sizeof(struct sock_filter);
	out->insns = (struct sock_filter *)steal_ptr(&buf);
	return 0;
}

static int compile(const struct sc_options *o, bool notify, struct sc_filter *out,
		   sb_error *err);

/* ---- cache of compiled programs --------------------------------------
 * Compiling with libseccomp costs about a millisecond; the program depends
 * only on the options below, so it is kept in the runtime directory under a
 * hash of them. The directory is private to the user, who could choose any
 * filter anyway. */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ull;
	}
	return h;
}

static char *cache_key(const struct sc_options *o, bool notify)
{
	const struct scmp_version *v = seccomp_version();
	uint64_t h = 0xcbf29ce484222325ull;
	char buf[512];

	snprintf(buf, sizeof(buf), "v1 libseccomp %u.%u.%u arch %u api %u notify %d userns %d",
		 v->major, v->minor, v->micro, seccomp_arch_native(), seccomp_api_get(), notify,
		 o->allow_userns);
	h = fnv1a(h, buf);
	if (o->json_profile != NULL) {
		struct stat st;
		cleanup_free char *abs = realpath(o->json_profile, NULL);
		if (abs == NULL || stat(abs, &st) < 0)
			return NULL;
		snprintf(buf, sizeof(buf), "json %s %lld %lld.%09ld caps %llx", abs,
			 (long long)st.st_size, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			 *o->caps_mask);
		h = fnv1a(h, buf);
	} else {
		const char **calls = xcalloc(o->policy->n, sizeof(char *));
		for (size_t i = 0; i < o->policy->n; i++)
			calls[i] = o->policy->rules[i].call;
		qsort(calls, o->policy->n, sizeof(char *), cmp_str);
		for (size_t i = 0; i < o->policy->n; i++) {
			h = fnv1a(h, calls[i]);
			h = fnv1a(h, "\n");
		}
		free(calls);
	}
	return xasprintf("seccomp-%016llx.bpf", (unsigned long long)h);
}

static int cache_load(int dirfd, const char *key, struct sc_filter *out)
{
	cleanup_close int fd = openat(dirfd, key, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    st.st_size <= 0 ||
	    (size_t)st.st_size % sizeof(struct sock_filter) != 0 ||
	    (size_t)st.st_size > BPF_MAXINSNS * sizeof(struct sock_filter))
		return -1;
	out->insns = xcalloc((size_t)st.st_size, 1);
	if (read_all(fd, out->insns, (size_t)st.st_size) != st.st_size) {
		seccomp_filter_free(out);
		return -1;
	}
	out->n = (size_t)st.st_size / sizeof(struct sock_filter);
	return 0;
}

/* Written to an unnamed file and linked in whole, so a killed writer
 * leaves nothing behind. Failures only cost the next run a compile. */
static void cache_store(int dirfd, const char *key, const struct sc_filter *f)
{
	cleanup_close int fd = openat(dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	char path[32];

	if (fd < 0 || write_all(fd, f->insns, f->n * sizeof(struct sock_filter)) < 0)
		return;
	(void)linkat(AT_FDCWD, (snprintf(path, sizeof(path), "/proc/self/fd/%d", fd), path), dirfd, key, AT_SYMLINK_FOLLOW);
}

int seccomp_filter_build(const struct sc_options *o, struct sc_filter *out, sb_error *err)
{
	cleanup_free char *dir = NULL, *key = NULL;
	cleanup_close int dirfd = -1;
	bool notify;

	memset(out, 0, sizeof(*out));
	if (o->json_profile == NULL && o->policy->n == 0 && o->allow_userns)
		return 0;
	notify = !o->quiet && o->json_profile == NULL && (o->policy->n > 0 || !o->allow_userns) &&
		 seccomp_api_get() >= 6;
	key = cache_key(o, notify);
	if (key != NULL && runtime_dir(&dir, NULL) == 0)
		dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd >= 0 && cache_load(dirfd, key, out) == 0) {
		out->notify = notify;
		sb_trace("seccomp filter from the cache: %s/%s", dir, key);
		return 0;
	}
	if (compile(o, notify, out, err) < 0)
		return -1;
	if (dirfd >= 0)
		cache_store(dirfd, key, out);
	return 0;
}

static int compile(const struct sc_options *o, bool notify, struct sc_filter *out, sb_error *err)
{
	cleanup_scmp scmp_filter_ctx ctx = NULL;
	uint32_t deny;

	out->notify = notify;
	deny = notify ? SCMP_ACT_NOTIFY : SCMP_ACT_ERRNO(EPERM);
	if (o->json_profile != NULL) {
		if (seccomp_json_load(&ctx, o->json_profile, *o->caps_mask, err) < 0)
			return -1;
	} else {
		ctx = seccomp_init(SCMP_ACT_ALLOW);
		if (ctx == NULL)
			return sb_fail(err, ENOMEM, "seccomp_init");
		if (add_arches(ctx, err) < 0 || policy_rules(ctx, o, deny, err) < 0)
			return -1;
	}
	/* no_new_privs is set by the caller; the program is only exported. */
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	return export(ctx, out, err);
}

void seccomp_filter_free(struct sc_filter *f)
{
	free(f->insns);
	f->insns = NULL;
	f->n = 0;
}

int seccomp_filter_load(const struct sc_filter *f, int *listener, sb_error *err)
{
	struct sock_fprog prog = { .len = (unsigned short)f->n, .filter = f->insns };
	long r;

	*listener = -1;
	if (f->n == 0)
		return 0;
	if (f->n > BPF_MAXINSNS)
		return sb_fail(err, E2BIG, "seccomp filter of %zu instructions", f->n);
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
		    f->notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0, &prog);
	if (r < 0)
		return sb_fail(err, errno, "load the seccomp filter");
	if (f->notify)
		*listener = (int)r;
	return 0;
}

int send_fd(int sock, int fd, char tag)
{
	char data = tag;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

int recv_fd(int sock, char *tag)
{
	char data = 0;
	struct iovec iov = { .iov_base = &data, .iov_len = 1 };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c;
	int fd;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT) != 1)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(&fd, CMSG_DATA(c), sizeof(int));
	*tag = data;
	return fd;
}
