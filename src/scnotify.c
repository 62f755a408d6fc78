/* scnotify.c: seccomp user notification in the monitor (see scnotify.h).
 * The process that made the call waits until we answer, so every path
 * answers, and answers EPERM: the decision was made when the filter was
 * built; the listener only explains it. The pid printed is the one inside
 * the sandbox (the last NSpid of the caller). */
#include "config.h"
#include "scnotify.h"
#include "scgroups.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>

char *scnotify_message(const struct sc_policy *p, const char *call, const char *detail,
		       int pid, const char *comm)
{
	const struct sc_rule *r;
	const char *key;
	cleanup_free char *what = NULL;

	if (call == NULL)
		call = "?";
	key = call;
	what = detail ? xasprintf("%s(%s)", call, detail) : xasprintf("%s()", call);

	if (strcmp(call, "ioctl") == 0)
		key = SC_TTY_INJECT;
	if ((strcmp(call, "unshare") == 0 || strcmp(call, "clone") == 0) &&
	    scpolicy_find(p, call) == NULL)
		return xasprintf("blocked %s in pid %d (%s): new user namespaces are denied "
				 "(grant with --allow-userns)", what, pid, comm);
	r = scpolicy_find(p, key);
	if (r == NULL)
		return xasprintf("blocked %s in pid %d (%s)", what, pid, comm);
	if (r->group != NULL)
		return xasprintf("blocked %s in pid %d (%s): %s is denied by %s "
				 "(grant with --seccomp-allow %s)", what, pid, comm, r->group,
				 r->source, r->group);
	return xasprintf("blocked %s in pid %d (%s): %s is denied by %s "
			 "(grant with --seccomp-allow %s)", what, pid, comm, r->call, r->source,
			 r->call);
}

/* The caller's pid inside the sandbox and its command name. */
static void describe(int hostpid, int *pid, char comm[static 32])
{
	cleanup_free char *status = NULL, *path = xasprintf("/proc/%d/status", hostpid);
	const char *ns;

	*pid = hostpid;
	snprintf(comm, 32, "?");
	if (read_file_at(AT_FDCWD, path, &status, NULL, NULL) < 0)
		return;
	if (strncmp(status, "Name:\t", 6) == 0)
		snprintf(comm, 32, "%.*s", (int)strcspn(status + 6, "\n"), status + 6);
	ns = strstr(status, "\nNSpid:");
	if (ns != NULL) {
		const char *end = ns + 7 + strcspn(ns + 7, "\n");
		const char *last = end;
		while (last > ns + 7 && last[-1] != '\t' && last[-1] != ' ')
			last--;
		*pid = atoi(last);
	}
}

static bool reported(struct scnotify *n, const char *key)
{
	for (size_t i = 0; i < n->n_reported; i++)
		if (strcmp(n->reported[i], key) == 0)
			return true;
	n->reported = xrealloc(n->reported, n->n_reported + 1, sizeof(char *));
	n->reported[n->n_reported++] = xstrdup(key);
	return false;
}

int scnotify_handle(struct scnotify *n)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	char *name;
	const char *detail = NULL;
	char comm[32];
	int pid;

	memset(&req, 0, sizeof(req));
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
		return errno == EINTR || errno == ENOENT ? 0 : -1;
	name = seccomp_syscall_resolve_num_arch(req.data.arch, req.data.nr);
	if (name == NULL && (req.data.nr & 0x40000000))   /* x32: x86_64 arch, bit 30 */
		name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, req.data.nr & ~0x40000000);
	if (name == NULL)
		name = xasprintf("syscall %d", req.data.nr);
	if (name != NULL && strcmp(name, "ioctl") == 0)
		detail = (uint32_t)req.data.args[1] == TIOCSTI ? "TIOCSTI" : "TIOCLINUX";
	if (name != NULL && strcmp(name, "unshare") == 0 && (req.data.args[0] & CLONE_NEWUSER))
		detail = "CLONE_NEWUSER";
	if (name != NULL && strcmp(name, "clone") == 0 && (req.data.args[0] & CLONE_NEWUSER))
		detail = "CLONE_NEWUSER";
	describe((int)req.pid, &pid, comm);

	memset(&resp, 0, sizeof(resp));
	resp.id = req.id;
	resp.error = -EPERM;
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) < 0 && errno != ENOENT) {
		free(name);
		return -1;
	}
	{
		cleanup_free char *key = xasprintf("%s(%s)", name, detail ? detail : "");
		if (reported(n, key))
			goto out;
	}
	{
		cleanup_free char *msg = scnotify_message(n->policy, name, detail, pid, comm);
		fprintf(stderr, "sandbox: %s\n", msg);
	}
out:
	free(name);
	return 0;
}

void scnotify_free(struct scnotify *n)
{
	closep(&n->fd);
	for (size_t i = 0; i < n->n_reported; i++)
		free(n->reported[i]);
	free(n->reported);
	n->reported = NULL;
	n->n_reported = 0;
}
