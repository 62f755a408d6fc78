#!/bin/bash
# integration-root.sh: the bats integration suite, run as root (TAP out).
# Skipped, with the reason, when make check does not run as root.
. "${TOP_SRCDIR:?}/tests/integration-common.sh"
if [[ $(id -u) != 0 ]]; then
	echo "1..0 # SKIP not root: the root half of the suite needs root"
	exit 0
fi
"$TOP_SRCDIR/tests/lib/testuser.sh" ensure >&2
stage_suite
bats_as "" root
