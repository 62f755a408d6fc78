#!/usr/bin/env bats
# images.bats: `sandbox import`, `sandbox images` and `sandbox rmi`. The
# fixtures are made here from the busybox test root: a base layer (owners,
# modes, hardlinks, symlinks, a fifo, xattrs, a file capability, a device
# node, set times), a layer that deletes a file (.wh.) and one that makes a
# directory opaque (.wh..wh..opq), packed as plain tarballs (also
# compressed), as a docker-save archive written by hand and as OCI layouts
# written by skopeo. Malicious archives must be refused with one line naming
# the culprit, leaving every file under the test's directory as it was.
# Each test has its own store ($XDG_DATA_HOME in $BATS_TEST_TMPDIR).
load helpers

# The v2 security.capability value for cap_net_bind_service=ep.
CAP_B64=AQAAAgAEAAAAAAAAAAAAAAAAAAA=

tarp() {
	tar --format=pax --numeric-owner "$@"
}

# config_json OUT DIFFID...: an image config naming these diff ids.
config_json() {
	local out=$1 ids=""
	shift
	for i in "$@"; do ids+="${ids:+,}\"sha256:$i\""; done
	printf '{"architecture":"amd64","os":"linux","created":"2024-05-01T10:00:00Z",%s%s}' \
		'"config":{"Cmd":["/bin/sh"],"Env":["PATH=/usr/bin:/bin"],"WorkingDir":"/data"},' \
		"\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[$ids]}" >"$out"
}

setup_file() {
	local fx="$BATS_FILE_TMPDIR/fx" b
	mkdir -p "$fx"
	b="$fx/base"
	cp -r "$ROOTFS" "$b"
	mkdir -p "$b/data" "$b/opq" "$b/home/u"
	echo hello >"$b/etc/motd"
	touch -d @1500000000 "$b/etc/motd"
	echo one >"$b/data/hard1"
	ln "$b/data/hard1" "$b/data/hard2"
	ln -s hard1 "$b/data/link"
	mkfifo "$b/data/fifo"
	echo x >"$b/data/xattr"
	setfattr -n user.test -v hello "$b/data/xattr"
	install -m 4755 /dev/null "$b/data/setuid"
	echo del >"$b/data/delme"
	echo keep >"$b/opq/keep"
	mkdir -m 0750 "$b/data/private"
	touch -d @1400000000 "$b/data"
	tarp --owner=0 --group=0 --xattrs --xattrs-include='user.*' -C "$b" -cf "$fx/base.tar" .
	mkdir -p "$fx/side/home/u" "$fx/side/data"
	echo mine >"$fx/side/home/u/owned"
	echo cap >"$fx/side/data/cap"
	tarp --owner=1000 --group=1000 -C "$fx/side" -rf "$fx/base.tar" home/u/owned
	tarp --owner=0 --group=0 --pax-option="LIBARCHIVE.xattr.security.capability:=$CAP_B64" \
		-C "$fx/side" -rf "$fx/base.tar" data/cap
	tarp --owner=0 --group=0 --transform 's,^dev/null$,data/null,' -C / -rf "$fx/base.tar" dev/null

	mkdir -p "$fx/l2/data" "$fx/l3/opq"
	: >"$fx/l2/data/.wh.delme"
	echo two >"$fx/l2/data/new"
	tarp --owner=0 --group=0 -C "$fx/l2" -cf "$fx/l2.tar" data
	: >"$fx/l3/opq/.wh..wh..opq"
	echo fresh >"$fx/l3/opq/fresh"
	tarp --owner=0 --group=0 -C "$fx/l3" -cf "$fx/l3.tar" opq

	gzip -c "$fx/base.tar" >"$fx/base.tar.gz"
	bzip2 -c "$fx/base.tar" >"$fx/base.tar.bz2"
	zstd -q -c "$fx/l2.tar" >"$fx/l2.tar.zst"
	xz -c "$fx/l3.tar" >"$fx/l3.tar.xz"

	config_json "$fx/config.json" "$(sha "$fx/base.tar")" "$(sha "$fx/l2.tar")" \
		"$(sha "$fx/l3.tar")"
	docker_archive "$fx/docker.tar" "$fx/config.json" "$fx/base.tar" "$fx/l2.tar" "$fx/l3.tar"
	# Diff ids of layers 2 and 3 swapped: a config that lies.
	config_json "$fx/bad-config.json" "$(sha "$fx/base.tar")" "$(sha "$fx/l3.tar")" \
		"$(sha "$fx/l2.tar")"
	docker_archive "$fx/bad-digest.tar" "$fx/bad-config.json" "$fx/base.tar" "$fx/l2.tar" \
		"$fx/l3.tar"
	if command -v skopeo >/dev/null; then
		skopeo copy -q "docker-archive:$fx/docker.tar" "oci:$fx/oci:latest" >/dev/null
		skopeo copy -q "docker-archive:$fx/docker.tar" "oci-archive:$fx/oci.tar:latest" \
			>/dev/null
	fi
	chmod -R a+rX "$fx"
}

