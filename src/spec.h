/* spec.h: struct run_spec, the plain-data description of one `sandbox run`,
 * and the option vocabulary that fills it. Parsing has no side effects: it
 * neither touches the file system nor creates anything, so it can be unit
 * tested and every mistake is reported before the first clone. */
#ifndef SB_SPEC_H
#define SB_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "net.h"
#include "scpolicy.h"

enum root_kind {
	ROOT_NONE = 0,
	ROOT_DIR,    /* --rootfs DIR */
	ROOT_HOST,   /* the image name "host": read-only view of the host */
	ROOT_IMAGE,  /* an image from the store, on an overlay */
};

enum mount_kind {
	MNT_BIND,     /* --bind SRC DEST (read-write) */
	MNT_RO_BIND,  /* --ro-bind SRC DEST */
	MNT_TMPFS,    /* --tmpfs DEST */
};

struct mount_op {
	enum mount_kind kind;
	char *src;    /* as given; NULL for tmpfs */
	char *dest;   /* normalised absolute path inside the sandbox */
};

struct env_op {
	char *key;
	char *value;  /* NULL: keep the host's value (--keep-env) */
};

enum net_mode {
	NET_NONE = 0,  /* own network namespace, loopback only */
	NET_HOST,      /* the host's network namespace */
	NET_SLIRP,     /* user-mode networking through libslirp */
};

enum overlay_mode {
	OVL_AUTO = 0,  /* the kernel's, else the FUSE overlay */
	OVL_KERNEL,
	OVL_FUSE,
};

struct run_spec {
	enum root_kind root;
	char *rootfs;           /* ROOT_DIR: the directory as given */
	char *image;            /* ROOT_IMAGE: its name */
	char *name;             /* --name: this sandbox's name (kept upper) */
	bool keep;              /* --keep: keep the upper under the name */
	bool read_only;         /* --read-only: an image with no upper */
	enum overlay_mode overlay;
	bool rootfs_rw;
	struct mount_op *mounts;
	size_t n_mounts;
	struct env_op *env;
	size_t n_env;
	char *chdir;            /* normalised; NULL: "/" */
	char *hostname;         /* NULL: "sandbox" */
	bool uid_set, gid_set;
	uint32_t uid, gid;      /* ids inside; default 0 */
	bool verbose, quiet;
	bool help;
	enum net_mode net;
	unsigned mtu;                /* slirp: tap MTU, default 65520 */
	bool net_host_loopback;      /* slirp: 10.0.2.2 reaches the host's loopback */
	struct publish *publish;
	size_t n_publish;
	char *dns_server;            /* slirp: upstream of 10.0.2.3 */
	/* seccomp */
	struct seccomp_op *sc_ops;   /* in order: profile lines, then options */
	size_t n_sc_ops;
	char *seccomp_profile;       /* Docker/OCI JSON; replaces the groups */
	bool allow_userns;
	/* capabilities of uid 0 inside, as a mask of CAP_* bits */
	unsigned long long caps;
	/* where the options being applied come from, for messages */
	const char *source;          /* "profile 'default'" or "the command line" */
	char *profile;               /* the profile used, NULL for none */
	char **argv;            /* the command; points into the caller's argv */
};

/* Parse the arguments that follow "run": the profile (--profile NAME, else
 * "default") applies first, then the options. On success the spec is
 * complete and validated; spec->help is set when --help was asked for. */
int spec_parse_run(struct run_spec *spec, int argc, char **argv, sb_error *err);

/* Apply one option by name (a profile line): args are its arguments; an
 * option taking one argument given several applies once per argument. */
int spec_apply_option(struct run_spec *spec, const char *name, char **args, int nargs,
		      sb_error *err);
/* The option name closest to `name`, for "did you mean" (NULL if none). */
const char *spec_suggest_option(const char *name);
/* Initialise an empty spec with the built-in defaults. */
void spec_init(struct run_spec *spec);
void spec_free(struct run_spec *spec);

/* Print the usage text of `sandbox run`. */
void spec_print_run_help(void);

#endif
