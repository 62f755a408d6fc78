#!/bin/bash
# net.sh: throughput of the user-mode network, next to its peers.
#
#   bench/net.sh SANDBOX_BIN [SECONDS]
#
# iperf3 through each network stack, sandbox->host and host->sandbox (-R),
# against an iperf3 server on the host's 127.0.0.1, in one run:
#   sandbox     SANDBOX_BIN run --net slirp --net-host-loopback host iperf3 ...
#   slirp4netns slirp4netns --configure --mtu=65520 on an unshare'd netns
#   pasta       pasta --config-net (the gateway address maps to the host)
# For sandbox and slirp4netns it also reports the network process's CPU
# time per GB moved and its peak RSS. Prints one RESULT line per figure and
# the sandbox/slirp4netns throughput ratio (target: >= 1.0). As root, it
# runs as $SANDBOX_TEST_USER (default sbtest). Peers that are missing are
# skipped with the reason. Only loopback traffic.
set -euo pipefail
prog=${0##*/}
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
die() { printf '%s: %s\n' "$prog" "$*" >&2; exit 1; }
(($# >= 1)) || { echo "usage: $prog SANDBOX_BIN [SECONDS]" >&2; exit 2; }
sandbox=$(realpath -e -- "$1") || die "no $1"
secs=${2:-5}
command -v iperf3 >/dev/null || die "iperf3 is not installed (apt-get install iperf3)"

as_user=()
if [[ $(id -u) == 0 ]]; then
	user=${SANDBOX_TEST_USER:-sbtest}
	SANDBOX_TEST_USER=$user "$here/../tests/lib/testuser.sh" ensure
	as_user=(runuser -u "$user" --)
fi
work=$(mktemp -d /tmp/sandbox-netbench.XXXXXX)
chmod 0777 "$work"
trap 'pkill -P $$ 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((30000 + RANDOM % 10000))

# server: one iperf3 server per measurement, on the host's loopback
server() {
	port=$((port + 1))
	iperf3 -s -B 127.0.0.1 -p "$port" -1 >/dev/null 2>&1 &
	sleep 0.3
}
# mbits FILE: the receiver's Mbit/s from iperf3 output
mbits() {
	awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") v = $i } END { print v + 0 }' "$1"
}
# cpu_ms PID: user+sys CPU of a live process, in ms
cpu_ms() {
	awk -v hz="$(getconf CLK_TCK)" '{ print int(($14 + $15) * 1000 / hz) }' "/proc/$1/stat"
}
result() { printf 'RESULT %s %s\n' "$1" "$2" | tee -a "$work/results"; }

printf '# iperf3 for %s s each way, MTU 65520, as %s\n' "$secs" "$("${as_user[@]}" id -un)"

# --- sandbox -------------------------------------------------------------
for dir in up down; do
	rev=(); [[ $dir == down ]] && rev=(-R)
	# one retry: an iperf3 control connection now and then breaks at start
	for try in 1 2; do
		server
		if "${as_user[@]}" "$sandbox" run --verbose --net slirp --net-host-loopback host \
			iperf3 -c 10.0.2.2 -p "$port" -t "$secs" -f m "${rev[@]}" \
			>"$work/sb-$dir" 2>"$work/sb-$dir.err"; then
			break
		fi
		[[ $try == 1 ]] || die "sandbox run failed: $(grep -v "^sandbox: \[" "$work/sb-$dir.err" | tail -3)"
	done
	mb=$(mbits "$work/sb-$dir")
	result "sandbox_${dir}_mbits" "$mb"
	read -r u s rss < <(sed -nE 's/.*monitor cpu ([0-9.]+) s user ([0-9.]+) s sys, peak rss ([0-9]+) KiB.*/\1 \2 \3/p' "$work/sb-$dir.err")
	gb=$(awk -v m="$mb" -v t="$secs" 'BEGIN { print m * t / 8 / 1000 }')
	result "sandbox_${dir}_cpu_s_per_gb" "$(awk -v u="$u" -v s="$s" -v g="$gb" 'BEGIN { printf "%.3f", (u + s) / g }')"
	result "sandbox_${dir}_peak_rss_kib" "$rss"
done

# --- slirp4netns ------------------------------------------------------------
if command -v slirp4netns >/dev/null && command -v nsenter >/dev/null; then
	for dir in up down; do
		rev=(); [[ $dir == down ]] && rev=(-R)
		server
		"${as_user[@]}" unshare --user --map-root-user --net sleep 600 &
		holder=$!
		sleep 0.3
		target=$(pgrep -P "$holder" || echo "$holder")
		[[ -n ${as_user[*]} ]] && target=$(pgrep -u "${user}" -n -x sleep)
		"${as_user[@]}" slirp4netns --configure --mtu=65520 "$target" tap0 >/dev/null 2>&1 &
		sleep 0.5
		s4=$(pgrep -n -x slirp4netns)
		"${as_user[@]}" nsenter --preserve-credentials -U -n -t "$target" \
			iperf3 -c 10.0.2.2 -p "$port" -t "$secs" -f m "${rev[@]}" >"$work/s4-$dir" 2>&1 || true
		mb=$(mbits "$work/s4-$dir")
		cpu=$(cpu_ms "$s4")
		rss=$(awk '/VmHWM/ { print $2 }' "/proc/$s4/status")
		kill "$s4" 2>/dev/null || true
		pkill -u "${user:-$(id -un)}" -x sleep 2>/dev/null || true
		wait 2>/dev/null || true
		result "slirp4netns_${dir}_mbits" "$mb"
		result "slirp4netns_${dir}_cpu_s_per_gb" "$(awk -v c="$cpu" -v m="$mb" -v t="$secs" 'BEGIN { g = m * t / 8 / 1000; printf "%.3f", (g > 0 ? c / 1000 / g : 0) }')"
		result "slirp4netns_${dir}_peak_rss_kib" "$rss"
	done
else
	echo "skipping slirp4netns: not installed"
fi

# --- pasta ---------------------------------------------------------------------
gw=$(ip route | awk '/^default/ { print $3; exit }')
if command -v pasta >/dev/null && [[ -n $gw ]]; then
	for dir in up down; do
		rev=(); [[ $dir == down ]] && rev=(-R)
		server
		(cd /tmp && "${as_user[@]}" pasta --config-net -q -- iperf3 -c "$gw" -p "$port" -t "$secs" -f m \
			"${rev[@]}" >"$work/pa-$dir" 2>&1) || true
		result "pasta_${dir}_mbits" "$(mbits "$work/pa-$dir")"
	done
else
	echo "skipping pasta: not installed, or no default route to map to the host"
fi

awk '
	{ v[$2] = $3 }
	END {
		split("up down", ds, " ")
		for (i = 1; i <= 2; i++) {
			d = ds[i]
			if (v["slirp4netns_" d "_mbits"] > 0)
				printf "net %s: sandbox/slirp4netns throughput ratio = %.2f (target >= 1.0)\n", d, v["sandbox_" d "_mbits"] / v["slirp4netns_" d "_mbits"]
			if (v["pasta_" d "_mbits"] > 0)
				printf "net %s: sandbox/pasta throughput ratio = %.2f\n", d, v["sandbox_" d "_mbits"] / v["pasta_" d "_mbits"]
		}
	}' "$work/results"
