/* log.c: warnings and the --verbose step trace (see log.h). The start time
 * is taken once in the launcher and inherited by every process it forks, so
 * the trace of the sandboxed side lines up with the monitor's. */
#include "config.h"
#include "log.h"
#include "util.h"

#include <stdarg.h>
#include <stdio.h>

static bool verbose_on, quiet_on;
static uint64_t t_start, t_last;

void log_init(bool verbose, bool quiet)
{
	verbose_on = verbose;
	quiet_on = quiet;
	t_start = t_last = now_ns();
}

bool log_verbose(void)
{
	return verbose_on;
}

void sb_warn(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];

	if (quiet_on)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sandbox: warning: %s\n", buf);
}

void sb_trace(const char *fmt, ...)
{
	va_list ap;
	char buf[1024];
	uint64_t t;

	if (!verbose_on)
		return;
	t = now_ns();
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sandbox: [%8.3f ms, step %7.3f ms] pid %d: %s\n",
		(double)(t - t_start) / 1e6, (double)(t - t_last) / 1e6,
		(int)getpid(), buf);
	t_last = t;
}
