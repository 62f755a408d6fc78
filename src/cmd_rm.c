/* cmd_rm.c: `sandbox rm NAME...`: remove what `run --name NAME --keep`
 * kept (the store's containers/NAME). Its files belong to the sandbox's
 * subordinate ids, so the removal runs in a user namespace with that map. */
#include "config.h"
#include "cmd.h"
#include "log.h"
#include "store.h"
#include "userns.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct rm_args {
	const char *store;
	char **names;
	int n;
};

static int remove_kept(void *arg, sb_error *err)
{
	struct rm_args *a = arg;
	cleanup_free char *dir = xasprintf("%s/containers", a->store);
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	for (int i = 0; i < a->n; i++) {
		struct stat st;
		if (fd < 0 || fstatat(fd, a->names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			return sb_fail(err, 0, "nothing kept under the name '%s'", a->names[i]),
			       sb_hint(err, "sandbox run --name NAME --keep keeps a sandbox's changes");
		if (rm_tree_at(fd, a->names[i], err) < 0)
			return sb_wrap(err, "remove '%s'", a->names[i]);
	}
	return 0;
}

int cmd_rm(int argc, char **argv)
{
	sb_error err = NULL;
	cleanup_free char *store = NULL;
	struct rm_args a;
	int first = 1;

	log_init(false, false);
	if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		printf("Usage: sandbox rm NAME...\n\n"
		       "Remove the changes that 'sandbox run --name NAME --keep' kept.\n");
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--") == 0)
		first = 2;
	if (first >= argc) {
		sb_fail(&err, 0, "no name given (see sandbox rm --help)");
		return sb_error_report(&err);
	}
	for (int i = first; i < argc; i++)
		if (argv[i][0] == '\0' || argv[i][0] == '.' || strchr(argv[i], '/') != NULL) {
			sb_fail(&err, 0, "'%s' is not a sandbox name", argv[i]);
			return sb_error_report(&err);
		}
	if (store_path(&store, &err) < 0)
		return sb_error_report(&err);
	a = (struct rm_args){ .store = store, .names = argv + first, .n = argc - first };
	if (userns_run(remove_kept, &a, 0, &err) < 0)
		return sb_error_report(&err);
	return 0;
}
