#!/bin/bash
# sanitizers.sh: part of `make check`. Builds the launcher and the unit
# tests again, in build-sanitizers/, with -fsanitize=address,undefined, then
# runs the unit tests and a few real sandboxes with that build (TAP out). Skipped,
# with the reason, when the compiler has no sanitizer runtime.
set -euo pipefail
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"

dir="$TOP_BUILDDIR/build-sanitizers"
log="$dir.log"
if ! echo 'int main(void){return 0;}' | ${CC:-cc} -fsanitize=address,undefined -x c -o /dev/null - 2>/dev/null; then
	echo "1..0 # SKIP ${CC:-cc} cannot link -fsanitize=address,undefined"
	exit 0
fi
# Compiled directly (an in-tree configured source cannot host a second
# configured build): every src/*.c, with config.h from the main build.
mkdir -p "$dir/tests/unit"
cflags=(-std=gnu11 -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Wno-unused-parameter
	-DHAVE_CONFIG_H -I"$TOP_BUILDDIR" -I"$TOP_SRCDIR/src" $(pkg-config --cflags libcap libseccomp json-c slirp libarchive libcrypto fuse3))
libs=($(pkg-config --libs libcap libseccomp json-c slirp libarchive libcrypto fuse3))
lib_srcs=()
for f in "$TOP_SRCDIR"/src/*.c; do
	[[ $f == */main.c || $f == */main_import.c ]] || lib_srcs+=("$f")
done
# generated into the build tree (the same place in an in-tree build)
[[ -e $TOP_SRCDIR/src/builtin_profiles.c ]] || lib_srcs+=("$TOP_BUILDDIR/src/builtin_profiles.c")
unit_tests=()
for f in "$TOP_SRCDIR"/tests/unit/test-*.c; do
	f=${f##*/}
	unit_tests+=("${f%.c}")
done
build() { # OUTPUT SOURCES...
	local out=$1
	shift
	${CC:-cc} "${cflags[@]}" -o "$out" "$@" "${lib_srcs[@]}" "${libs[@]}"
}
if ! { build "$dir/sandbox" "$TOP_SRCDIR/src/main.c" &&
	for t in "${unit_tests[@]}"; do
		build "$dir/tests/unit/$t" "$TOP_SRCDIR/tests/unit/$t.c" || exit 1
	done; } >"$log" 2>&1; then
	echo "1..1"
	echo "not ok 1 - sanitizer build (see $log)"
	sed 's/^/# /' "$log" | tail -20
	exit 0
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
n=0
fail=0
point() { # point OK? DESCRIPTION
	n=$((n + 1))
	if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fail=1; fi
}
for t in "${unit_tests[@]}"; do
	out=$("$dir/tests/unit/$t" 2>&1) && r=0 || r=$?
	[[ $r == 0 ]] || sed 's/^/# /' <<<"$out"
	point "$r" "unit $t under ASan/UBSan"
done
rootfs=$(mktemp -d /tmp/sandbox-asan.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
"$TOP_SRCDIR/tools/mkdemo-rootfs" "$rootfs/r" >/dev/null
sb() { "$dir/sandbox" "$@"; }
out=$(sb run --rootfs "$rootfs/r" /bin/sh -c 'echo ok' 2>&1) && r=0 || r=$?
[[ $r == 0 && $out == ok ]] && point 0 "sandbox run under ASan/UBSan" || { sed 's/^/# /' <<<"$out"; point 1 "sandbox run under ASan/UBSan"; }
out=$(sb run --rootfs "$rootfs/r" --bind /nonexistent /x true 2>&1) && r=0 || r=$?
[[ $r == 125 && $out == "sandbox: --bind source '/nonexistent': No such file or directory" ]] && point 0 "error path under ASan/UBSan" || { sed 's/^/# /' <<<"$out"; point 1 "error path under ASan/UBSan"; }
out=$(sb run --rootfs "$rootfs/r" no-such-cmd 2>&1) && r=0 || r=$?
[[ $r == 127 ]] && point 0 "exec failure under ASan/UBSan" || { sed 's/^/# /' <<<"$out"; point 1 "exec failure under ASan/UBSan"; }
out=$(sb run --nope host true 2>&1) && r=0 || r=$?
[[ $r == 125 ]] && point 0 "bad option under ASan/UBSan" || { sed 's/^/# /' <<<"$out"; point 1 "bad option under ASan/UBSan"; }
out=$(sb check 2>&1) && r=0 || r=$?
[[ $r == 0 ]] && point 0 "check under ASan/UBSan" || { sed 's/^/# /' <<<"$out"; point 1 "check under ASan/UBSan"; }
echo "1..$n"
