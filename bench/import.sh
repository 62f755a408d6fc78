#!/bin/bash
# import.sh: how long does `sandbox import` of a root file system tarball
# take, next to plain `tar -x` of the same tarball (and `podman load` of it,
# wrapped as a docker-save archive, where podman is installed)?
#
#   bench/import.sh SANDBOX_BIN DEMO_ROOTFS [N] [SIZE_MB]
#
# Builds an uncompressed tarball of about SIZE_MB (default 100) megabytes:
# DEMO_ROOTFS (from tools/mkdemo-rootfs) plus random-data files, large and
# small, some owned by uid 1000. Then runs each contender N times (default
# 5, after one warm-up), interleaved, each time into a fresh, empty target
# (set-up and clean-up are not timed), and prints the median, min and max
# wall-clock seconds of each and
#   import: sandbox/tar median ratio = X (target <= 1.2)
# The tarball stays in the page cache for all of them, so the figures
# compare the work done, not the disk.
#
# As root, everything runs as the unprivileged $SANDBOX_TEST_USER (default
# sbtest, set up by tests/lib/testuser.sh ensure) through runuser, since a
# rootless import is what is measured.
set -euo pipefail

prog=${0##*/}
here=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)

die() {
	printf '%s: %s\n' "$prog" "$*" >&2
	exit 1
}

