/* cmd_profiles.c: `sandbox profiles [show NAME | groups]`: list the
 * profiles with their one-line descriptions, print one fully expanded (what
 * will really apply), or list the syscall groups. */
#include "config.h"
#include "cmd.h"
#include "profile.h"
#include "scgroups.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f, "Usage: sandbox profiles               list profiles and where they are\n"
		   "       sandbox profiles show NAME     print NAME with includes resolved and\n"
		   "                                      variables expanded\n"
		   "       sandbox profiles groups        list the syscall groups of\n"
		   "                                      seccomp-allow and seccomp-deny\n"
		   "See sandbox.profile(5).\n");
}

int cmd_profiles(int argc, char **argv)
{
	sb_error err = NULL;

	if (argc == 1) {
		if (profile_list(stdout, &err) < 0)
			return sb_error_report(&err);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "show") == 0 && argc == 3) {
		if (profile_show(argv[2], stdout, &err) < 0) {
			fflush(stdout);
			return sb_error_report(&err);
		}
		return 0;
	}
	if (strcmp(argv[1], "groups") == 0 && argc == 2) {
		for (size_t i = 0; i < n_scgroups; i++) {
			printf("%-15s %s:", scgroups[i].name, scgroups[i].description);
			for (const char *const *c = scgroups[i].calls; *c; c++)
				printf(" %s", *c);
			putchar('\n');
		}
		return 0;
	}
	fprintf(stderr, "sandbox: profiles: unexpected arguments (see sandbox profiles --help)\n");
	return 125;
}