setup() {
	FX="$BATS_FILE_TMPDIR/fx"
	export XDG_DATA_HOME="$BATS_TEST_TMPDIR/xdg"
	STORE="$XDG_DATA_HOME/sandbox"
	BASE="$STORE/layers/$(sha "$FX/base.tar")"
	L2="$STORE/layers/$(sha "$FX/l2.tar")"
	L3="$STORE/layers/$(sha "$FX/l3.tar")"
}

# The first subordinate uid of the current user.
subuid_start() {
	awk -F: -v u="$(id -un)" -v n="$(id -u)" '$1 == u || $1 == n { print $2; exit }' /etc/subuid
}

nlayers() {
	find "$STORE/layers" -mindepth 1 -maxdepth 1 | wc -l
}

@test "plain tarballs: files, owners, modes, times, links, fifo, xattrs, capability" {
	run --separate-stderr sb import --name plain "$FX/base.tar" "$FX/l2.tar" "$FX/l3.tar"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(cat "$BASE/etc/motd")" = hello ]
	[ "$(stat -c %Y "$BASE/etc/motd")" = 1500000000 ]
	[ "$(stat -c %Y "$BASE/data")" = 1400000000 ]
	[ "$(stat -c %a "$BASE/data/setuid")" = 4755 ]
	[ "$(stat -c %a "$BASE/data/private")" = 750 ]
	[ "$(stat -c %u "$BASE/etc/motd")" = "$(id -u)" ]
	[ "$(stat -c %u:%g "$BASE/home/u/owned")" = "$(($(subuid_start) + 999)):$(($(subuid_start) + 999))" ]
	[ "$(readlink "$BASE/data/link")" = hard1 ]
	[ "$(readlink "$BASE/bin/sh")" = /bin/busybox ]
	[ "$(stat -c %i "$BASE/data/hard1")" = "$(stat -c %i "$BASE/data/hard2")" ]
	[ "$(stat -c %h "$BASE/data/hard1")" = 2 ]
	[ -p "$BASE/data/fifo" ]
	[ "$(getfattr --only-values -n user.test "$BASE/data/xattr")" = hello ]
	[[ $(getcap "$BASE/data/cap") == *cap_net_bind_service* ]]
	[ ! -e "$BASE/data/null" ]
	cmp "$ROOTFS/usr/bin/sbhelper" "$BASE/usr/bin/sbhelper"
	[ "$(cat "$L2/data/new")" = two ]
	[ "$(cat "$L3/opq/fresh")" = fresh ]
	[ -z "$(ls -A "$STORE/tmp")" ]
}

@test "whiteouts: .wh.NAME is a 0/0 character device, .wh..wh..opq an opaque xattr" {
	sb import --name plain "$FX/base.tar" "$FX/l2.tar" "$FX/l3.tar"
	[ "$(stat -c '%F %t:%T' "$L2/data/delme")" = "character special file 0:0" ]
	[ ! -e "$L2/data/.wh.delme" ]
	[ "$(getfattr --only-values -n user.overlay.opaque "$L3/opq")" = y ]
	[ ! -e "$L3/opq/.wh..wh..opq" ]
	[ -z "$(getfattr --absolute-names -d -m - "$BASE/opq" 2>/dev/null)" ]
}

