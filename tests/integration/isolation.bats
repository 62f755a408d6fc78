#!/usr/bin/env bats
# isolation.bats: what the sandboxed command can see and do: id maps,
# namespaces, mounts, capabilities, the clock, and nothing left behind.
load helpers

@test "own uid is 0 inside and the whole subordinate range is mapped" {
	run sbr sbhelper uidmap
	[ "$status" -eq 0 ]
	read -r in out count <<<"$(sed -n 1p <<<"$output")"
	[ "$in" -eq 0 ] && [ "$out" -eq "$(id -u)" ] && [ "$count" -eq 1 ]
	read -r in out count <<<"$(sed -n 2p <<<"$output")"
	[ "$in" -eq 1 ] && [ "$count" -eq 65536 ]
	grep -q "^$(id -un):$out:65536\$\|^$(id -u):$out:65536\$" /etc/subuid
	run sbr sbhelper gidmap
	read -r in out count <<<"$(sed -n 1p <<<"$output")"
	[ "$in" -eq 0 ] && [ "$out" -eq "$(id -g)" ]
	[ "$(wc -l <<<"$output")" -eq 2 ]
	run sbr sbhelper ids
	[ "$output" = "uid=0/0/0 gid=0/0/0 groups=" ]
}

@test "--uid/--gid run the command as that user, with the own id mapped there" {
	run sbr --uid 1000 --gid 1000 sbhelper ids
	[ "$output" = "uid=1000/1000/1000 gid=1000/1000/1000 groups=" ]
	run sbr --uid 1000 --gid 1000 sbhelper uidmap
	grep -Eq "^ +1000 +$(id -u) +1\$" <<<"$output"
	grep -Eq "^ +0 +[0-9]+ +1000\$" <<<"$output"
	run --separate-stderr sbr --uid 1000 sbhelper write /tmp/f
	[ "$output" = "write /tmp/f: ok" ]
}

@test "without subordinate ids: a single-id map and one warning that says the fix" {
	[ "$TEST_MODE" = root ] || skip "needs root to switch to the user without subuids"
	run --separate-stderr runuser -u "$SANDBOX_TEST_NOSUB_USER" -- "$SANDBOX" run --rootfs "$ROOTFS" sbhelper uidmap
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 1 ]
	read -r in out count <<<"$output"
	[ "$in" -eq 0 ] && [ "$out" -eq "$(id -u "$SANDBOX_TEST_NOSUB_USER")" ] && [ "$count" -eq 1 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == "sandbox: warning: no subordinate uids for user '$SANDBOX_TEST_NOSUB_USER'"*"sudo usermod --add-subuids "*" $SANDBOX_TEST_NOSUB_USER)" ]]
	# the suggested range is free
	start=$(sed -E 's/.*--add-subuids ([0-9]+)-.*/\1/' <<<"$stderr")
	! awk -F: -v s="$start" '$2 + $3 > s && $2 < s + 65536 { bad = 1 } END { exit !bad }' /etc/subuid
	run --separate-stderr runuser -u "$SANDBOX_TEST_NOSUB_USER" -- "$SANDBOX" run --quiet --rootfs "$ROOTFS" true
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	run --separate-stderr runuser -u "$SANDBOX_TEST_NOSUB_USER" -- "$SANDBOX" run --quiet --uid 5 --gid 6 --rootfs "$ROOTFS" sbhelper ids
	# setgroups is denied with a single map: the own group stays, as gid 6
	[ "$output" = "uid=5/5/5 gid=6/6/6 groups=6" ]
}

@test "every namespace differs from the host's" {
	for ns in user mnt pid ipc uts cgroup net; do
		run sbr sbhelper ns "$ns"
		[ "$status" -eq 0 ]
		[ "$output" != "$(host_ns "$ns")" ]
	done
}

@test "lsns on the host shows the sandbox's own namespaces" {
	"$SANDBOX" run --rootfs "$ROOTFS" sbhelper sleep 30 & mon=$!
	local init="" i
	for i in $(seq 50); do
		init=$(pgrep -P "$mon" | head -1) && [ -n "$init" ] && break
		sleep 0.1
	done
	[ -n "$init" ]
	sleep 0.3
	run lsns -n -o TYPE,NS -p "$init"
	kill "$mon"; wait "$mon" || true
	for t in user mnt pid ipc uts cgroup net; do
		line=$(awk -v t="$t" '$1 == t { print $2 }' <<<"$output")
		[ -n "$line" ]
		[ "$line" != "$(host_ns "$t")" ]
	done
}

@test "pid 1 is sandbox's init and the command is its child" {
	run sbr sbhelper pid
	[ "$output" = "pid=2 ppid=1" ]
}

@test "init reaps orphans" {
	run sbr sh -c 'sbhelper fork-orphans 5; sleep 0.5; sbhelper zombies'
	[ "$status" -eq 0 ]
	[ "$output" = "zombies=0" ]
}

@test "the root is read-only, /tmp is a fresh tmpfs" {
	run sbr sbhelper write /etc/x
	[ "$output" = "write /etc/x: errno=EROFS" ]
	run sbr sh -c 'ls -A /tmp; sbhelper write /tmp/x'
	[ "$output" = "write /tmp/x: ok" ]
}

@test "--rootfs-rw makes the root writable" {
	r=$(rw_rootfs)
	run "$SANDBOX" run --rootfs "$r" --rootfs-rw sbhelper write /etc/x
	[ "$output" = "write /etc/x: ok" ]
	[ -f "$r/etc/x" ]
}

