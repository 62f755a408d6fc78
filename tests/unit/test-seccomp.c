/* test-seccomp.c: unit tests of the denied-call policy (src/scpolicy.c),
 * the report line (src/scnotify.c) and name checks of groups and calls. */
#include "config.h"
#include "scnotify.h"
#include "scpolicy.h"
#include "tap.h"

#include <stdlib.h>

int main(void)
{
	struct seccomp_op ops[] = {
		{ false, "@clock", "profile 'base'" },
		{ false, "reboot", "the command line" },
		{ true, "clock_settime", "profile 'mine'" },
		{ false, "@debug", "profile 'base'" },
		{ true, "@debug", "the command line" },
	};
	struct sc_policy p;
	const struct sc_rule *r;
	sb_error err = NULL;
	char *m;

	scpolicy_build(ops, 5, &p);
	r = scpolicy_find(&p, "settimeofday");
	CHECK(r && r->group && strcmp(r->group, "@clock") == 0 && strcmp(r->source, "profile 'base'") == 0,
	      "group member denied, with group and source");
	CHECK(scpolicy_find(&p, "clock_settime") == NULL, "a later allow of one call removes it");
	r = scpolicy_find(&p, "reboot");
	CHECK(r && r->group == NULL, "a call denied by name has no group");
	CHECK(scpolicy_find(&p, "ptrace") == NULL, "allowing a group removes all of it");
	CHECK(scpolicy_find(&p, "open") == NULL, "others are allowed");

	m = scnotify_message(&p, "settimeofday", NULL, 7, "date");
	CHECK_STR(m, "blocked settimeofday() in pid 7 (date): @clock is denied by profile 'base' "
		  "(grant with --seccomp-allow @clock)", "report line for a group");
	free(m);
	m = scnotify_message(&p, "reboot", NULL, 3, "x");
	CHECK_STR(m, "blocked reboot() in pid 3 (x): reboot is denied by the command line "
		  "(grant with --seccomp-allow reboot)", "report line for a call");
	free(m);
	m = scnotify_message(&p, "unshare", "CLONE_NEWUSER", 2, "unshare");
	CHECK_STR(m, "blocked unshare(CLONE_NEWUSER) in pid 2 (unshare): new user namespaces are "
		  "denied (grant with --allow-userns)", "report line for user namespaces");
	free(m);
	scpolicy_free(&p);

	CHECK(scpolicy_check_name("@clock", &err) == 0, "known group");
	CHECK(scpolicy_check_name("settimeofday", &err) == 0, "known call");
	CHECK(scpolicy_check_name("stime", &err) == 0, "a call only i386 has");
	CHECK(scpolicy_check_name("@clok", &err) < 0 && err && strstr(err->msg, "'@clok'") &&
	      strstr(err->hint, "@clock"), "unknown group named, groups listed");
	sb_error_free(&err);
	CHECK(scpolicy_check_name("frobnicate", &err) < 0 && err && strstr(err->msg, "'frobnicate'"),
	      "unknown call named");
	sb_error_free(&err);
	return tap_done();
}
