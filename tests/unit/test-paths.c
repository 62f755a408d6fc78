/* test-paths.c: unit tests of the lexical path checks (src/paths.c). */
#include "config.h"
#include "paths.h"
#include "tap.h"

#include <stdlib.h>

static void ok_case(const char *in, const char *want)
{
	char *out = NULL;
	sb_error err = NULL;
	int r = path_normalize_abs(in, &out, "test", &err);
	CHECK(r == 0 && out && strcmp(out, want) == 0, "'%s' -> '%s' (got '%s')", in, want,
	      out ? out : "(error)");
	free(out);
	sb_error_free(&err);
}

static void bad_case(const char *in, const char *msg)
{
	char *out = NULL;
	sb_error err = NULL;
	int r = path_normalize_abs(in, &out, "--bind destination", &err);
	CHECK(r < 0 && err && strstr(err->msg, msg) && strstr(err->msg, "--bind destination"),
	      "'%s' refused with '%s' (got '%s')", in, msg, err ? err->msg : "(accepted)");
	free(out);
	sb_error_free(&err);
}

int main(void)
{
	ok_case("/", "/");
	ok_case("/usr", "/usr");
	ok_case("//usr///lib/", "/usr/lib");
	ok_case("/./a/./b/.", "/a/b");
	ok_case("/a..b/..c", "/a..b/..c");
	ok_case("/.hidden", "/.hidden");
	bad_case("relative/path", "must be an absolute path");
	bad_case("", "must be an absolute path");
	bad_case("/a/../etc", "must not contain '..'");
	bad_case("/..", "must not contain '..'");
	return tap_done();
}
