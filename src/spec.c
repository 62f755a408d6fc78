/* spec.c: the `sandbox run` option vocabulary (one table drives parsing and
 * the help text) and the validation that turns arguments into a run_spec.
 * No file system access and no side effects: see spec.h. */
#include "config.h"
#include "spec.h"
#include "paths.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

struct option_def {
	const char *name;
	int nargs;
	const char *args;     /* for the help text */
	const char *help;
	int (*apply)(struct run_spec *s, char **a, sb_error *err);
};

static int add_mount(struct run_spec *s, enum mount_kind kind, const char *src,
		     const char *dest, const char *opt, sb_error *err)
{
	struct mount_op *m;
	char *norm = NULL;
	cleanup_free char *what = xasprintf("--%s destination", opt);

	if (src != NULL && src[0] == '\0')
		return sb_fail(err, 0, "--%s: empty source path", opt);
	if (path_normalize_abs(dest, &norm, what, err) < 0)
		return -1;
	s->mounts = xrealloc(s->mounts, s->n_mounts + 1, sizeof(*s->mounts));
	m = &s->mounts[s->n_mounts++];
	m->kind = kind;
	m->src = src ? xstrdup(src) : NULL;
	m->dest = norm;
	return 0;
}

static int opt_rootfs(struct run_spec *s, char **a, sb_error *err)
{
	if (a[0][0] == '\0')
		return sb_fail(err, 0, "--rootfs: empty directory name");
	free(s->rootfs);
	s->rootfs = xstrdup(a[0]);
	s->root = ROOT_DIR;
	return 0;
}

static int opt_rootfs_rw(struct run_spec *s, char **a, sb_error *err)
{
	s->rootfs_rw = true;
	return 0;
}

static int opt_bind(struct run_spec *s, char **a, sb_error *err)
{
	return add_mount(s, MNT_BIND, a[0], a[1], "bind", err);
}

static int opt_ro_bind(struct run_spec *s, char **a, sb_error *err)
{
	return add_mount(s, MNT_RO_BIND, a[0], a[1], "ro-bind", err);
}

static int opt_tmpfs(struct run_spec *s, char **a, sb_error *err)
{
	return add_mount(s, MNT_TMPFS, NULL, a[0], "tmpfs", err);
}

static int opt_chdir(struct run_spec *s, char **a, sb_error *err)
{
	free(s->chdir);
	s->chdir = NULL;
	return path_normalize_abs(a[0], &s->chdir, "--chdir directory", err);
}

static int env_key_ok(const char *k)
{
	return k[0] != '\0' && strchr(k, '=') == NULL;
}

static int add_env(struct run_spec *s, const char *key, const char *value,
		   const char *opt, sb_error *err)
{
	struct env_op *e;

	if (!env_key_ok(key))
		return sb_fail(err, 0, "--%s: invalid variable name '%s'", opt, key);
	s->env = xrealloc(s->env, s->n_env + 1, sizeof(*s->env));
	e = &s->env[s->n_env++];
	e->key = xstrdup(key);
	e->value = value ? xstrdup(value) : NULL;
	return 0;
}

static int opt_setenv(struct run_spec *s, char **a, sb_error *err)
{
	return add_env(s, a[0], a[1], "setenv", err);
}

static int opt_keep_env(struct run_spec *s, char **a, sb_error *err)
{
	return add_env(s, a[0], NULL, "keep-env", err);
}

static int parse_id(const char *v, uint32_t *out, const char *opt, sb_error *err)
{
	if (!parse_u32(v, out) || *out == UINT32_MAX)
		return sb_fail(err, 0, "--%s: '%s' is not a valid id (0 to 4294967294)", opt, v);
	return 0;
}

static int opt_uid(struct run_spec *s, char **a, sb_error *err)
{
	s->uid_set = true;
	return parse_id(a[0], &s->uid, "uid", err);
}

static int opt_gid(struct run_spec *s, char **a, sb_error *err)
{
	s->gid_set = true;
	return parse_id(a[0], &s->gid, "gid", err);
}

static int opt_hostname(struct run_spec *s, char **a, sb_error *err)
{
	size_t n = strlen(a[0]);

	if (n == 0 || n > 64)
		return sb_fail(err, 0, "--hostname: '%s' must be 1 to 64 characters", a[0]);
	for (const char *c = a[0]; *c; c++) {
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_'))
			return sb_fail(err, 0, "--hostname: '%s' may contain only letters, digits, '-', '_' and '.'", a[0]);
	}
	free(s->hostname);
	s->hostname = xstrdup(a[0]);
	return 0;
}

static int opt_verbose(struct run_spec *s, char **a, sb_error *err)
{
	s->verbose = true;
	return 0;
}

static int opt_quiet(struct run_spec *s, char **a, sb_error *err)
{
	s->quiet = true;
	return 0;
}

static int opt_help(struct run_spec *s, char **a, sb_error *err)
{
	s->help = true;
	return 0;
}

