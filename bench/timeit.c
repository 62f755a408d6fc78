/*
 * timeit: compare the wall-clock run time of a few commands.
 *
 *   timeit [-n N] [-w WARMUP] [-v] [-r] -- LABEL CMD [ARG...] [::: LABEL CMD [ARG...]]...
 *
 * Each group after "--" is a label (one word, no spaces) followed by the
 * command to run; groups are separated by a lone ":::" argument.  The
 * commands run interleaved, round-robin (A B C A B C ...), WARMUP times
 * unmeasured (default 1) and then N times measured (default 10), so that
 * drifting machine load affects all of them alike.  Each run is posix_spawnp
 * to wait4, timed with CLOCK_MONOTONIC; stdin is /dev/null, and stdout and
 * stderr go to /dev/null unless -v.  Any run that does not exit 0 stops the
 * benchmark with its label and status (exit 1).
 *
 * Output: a table with the median, 10th and 90th percentile in ms and the
 * ratio of each median to the first command's, then one line per command
 *
 *   RESULT label median_ms ratio [median_maxrss_kib]
 *
 * for scripts (the last field only with -r, which also adds the median of
 * each run's maximum resident set size, from wait4's rusage, to the table).
 *
 * Build: cc -O2 -Wall -Wextra -o timeit timeit.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SEPARATOR ":::"

extern char **environ;

struct bench {
	const char *label;
	char **argv;   /* NULL-terminated, points into main's argv */
	double *ms;    /* one per measured run */
	double *rss;   /* KiB, one per measured run */
};

struct options {
	long runs;
	long warmup;
	bool verbose;
	bool rss;
};

static void
usage(FILE *out)
{
	fprintf(out,
		"usage: timeit [-n N] [-w WARMUP] [-v] [-r] -- "
		"LABEL CMD [ARG...] [" SEPARATOR " LABEL CMD [ARG...]]...\n"
		"  -n N        measured runs of each command (default 10)\n"
		"  -w WARMUP   unmeasured runs of each command first (default 1)\n"
		"  -v          let the commands write to stdout and stderr\n"
		"  -r          also report the median maximum RSS of each run\n");
}

static void die(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("timeit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static long
parse_count(const char *s, long min, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > 10000000)
		die("invalid %s '%s'", what, s);
	return v;
}

static void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (p == NULL)
		die("out of memory");
	return p;
}

/*
 * Split argv (after "--") into benches at each SEPARATOR, in place: each
 * separator becomes the NULL that ends the previous command.
 */
