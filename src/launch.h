/* launch.h: one `sandbox run`, from a validated spec to an exit status. */
#ifndef SB_LAUNCH_H
#define SB_LAUNCH_H

#include "error.h"
#include "spec.h"

/* Run the sandbox and return the exit status to leave with; -1 with *err
 * when sandbox itself failed before the command started. */
int sandbox_run(const struct run_spec *spec, sb_error *err);

#endif
