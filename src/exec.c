/* exec.c: turns the sandbox's setup process into the command (see exec.h).
 * The environment starts from a short allow-list (documented in sandbox(1)):
 * PATH and HOME are set, TERM, COLORTERM, LANG, LANGUAGE, LC_* and TZ pass
 * through, container=sandbox marks the sandbox; --keep-env and --setenv
 * apply after, in order. */
#include "config.h"
#include "exec.h"
#include "caps.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

extern char **environ;

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char *const passthrough[] = { "TERM", "COLORTERM", "LANG", "LANGUAGE", "TZ" };

struct envb {
	char **v;
	size_t n;
};

static const char *host_value(char **host_env, const char *key)
{
	size_t kl = strlen(key);
	for (char **e = host_env; e && *e; e++)
		if (strncmp(*e, key, kl) == 0 && (*e)[kl] == '=')
			return *e + kl + 1;
	return NULL;
}

static void env_set(struct envb *b, const char *key, const char *value)
{
	size_t kl = strlen(key);
	char *kv = xasprintf("%s=%s", key, value);

	for (size_t i = 0; i < b->n; i++) {
		if (strncmp(b->v[i], key, kl) == 0 && b->v[i][kl] == '=') {
			free(b->v[i]);
			b->v[i] = kv;
			return;
		}
	}
	b->v = xrealloc(b->v, b->n + 2, sizeof(char *));
	b->v[b->n++] = kv;
	b->v[b->n] = NULL;
}

char **payload_environ(const struct run_spec *spec, char **host_env)
{
	struct envb b = { .v = xcalloc(1, sizeof(char *)), .n = 0 };

	env_set(&b, "PATH", DEFAULT_PATH);
	env_set(&b, "HOME", spec->uid == 0 ? "/root" : "/");
	env_set(&b, "container", "sandbox");
	for (size_t i = 0; i < sizeof(passthrough) / sizeof(passthrough[0]); i++) {
		const char *v = host_value(host_env, passthrough[i]);
		if (v != NULL)
			env_set(&b, passthrough[i], v);
	}
	for (char **e = host_env; e && *e; e++) {
		if (strncmp(*e, "LC_", 3) == 0 && strchr(*e, '=') != NULL) {
			cleanup_free char *k = strndup(*e, (size_t)(strchr(*e, '=') - *e));
			if (k == NULL)
				sb_oom();
			env_set(&b, k, strchr(*e, '=') + 1);
		}
	}
	for (size_t i = 0; i < spec->n_env; i++) {
		const struct env_op *o = &spec->env[i];
		const char *v = o->value ? o->value : host_value(host_env, o->key);
		if (v != NULL)
			env_set(&b, o->key, v);
	}
	return b.v;
}

static void fail_exit(sb_error *err, int errfd) __attribute__((noreturn));
static void fail_exit(sb_error *err, int errfd)
{
	char buf[4096];
	size_t n = sb_error_pack(err, buf, sizeof(buf));
	int status = (*err)->status;

	if (write_all(errfd, buf, n) < 0)
		sb_error_report(err);
	_exit(status);
}

static int set_ids(const struct run_spec *spec, bool may_setgroups, sb_error *err)
{
	if (may_setgroups && setgroups(0, NULL) < 0)
		return sb_fail(err, errno, "clear supplementary groups");
	if (setresgid(spec->gid, spec->gid, spec->gid) < 0)
		return sb_fail(err, errno, "switch to gid %u", spec->gid);
	if (setresuid(spec->uid, spec->uid, spec->uid) < 0)
		return sb_fail(err, errno, "switch to uid %u", spec->uid);
	return 0;
}

void payload_exec(const struct payload *p)
{
	const struct run_spec *spec = p->spec;
	sb_error err = NULL;
	sigset_t all;
	const char *dir = spec->chdir ? spec->chdir : "/";
	int listener = -1;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	if (chdir(dir) < 0) {
		sb_fail(&err, errno, "--chdir '%s'", dir);
		fail_exit(&err, p->err_fd);
	}
	if (caps_limit_bounding(spec->caps, &err) < 0 ||
	    set_ids(spec, p->may_setgroups, &err) < 0 ||
	    caps_set_final(spec->uid == 0, spec->caps, &err) < 0)
		fail_exit(&err, p->err_fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sb_fail(&err, errno, "set no_new_privs");
		fail_exit(&err, p->err_fd);
	}
	environ = payload_environ(spec, environ);
	if (seccomp_filter_load(p->filter, &listener, &err) < 0)
		fail_exit(&err, p->err_fd);
	if (listener >= 0) {
		if (send_fd(p->notify_sock, listener) < 0) {
			sb_fail(&err, errno, "pass the seccomp listener to the monitor");
			fail_exit(&err, p->err_fd);
		}
		close(listener);
	}
	close(p->notify_sock);
	sb_trace("exec %s", spec->argv[0]);
	execvp(spec->argv[0], spec->argv);
	int e = errno;
	sb_fail(&err, e, "cannot run '%s'", spec->argv[0]);
	sb_set_status(&err, e == ENOENT ? SB_EXIT_NOTFOUND : SB_EXIT_NOEXEC);
	if (e == ENOENT && strchr(spec->argv[0], '/') == NULL)
		sb_hint(&err, "not found in PATH=%s", getenv("PATH"));
	fail_exit(&err, p->err_fd);
}
