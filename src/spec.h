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

enum root_kind {
	ROOT_NONE = 0,
	ROOT_DIR,    /* --rootfs DIR */
	ROOT_HOST,   /* the image name "host": read-only view of the host */
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

struct run_spec {
	enum root_kind root;
	char *rootfs;           /* ROOT_DIR: the directory as given */
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
	char **argv;            /* the command; points into the caller's argv */
};

/* Parse the arguments that follow "run". On success the spec is complete
 * and validated; spec->help is set when --help was asked for. */
int spec_parse_run(struct run_spec *spec, int argc, char **argv, sb_error *err);
void spec_free(struct run_spec *spec);

/* Print the usage text of `sandbox run`. */
void spec_print_run_help(void);

#endif