static struct bench *
parse_benches(int argc, char **argv, size_t *count)
{
	struct bench *benches = xcalloc((size_t)argc + 1, sizeof(*benches));
	size_t n = 0;
	int start = 0;

	for (int i = 0; i <= argc; i++) {
		if (i < argc && strcmp(argv[i], SEPARATOR) != 0)
			continue;
		if (i - start < 2)
			die("each group needs a label and a command "
			    "(LABEL CMD [ARG...])");
		benches[n].label = argv[start];
		if (strpbrk(benches[n].label, " \t\n") != NULL)
			die("label '%s' must be one word", benches[n].label);
		benches[n].argv = &argv[start + 1];
		if (i < argc)
			argv[i] = NULL;
		n++;
		start = i + 1;
	}
	*count = n;
	return benches;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Run one command to completion; returns its wall time in ms. */
static double
run_once(const struct bench *b, const struct options *o, double *rss_kib)
{
	posix_spawn_file_actions_t fa;
	struct rusage ru;
	double start, end;
	pid_t pid;
	int status, err;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!o->verbose) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY,
						 0);
		posix_spawn_file_actions_adddup2(&fa, 1, 2);
	}

	start = now_ms();
	err = posix_spawnp(&pid, b->argv[0], &fa, NULL, b->argv, environ);
	if (err != 0)
		die("%s: cannot run '%s': %s", b->label, b->argv[0],
		    strerror(err));
	while (wait4(pid, &status, 0, &ru) < 0) {
		if (errno != EINTR)
			die("%s: wait4: %s", b->label, strerror(errno));
	}
	end = now_ms();
	posix_spawn_file_actions_destroy(&fa);

	if (WIFSIGNALED(status))
		die("%s: '%s' was killed by signal %d", b->label, b->argv[0],
		    WTERMSIG(status));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("%s: '%s' exited with status %d", b->label, b->argv[0],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	*rss_kib = (double)ru.ru_maxrss;
	return end - start;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentile P (0..1) of the sorted values, interpolating between ranks. */
static double
percentile(const double *sorted, size_t n, double p)
{
	double pos = p * (double)(n - 1);
	size_t lo = (size_t)pos;

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (pos - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

static void
report(struct bench *benches, size_t count, const struct options *o)
{
	size_t n = (size_t)o->runs;
	int width = 5;
	double base;

	for (size_t i = 0; i < count; i++) {
		qsort(benches[i].ms, n, sizeof(double), cmp_double);
		qsort(benches[i].rss, n, sizeof(double), cmp_double);
		if ((int)strlen(benches[i].label) > width)
			width = (int)strlen(benches[i].label);
	}
	base = percentile(benches[0].ms, n, 0.5);

	printf("# %ld runs of each command after %ld warm-up, interleaved\n",
	       o->runs, o->warmup);
	printf("%-*s %11s %11s %11s %8s", width, "label", "median_ms",
	       "p10_ms", "p90_ms", "ratio");
	if (o->rss)
		printf(" %12s", "maxrss_kib");
	putchar('\n');
	for (size_t i = 0; i < count; i++) {
		const struct bench *b = &benches[i];
		double med = percentile(b->ms, n, 0.5);
		char ratio[32];

		snprintf(ratio, sizeof(ratio), "x%.2f",
			 base > 0 ? med / base : 0);
		printf("%-*s %11.3f %11.3f %11.3f %8s", width, b->label, med,
		       percentile(b->ms, n, 0.1), percentile(b->ms, n, 0.9),
		       ratio);
		if (o->rss)
			printf(" %12.0f", percentile(b->rss, n, 0.5));
		putchar('\n');
	}
	for (size_t i = 0; i < count; i++) {
		const struct bench *b = &benches[i];
		double med = percentile(b->ms, n, 0.5);

		printf("RESULT %s %.3f %.3f", b->label, med,
		       base > 0 ? med / base : 0);
		if (o->rss)
			printf(" %.0f", percentile(b->rss, n, 0.5));
		putchar('\n');
	}
}

int
main(int argc, char **argv)
{
	struct options o = { .runs = 10, .warmup = 1 };
	struct bench *benches;
	size_t count;
	int c;

	while ((c = getopt(argc, argv, "+n:w:vrh")) != -1) {
		switch (c) {
		case 'n': o.runs = parse_count(optarg, 1, "-n"); break;
		case 'w': o.warmup = parse_count(optarg, 0, "-w"); break;
		case 'v': o.verbose = true; break;
		case 'r': o.rss = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	/* getopt has consumed a "--" already; anything else is an error. */
	if (optind >= argc || strcmp(argv[optind - 1], "--") != 0) {
		usage(stderr);
		return 2;
	}

	benches = parse_benches(argc - optind, argv + optind, &count);
	for (size_t i = 0; i < count; i++) {
		benches[i].ms = xcalloc((size_t)o.runs, sizeof(double));
		benches[i].rss = xcalloc((size_t)o.runs, sizeof(double));
	}

	for (long round = 0; round < o.warmup + o.runs; round++) {
		for (size_t i = 0; i < count; i++) {
			double rss, ms = run_once(&benches[i], &o, &rss);

			if (round >= o.warmup) {
				benches[i].ms[round - o.warmup] = ms;
				benches[i].rss[round - o.warmup] = rss;
			}
		}
	}
	report(benches, count, &o);
	return fflush(stdout) == 0 ? 0 : 1;
}
