#!/bin/bash
# integration-user.sh: the bats integration suite, run as an ordinary user
# with /etc/subuid and /etc/subgid ranges (TAP out). As root, the test user
# is created (tests/lib/testuser.sh) and the suite runs as that user; as any
# other user it runs as that user.
. "${TOP_SRCDIR:?}/tests/integration-common.sh"
stage_suite
if [[ $(id -u) == 0 ]]; then
	"$TOP_SRCDIR/tests/lib/testuser.sh" ensure >&2
	bats_as "${SANDBOX_TEST_USER:-sbtest}" user
else
	bats_as "" user
fi
