#!/usr/bin/env bats
# seccomp.bats: the default profile's syscall groups on every ABI, the
# report line and its absence when granted, ioctl high bits, clone3, user
# namespaces, Docker/OCI JSON profiles, capabilities.
load helpers

# probe CALL GROUP: under the default profile CALL is refused with EPERM and
# reported once naming GROUP; granted, no report (the kernel decides).
probe() {
	local call=$1 group=$2 helper=${3:-sbhelper}
	run --separate-stderr sbr "$helper" syscall "$call"
	[ "$output" = "$call: errno=EPERM" ] || { echo "denied: $output / $stderr"; return 1; }
	[[ "$stderr" == "sandbox: blocked "*" in pid "*" ($helper): $group is denied by profile 'base' (grant with --seccomp-allow $group)" ]] ||
		{ echo "report: $stderr"; return 1; }
	run --separate-stderr sbr --seccomp-allow "$group" "$helper" syscall "$call"
	[[ "$stderr" != *blocked* ]] || { echo "granted: $stderr"; return 1; }
	[[ "$output" == "$call: "* ]]
}

@test "each group is refused and reported on x86_64, and granted on request" {
	probe settimeofday @clock
	probe adjtimex-set @clock
	probe reboot @reboot
	probe kexec_load @reboot
	probe init_module @module
	probe swapon @swap
	probe iopl @raw-io
	probe ioperm @raw-io
	probe keyctl @keyring
	probe perf_event_open @debug
	probe ptrace-attach-1 @debug
	probe modify_ldt @cpu-emulation
	probe ioctl-tiocsti @tty-inject
	probe bpf bpf
	probe userfaultfd userfaultfd
	probe open_by_handle_at open_by_handle_at
	probe acct acct
	probe quotactl quotactl
	probe syslog syslog
	probe personality-unsafe personality
}

@test "the same on the i386 ABI (int 0x80)" {
	[ -x "$ROOTFS/usr/bin/sbhelper32" ] || skip "no i386 helper: gcc -m32 -static failed (install gcc-multilib)"
	run "$ROOTFS/usr/bin/sbhelper32" pid
	[ "$status" -eq 0 ] || skip "this kernel cannot run i386 binaries"
	probe settimeofday @clock sbhelper32
	probe reboot @reboot sbhelper32
	probe init_module @module sbhelper32
	probe swapon @swap sbhelper32
	probe iopl @raw-io sbhelper32
	probe keyctl @keyring sbhelper32
	probe perf_event_open @debug sbhelper32
	probe modify_ldt @cpu-emulation sbhelper32
	probe ioctl-tiocsti @tty-inject sbhelper32
	probe bpf bpf sbhelper32
	probe personality-unsafe personality sbhelper32
	run --separate-stderr sbr sbhelper32 syscall unshare-user
	[ "$output" = "unshare-user: errno=EPERM" ]
}

@test "the x32 ABI is covered too" {
	run --separate-stderr sbr sbhelper syscall x32-settimeofday
	[ "$output" = "x32-settimeofday: errno=EPERM" ]
	[[ "$stderr" == *"blocked settimeofday() in pid "*"@clock is denied"* ]]
	# granted, the kernel answers: ENOSYS where it has no x32, else EPERM
	run --separate-stderr sbr --seccomp-allow @clock sbhelper syscall x32-settimeofday
	[[ "$stderr" != *blocked* ]]
	[ "$output" = "x32-settimeofday: errno=ENOSYS" ] || [ "$output" = "x32-settimeofday: errno=EPERM" ]
}

@test "TIOCSTI with high bits set in the request is refused like without" {
	run --separate-stderr sbr sh -c 'sbhelper syscall ioctl-tiocsti; sbhelper syscall ioctl-tiocsti-high'
	[ "$output" = "$(printf 'ioctl-tiocsti: errno=EPERM\nioctl-tiocsti-high: errno=EPERM')" ]
	[[ "$stderr" == *"blocked ioctl(TIOCSTI)"* ]]
	run --separate-stderr sbr --seccomp-allow @tty-inject sbhelper syscall ioctl-tiocsti-high
	[ "$output" != "ioctl-tiocsti-high: errno=EPERM" ]
}

@test "each refused call is reported once; --quiet silences the report" {
	run --separate-stderr sbr sh -c 'sbhelper syscall reboot; sbhelper syscall reboot; sbhelper syscall settimeofday'
	[ "$(grep -c 'blocked reboot()' <<<"$stderr")" -eq 1 ]
	[ "$(grep -c 'blocked settimeofday()' <<<"$stderr")" -eq 1 ]
	run --separate-stderr sbr --quiet sbhelper syscall reboot
	[ "$output" = "reboot: errno=EPERM" ]
	[ -z "$stderr" ]
}

