# integration-common.sh: sourced by integration-root.sh and
# integration-user.sh. Stages what the bats suite needs (the sandbox binary,
# the static in-sandbox helper, a busybox root file system holding it, and
# the .bats files) in a fresh world-readable directory, so that the
# unprivileged test user can reach all of it wherever the build tree lives,
# and removes it afterwards.
set -euo pipefail

: "${SANDBOX:?}" "${SBHELPER:?}" "${TOP_SRCDIR:?}"

stage_suite() {
	STAGE=$(mktemp -d /tmp/sandbox-tests.XXXXXX)
	trap 'rm -rf "$STAGE"' EXIT
	chmod 0755 "$STAGE"
	cp "$SANDBOX" "$STAGE/sandbox"
	cp "$(dirname "$SANDBOX")/sandbox-import" "$STAGE/sandbox-import"
	cp "$SBHELPER" "$STAGE/sbhelper"
	cp "$(dirname "$SBHELPER")/dnsd" "$STAGE/dnsd"
	cp -r "$TOP_SRCDIR/tests/integration" "$STAGE/suite"
	# the image tests once more, on the FUSE overlay, so that path cannot rot
	sed -e 's/^OVERLAY=kernel$/OVERLAY=fuse/' -e 's/^@test "/@test "[fuse overlay] /' \
		"$STAGE/suite/run-image.bats" >"$STAGE/suite/run-image-fuse.bats"
	cp -r "$TOP_SRCDIR/tests/lib" "$STAGE/lib"
	local -a add=(--add "$SBHELPER:/usr/bin/sbhelper")
	# the same helper for the i386 ABI, where gcc can build it (gcc-multilib)
	if ${CC:-cc} -m32 -static -O2 -o "$STAGE/sbhelper32" "$TOP_SRCDIR/tests/helper/sbhelper.c" \
		2>/dev/null; then
		add+=(--add "$STAGE/sbhelper32:/usr/bin/sbhelper32")
	fi
	"$TOP_SRCDIR/tools/mkdemo-rootfs" "${add[@]}" "$STAGE/rootfs" >/dev/null
	# the optional slow test: a real Debian root made by debootstrap (as
	# root; kept in the build tree for the next run)
	if [[ ${SANDBOX_SLOW_TESTS:-} == 1 && $(id -u) == 0 ]]; then
		local deb="$TOP_BUILDDIR/debian-bookworm.tar"
		if [[ ! -s $deb ]]; then
			local d
			d=$(mktemp -d /tmp/sandbox-debootstrap.XXXXXX)
			debootstrap --variant=minbase bookworm "$d" http://deb.debian.org/debian >&2 &&
				tar --numeric-owner -C "$d" -cf "$deb.tmp" . && mv "$deb.tmp" "$deb"
			rm -rf "$d"
		fi
		[[ -s $deb ]] && cp "$deb" "$STAGE/debian.tar"
	fi
	chmod -R a+rX "$STAGE"
}

# bats_as USER: run the suite as USER ("" for the current user), TAP out.
bats_as() {
	local user=$1
	local -a envs=(SANDBOX="$STAGE/sandbox" SBHELPER="$STAGE/sbhelper"
		ROOTFS="$STAGE/rootfs" TESTLIB="$STAGE/lib" TEST_MODE="$2"
		DEBIAN_TAR="$([[ -s $STAGE/debian.tar ]] && echo "$STAGE/debian.tar")"
		SANDBOX_TEST_NOSUB_USER="${SANDBOX_TEST_NOSUB_USER:-sbnosub}"
		PATH="/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin")
	if [[ -n $user ]]; then
		runuser -u "$user" -- env -i HOME="/tmp" "${envs[@]}" \
			bats --tap "$STAGE/suite"
	else
		env "${envs[@]}" bats --tap "$STAGE/suite"
	fi
}