@test "device nodes are skipped with one summary line" {
	run --separate-stderr sb import --name plain "$FX/base.tar"
	[ "$status" -eq 0 ]
	[ "$stderr" = "sandbox: warning: skipped 1 device node in the layer (a sandbox has its own /dev)" ]
}

@test "compressed layers (gzip, bzip2, zstd, xz) are stored under their uncompressed digest" {
	sb import --name gz "$FX/base.tar.gz" "$FX/l2.tar.zst" "$FX/l3.tar.xz"
	[ -d "$BASE/bin" ] && [ -d "$L2/data" ] && [ -d "$L3/opq" ]
	sb import --name bz "$FX/base.tar.bz2"
	[ "$(nlayers)" -eq 3 ]
	grep -q "\"diffid\": \"sha256:$(sha "$FX/base.tar")\"" "$STORE/images/bz.json"
}

@test "docker-save archive: layers checked against diff_ids, config kept, name from RepoTags" {
	run --separate-stderr sb import "$FX/docker.tar"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ -f "$STORE/images/demo+1.json" ]
	grep -q '"format": "docker-archive"' "$STORE/images/demo+1.json"
	grep -q '"WorkingDir": "/data"' "$STORE/images/demo+1.json"
	grep -q "\"digest\": \"sha256:$(sha "$FX/config.json")\"" "$STORE/images/demo+1.json"
	[ "$(cat "$L3/opq/fresh")" = fresh ]
	[ "$(stat -c '%F %t:%T' "$L2/data/delme")" = "character special file 0:0" ]
}

@test "OCI layouts written by skopeo, as a directory and as a tar" {
	command -v skopeo >/dev/null || skip "skopeo is not installed"
	sb import "$FX/oci"
	[ -f "$STORE/images/oci+latest.json" ]
	grep -q '"format": "oci-layout"' "$STORE/images/oci+latest.json"
	sb import --name ocitar "$FX/oci.tar"
	[ "$(cat "$L2/data/new")" = two ]
	[ "$(nlayers)" -eq 3 ]
}

@test "a layer shared by several images is stored once" {
	sb import --name plain "$FX/base.tar" "$FX/l2.tar" "$FX/l3.tar"
	sb import --name base "$FX/base.tar.gz"
	sb import "$FX/docker.tar"
	if command -v skopeo >/dev/null; then sb import "$FX/oci"; fi
	[ "$(nlayers)" -eq 3 ]
	[ "$(ls "$STORE/images" | wc -l)" -ge 3 ]
}

@test "images lists name, layers, size and creation; --json for scripts" {
	run --separate-stderr sb images
	[ "$status" -eq 0 ]
	[ "$output" = "NAME  LAYERS        SIZE  CREATED" ]
	sb import --name plain "$FX/base.tar" "$FX/l2.tar" "$FX/l3.tar"
	sb import "$FX/docker.tar"
	run --separate-stderr sb images
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[1]} =~ ^demo:1\ +3\ +[0-9.]+\ [kM]B\ +2024-05-01\ 10:00$ ]]
	[[ ${lines[2]} =~ ^plain\ +3\ + ]]
	run --separate-stderr sb images --json
	[ "$status" -eq 0 ]
	[[ $output == *'"name": "demo:1"'* ]]
	[[ $output == *"\"sha256:$(sha "$FX/l3.tar")\""* ]]
	[[ $output == *'"created": "2024-05-01T10:00:00Z"'* ]]
	[[ $output == *'"size": '* ]]
}

@test "rmi removes the image, and a layer when no image uses it" {
	sb import --name plain "$FX/base.tar" "$FX/l2.tar" "$FX/l3.tar"
	sb import --name base "$FX/base.tar"
	[ "$(nlayers)" -eq 3 ]
	run --separate-stderr sb rmi plain
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(nlayers)" -eq 1 ]
	[ -d "$BASE/etc" ]
	[ ! -e "$STORE/images/plain.json" ]
	sb rmi base
	[ "$(nlayers)" -eq 0 ]
	[ -z "$(ls -A "$STORE/tmp")" ]
	run --separate-stderr sb rmi base
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: no image 'base' in the store (see 'sandbox images')" ]
}