@test "the report names the pid inside the sandbox and the command" {
	run --separate-stderr sbr sh -c 'sbhelper syscall reboot; true'
	[[ "$stderr" == "sandbox: blocked reboot() in pid 3 (sbhelper): "* ]]
}

@test "clone3 returns ENOSYS so libc falls back to clone" {
	run --separate-stderr sbr sbhelper syscall clone3
	[ "$output" = "clone3: errno=ENOSYS" ]
	[ -z "$stderr" ]
	run sbr sh -c '(echo child)'
	[ "$output" = child ]
}

@test "new user namespaces are refused unless allow-userns" {
	run --separate-stderr sbr sbhelper syscall unshare-user
	[ "$output" = "unshare-user: errno=EPERM" ]
	[[ "$stderr" == *"blocked unshare(CLONE_NEWUSER) in pid 2 (sbhelper): new user namespaces are denied (grant with --allow-userns)" ]]
	run --separate-stderr sbr --allow-userns sbhelper syscall unshare-user
	[ "$output" = "unshare-user: ok" ]
	[ -z "$stderr" ]
}

@test "the clock scenario is refused by seccomp with the report line" {
	run --separate-stderr sbr date -s "1985-10-26 01:15"
	[[ "$stderr" == *"sandbox: blocked "*"() in pid 2 (date): @clock is denied by profile 'base' (grant with --seccomp-allow @clock)"* ]]
	[ "$(date +%Y)" != 1985 ]
	run --separate-stderr sb run host date -s "19851026 1:15"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"sandbox: blocked "*"@clock is denied"* ]]
}

@test "a Docker/OCI seccomp JSON profile loads and works" {
	json=/usr/share/containers/seccomp.json
	[ -r "$json" ] || skip "$json not installed (golang-github-containers-common)"
	run --separate-stderr sbr --seccomp-profile "$json" sh -c 'echo ok; sbhelper syscall settimeofday; sbhelper syscall reboot'
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'ok\nsettimeofday: errno=EPERM\nreboot: errno=EPERM')" ]
	[ -z "$stderr" ]
}

@test "JSON profiles: errnoRet, argument comparisons, a bad file named" {
	j="$BATS_TEST_TMPDIR/p.json"
	cat > "$j" <<'JSON'
{ "defaultAction": "SCMP_ACT_ALLOW",
  "archMap": [ { "architecture": "SCMP_ARCH_X86_64", "subArchitectures": [ "SCMP_ARCH_X86", "SCMP_ARCH_X32" ] } ],
  "syscalls": [
    { "names": [ "reboot" ], "action": "SCMP_ACT_ERRNO", "errnoRet": 38 },
    { "names": [ "personality" ], "action": "SCMP_ACT_ERRNO",
      "args": [ { "index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ" } ] },
    { "names": [ "no_such_call_here" ], "action": "SCMP_ACT_ERRNO" } ] }
JSON
	run --separate-stderr sbr --seccomp-profile "$j" sh -c 'sbhelper syscall reboot; sbhelper syscall personality; sbhelper syscall settimeofday'
	[ "$output" = "$(printf 'reboot: errno=ENOSYS\npersonality: errno=EPERM\nsettimeofday: errno=EPERM')" ]
	echo '{ "defaultAction": ' > "$BATS_TEST_TMPDIR/bad.json"
	run --separate-stderr sbr --seccomp-profile "$BATS_TEST_TMPDIR/bad.json" true
	[ "$status" -eq 125 ]
	[[ "$stderr" == "sandbox: seccomp profile '$BATS_TEST_TMPDIR/bad.json': "* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}

@test "capabilities: caps none, cap-add, cap-drop, bad names" {
	run sbr --caps none sbhelper caps
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
	[[ "$output" == *"CapBnd:	0000000000000000"* ]]
	run sbr --cap-add SYS_ADMIN sbhelper caps
	[[ "$output" == *"CapEff:	00000000a02405fb"* ]]
	run sbr --cap-drop cap_chown,CAP_KILL sbhelper caps
	[[ "$output" == *"CapEff:	00000000a00405da"* ]]
	run sbr --cap-drop ALL --cap-add net_bind_service sbhelper caps
	[[ "$output" == *"CapEff:	0000000000000400"* ]]
	run --separate-stderr sbr --cap-add CAP_NOPE true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: --cap-add: unknown capability 'CAP_NOPE'" ]
}
