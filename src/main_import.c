/* main_import.c: the sandbox-import helper program. `sandbox import` runs
 * it (main.c), so that libarchive and libcrypto are loaded only for an
 * import, never on the start-up path of `sandbox run`. */
#include "config.h"
#include "cmd.h"
#include "error.h"

#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "import") != 0) {
		fprintf(stderr, "sandbox-import: run it as 'sandbox import' (see sandbox(1))\n");
		return SB_EXIT_FAILURE;
	}
	return cmd_import(argc - 1, argv + 1);
}
