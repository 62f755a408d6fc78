#!/usr/bin/env bats
# slow-debian.bats: an optional, slow test on a real Debian 12 root made by
# debootstrap: imported as an image, dpkg and apt run inside. Runs when
# `make check` is given SANDBOX_SLOW_TESTS=1 (as root, with Debian's mirror
# reachable); skipped otherwise.
load helpers

setup_file() {
	[ -n "${DEBIAN_TAR:-}" ] || return 0
	export XDG_DATA_HOME="$BATS_FILE_TMPDIR/data"
	"$SANDBOX" import --name debian:12 "$DEBIAN_TAR"
}

teardown_file() {
	[ -n "${DEBIAN_TAR:-}" ] || return 0
	"$SANDBOX" rmi debian:12 >/dev/null 2>&1 || true
}

@test "Debian 12 from debootstrap: dpkg -l and apt-get --version run inside" {
	[ -n "${DEBIAN_TAR:-}" ] || skip "slow test: set SANDBOX_SLOW_TESTS=1 (needs root and debootstrap)"
	run sb run debian:12 sh -c 'cat /etc/debian_version; dpkg -l dpkg | grep -c "^ii"; apt-get --version | head -1'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == 12.* ]]
	[ "${lines[1]}" = 1 ]
	[[ "${lines[2]}" == "apt 2."* ]]
	# files of other owners keep them
	run sb run debian:12 stat -c %G /var/mail /etc/shadow
	[ "$output" = "$(printf 'mail\nshadow')" ]
}
