/* tap.h: a minimal TAP producer for the unit tests (automake's tap-driver
 * reads it). CHECK records one test point; tap_done() prints the plan and
 * returns the exit status. */
#ifndef SB_TAP_H
#define SB_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		tap_n++;                                                   \
		if (cond) {                                                \
			printf("ok %d - ", tap_n);                         \
		} else {                                                   \
			tap_failed++;                                      \
			printf("not ok %d - ", tap_n);                     \
		}                                                          \
		printf(__VA_ARGS__);                                       \
		printf("\n");                                              \
		if (!(cond))                                               \
			printf("# failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

#define CHECK_STR(got, want, ...) \
	CHECK((got) != NULL && strcmp((got), (want)) == 0, __VA_ARGS__)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
