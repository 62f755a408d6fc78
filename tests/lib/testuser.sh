#!/bin/bash
# testuser.sh: the unprivileged users that the tests and benchmarks run as.
#
#   tests/lib/testuser.sh ensure      (as root)
#
# creates, if missing:
#   - $SANDBOX_TEST_USER (default sbtest), with a home, /bin/bash and 65536
#     subordinate uids and gids in /etc/subuid and /etc/subgid;
#   - $SANDBOX_TEST_NOSUB_USER (default sbnosub), with no subordinate ids at
#     all (entries useradd adds are removed), for the single-mapping fallback;
#   - an entry of 65536 ids for root in both files, if root has none;
# and makes /dev/fuse and /dev/net/tun mode 0666 as a desktop would.  New
# ranges start past every existing one (rounded up to a multiple of 65536,
# at least 100000).  It prints one line per change and nothing otherwise;
# it is idempotent and serialised by a lock, so parallel runs are safe.
#
# Sourced from bats, it defines testuser_ensure, testuser_run USER CMD...
# (run CMD as USER with runuser) and the two user names; nothing else.

: "${SANDBOX_TEST_USER:=sbtest}"
: "${SANDBOX_TEST_NOSUB_USER:=sbnosub}"

testuser_count=65536

testuser_msg() {
	printf 'testuser: %s\n' "$*"
}

# testuser_has_entry FILE USER: does FILE hold a range for USER (by name
# or by numeric uid, as newuidmap accepts both)?
testuser_has_entry() {
	local file=$1 user=$2 uid
	uid=$(id -u "$user")
	[[ -f $file ]] &&
		awk -F: -v n="$user" -v u="$uid" \
			'$1 == n || $1 == u { found = 1 } END { exit !found }' "$file"
}

# testuser_next_start FILE: the first free id past every range in FILE.
testuser_next_start() {
	local file=$1
	awk -F: -v count="$testuser_count" '
		$2 ~ /^[0-9]+$/ && $3 ~ /^[0-9]+$/ {
			end = $2 + $3
			if (end > max) max = end
		}
		END {
			start = int((max + count - 1) / count) * count
			if (start < 100000) start = 100000
			printf "%d\n", start
		}' "$file"
}

# testuser_add_range FILE USER: give USER a range unless it has one.
testuser_add_range() {
	local file=$1 user=$2 start
	[[ -e $file ]] || install -m 0644 /dev/null "$file"
	testuser_has_entry "$file" "$user" && return 0
	start=$(testuser_next_start "$file")
	printf '%s:%s:%s\n' "$user" "$start" "$testuser_count" >>"$file"
	testuser_msg "added $user:$start:$testuser_count to $file"
}

# testuser_remove_ranges FILE USER: drop every range of USER from FILE.
testuser_remove_ranges() {
	local file=$1 user=$2 uid tmp
	testuser_has_entry "$file" "$user" || return 0
	uid=$(id -u "$user")
	tmp=$(mktemp "$file.XXXXXX")
	awk -F: -v n="$user" -v u="$uid" '$1 != n && $1 != u' "$file" >"$tmp"
	chmod --reference="$file" "$tmp"
	mv -f -- "$tmp" "$file"
	testuser_msg "removed the subordinate ids of $user from $file"
}

testuser_add_user() {
	local user=$1
	id -u "$user" >/dev/null 2>&1 && return 0
	useradd -m -s /bin/bash "$user"
	testuser_msg "created user $user"
}

testuser_open_device() {
	local dev=$1
	[[ -c $dev ]] || return 0
	[[ $(stat -c %a "$dev") == 666 ]] && return 0
	chmod 0666 "$dev"
	testuser_msg "made $dev mode 0666"
}

testuser_ensure_locked() {
	local file

	testuser_add_user "$SANDBOX_TEST_USER"
	testuser_add_user "$SANDBOX_TEST_NOSUB_USER"
	for file in /etc/subuid /etc/subgid; do
		testuser_add_range "$file" root
		testuser_add_range "$file" "$SANDBOX_TEST_USER"
		testuser_remove_ranges "$file" "$SANDBOX_TEST_NOSUB_USER"
	done
	testuser_open_device /dev/fuse
	testuser_open_device /dev/net/tun
}

testuser_ensure() {
	local lock=/run/lock
	[[ -d $lock && -w $lock ]] || lock=/tmp
	lock+=/sandbox-testuser.lock

	if [[ $(id -u) != 0 ]]; then
		printf 'testuser: ensure must be run as root\n' >&2
		return 1
	fi
	(
		set -euo pipefail
		flock 9
		testuser_ensure_locked
	) 9>>"$lock"
}

# testuser_run USER CMD [ARG...]: run CMD as USER (we must be root).
testuser_run() {
	local user=$1
	shift
	runuser -u "$user" -- "$@"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	case ${1:-} in
	ensure) testuser_ensure ;;
	*)
		printf 'usage: %s ensure\n' "${0##*/}" >&2
		exit 2
		;;
	esac
fi