static const struct option_def options[] = {
	{ "rootfs", 1, "DIR", "use DIR as the root file system (read-only)", opt_rootfs },
	{ "rootfs-rw", 0, NULL, "make the --rootfs directory writable", opt_rootfs_rw },
	{ "bind", 2, "SRC DEST", "bind host path SRC read-write at DEST", opt_bind },
	{ "ro-bind", 2, "SRC DEST", "bind host path SRC read-only at DEST", opt_ro_bind },
	{ "tmpfs", 1, "DEST", "mount a fresh tmpfs at DEST", opt_tmpfs },
	{ "chdir", 1, "DIR", "start the command in DIR (default /)", opt_chdir },
	{ "setenv", 2, "KEY VALUE", "set an environment variable", opt_setenv },
	{ "keep-env", 1, "KEY", "pass the host's value of KEY through", opt_keep_env },
	{ "uid", 1, "N", "run as uid N inside (default 0)", opt_uid },
	{ "gid", 1, "N", "run as gid N inside (default 0)", opt_gid },
	{ "hostname", 1, "NAME", "host name inside (default: sandbox)", opt_hostname },
	{ "verbose", 0, NULL, "trace each setup step with its duration", opt_verbose },
	{ "quiet", 0, NULL, "print no warnings", opt_quiet },
	{ "help", 0, NULL, "show this help", opt_help },
};

static const struct option_def *find_option(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

void spec_print_run_help(void)
{
	printf("Usage: sandbox run [OPTIONS] --rootfs DIR [--] COMMAND [ARG...]\n"
	       "       sandbox run [OPTIONS] host [--] COMMAND [ARG...]\n"
	       "\n"
	       "Run COMMAND in new user, mount, pid, ipc, uts, cgroup and network\n"
	       "namespaces. With --rootfs, DIR is the root; with 'host', a read-only\n"
	       "view of the host's /usr, /etc, /bin, /sbin, /lib* and /opt.\n"
	       "\nOptions:\n");
	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		char left[48];
		snprintf(left, sizeof(left), "--%s%s%s", options[i].name,
			 options[i].args ? " " : "", options[i].args ? options[i].args : "");
		printf("  %-26s %s\n", left, options[i].help);
	}
	printf("\nExit status: the command's own; 128+N if it died of signal N;\n"
	       "125 if sandbox failed; 126 if COMMAND could not be executed;\n"
	       "127 if it was not found. See sandbox(1).\n");
}

static int validate(struct run_spec *s, sb_error *err)
{
	if (s->root == ROOT_NONE)
		return sb_fail(err, 0, "no root file system given"),
		       sb_hint(err, "use --rootfs DIR or the image name 'host'");
	if (s->rootfs_rw && s->root != ROOT_DIR)
		return sb_fail(err, 0, "--rootfs-rw needs --rootfs DIR");
	if (s->argv == NULL || s->argv[0] == NULL)
		return sb_fail(err, 0, "no command given"),
		       sb_hint(err, "e.g. sandbox run --rootfs DIR /bin/sh");
	if (s->argv[0][0] == '\0')
		return sb_fail(err, 0, "the command name is empty");
	return 0;
}

int spec_parse_run(struct run_spec *s, int argc, char **argv, sb_error *err)
{
	int i = 0;

	memset(s, 0, sizeof(*s));
	while (i < argc) {
		const char *arg = argv[i];
		const struct option_def *o;
		const char *eq;
		char *vals[2];

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(arg, "-h") == 0) {
			s->help = true;
			return 0;
		}
		if (arg[0] != '-')
			break;
		if (arg[1] != '-')
			return sb_fail(err, 0, "unknown option '%s'", arg),
			       sb_hint(err, "see sandbox run --help");
		eq = strchr(arg + 2, '=');
		o = find_option(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
		if (o == NULL)
			return sb_fail(err, 0, "unknown option '%.*s'",
				       eq ? (int)(eq - arg) : (int)strlen(arg), arg),
			       sb_hint(err, "see sandbox run --help");
		if (eq != NULL && o->nargs != 1)
			return sb_fail(err, 0, "option '--%s' does not take '=VALUE'", o->name);
		if (eq != NULL) {
			vals[0] = (char *)eq + 1;
			i++;
		} else {
			if (i + o->nargs >= argc && o->nargs > 0)
				return sb_fail(err, 0, "option '--%s' needs %d argument%s (%s)",
					       o->name, o->nargs, o->nargs > 1 ? "s" : "", o->args);
			for (int k = 0; k < o->nargs; k++)
				vals[k] = argv[i + 1 + k];
			i += 1 + o->nargs;
		}
		if (o->apply(s, vals, err) < 0)
			return -1;
		if (s->help)
			return 0;
	}
	if (s->root != ROOT_DIR) {
		if (i >= argc)
			return validate(s, err);
		if (strcmp(argv[i], "host") != 0)
			return sb_fail(err, 0, "unknown image '%s'", argv[i]),
			       sb_hint(err, "only --rootfs DIR and 'host' are supported");
		s->root = ROOT_HOST;
		i++;
		if (i < argc && strcmp(argv[i], "--") == 0)
			i++;
	}
	s->argv = argv + i;
	return validate(s, err);
}

void spec_free(struct run_spec *s)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].src);
		free(s->mounts[i].dest);
	}
	for (size_t i = 0; i < s->n_env; i++) {
		free(s->env[i].key);
		free(s->env[i].value);
	}
	free(s->mounts);
	free(s->env);
	free(s->rootfs);
	free(s->chdir);
	free(s->hostname);
	memset(s, 0, sizeof(*s));
}
