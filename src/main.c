/* main.c: the `sandbox` command: global options and subcommand dispatch.
 * Each subcommand lives in its own file (cmd_*.c). */
#include "config.h"
#include "cmd.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sandbox COMMAND [OPTIONS]\n"
		"\n"
		"Run programs in a rootless sandbox they cannot climb out of.\n"
		"\n"
		"Commands:\n"
		"  run     run a command in a sandbox (see 'sandbox run --help')\n"
		"  check   show what this host supports, and how to fix each gap\n"
		"  profiles  list profiles; 'profiles show NAME' prints one expanded\n"
		"  import  import an image: docker-save or OCI archive, or layer tarballs\n"
		"  images  list the imported images ('images --json' for scripts)\n"
		"  rmi     remove images, and the layers no other image uses\n"
		"  rm      remove what 'run --name NAME --keep' kept\n"
		"  help    show this help ('help run' for run's options)\n"
		"  version show the version\n"
		"\n"
		"Options:\n"
		"  -h, --help     show this help\n"
		"  --version      show the version\n"
		"\n"
		"Example: sandbox run host -- ls /\n"
		"See sandbox(1).\n");
}

/* Run a helper program of sandbox's: the one next to this binary (a build
 * tree), else the installed one. Only returns on failure. */
static int run_helper(const char *name, char **argv)
{
	char self[4096], tried[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n > 0) {
		char *slash;
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash != NULL) {
			size_t room = sizeof(self) - (size_t)(slash + 1 - self);
			if (snprintf(slash + 1, room, "%s", name) < (int)room &&
			    access(self, X_OK) == 0) {
				argv[0] = self;
				execv(self, argv);
			}
		}
	}
	snprintf(tried, sizeof(tried), "%s/%s", PKGLIBEXECDIR, name);
	argv[0] = tried;
	execv(tried, argv);
	fprintf(stderr, "sandbox: cannot run '%s': %s (is sandbox installed whole?)\n", tried,
		strerror(errno));
	return SB_EXIT_FAILURE;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (cmd == NULL) {
		usage(stderr);
		return SB_EXIT_FAILURE;
	}
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(cmd, "help") == 0 && strcmp(argv[2], "run") == 0)
			return cmd_run(2, (char *[]){ "run", "--help", NULL });
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("sandbox %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "profiles") == 0)
		return cmd_profiles(argc - 1, argv + 1);
	if (strcmp(cmd, "import") == 0)
		return run_helper("sandbox-import", argv);
	if (strcmp(cmd, "images") == 0)
		return cmd_images(argc - 1, argv + 1);
	if (strcmp(cmd, "rmi") == 0)
		return cmd_rmi(argc - 1, argv + 1);
	if (strcmp(cmd, "rm") == 0)
		return cmd_rm(argc - 1, argv + 1);
	fprintf(stderr, "sandbox: unknown command '%s' (see sandbox --help)\n", cmd);
	return SB_EXIT_FAILURE;
}