@test "importing a name again replaces the image and drops its unused layers" {
	sb import --name x "$FX/base.tar" "$FX/l2.tar"
	sb import --name x "$FX/l3.tar"
	[ "$(nlayers)" -eq 1 ]
	[ -d "$L3/opq" ]
}

@test "image names are checked" {
	run --separate-stderr sb import --name library/debian "$FX/l2.tar"
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: cannot import '$FX/l2.tar': image name 'library/debian' must not contain '/' (use a short name such as 'debian:12')" ]
	run --separate-stderr sb import --name .. "$FX/l2.tar"
	[ "$status" -eq 125 ]
	[[ $stderr == *"image name '..' must not contain '..'" ]]
	run --separate-stderr sb rmi 'a b'
	[ "$status" -eq 125 ]
	[[ $stderr == *"image name 'a b' has the character ' '"* ]]
	[ ! -e "$STORE" ]
}

@test "the store needs HOME or an absolute XDG_DATA_HOME" {
	run --separate-stderr env -u HOME -u XDG_DATA_HOME "$SANDBOX" import "$FX/l2.tar"
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: cannot import '$FX/l2.tar': cannot locate the image store: HOME is not set and XDG_DATA_HOME is not an absolute path (set HOME, or XDG_DATA_HOME to an absolute path)" ]
	HOME="$BATS_TEST_TMPDIR/home" XDG_DATA_HOME=relative sb import --name h "$FX/l2.tar"
	[ -f "$BATS_TEST_TMPDIR/home/.local/share/sandbox/images/h.json" ]
}

@test "a layer 500 directories deep is imported and removed; 513 is refused" {
	d="$BATS_TEST_TMPDIR/deep"
	p=$(printf 'd/%.0s' $(seq 500))
	mkdir -p "$d/$p"
	echo bottom >"$d/${p}f"
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/deep.tar" d
	sb import --name deep "$BATS_TEST_TMPDIR/deep.tar"
	[ "$(cat "$STORE/layers/$(sha "$BATS_TEST_TMPDIR/deep.tar")/${p}f")" = bottom ]
	sb rmi deep
	[ "$(nlayers)" -eq 0 ]
	p=$(printf 'e/%.0s' $(seq 513))
	mkdir -p "$d/$p"
	tar -C "$d" -cf "$BATS_TEST_TMPDIR/deeper.tar" e
	run --separate-stderr sb import --name deeper "$BATS_TEST_TMPDIR/deeper.tar"
	[ "$status" -eq 125 ]
	[[ $stderr == *"is nested more than 512 levels deep" ]]
}

@test "stale leftovers in tmp/ are removed by the next import" {
	sb import --name seed "$FX/l2.tar"
	mkdir -p "$STORE/tmp/import.99999/0/d"
	echo partial >"$STORE/tmp/import.99999/0/d/f"
	sb import --name other "$FX/l3.tar"
	[ -z "$(ls -A "$STORE/tmp")" ]
}

@test "concurrent imports are serialised by the store's lock" {
	sb import -q --name a "$FX/base.tar" "$FX/l2.tar" &
	p1=$!
	sb import -q --name b "$FX/base.tar.gz" "$FX/l3.tar" &
	p2=$!
	wait "$p1"
	wait "$p2"
	[ "$(nlayers)" -eq 3 ]
	[ -f "$STORE/images/a.json" ] && [ -f "$STORE/images/b.json" ]
	[ -z "$(ls -A "$STORE/tmp")" ]
}

