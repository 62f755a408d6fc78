#!/bin/bash
# lint.sh: part of `make check`: cppcheck and clang-tidy (configured by
# .clang-tidy) over src/ and the unit tests must report nothing (TAP out).
# A linter that is not installed is skipped with that reason.
set -uo pipefail
: "${TOP_SRCDIR:?}" "${TOP_BUILDDIR:?}"
cd "$TOP_SRCDIR" || exit 1
srcs=(src/*.c tests/unit/*.c)
echo "1..2"
if command -v cppcheck >/dev/null; then
	out=$(cppcheck --quiet --error-exitcode=1 --enable=warning,style,performance,portability \
		--std=c11 --inline-suppr -I src --suppress=missingIncludeSystem "${srcs[@]}" 2>&1)
	if [[ $? == 0 && -z $out ]]; then echo "ok 1 - cppcheck"; else
		echo "not ok 1 - cppcheck"; sed 's/^/# /' <<<"$out"; fi
else
	echo "ok 1 - cppcheck # SKIP cppcheck is not installed"
fi
if command -v clang-tidy >/dev/null; then
	out=$(clang-tidy --quiet "${srcs[@]}" -- -std=gnu11 -DHAVE_CONFIG_H -I"$TOP_BUILDDIR" -Isrc \
		$(pkg-config --cflags libcap libseccomp json-c slirp fuse3) 2>&1)
	r=$?
	if [[ $r == 0 ]]; then echo "ok 2 - clang-tidy"; else
		echo "not ok 2 - clang-tidy"; grep -E "warning:|error:" <<<"$out" | sed 's/^/# /'; fi
else
	echo "ok 2 - clang-tidy # SKIP clang-tidy is not installed"
fi
