/* cmd_run.c: `sandbox run`: parse, then hand the spec to launch.c. */
#include "config.h"
#include "cmd.h"
#include "launch.h"
#include "log.h"
#include "spec.h"

#include <stdio.h>

int cmd_run(int argc, char **argv)
{
	struct run_spec spec;
	sb_error err = NULL;
	int status;

	log_init(false, false);
	if (spec_parse_run(&spec, argc - 1, argv + 1, &err) < 0) {
		spec_free(&spec);
		return sb_error_report(&err);
	}
	if (spec.help) {
		spec_print_run_help();
		spec_free(&spec);
		return 0;
	}
	log_init(spec.verbose, spec.quiet);
	fflush(stdout);
	status = sandbox_run(&spec, &err);
	spec_free(&spec);
	if (status < 0)
		return sb_error_report(&err);
	return status;
}