@test "a killed import leaves no layer or image; the next import cleans up" {
	sb import --name seed "$FX/l2.tar"
	before=$(ls "$STORE/layers" "$STORE/images")
	# A layer slow enough to be caught: 200 MB of zeros, compressed small.
	truncate -s 200M "$BATS_TEST_TMPDIR/zero"
	tar -C "$BATS_TEST_TMPDIR" -cf - zero | zstd -q -1 >"$BATS_TEST_TMPDIR/big.tar.zst"
	rm "$BATS_TEST_TMPDIR/zero"
	"$SANDBOX" import --name big "$BATS_TEST_TMPDIR/big.tar.zst" &
	pid=$!
	for _ in $(seq 1000); do
		[ -z "$(find "$STORE/tmp" -name zero -size +1M 2>/dev/null)" ] || break
		sleep 0.01
	done
	kill -KILL "$pid"
	status=0
	wait "$pid" || status=$?
	[ "$status" -ne 0 ] || skip "the import finished before it could be killed"
	[ "$status" -eq 137 ]
	[ "$(ls "$STORE/layers" "$STORE/images")" = "$before" ]
	[ -n "$(ls -A "$STORE/tmp")" ]
	# The next import waits for the killed one's child to be gone (it holds
	# the lock until then) and removes its leftovers.
	sb import --name after "$FX/l3.tar"
	[ -z "$(ls -A "$STORE/tmp")" ]
	[ "$(nlayers)" -eq 2 ]
}

# ---- refused archives -----------------------------------------------------

# Every file below the test's directory but bats' own capture files.
snapshot() {
	find "$BATS_TEST_TMPDIR" -not -name 'separate-stderr-*' -printf '%p %m %s %u\n' | sort
}

# refused PATTERN SOURCE...: import fails (125) with one line on stderr
# holding PATTERN, nothing on stdout, and no file below the test directory
# changes (a store with an image in it, the sources, $BATS_TEST_TMPDIR/outside).
refused() {
	local pattern=$1 before after
	shift
	before=$(snapshot)
	run --separate-stderr sb import --name evil "$@"
	echo "stderr: $stderr"
	[ "$status" -eq 125 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ $stderr == "sandbox: cannot import "*"$pattern"* ]]
	after=$(snapshot)
	diff <(echo "$before") <(echo "$after")
	[ ! -e "$STORE/images/evil.json" ]
}

# An existing store with an image, and a directory outside it.
evil_setup() {
	sb import --name seed "$FX/l2.tar"
	E="$BATS_TEST_TMPDIR/evil"
	mkdir -p "$E/src" "$BATS_TEST_TMPDIR/outside"
	echo secret >"$BATS_TEST_TMPDIR/outside/secret"
	echo payload >"$E/src/f"
}

@test "refused: an entry with '..' (path traversal)" {
	evil_setup
	tar -C "$E/src" -P --transform 's,^f$,../../../../../outside/x,' -cf "$E/t.tar" f
	refused "entry '../../../../../outside/x' has a '..' component" "$E/t.tar"
	tar -C "$E/src" -P --transform 's,^f$,a/../../b,' -cf "$E/t2.tar" f
	refused "entry 'a/../../b' has a '..' component" "$E/t2.tar"
	# a newline in the name does not split the message
	tar -C "$E/src" -P --transform 's,^f$,a\nb/../../c,' -cf "$E/t3.tar" f
	refused "entry 'a?b/../../c' has a '..' component" "$E/t3.tar"
}

@test "refused: an absolute entry name" {
	evil_setup
	tar -C "$E/src" -P --transform "s,^f\$,$BATS_TEST_TMPDIR/outside/abs," -cf "$E/t.tar" f
	refused "entry '$BATS_TEST_TMPDIR/outside/abs' is an absolute path" "$E/t.tar"
}

@test "refused: writing through a symlink of the same layer" {
	evil_setup
	ln -s "$BATS_TEST_TMPDIR/outside" "$E/src/l"
	ln -s ../../../../.. "$E/src/r"
	mkdir "$E/src/d"
	echo x >"$E/src/d/secret"
	tar -C "$E/src" --transform 's,^d/secret$,l/secret,' -cf "$E/t.tar" l d/secret
	refused "entry 'l/secret': 'l' is a symlink; writing through a symlink is refused" "$E/t.tar"
	tar -C "$E/src" --transform 's,^d/secret$,r/outside/secret,' -cf "$E/t2.tar" r d/secret
	refused "entry 'r/outside/secret': 'r' is a symlink" "$E/t2.tar"
}

