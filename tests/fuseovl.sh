#!/bin/bash
# fuseovl.sh: part of `make check`: the FUSE overlay against kernel
# overlayfs (tests/fuseovl/ovltest, which enters its own user and mount
# namespaces), run as the current user and, when that is root, also as the
# unprivileged test user (tests/lib/testuser.sh), from a world-readable
# staging directory. The TAP of both runs is merged into one plan; a run
# that cannot use /dev/fuse or user namespaces is one skipped point that
# says why.
set -uo pipefail
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"

ovltest=$TOP_BUILDDIR/tests/fuseovl/ovltest
n=0
fail=0

# merge WHO: renumber the TAP of one run read from stdin
merge() {
	local who=$1 line
	while IFS= read -r line; do
		case $line in
		"ok "* | "not ok "*)
			local st=${line%% [0-9]*}
			local rest=${line#"$st" }
			rest=${rest#* }
			n=$((n + 1))
			[[ $st == "not ok" ]] && fail=1
			echo "$st $n [$who] ${rest#- }"
			;;
		"1..0"*"# SKIP"*)
			n=$((n + 1))
			echo "ok $n - [$who] # SKIP ${line#*# SKIP }"
			;;
		"1.."*) ;;
		*) echo "# $line" ;;
		esac
	done
}

run() { # WHO CMD...
	local who=$1 out r
	shift
	out=$("$@" 2>&1)
	r=$?
	merge "$who" <<<"$out"
	if [[ $r != 0 ]] && ! grep -q '^not ok' <<<"$out"; then
		n=$((n + 1))
		echo "not ok $n - [$who] ovltest exited with $r"
	fi
}

if [[ ! -x $ovltest ]]; then
	echo "1..1"
	echo "not ok 1 - $ovltest is not built"
	exit 0
fi
if [[ $(id -u) == 0 ]]; then
	"$TOP_SRCDIR/tests/lib/testuser.sh" ensure >&2
	stage=$(mktemp -d /tmp/sandbox-fuseovl.XXXXXX)
	trap 'rm -rf "$stage"' EXIT
	chmod 0755 "$stage"
	cp "$ovltest" "$stage/ovltest"
	chmod 0755 "$stage/ovltest"
	run root "$ovltest"
	user=${SANDBOX_TEST_USER:-sbtest}
	run "$user" runuser -u "$user" -- env -i PATH=/usr/bin:/bin HOME=/tmp "$stage/ovltest"
else
	run "$(id -un)" "$ovltest"
fi
echo "1..$n"
