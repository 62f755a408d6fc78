#!/usr/bin/env bats
# net.bats: networking, only on the host's loopback and in the sandbox's own
# network namespace: --net none, user-mode networking through libslirp
# (--publish, the host's loopback shut unless granted, DNS through
# 10.0.2.3), a flood of malformed frames, and --net host.
load helpers

setup() {
	# a port per test, apart for the root and user halves that run at once
	PORT=$((20000 + (RANDOM % 20000)))
	[ -c /dev/net/tun ] && [ -r /dev/net/tun ] && [ -w /dev/net/tun ] ||
		NOTUN="/dev/net/tun is not usable here"
}

needs_tun() {
	[ -z "${NOTUN:-}" ] || skip "$NOTUN"
}

# host_listen PORT FILE: a TCP server on the host that writes what it gets
host_listen() {
	busybox nc -l -p "$1" >"$2" 2>/dev/null &
	LISTENER=$!
	sleep 0.2
}

teardown() {
	[ -z "${LISTENER:-}" ] || kill "$LISTENER" 2>/dev/null || true
	[ -z "${DNSD:-}" ] || kill "$DNSD" 2>/dev/null || true
}

@test "--net none: loopback up, no other interface, no route" {
	run sbr --net none sh -c 'ls /sys/class/net; ip route; ip -o link show lo | grep -o "LOOPBACK,UP"'
	[ "$output" = "$(printf 'lo\nLOOPBACK,UP')" ]
	run --separate-stderr sbr --net none sh -c 'echo x | nc -w 1 10.0.2.2 80'
	[ "$status" -ne 0 ]
	[[ "$stderr" == *"Network is unreachable"* ]]
}

@test "slirp: the sandbox's address, routes, resolv.conf and hosts" {
	needs_tun
	run sbr --net slirp sh -c 'ip -4 addr show tap0 | grep -o "inet [0-9./]*"; ip route | grep default; cat /etc/resolv.conf; grep sandbox /etc/hosts; cat /sys/class/net/tap0/mtu'
	[ "$output" = "$(printf 'inet 10.0.2.100/24\ndefault via 10.0.2.2 dev tap0 \nnameserver 10.0.2.3\n10.0.2.100\tsandbox\n65520')" ]
	run sbr --net slirp --mtu 1500 cat /sys/class/net/tap0/mtu
	[ "$output" = 1500 ]
	run sbr --net slirp sh -c 'ip -6 addr show tap0 | grep -o "inet6 fd00::100/64"'
	[ "$output" = "inet6 fd00::100/64" ]
}

@test "slirp: a server inside is reached from the host through --publish" {
	needs_tun
	"$SANDBOX" run --net slirp --publish "127.0.0.1:$PORT:80" --rootfs "$ROOTFS" \
		sh -c 'echo served-from-inside | nc -l -p 80' & mon=$!
	local got="" i
	for i in $(seq 50); do
		got=$(busybox nc 127.0.0.1 "$PORT" </dev/null 2>/dev/null) && [ -n "$got" ] && break
		sleep 0.1
	done
	wait "$mon"
	[ "$got" = served-from-inside ]
}

@test "slirp: a published port that is taken fails the run before the command starts" {
	needs_tun
	host_listen "$PORT" /dev/null
	run --separate-stderr sbr --net slirp --publish "$PORT:80" echo started
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[ "$stderr" = "sandbox: --publish 127.0.0.1:$PORT:80: cannot listen on TCP port $PORT (is it taken?)" ]
	run --separate-stderr sbr --publish "$PORT:80" true
	[ "$stderr" = "sandbox: --publish needs --net slirp" ]
	run --separate-stderr sbr --mtu 1500 true
	[ "$stderr" = "sandbox: --mtu needs --net slirp" ]
	run --separate-stderr sbr --net slirp --publish "1.2.3:80:80" true
	[ "$stderr" = "sandbox: --publish: '1.2.3:80:80': '1.2.3' is not an IPv4 address" ]
}

@test "slirp: the host's loopback is shut by default and open with net-host-loopback" {
	needs_tun
	host_listen "$PORT" "$BATS_TEST_TMPDIR/got"
	run --separate-stderr sbr --net slirp sh -c "echo should-not-arrive | nc -w 2 10.0.2.2 $PORT"
	[ "$status" -ne 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/got" ]
	run sbr --net slirp --net-host-loopback sh -c "echo arrived | nc -w 2 10.0.2.2 $PORT"
	[ "$status" -eq 0 ]
	sleep 0.2
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = arrived ]
}

@test "slirp: names resolve through 10.0.2.3, against a DNS server on the host's loopback" {
	needs_tun
	"$TESTLIB/../dnsd" 127.0.0.1 "$PORT" test.sandbox.example 192.0.2.55 >"$BATS_TEST_TMPDIR/dnsd" & DNSD=$!
	wait_for "$BATS_TEST_TMPDIR/dnsd" ready
	run sbr --net slirp --dns-server "127.0.0.1:$PORT" sh -c 'nslookup test.sandbox.example | grep "^Address: "; nslookup other.example >/dev/null 2>&1 || echo nxdomain'
	[ "$output" = "$(printf 'Address: 192.0.2.55\nnxdomain')" ]
	run --separate-stderr sbr --net slirp --dns-server nonsense true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: --dns-server: 'nonsense' is not IP[:PORT]" ]
}

@test "slirp: the monitor confines itself and survives a flood of malformed frames" {
	needs_tun
	"$SANDBOX" run --verbose --net slirp --cap-add NET_RAW --publish "127.0.0.1:$PORT:80" \
		--rootfs "$ROOTFS" sh -c 'sbhelper flood tap0 20000 && echo alive | nc -l -p 80' \
		>"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" & mon=$!
	local got="" i
	for i in $(seq 100); do
		got=$(busybox nc 127.0.0.1 "$PORT" </dev/null 2>/dev/null) && [ -n "$got" ] && break
		sleep 0.1
	done
	wait "$mon"
	[ "$got" = alive ]
	grep -Eq "^sent [0-9]{4,5}$" "$BATS_TEST_TMPDIR/out"
	grep -q "monitor confined: no capabilities, no_new_privs, seccomp allow-list" "$BATS_TEST_TMPDIR/err"
	grep -Eq "network: [0-9]{4,5} frames from the sandbox" "$BATS_TEST_TMPDIR/err"
}

@test "--net host shares the host's network namespace" {
	run sbr --net host sbhelper ns net
	[ "$output" = "$(host_ns net)" ]
	run sbr sbhelper ns net
	[ "$output" != "$(host_ns net)" ]
}
