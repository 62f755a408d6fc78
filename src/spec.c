/* spec.c: the `sandbox run` option vocabulary (one table drives parsing and
 * the help text) and the validation that turns arguments into a run_spec.
 * No file system access and no side effects: see spec.h. */
#include "config.h"
#include "spec.h"
#include "caps.h"
#include "paths.h"
#include "profile.h"
#include "util.h"

#include <sys/capability.h>

#include <stdio.h>
#include <string.h>

struct option_def {
	const char *name;
	int nargs;
	bool multi;           /* one argument, repeatable: "a,b" or "a b" in profiles */
	bool cli_only;        /* not in profiles */
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

static int opt_net(struct run_spec *s, char **a, sb_error *err)
{
	if (strcmp(a[0], "none") == 0)
		s->net = NET_NONE;
	else if (strcmp(a[0], "host") == 0)
		s->net = NET_HOST;
	else if (strcmp(a[0], "slirp") == 0)
		s->net = NET_SLIRP;
	else
		return sb_fail(err, 0, "--net: '%s' is not one of none, host, slirp", a[0]);
	return 0;
}

static int opt_name(struct run_spec *s, char **a, sb_error *err)
{
	size_t n = strlen(a[0]);

	if (n == 0 || n > 64 || a[0][0] == '.' || a[0][0] == '-' ||
	    strspn(a[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return sb_fail(err, 0, "--name: '%s' must be 1 to 64 letters, digits, '.', '_' or '-'",
			       a[0]);
	free(s->name);
	s->name = xstrdup(a[0]);
	return 0;
}

static int opt_keep(struct run_spec *s, char **a, sb_error *err)
{
	s->keep = true;
	return 0;
}

static int opt_read_only(struct run_spec *s, char **a, sb_error *err)
{
	s->read_only = true;
	return 0;
}

static int opt_overlay(struct run_spec *s, char **a, sb_error *err)
{
	if (strcmp(a[0], "auto") == 0)
		s->overlay = OVL_AUTO;
	else if (strcmp(a[0], "kernel") == 0)
		s->overlay = OVL_KERNEL;
	else if (strcmp(a[0], "fuse") == 0)
		s->overlay = OVL_FUSE;
	else
		return sb_fail(err, 0, "--overlay: '%s' is not one of auto, kernel, fuse", a[0]);
	return 0;
}

static int opt_mtu(struct run_spec *s, char **a, sb_error *err)
{
	uint32_t v;
	if (!parse_u32(a[0], &v) || v < 1280 || v > 65520)
		return sb_fail(err, 0, "--mtu: '%s' is not a number from 1280 to 65520", a[0]);
	s->mtu = v;
	return 0;
}

static int opt_publish(struct run_spec *s, char **a, sb_error *err)
{
	struct publish p;
	if (publish_parse(a[0], &p, err) < 0)
		return -1;
	s->publish = xrealloc(s->publish, s->n_publish + 1, sizeof(*s->publish));
	s->publish[s->n_publish++] = p;
	return 0;
}

static int opt_host_loopback(struct run_spec *s, char **a, sb_error *err)
{
	s->net_host_loopback = true;
	return 0;
}

static int opt_dns_server(struct run_spec *s, char **a, sb_error *err)
{
	free(s->dns_server);
	s->dns_server = xstrdup(a[0]);
	return 0;
}

static int add_sc(struct run_spec *s, bool allow, const char *name, sb_error *err)
{
	struct seccomp_op *o;

	if (scpolicy_check_name(name, err) < 0)
		return sb_wrap(err, "--seccomp-%s", allow ? "allow" : "deny");
	s->sc_ops = xrealloc(s->sc_ops, s->n_sc_ops + 1, sizeof(*s->sc_ops));
	o = &s->sc_ops[s->n_sc_ops++];
	o->allow = allow;
	o->name = xstrdup(name);
	o->source = xstrdup(s->source ? s->source : "the command line");
	return 0;
}

static int opt_sc_allow(struct run_spec *s, char **a, sb_error *err)
{
	return add_sc(s, true, a[0], err);
}

static int opt_sc_deny(struct run_spec *s, char **a, sb_error *err)
{
	return add_sc(s, false, a[0], err);
}

static int opt_sc_profile(struct run_spec *s, char **a, sb_error *err)
{
	if (a[0][0] == '\0')
		return sb_fail(err, 0, "--seccomp-profile: empty file name");
	free(s->seccomp_profile);
	s->seccomp_profile = xstrdup(a[0]);
	return 0;
}

static int opt_allow_userns(struct run_spec *s, char **a, sb_error *err)
{
	s->allow_userns = true;
	return 0;
}

static int cap_bit(const char *name, unsigned long long *bit, const char *opt, sb_error *err)
{
	char low[64];
	cap_value_t v;
	size_t i;

	if (strcasecmp(name, "all") == 0) {
		*bit = ~0ull;
		return 0;
	}
	if (strncasecmp(name, "cap_", 4) != 0)
		snprintf(low, sizeof(low), "cap_%s", name);
	else
		snprintf(low, sizeof(low), "%s", name);
	for (i = 0; low[i]; i++)
		low[i] = (char)(low[i] >= 'A' && low[i] <= 'Z' ? low[i] + 32 : low[i]);
	if (cap_from_name(low, &v) < 0 || v < 0 || v > 63)
		return sb_fail(err, 0, "--%s: unknown capability '%s'", opt, name);
	*bit = 1ull << v;
	return 0;
}

static int opt_cap_add(struct run_spec *s, char **a, sb_error *err)
{
	unsigned long long b = 0;
	if (cap_bit(a[0], &b, "cap-add", err) < 0)
		return -1;
	s->caps |= b;
	return 0;
}

static int opt_cap_drop(struct run_spec *s, char **a, sb_error *err)
{
	unsigned long long b = 0;
	if (cap_bit(a[0], &b, "cap-drop", err) < 0)
		return -1;
	s->caps &= ~b;
	return 0;
}

static int opt_caps(struct run_spec *s, char **a, sb_error *err)
{
	if (strcmp(a[0], "none") == 0)
		s->caps = 0;
	else if (strcmp(a[0], "default") == 0)
		s->caps = caps_default_mask();
	else
		return sb_fail(err, 0, "--caps: '%s' is not one of none, default", a[0]);
	return 0;
}

static int opt_profile(struct run_spec *s, char **a, sb_error *err)
{
	return 0;   /* applied first, by spec_parse_run */
}

static const struct option_def options[] = {
	{ "rootfs", 1, false, false, "DIR", "use DIR as the root file system (read-only)", opt_rootfs },
	{ "rootfs-rw", 0, false, false, NULL, "make the --rootfs directory writable", opt_rootfs_rw },
	{ "name", 1, false, false, "NAME", "name this sandbox (with --keep: keep its changes)", opt_name },
	{ "keep", 0, false, false, NULL, "keep an image's changes for the next run --name NAME", opt_keep },
	{ "read-only", 0, false, false, NULL, "run an image with no writable layer", opt_read_only },
	{ "overlay", 1, false, false, "auto|kernel|fuse", "how an image is mounted (default auto)", opt_overlay },
	{ "bind", 2, false, false, "SRC DEST", "bind host path SRC read-write at DEST", opt_bind },
	{ "ro-bind", 2, false, false, "SRC DEST", "bind host path SRC read-only at DEST", opt_ro_bind },
	{ "tmpfs", 1, false, false, "DEST", "mount a fresh tmpfs at DEST", opt_tmpfs },
	{ "chdir", 1, false, false, "DIR", "start the command in DIR (default /)", opt_chdir },
	{ "setenv", 2, false, false, "KEY VALUE", "set an environment variable", opt_setenv },
	{ "keep-env", 1, false, false, "KEY", "pass the host's value of KEY through", opt_keep_env },
	{ "uid", 1, false, false, "N", "run as uid N inside (default 0)", opt_uid },
	{ "gid", 1, false, false, "N", "run as gid N inside (default 0)", opt_gid },
	{ "hostname", 1, false, false, "NAME", "host name inside (default: sandbox)", opt_hostname },
	{ "net", 1, false, false, "none|slirp|host", "network: loopback only, user-mode, or the host's", opt_net },
	{ "mtu", 1, false, false, "N", "MTU of the user-mode network (default 65520)", opt_mtu },
	{ "publish", 1, true, false, "[IP:]PORT:PORT[/udp]", "forward a host port to a port inside", opt_publish },
	{ "net-host-loopback", 0, false, false, NULL, "let 10.0.2.2 reach the host's loopback", opt_host_loopback },
	{ "dns-server", 1, false, false, "IP[:PORT]", "where 10.0.2.3 sends queries (default: the host's)", opt_dns_server },
	{ "seccomp-allow", 1, true, false, "GROUP|CALL", "grant a denied syscall group or call", opt_sc_allow },
	{ "seccomp-deny", 1, true, false, "GROUP|CALL", "refuse a syscall group or call with EPERM", opt_sc_deny },
	{ "seccomp-profile", 1, false, false, "FILE", "use a Docker/OCI seccomp JSON profile instead", opt_sc_profile },
	{ "allow-userns", 0, false, false, NULL, "allow new user namespaces inside", opt_allow_userns },
	{ "cap-add", 1, true, false, "CAP", "add a capability for uid 0 inside", opt_cap_add },
	{ "cap-drop", 1, true, false, "CAP", "drop a capability (ALL for every one)", opt_cap_drop },
	{ "caps", 1, false, false, "none|default", "start from no capabilities, or the default set", opt_caps },
	{ "profile", 1, false, true, "NAME", "apply profile NAME first (default: default)", opt_profile },
	{ "verbose", 0, false, false, NULL, "trace each setup step with its duration", opt_verbose },
	{ "quiet", 0, false, false, NULL, "print no warnings", opt_quiet },
	{ "help", 0, false, true, NULL, "show this help", opt_help },
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
	printf("Usage: sandbox run [OPTIONS] IMAGE [--] [COMMAND [ARG...]]\n"
	       "       sandbox run [OPTIONS] host [--] COMMAND [ARG...]\n"
	       "       sandbox run [OPTIONS] --rootfs DIR [--] COMMAND [ARG...]\n"
	       "\n"
	       "Run COMMAND in new user, mount, pid, ipc, uts, cgroup and network\n"
	       "namespaces. IMAGE (see 'sandbox images') runs on an overlay whose\n"
	       "changes are dropped at exit; 'host' is a read-only view of the host's\n"
	       "/usr, /etc, /bin, /sbin, /lib* and /opt; with --rootfs, DIR is the root.\n"
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
	if (s->net != NET_SLIRP && (s->n_publish > 0 || s->mtu != 65520 || s->dns_server ||
				     s->net_host_loopback))
		return sb_fail(err, 0, "--%s needs --net slirp",
			       s->n_publish ? "publish" : s->mtu != 65520 ? "mtu" :
			       s->dns_server ? "dns-server" : "net-host-loopback");
	if (s->keep && s->name == NULL)
		return sb_fail(err, 0, "--keep needs --name NAME");
	if ((s->keep || s->read_only) && s->root != ROOT_IMAGE)
		return sb_fail(err, 0, "--%s is for images", s->keep ? "keep" : "read-only");
	if (s->keep && s->read_only)
		return sb_fail(err, 0, "--keep and --read-only exclude each other");
	if (s->root == ROOT_IMAGE)
		return 0;   /* the command may come from the image */
	if (s->argv == NULL || s->argv[0] == NULL)
		return sb_fail(err, 0, "no command given"),
		       sb_hint(err, "e.g. sandbox run --rootfs DIR /bin/sh");
	if (s->argv[0][0] == '\0')
		return sb_fail(err, 0, "the command name is empty");
	return 0;
}

void spec_init(struct run_spec *s)
{
	memset(s, 0, sizeof(*s));
	s->caps = caps_default_mask();
	s->mtu = 65520;
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(prev));
	}
	return prev[lb];
}

const char *spec_suggest_option(const char *name)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (size_t i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		size_t d = edit_distance(name, options[i].name);
		if (d < bestd) {
			bestd = d;
			best = options[i].name;
		}
	}
	return best;
}

static int unknown_option(const char *shown, const char *name, sb_error *err)
{
	const char *sug = spec_suggest_option(name);

	sb_fail(err, 0, "unknown option '%s'", shown);
	if (sug != NULL)
		return sb_hint(err, "did you mean '%s'?", sug);
	return sb_hint(err, "see sandbox run --help");
}

int spec_apply_option(struct run_spec *s, const char *name, char **args, int nargs,
		      sb_error *err)
{
	const struct option_def *o = find_option(name, strlen(name));

	if (o == NULL)
		return unknown_option(name, name, err);
	if (o->cli_only)
		return sb_fail(err, 0, "'%s' cannot be used in a profile%s", name,
			       strcmp(name, "profile") == 0 ? " (use 'include NAME')" : "");
	if (o->multi && nargs >= 1) {
		for (int i = 0; i < nargs; i++)
			if (o->apply(s, &args[i], err) < 0)
				return -1;
		return 0;
	}
	if (nargs != o->nargs)
		return sb_fail(err, 0, "'%s' takes %d argument%s%s%s, not %d", name, o->nargs,
			       o->nargs == 1 ? "" : "s", o->args ? " " : "", o->args ? o->args : "", nargs);
	return o->apply(s, args, err);
}

/* The profile named on the command line (--profile NAME before the image),
 * or "default", and whether --help is asked for; the options themselves are
 * checked later. */
static const char *prescan(int argc, char **argv, bool *help)
{
	const char *name = "default";

	for (int i = 0; i < argc; i++) {
		const struct option_def *o;
		const char *arg = argv[i], *eq;

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			*help = true;
		if (strcmp(arg, "--") == 0 || arg[0] != '-' || arg[1] != '-')
			break;
		eq = strchr(arg + 2, '=');
		o = find_option(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
		if (o == NULL)
			break;
		if (strcmp(o->name, "profile") == 0 && (eq != NULL || i + 1 < argc))
			name = eq ? eq + 1 : argv[i + 1];
		if (eq == NULL)
			i += o->nargs;
	}
	return name;
}

/* Apply a command-line option: a repeatable one may be "a,b,c". */
static int apply_cli(struct run_spec *s, const struct option_def *o, char **vals, sb_error *err)
{
	cleanup_free char *copy = NULL;
	char *save = NULL;

	if (!o->multi || vals[0] == NULL || strchr(vals[0], ',') == NULL)
		return o->apply(s, vals, err);
	copy = xstrdup(vals[0]);
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (o->apply(s, &t, err) < 0)
			return -1;
	return 0;
}

int spec_parse_run(struct run_spec *s, int argc, char **argv, sb_error *err)
{
	int i = 0;

	spec_init(s);
	s->profile = xstrdup(prescan(argc, argv, &s->help));
	if (s->help)
		return 0;
	if (profile_apply(s, s->profile, err) < 0)
		return -1;
	s->source = "the command line";
	while (i < argc) {
		const char *arg = argv[i];
		const struct option_def *o;
		const char *eq;
		char *vals[2] = { NULL, NULL };

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[0] != '-')
			break;
		if (arg[1] != '-')
			return sb_fail(err, 0, "unknown option '%s'", arg),
			       sb_hint(err, "see sandbox run --help");
		eq = strchr(arg + 2, '=');
		o = find_option(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
		if (o == NULL) {
			cleanup_free char *shown = strndup(arg, eq ? (size_t)(eq - arg) : strlen(arg));
			cleanup_free char *bare = strndup(arg + 2, eq ? (size_t)(eq - arg - 2) : strlen(arg + 2));
			if (shown == NULL || bare == NULL)
				sb_oom();
			return unknown_option(shown, bare, err);
		}
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
		if (apply_cli(s, o, vals, err) < 0)
			return -1;
	}
	if (s->root != ROOT_DIR) {
		if (i >= argc)
			return validate(s, err);
		if (strcmp(argv[i], "host") == 0) {
			s->root = ROOT_HOST;
		} else {
			s->root = ROOT_IMAGE;
			s->image = xstrdup(argv[i]);
		}
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
	for (size_t i = 0; i < s->n_sc_ops; i++) {
		free(s->sc_ops[i].name);
		free(s->sc_ops[i].source);
	}
	free(s->sc_ops);
	free(s->seccomp_profile);
	free(s->profile);
	free(s->publish);
	free(s->dns_server);
	free(s->mounts);
	free(s->env);
	free(s->rootfs);
	free(s->image);
	free(s->name);
	free(s->chdir);
	free(s->hostname);
	memset(s, 0, sizeof(*s));
}
