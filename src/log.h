/* log.h: what sandbox says on stderr besides its final error: warnings
 * (one line each, silenced by --quiet) and the --verbose trace of setup steps
 * with the time each took. */
#ifndef SB_LOG_H
#define SB_LOG_H

#include <stdbool.h>

void log_init(bool verbose, bool quiet);
bool log_verbose(void);
void sb_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "sandbox: [+1.234 ms  3.456 ms] step" - time since the previous step in
 * this process and since the launcher started. */
void sb_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
