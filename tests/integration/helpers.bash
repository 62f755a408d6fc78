# helpers.bash: shared by every .bats file. The environment comes from
# tests/integration-common.sh: SANDBOX (the binary under test), ROOTFS (a
# busybox root with the static helper at /usr/bin/sbhelper), SBHELPER,
# TESTLIB and TEST_MODE (root or user).
bats_require_minimum_version 1.5.0

sb() {
	"$SANDBOX" "$@"
}

# sbr ARGS...: run on the test root file system.
sbr() {
	"$SANDBOX" run --rootfs "$ROOTFS" "$@"
}

# A writable copy of the test root, owned by the caller.
rw_rootfs() {
	local d="$BATS_TEST_TMPDIR/rootfs"
	cp -a "$ROOTFS" "$d" 2>/dev/null || cp -r "$ROOTFS" "$d"
	echo "$d"
}

host_ns() {
	stat -L -c %i "/proc/self/ns/$1"
}

# wait_for FILE PATTERN: poll until FILE holds PATTERN (at most ~5 s).
wait_for() {
	local i
	for i in $(seq 50); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "timed out waiting for '$2' in $1:" >&2
	cat "$1" >&2 || true
	return 1
}

# gone PID: poll until no process PID exists (at most ~5 s).
gone() {
	local i
	for i in $(seq 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# ---- image fixtures ----------------------------------------------------------
# sha FILE: the sha256 of FILE in hex.
sha() {
	sha256sum "$1" | cut -c1-64
}

# docker_archive OUT CONFIG_JSON_FILE LAYER_TAR...: a docker-save archive.
docker_archive() {
	local out=$1 cfg=$2 d layers="" h c
	shift 2
	d=$(mktemp -d "$BATS_FILE_TMPDIR/dk.XXXXXX")
	for t in "$@"; do
		h=$(sha "$t")
		mkdir -p "$d/$h"
		cp "$t" "$d/$h/layer.tar"
		layers+="${layers:+,}\"$h/layer.tar\""
	done
	c=$(sha "$cfg")
	cp "$cfg" "$d/$c.json"
	printf '[{"Config":"%s.json","RepoTags":["demo:1"],"Layers":[%s]}]' "$c" "$layers" \
		>"$d/manifest.json"
	tar -C "$d" -cf "$out" .
}

# image_config OUT CONFIG_OBJECT LAYER_TAR...: an image config with this
# "config" object (Cmd, Env, ...) naming the diff ids of these layers.
image_config() {
	local out=$1 obj=$2 ids=""
	shift 2
	for t in "$@"; do ids+="${ids:+,}\"sha256:$(sha "$t")\""; done
	printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$obj" "$ids" >"$out"
}
