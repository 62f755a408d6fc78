#!/bin/bash
# startup.sh: how long does `sandbox run` take to start, next to its peers?
#
#   bench/startup.sh SANDBOX_BIN DEMO_ROOTFS [N]
#
# Runs /bin/true N times (default 200, after 10 warm-up runs), interleaved
# by timeit, through
#   sandbox  SANDBOX_BIN run --rootfs DEMO_ROOTFS /bin/true
#   bwrap    bwrap --unshare-all --ro-bind DEMO_ROOTFS / --proc /proc --dev /dev /bin/true
#   unshare  unshare -Urmpf /bin/true
#   nofilter SANDBOX_BIN run with a profile that loads no seccomp filter
#   image    SANDBOX_BIN run IMAGE /bin/true: DEMO_ROOTFS imported, on the overlay
# and prints timeit's table, then
#   startup: sandbox/bwrap median ratio = X (target <= 2.0)
# A peer that is missing or does not work here is skipped with the reason.
# DEMO_ROOTFS comes from tools/mkdemo-rootfs.
#
# As root, the measurements run as the unprivileged $SANDBOX_TEST_USER
# (default sbtest, set up by tests/lib/testuser.sh ensure, which this calls)
# through runuser, since a rootless launcher is what is being measured.
# TIMEIT names the timeit binary (default: timeit next to this script, built
# from timeit.c with ${CC:-cc} when missing).
set -euo pipefail

prog=${0##*/}
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

(($# == 2 || $# == 3)) || {
	printf 'usage: %s SANDBOX_BIN DEMO_ROOTFS [N]\n' "$prog" >&2
	exit 2
}
sandbox=$(realpath -e -- "$1" 2>/dev/null) || die "sandbox binary '$1' not found"
rootfs=$(realpath -e -- "$2" 2>/dev/null) || die "demo rootfs '$2' not found"
runs=${3:-200}
warmup=10
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "N must be a positive number, not '$runs'"
[[ -x $rootfs/bin/true ]] ||
	die "$rootfs has no /bin/true (make it with tools/mkdemo-rootfs)"

timeit=${TIMEIT:-$here/timeit}
if [[ ! -x $timeit ]]; then
	[[ -z ${TIMEIT:-} ]] || die "TIMEIT=$TIMEIT is not executable"
	"${CC:-cc}" -O2 -Wall -Wextra -o "$timeit" "$here/timeit.c" ||
		die "cannot build $timeit from $here/timeit.c"
fi
timeit=$(realpath -e -- "$timeit")

# as_user CMD...: run CMD as the test user when we are root.
as_user=()
if [[ $(id -u) == 0 ]]; then
	user=${SANDBOX_TEST_USER:-sbtest}
	SANDBOX_TEST_USER=$user "$here/../tests/lib/testuser.sh" ensure
	as_user=(runuser -u "$user" --)
	for path in "$sandbox" "$timeit" "$rootfs/bin/true"; do
		"${as_user[@]}" test -x "$path" ||
			die "user $user cannot run $path (move it out of a private directory)"
	done
	printf 'running as user %s\n' "$user"
fi

# works CMD...: can CMD run here (as the test user)?  If not, $why says why.
why=
works() {
	local out
	if ! command -v "$1" >/dev/null; then
		why="$1 is not installed"
		return 1
	fi
	if ! out=$("${as_user[@]}" "$@" 2>&1 </dev/null); then
		why="it fails here: $(printf '%s' "$out" | head -n 1)"
		return 1
	fi
}

sandbox_cmd=("$sandbox" run --rootfs "$rootfs" /bin/true)
bwrap_cmd=(bwrap --unshare-all --ro-bind "$rootfs" / --proc /proc --dev /dev
	/bin/true)
unshare_cmd=(unshare -Urmpf /bin/true)

works "${sandbox_cmd[@]}" ||
	die "'${sandbox_cmd[*]}' does not work, nothing to measure: $why"
groups=(sandbox "${sandbox_cmd[@]}")
# the same with no seccomp filter at all: a profile with nothing to refuse
nofilter=$(mktemp -d /tmp/sandbox-bench.XXXXXX)
trap 'rm -rf "$nofilter"' EXIT
chmod 0755 "$nofilter"
printf '# nothing refused: no seccomp filter is loaded\nallow-userns\n' >"$nofilter/nofilter.profile"
chmod 0644 "$nofilter/nofilter.profile"
groups+=(::: nofilter "$sandbox" run --profile "$nofilter/nofilter.profile" --rootfs "$rootfs" /bin/true)
# the same root as an image in a store of the bench user's, on the overlay
chmod 0777 "$nofilter"
export XDG_DATA_HOME="$nofilter/data"
tar --numeric-owner -C "$rootfs" -cf "$nofilter/demo.tar" .
chmod 0644 "$nofilter/demo.tar"
if "${as_user[@]}" env XDG_DATA_HOME="$XDG_DATA_HOME" "$sandbox" import --name bench-demo \
	"$nofilter/demo.tar" >/dev/null 2>&1; then
	groups+=(::: image "$sandbox" run bench-demo /bin/true)
else
	printf 'skipping image: sandbox import failed\n'
fi
have_bwrap=false
if works "${bwrap_cmd[@]}"; then
	groups+=(::: bwrap "${bwrap_cmd[@]}")
	have_bwrap=true
else
	printf 'skipping bwrap: %s\n' "$why"
fi
if works "${unshare_cmd[@]}"; then
	groups+=(::: unshare "${unshare_cmd[@]}")
else
	printf 'skipping unshare: %s\n' "$why"
fi

out=$("${as_user[@]}" env XDG_DATA_HOME="$XDG_DATA_HOME" "$timeit" -n "$runs" -w "$warmup" -- "${groups[@]}")
printf '%s\n' "$out"

if $have_bwrap; then
	ratio=$(awk '
		$1 == "RESULT" && $2 == "sandbox" { s = $3 }
		$1 == "RESULT" && $2 == "bwrap" { b = $3 }
		END { if (b > 0) printf "%.2f\n", s / b; else print "n/a" }
	' <<<"$out")
	printf 'startup: sandbox/bwrap median ratio = %s (target <= 2.0)\n' \
		"$ratio"
else
	printf 'startup: sandbox/bwrap median ratio = n/a (bwrap skipped) (target <= 2.0)\n'
fi
awk '
	$1 == "RESULT" && $2 == "sandbox" { s = $3 }
	$1 == "RESULT" && $2 == "nofilter" { n = $3 }
	$1 == "RESULT" && $2 == "image" { i = $3 }
	$1 == "RESULT" && $2 == "bwrap" { b = $3 }
	END {
		printf "seccomp: the default filter adds %.3f ms at the median (target < 1 ms)\n", s - n
		if (i > 0 && b > 0)
			printf "image: sandbox run IMAGE / bwrap on a directory median ratio = %.2f (target <= 2.0)\n", i / b
	}
' <<<"$out"
