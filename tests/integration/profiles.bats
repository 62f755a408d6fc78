#!/usr/bin/env bats
# profiles.bats: profiles as saved command lines: lookup, includes,
# variables, precedence of the command line, every kind of bad profile, and
# the shipped profiles.
load helpers

setup() {
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	mkdir -p "$XDG_CONFIG_HOME/sandbox/profiles"
	P="$XDG_CONFIG_HOME/sandbox/profiles"
}

@test "sandbox profiles lists the shipped profiles with their descriptions" {
	run sb profiles
	[ "$status" -eq 0 ]
	for p in default untrusted network build; do
		grep -Eq "^$p +[a-z].*\[" <<<"$output"
	done
	run sb profiles groups
	[[ "$output" == *"@clock"*"settimeofday"* ]]
}

@test "profiles show prints the profile expanded, includes resolved" {
	cd "$BATS_TEST_TMPDIR"
	run sb profiles show untrusted
	[ "$status" -eq 0 ]
	[[ "$output" == *"# include base"* ]]
	[[ "$output" == *"seccomp-deny @clock"* ]]
	[[ "$output" == *"bind $BATS_TEST_TMPDIR $BATS_TEST_TMPDIR"* ]]
	[[ "$output" != *'${PWD}'* ]]
}

@test "a user profile is found first, and options on the command line apply after it" {
	printf '# mine: a test profile\ninclude default\nhostname from-profile\nsetenv WHO ${USER}\n' > "$P/mine.profile"
	run sb profiles
	grep -Eq "^mine +a test profile +\[$P/mine.profile\]" <<<"$output"
	run sbr --profile mine sbhelper hostname
	[ "$output" = "from-profile" ]
	run sbr --profile mine --hostname from-cli sbhelper hostname
	[ "$output" = "from-cli" ]
	run sbr --profile mine sh -c 'echo $WHO'
	[ "$output" = "$(id -un)" ]
	# a user profile named like a shipped one replaces it
	printf 'hostname overridden\n' > "$P/default.profile"
	run sbr sbhelper hostname
	[ "$output" = "overridden" ]
}

@test "--profile with a path" {
	printf 'hostname by-path\n' > "$BATS_TEST_TMPDIR/p.profile"
	run sbr --profile "$BATS_TEST_TMPDIR/p.profile" sbhelper hostname
	[ "$output" = "by-path" ]
}

# bad PROFILE-TEXT EXPECTED-STDERR: the run stops before anything starts
bad() {
	printf '%b' "$1" > "$P/bad.profile"
	run --separate-stderr sbr --profile bad sbhelper write /tmp/x
	[ "$status" -eq 125 ] || { echo "status $status"; return 1; }
	[ -z "$output" ] || { echo "ran: $output"; return 1; }
	[ "$stderr" = "$2" ] || { echo "got: $stderr"; return 1; }
}

@test "a bad profile names file, line and problem, and nothing runs" {
	bad '# x\n\nbnid /a /b\n' "sandbox: profile 'bad' line 3: unknown option 'bnid' (did you mean 'bind'?)"
	bad 'tmpfs\n' "sandbox: profile 'bad' line 1: 'tmpfs' takes 1 argument DEST, not 0"
	bad 'bind /a\n' "sandbox: profile 'bad' line 1: 'bind' takes 2 arguments SRC DEST, not 1"
	bad 'chdir ${NOPE}\n' "sandbox: profile 'bad' line 1: unknown variable '\${NOPE}' (known: \${HOME} \${PWD} \${XDG_RUNTIME_DIR} \${UID} \${USER})"
	bad 'hostname "unterminated\n' "sandbox: profile 'bad' line 1: unterminated '\"'"
	bad 'seccomp-deny @clok\n' "sandbox: profile 'bad' line 1: --seccomp-deny: unknown system call group '@clok' (groups: @clock @reboot @module @swap @raw-io @keyring @debug @obsolete @cpu-emulation @tty-inject)"
	bad 'seccomp-allow settimeofdy\n' "sandbox: profile 'bad' line 1: --seccomp-allow: unknown system call 'settimeofdy' (see 'sandbox profiles groups' for the groups)"
	bad 'profile default\n' "sandbox: profile 'bad' line 1: 'profile' cannot be used in a profile (use 'include NAME')"
	bad 'include nonexistent\n' "sandbox: profile 'bad' line 1: no profile named 'nonexistent' ('sandbox profiles' lists them)"
	bad 'net carrier-pigeon\n' "sandbox: profile 'bad' line 1: --net: 'carrier-pigeon' is not one of none, host, slirp"
}

@test "include loops are caught" {
	printf 'include b\n' > "$P/a.profile"
	printf '# b\ninclude a\n' > "$P/b.profile"
	run --separate-stderr sbr --profile a true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: profile 'b' line 2: include loop: a -> b -> a" ]
	run --separate-stderr sbr --profile nonexistent true
	[ "$stderr" = "sandbox: no profile named 'nonexistent' ('sandbox profiles' lists them)" ]
}

@test "untrusted: no network, no home, only the current directory writable" {
	w="$BATS_TEST_TMPDIR/work"; mkdir "$w"; cd "$w"
	run --separate-stderr sb run --profile untrusted host sh -c 'pwd; echo hi > f; ls /sys/class/net; test -e /home || echo no-home; touch /usr/x 2>/dev/null || echo ro-usr'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\nlo\nno-home\nro-usr' "$w")" ]
	[ "$(cat "$w/f")" = hi ]
}

@test "network and build: user-mode networking; build has a scratch /var/tmp" {
	[ -w /dev/net/tun ] || skip "/dev/net/tun is not usable here"
	w="$BATS_TEST_TMPDIR/work"; mkdir "$w"; cd "$w"
	run sb run --profile network host ls /sys/class/net
	[ "$output" = "$(printf 'lo\ntap0')" ]
	run sb run --profile build host sh -c 'touch /var/tmp/x && echo ok; pwd'
	[ "$output" = "$(printf 'ok\n%s' "$w")" ]
}

@test "profiles show prints words that read back the same" {
	printf 'setenv C "a\\"b\\\\c"\nsetenv D "x y"\n' >"$P/q.profile"
	sb profiles show q | grep -v '^#' >"$P/q2.profile"
	run sbr --profile q2 sh -c 'echo "$C|$D"'
	[ "$output" = 'a"b\c|x y' ]
}