@test "mounts: private propagation, old root gone, /proc and /dev as documented" {
	run sbr sbhelper mounts
	[ "$status" -eq 0 ]
	[[ "$output" != *"shared:"* ]]
	[[ "$output" != *"master:"* ]]
	[ "$(wc -l <<<"$output")" -lt 45 ]
	! grep -q " $BATS_TEST_DIRNAME" <<<"$output"
	grep -Eq " /proc [^ ]+ - proc " <<<"$output"
	grep -Eq " /dev/pts [^ ]+ - devpts .*ptmxmode=666" <<<"$output"
	grep -Eq " /dev/shm [^ ]+ - tmpfs " <<<"$output"
	grep -Eq "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / ro," <<<"$output"
	run sbr sh -c 'ls /dev | tr "\n" " "'
	[ "$output" = "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero " ]
	run sbr sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c'
	[ "$output" = "4" ]
}

@test "/proc/sys and friends are read-only, kernel files are masked" {
	run sbr sbhelper write /proc/sys/kernel/hostname
	[ "$output" = "write /proc/sys/kernel/hostname: errno=EROFS" ]
	for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
		[ -e "$f" ] || continue
		run sbr sh -c "wc -c < $f"
		[ "$output" = 0 ]
	done
	run sbr sh -c 'ls -A /sys/firmware | wc -l'
	[ "$output" = "0" ]
	run sbr sbhelper mounts
	for p in /proc/sys /proc/irq /proc/bus /proc/fs; do
		grep -Eq " $p ro," <<<"$output"
	done
	if [ -e /proc/sysrq-trigger ]; then
		grep -Eq " /proc/sysrq-trigger ro," <<<"$output"
	fi
}

@test "capabilities: a small set for uid 0 inside, none otherwise; no_new_privs" {
	# chown dac_override fowner fsetid kill setgid setuid setpcap
	# net_bind_service sys_chroot audit_write setfcap = 0xa00405fb
	run sbr sbhelper caps
	[[ "$output" == *"CapInh:	0000000000000000"* ]]
	[[ "$output" == *"CapPrm:	00000000a00405fb"* ]]
	[[ "$output" == *"CapEff:	00000000a00405fb"* ]]
	[[ "$output" == *"CapBnd:	00000000a00405fb"* ]]
	[[ "$output" == *"CapAmb:	0000000000000000"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
	run sbr --uid 1000 --gid 1000 sbhelper caps
	[[ "$output" == *"CapPrm:	0000000000000000"* ]]
	[[ "$output" == *"CapEff:	0000000000000000"* ]]
	[[ "$output" == *"CapBnd:	00000000a00405fb"* ]]
	[[ "$output" == *"NoNewPrivs:	1"* ]]
}

@test "the clock scenario: date -s fails and the host clock is unchanged" {
	before=$(date +%Y)
	[ "$before" != 1985 ]
	run sbr date -s "19851026 1:15"
	[ "$status" -ne 0 ]
	# busybox's date reports the refusal but exits 0; coreutils' does not
	run --separate-stderr sbr date -s "1985-10-26 01:15"
	[[ "$stderr" == *"can't set date: Operation not permitted"* ]]
	run --separate-stderr sb run host date -s "19851026 1:15"
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Operation not permitted"* ]]
	run --separate-stderr sbr --seccomp-allow @clock sbhelper syscall settimeofday
	[ "$output" = "settimeofday: errno=EPERM" ]
	run --separate-stderr sbr --seccomp-allow @clock sbhelper syscall adjtimex-set
	[ "$output" = "adjtimex-set: errno=EPERM" ]
	[ "$(date +%Y)" = "$before" ]
}

@test "signals sent to sandbox reach the command" {
	out="$BATS_TEST_TMPDIR/out"
	"$SANDBOX" run --rootfs "$ROOTFS" sbhelper wait-signal >"$out" & mon=$!
	wait_for "$out" ready
	for s in INT HUP QUIT USR1 USR2 WINCH; do
		kill -s "$s" "$mon"
		wait_for "$out" "got SIG$s"
	done
	kill -TERM "$mon"
	wait "$mon"
	grep -q "got SIGTERM" "$out"
}

@test "SIGKILL of the launcher takes the whole sandbox with it" {
	"$SANDBOX" run --rootfs "$ROOTFS" sh -c 'sbhelper sleep 60 & sbhelper sleep 61' & mon=$!
	local init=""
	for i in $(seq 50); do
		init=$(pgrep -P "$mon" | head -1) && [ -n "$init" ] && pgrep -f "sbhelper sleep 61" >/dev/null && break
		sleep 0.1
	done
	[ -n "$init" ]
	kill -KILL "$mon"
	wait "$mon" || true
	gone "$init"
	for i in $(seq 50); do
		pgrep -u "$(id -u)" -f "sbhelper sleep 6[01]" >/dev/null || break
		sleep 0.1
	done
	! pgrep -u "$(id -u)" -f "sbhelper sleep 6[01]"
	! ls -d /tmp/sandbox-tests.*/rootfs/tmp/* 2>/dev/null
}

@test "no file descriptor of the host passes in but stdin, stdout and stderr" {
	run sbr sh -c 'test -e /proc/$$/fd/7 && echo leaked || echo closed' 7</etc/hostname
	[ "$output" = closed ]
}
