#!/bin/bash
# fuseovl.sh: is our FUSE overlay as fast as fuse-overlayfs?
#
#   bench/fuseovl.sh OVLBENCH [FILES [READ_MIB [COPY_MIB [RUNS]]]]
#
# Runs OVLBENCH (bench/ovlbench.c, built by `make bench`), which measures a
# metadata-heavy workload (create, stat, rename, delete FILES files, default
# 20000), a sequential read of a READ_MIB file from the lower layer (default
# 1024) and the copy-up of a COPY_MIB file (default 512) on the host
# directory, kernel overlayfs, our FUSE overlay and fuse-overlayfs, RUNS
# rounds (default 4; the two FUSE servers swap places every round, with
# the kernel between them), and prints every run, then the medians with the
# ratio of
# our time to fuse-overlayfs's (target: at most 1.0 on each) and to the
# kernel's. It runs as the calling user in a user namespace of its own; a
# missing fuse-overlayfs (Debian package fuse-overlayfs) or an unusable
# kernel overlay is skipped with the reason.
set -euo pipefail

prog=${0##*/}
(($# >= 1 && $# <= 5)) || {
	printf 'usage: %s OVLBENCH [FILES [READ_MIB [COPY_MIB [RUNS]]]]\n' "$prog" >&2
	exit 2
}
ovlbench=$1
files=${2:-20000}
read_mib=${3:-1024}
copy_mib=${4:-512}
runs=${5:-4}
[[ -x $ovlbench ]] || {
	printf '%s: %s is not built (make bench/ovlbench)\n' "$prog" "$ovlbench" >&2
	exit 1
}
fo=$(command -v fuse-overlayfs || true)
if [[ -z $fo ]]; then
	printf '%s: fuse-overlayfs is not installed (apt-get install fuse-overlayfs): not compared\n' \
		"$prog" >&2
	fo=/nonexistent/fuse-overlayfs
fi
if [[ ! -r /dev/fuse || ! -w /dev/fuse ]]; then
	printf '%s: /dev/fuse is not usable by %s: skipped\n' "$prog" "$(id -un)" >&2
	exit 0
fi
echo "==> FUSE overlay: metadata, sequential read, copy-up"
"$ovlbench" -v -n "$files" -r "$read_mib" -c "$copy_mib" -k "$runs" -f "$fo"
