/* cmd_import.c: `sandbox import [--name NAME] SOURCE...`: parse, then hand
 * over to import.c. Quiet unless stderr is a terminal (progress) or
 * --verbose; stdout stays empty. */
#include "config.h"
#include "cmd.h"
#include "import.h"
#include "log.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: sandbox import [--name NAME] SOURCE...\n"
		"\n"
		"Import an image into the store (~/.local/share/sandbox). SOURCE is a\n"
		"docker-save archive, an OCI image layout (directory or tar), or plain\n"
		"layer tarballs given bottom layer first; gzip, zstd, xz and bzip2 are\n"
		"recognised by their content.\n"
		"\n"
		"Options:\n"
		"  -n, --name NAME   store the image as NAME (default: from the source)\n"
		"  -v, --verbose     trace each step\n"
		"  -q, --quiet       no warnings\n"
		"  -h, --help        show this help\n");
}

int cmd_import(int argc, char **argv)
{
	const char *name = NULL;
	bool verbose = false, quiet = false;
	sb_error err = NULL;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			verbose = true;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			quiet = true;
		} else if (strncmp(a, "--name=", 7) == 0) {
			name = a + 7;
		} else if (strcmp(a, "-n") == 0 || strcmp(a, "--name") == 0) {
			if (i + 1 >= argc) {
				sb_fail(&err, 0, "%s needs an image name", a);
				return sb_error_report(&err);
			}
			name = argv[++i];
		} else {
			sb_fail(&err, 0, "unknown option '%s' (see sandbox import --help)", a);
			return sb_error_report(&err);
		}
	}
	log_init(verbose, quiet);
	if (i >= argc) {
		sb_fail(&err, 0, "no SOURCE given (see sandbox import --help)");
		return sb_error_report(&err);
	}
	if (image_import(argv + i, (size_t)(argc - i), name, &err) < 0)
		return sb_error_report(&err);
	return 0;
}
