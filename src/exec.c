/* exec.c: turns the sandbox's setup process into the command (see exec.h).
 * The environment starts from a short allow-list (documented in sandbox(1)):
 * PATH and HOME are set, TERM, COLORTERM, LANG, LANGUAGE, LC_* and TZ pass
 * through, container=sandbox marks the sandbox; --keep-env and --setenv
 * apply after, in order. */
#include "config.h"
#include "exec.h"
#include "caps.h"
#include "log.h"
#include "passwd.h"
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

char **payload_environ(const struct run_spec *spec, char *const *image_env, const char *home,
		       char **host_env)
{
	struct envb b = { .v = xcalloc(1, sizeof(char *)), .n = 0 };

	env_set(&b, "PATH", DEFAULT_PATH);
	env_set(&b, "HOME", home);
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
	for (char *const *e = image_env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		cleanup_free char *k = eq ? strndup(*e, (size_t)(eq - *e)) : NULL;
		if (k != NULL && k[0] != '\0')
			env_set(&b, k, eq + 1);
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

static int set_ids(uid_t uid, gid_t gid, bool may_setgroups, sb_error *err)
{
	if (may_setgroups && setgroups(0, NULL) < 0)
		return sb_fail(err, errno, "clear supplementary groups");
	if (setresgid(gid, gid, gid) < 0)
		return sb_fail(err, errno, "switch to gid %u", (unsigned)gid),
		       sb_hint(err, "is it mapped? without subordinate ids only your own id is");
	if (setresuid(uid, uid, uid) < 0)
		return sb_fail(err, errno, "switch to uid %u", (unsigned)uid),
		       sb_hint(err, "is it mapped? without subordinate ids only your own id is");
	return 0;
}

void payload_exec(const struct payload *p)
{
	const struct run_spec *spec = p->spec;
	sb_error err = NULL;
	sigset_t all;
	const char *dir = spec->chdir ? spec->chdir :
			  p->image && p->image->workdir && p->image->workdir[0] ? p->image->workdir : "/";
	struct user_ids ids = { .uid = spec->uid, .gid = spec->gid };
	cleanup_free char *home = NULL;
	int listener = -1;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);

	/* an image's User, looked up in its own files (--uid/--gid win) */
	if (p->image != NULL && p->image->user != NULL && p->image->user[0] != '\0' &&
	    !spec->uid_set) {
		if (passwd_lookup(p->image->user, &ids, &err) < 0)
			fail_exit(&err, p->err_fd);
		home = ids.home;
		if (spec->gid_set)
			ids.gid = spec->gid;
	}
	if (home == NULL || home[0] == '\0') {
		free(home);
		home = xstrdup(ids.uid == 0 ? "/root" : "/");
	}
	if (chdir(dir) < 0) {
		sb_fail(&err, errno, spec->chdir ? "--chdir '%s'" : "the image's WorkingDir '%s'", dir);
		fail_exit(&err, p->err_fd);
	}
	if (caps_limit_bounding(spec->caps, &err) < 0 ||
	    set_ids(ids.uid, ids.gid, p->may_setgroups, &err) < 0 ||
	    caps_set_final(ids.uid == 0, spec->caps, &err) < 0)
		fail_exit(&err, p->err_fd);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		sb_fail(&err, errno, "set no_new_privs");
		fail_exit(&err, p->err_fd);
	}
	environ = payload_environ(spec, p->image ? p->image->env : NULL, home, environ);
	if (seccomp_filter_load(p->filter, &listener, &err) < 0)
		fail_exit(&err, p->err_fd);
	if (listener >= 0) {
		if (send_fd(p->notify_sock, listener, 'n') < 0) {
			sb_fail(&err, errno, "pass the seccomp listener to the monitor");
			fail_exit(&err, p->err_fd);
		}
		close(listener);
	}
	close(p->notify_sock);
	sb_trace("exec %s", p->argv[0]);
	execvp(p->argv[0], p->argv);
	int e = errno;
	sb_fail(&err, e, "cannot run '%s'", p->argv[0]);
	sb_set_status(&err, e == ENOENT ? SB_EXIT_NOTFOUND : SB_EXIT_NOEXEC);
	if (e == ENOENT && strchr(p->argv[0], '/') == NULL)
		sb_hint(&err, "not found in PATH=%s", getenv("PATH"));
	fail_exit(&err, p->err_fd);
}
