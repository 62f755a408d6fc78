/* test-profile.c: unit tests of profile line splitting and expansion
 * (src/profile.c) and of applying profile lines to a spec. */
#include "config.h"
#include "profile.h"
#include "spec.h"
#include "tap.h"

#include <stdlib.h>

static const char *const vars[] = { "HOME", "/home/ana", "PWD", "/work dir", NULL };

static char *joined(const char *line)
{
	char **w = NULL, *out = calloc(1, 1024);
	sb_error err = NULL;
	int n = profile_split_line(line, vars, &w, &err);

	if (n < 0) {
		snprintf(out, 1024, "ERROR %s", err->msg);
		sb_error_free(&err);
		return out;
	}
	for (int i = 0, len = 0; i < n && len < 1000; i++)
		len += snprintf(out + len, (size_t)(1024 - len), "[%s]", w[i]);
	profile_free_words(w);
	return out;
}

#define SPLIT(line, want) do { char *g = joined(line); CHECK_STR(g, want, "split %s", line); free(g); } while (0)

int main(void)
{
	struct run_spec s;
	sb_error err = NULL;

	SPLIT("bind /a /b", "[bind][/a][/b]");
	SPLIT("  \tbind   /a\t/b  # comment", "[bind][/a][/b]");
	SPLIT("# only a comment", "");
	SPLIT("", "");
	SPLIT("bind ${PWD} ${PWD}", "[bind][/work dir][/work dir]");   /* never split */
	SPLIT("bind \"${PWD}\" \"${HOME}/x\"", "[bind][/work dir][/home/ana/x]");
	SPLIT("setenv A \"\"", "[setenv][A][]");
	SPLIT("setenv A \"say \\\"hi\\\"\"", "[setenv][A][say \"hi\"]");
	SPLIT("chdir ${NOPE}", "ERROR unknown variable '${NOPE}'");
	SPLIT("chdir ${PWD", "ERROR unterminated '${'");
	SPLIT("hostname \"abc", "ERROR unterminated '\"'");

	spec_init(&s);
	CHECK(spec_apply_option(&s, "hostname", (char *[]){ "box" }, 1, &err) == 0 &&
	      strcmp(s.hostname, "box") == 0, "apply a one-argument option");
	CHECK(spec_apply_option(&s, "seccomp-deny", (char *[]){ "@clock", "bpf" }, 2, &err) == 0 &&
	      s.n_sc_ops == 2, "a repeatable option takes several arguments");
	CHECK(spec_apply_option(&s, "bind", (char *[]){ "/a" }, 1, &err) < 0 && err &&
	      strcmp(err->msg, "'bind' takes 2 arguments SRC DEST, not 1") == 0, "argument count");
	sb_error_free(&err);
	CHECK(spec_apply_option(&s, "bnid", NULL, 0, &err) < 0 && err && err->hint &&
	      strcmp(err->hint, "did you mean 'bind'?") == 0, "did you mean");
	sb_error_free(&err);
	CHECK(spec_apply_option(&s, "help", NULL, 0, &err) < 0 && err &&
	      strstr(err->msg, "cannot be used in a profile"), "command-line-only options");
	sb_error_free(&err);
	CHECK(spec_suggest_option("zzzzzzzz") == NULL, "no suggestion when nothing is close");
	spec_free(&s);
	return tap_done();
}