@test "refused: hardlinks that point out of the layer or to nothing" {
	evil_setup
	ln "$E/src/f" "$E/src/g"
	tar -C "$E/src" -P --transform 's,^f$,../../../../../outside/secret,RSh' -cf "$E/t.tar" f g
	refused "entry 'g': hardlink target '../../../../../outside/secret' has a '..' component" "$E/t.tar"
	tar -C "$E/src" -P --transform "s,^f\$,$BATS_TEST_TMPDIR/outside/secret,RSh" -cf "$E/t2.tar" f g
	refused "entry 'g': hardlink target '$BATS_TEST_TMPDIR/outside/secret' is an absolute path" "$E/t2.tar"
	tar -C "$E/src" --transform 's,^f$,missing,RSh' -cf "$E/t3.tar" f g
	refused "hardlink entry 'g' points to 'missing', which is not in this layer" "$E/t3.tar"
}

@test "refused: bad whiteout names" {
	evil_setup
	mkdir "$E/src/d"
	: >"$E/src/d/.wh."
	: >"$E/src/d/.wh.."
	tar -C "$E/src" -cf "$E/t.tar" d/.wh.
	refused "entry 'd/.wh.': bad whiteout name '.wh.'" "$E/t.tar"
	tar -C "$E/src" -cf "$E/t2.tar" d/.wh..
	refused "entry 'd/.wh..': bad whiteout name '.wh..'" "$E/t2.tar"
}

@test "refused: a layer whose content does not match its diff id" {
	evil_setup
	refused "/layer.tar'): digest mismatch: the config names the diff id sha256:" \
		"$FX/bad-digest.tar"
}

@test "refused: an OCI blob that does not match its digest" {
	command -v skopeo >/dev/null || skip "skopeo is not installed"
	evil_setup
	cp -r "$FX/oci" "$E/oci"
	blob=$(find "$E/oci/blobs/sha256" -type f -size +1k | head -n 1)
	chmod u+w "$blob"
	gzip -c "$FX/l3.tar" >"$blob"
	refused "digest mismatch: the manifest names sha256:$(basename "$blob")" "$E/oci"
}

@test "refused: manifest paths outside the archive" {
	evil_setup
	d="$E/dk"
	mkdir -p "$d"
	config_json "$d/c.json" "$(sha "$FX/l2.tar")"
	printf '[{"Config":"c.json","Layers":["../../outside/secret"]}]' >"$d/manifest.json"
	refused "manifest path '../../outside/secret' points outside the archive" "$d"
	tar -C "$d" -cf "$E/dk.tar" .
	refused "manifest path '../../outside/secret' points outside the archive" "$E/dk.tar"
	printf '[{"Config":"c.json","Layers":["/etc/passwd"]}]' >"$d/manifest.json"
	refused "manifest path '/etc/passwd' points outside the archive" "$d"
	ln -s "$BATS_TEST_TMPDIR/outside/secret" "$d/layer.tar"
	printf '[{"Config":"c.json","Layers":["layer.tar"]}]' >"$d/manifest.json"
	refused "manifest path 'layer.tar' leads outside the archive" "$d"
}

@test "refused: a truncated gzip layer and garbage bytes" {
	evil_setup
	head -c 20000 "$FX/base.tar.gz" >"$E/trunc.tar.gz"
	refused "truncated gzip input" "$E/trunc.tar.gz"
	head -c 4096 /dev/urandom >"$E/garbage.tar"
	refused "not a tar archive, an OCI layout or a docker-save archive" "$E/garbage.tar"
	: >"$E/empty.tar"
	refused "'$E/empty.tar'" "$E/empty.tar"
}

@test "refused: a bad layer in the middle leaves the good ones out too" {
	evil_setup
	tar -C "$E/src" -P --transform 's,^f$,../x,' -cf "$E/t.tar" f
	refused "'$E/t.tar'" "$FX/l3.tar" "$E/t.tar"
	[ ! -d "$L3" ]
}