(($# >= 2 && $# <= 4)) || {
	printf 'usage: %s SANDBOX_BIN DEMO_ROOTFS [N] [SIZE_MB]\n' "$prog" >&2
	exit 2
}
sandbox=$(realpath -e -- "$1" 2>/dev/null) || die "sandbox binary '$1' not found"
rootfs=$(realpath -e -- "$2" 2>/dev/null) || die "demo rootfs '$2' not found"
runs=${3:-5}
size_mb=${4:-100}
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "N must be a positive number, not '$runs'"
[[ $size_mb =~ ^[1-9][0-9]*$ ]] || die "SIZE_MB must be a positive number, not '$size_mb'"

as_user=()
if [[ $(id -u) == 0 ]]; then
	user=${SANDBOX_TEST_USER:-sbtest}
	SANDBOX_TEST_USER=$user "$here/../tests/lib/testuser.sh" ensure
	as_user=(runuser -u "$user" --)
	printf 'running as user %s\n' "$user"
fi

work=$(mktemp -d --tmpdir sandbox-bench-import.XXXXXX)
chmod 0755 "$work"
cleanup() {
	# Layers are owned by subordinate ids: only sandbox can remove them.
	if [[ -d $work/xdg/sandbox/images ]]; then
		"${as_user[@]}" env XDG_DATA_HOME="$work/xdg" "$sandbox" rmi bench >/dev/null 2>&1 || true
	fi
	"${as_user[@]}" rm -rf "$work/x" "$work/xdg" "$work/podman" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# ---- the tarball ---------------------------------------------------------
src=$work/src
cp -a "$rootfs" "$src"
mkdir -p "$src/opt/big" "$src/opt/small" "$src/home/user"
big=$((size_mb * 7 / 10))                  # 70% in 1 MB files
small=$(((size_mb - big) * 1024 / 16))      # the rest in 16 kB files
head -c $((big * 1048576)) /dev/urandom | split -b 1M -a 4 - "$src/opt/big/f."
head -c $((small * 16384)) /dev/urandom | split -b 16k -a 4 - "$src/opt/small/f."
for i in $(seq 100); do echo "user file $i" >"$src/home/user/note$i"; done
tar --numeric-owner --owner=0 --group=0 -C "$src" -cf "$work/rootfs.tar" --exclude=./home/user .
tar --numeric-owner --owner=1000 --group=1000 -C "$src" -rf "$work/rootfs.tar" ./home/user
rm -rf "$src"
chmod -R a+rX "$work"
[[ -z ${user:-} ]] || chown "$user" "$work"
bytes=$(stat -c %s "$work/rootfs.tar")
printf 'tarball: %s (%d MB, %d entries)\n' "$work/rootfs.tar" $((bytes / 1000000)) \
	"$(tar -tf "$work/rootfs.tar" | wc -l)"

# A docker-save wrapping for podman load.
have_podman=false
if command -v podman >/dev/null; then
	d=$work/docker
	h=$(sha256sum "$work/rootfs.tar" | cut -c1-64)
	mkdir -p "$d/$h"
	ln "$work/rootfs.tar" "$d/$h/layer.tar"
	printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
		"$h" >"$d/config.json"
	c=$(sha256sum "$d/config.json" | cut -c1-64)
	mv "$d/config.json" "$d/$c.json"
	printf '[{"Config":"%s.json","RepoTags":["localhost/bench:1"],"Layers":["%s/layer.tar"]}]' \
		"$c" "$h" >"$d/manifest.json"
	tar -C "$d" -cf "$work/docker.tar" .
	rm -rf "$d"
	chmod a+r "$work/docker.tar"
	have_podman=true
fi

# ---- the contenders: set-up (untimed), run (timed), clean-up (untimed) ----
run_tar() { "${as_user[@]}" tar -xf "$work/rootfs.tar" -C "$work/x"; }
pre_tar() { "${as_user[@]}" mkdir "$work/x"; }
post_tar() { "${as_user[@]}" rm -rf "$work/x"; }

run_sandbox() {
	"${as_user[@]}" env XDG_DATA_HOME="$work/xdg" "$sandbox" import -q --name bench \
		"$work/rootfs.tar"
}
pre_sandbox() { :; }
post_sandbox() {
	"${as_user[@]}" env XDG_DATA_HOME="$work/xdg" "$sandbox" rmi bench >/dev/null
	"${as_user[@]}" rm -rf "$work/xdg"
}

podman_env=(env HOME="$work/podman/home" XDG_RUNTIME_DIR="$work/podman/run"
	XDG_DATA_HOME="$work/podman/data" XDG_CONFIG_HOME="$work/podman/config")
# (podman's warnings about mount propagation go to /dev/null)
run_podman() { "${as_user[@]}" "${podman_env[@]}" podman load -q -i "$work/docker.tar" 2>/dev/null; }
pre_podman() {
	"${as_user[@]}" mkdir -p -m 0700 "$work/podman/home" "$work/podman/run"
}
post_podman() {
	"${as_user[@]}" "${podman_env[@]}" podman system reset -f >/dev/null 2>&1 || true
	"${as_user[@]}" rm -rf "$work/podman" 2>/dev/null || true
}

contenders=(tar sandbox)
if $have_podman; then
	pre_podman
	if out=$("${as_user[@]}" "${podman_env[@]}" podman load -q -i "$work/docker.tar" 2>&1); then
		contenders+=(podman)
	else
		printf 'skipping podman: it fails here: %s\n' "$(head -n 1 <<<"$out")"
	fi
	post_podman
else
	printf 'skipping podman: podman is not installed\n'
fi

declare -A times
for round in $(seq 0 "$runs"); do
	for c in "${contenders[@]}"; do
		"pre_$c"
		t0=$(date +%s%N)
		"run_$c" >/dev/null
		t1=$(date +%s%N)
		"post_$c"
		# round 0 is the warm-up
		((round == 0)) || times[$c]+="$(((t1 - t0) / 1000)) "
	done
done

stats() { # stats MICROSECONDS...: median min max in seconds
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.3f %.3f %.3f\n", m / 1e6, v[1] / 1e6, v[NR] / 1e6 }'
}

printf '%-8s %8s %8s %8s %8s\n' what median min max ratio
tar_median=
for c in "${contenders[@]}"; do
	# shellcheck disable=SC2086
	read -r med lo hi < <(stats ${times[$c]})
	[[ -n $tar_median ]] || tar_median=$med
	printf '%-8s %8s %8s %8s %8s\n' "$c" "$med" "$lo" "$hi" \
		"$(awk -v a="$med" -v b="$tar_median" 'BEGIN { printf "%.2f", a / b }')"
	declare "median_$c=$med"
done
printf 'import: sandbox/tar median ratio = %s (target <= 1.2)\n' \
	"$(awk -v a="$median_sandbox" -v b="$median_tar" 'BEGIN { printf "%.2f", a / b }')"
if [[ -n ${median_podman:-} ]]; then
	printf 'import: sandbox/podman-load median ratio = %s\n' \
		"$(awk -v a="$median_sandbox" -v b="$median_podman" 'BEGIN { printf "%.2f", a / b }')"
fi
