#!/usr/bin/env bats
# run-image.bats: `sandbox run IMAGE`: the kernel overlay over the stored
# layers (whiteouts and opaque directories honoured, writes dropped at exit,
# kept with --name/--keep, none with --read-only), the image config (Cmd,
# Entrypoint, Env, WorkingDir, User looked up in the image), and more layers
# than one mount option string holds.
load helpers

# The overlay backend under test: this file runs as it is (kernel) and, made
# by the test driver with OVERLAY=fuse, again on the FUSE overlay.
OVERLAY=kernel

# sbi ARGS...: sandbox run with the backend under test
sbi() {
	"$SANDBOX" run --overlay "$OVERLAY" "$@"
}

setup_file() {
	local fx="$BATS_FILE_TMPDIR/fx" b
	mkdir -p "$fx/l2/etc" "$fx/l2/home/app" "$fx/l2/data" "$fx/l3/etc" "$fx/l3/opq"
	export XDG_DATA_HOME="$BATS_FILE_TMPDIR/data"
	b="$fx/base"
	cp -r "$ROOTFS" "$b"
	echo motd >"$b/etc/motd"
	mkdir -p "$b/opq" && echo old >"$b/opq/old"
	tar --numeric-owner -C "$b" -cf "$fx/base.tar" .
	# layer 2: a user 'app' (uid 1000) with a home it owns
	cp "$b/etc/passwd" "$b/etc/group" "$fx/l2/etc/"
	echo 'app:x:1000:1001::/home/app:/bin/sh' >>"$fx/l2/etc/passwd"
	echo 'app:x:1001:' >>"$fx/l2/etc/group"
	tar --numeric-owner --owner=0 --group=0 -C "$fx/l2" -cf "$fx/l2.tar" etc data
	tar --numeric-owner --owner=1000 --group=1001 -C "$fx/l2" -rf "$fx/l2.tar" home
	# layer 3: deletes /etc/motd, makes /opq opaque with a new file
	touch "$fx/l3/etc/.wh.motd" "$fx/l3/opq/.wh..wh..opq"
	echo new >"$fx/l3/opq/new"
	tar --numeric-owner -C "$fx/l3" -cf "$fx/l3.tar" .
	image_config "$fx/app.json" '{"Cmd":["sh","-c","echo cmd-ran; id -u; id -g; pwd; echo \"$GREETING\"; echo $HOME"],"Env":["GREETING=hi from env","PATH=/usr/bin:/bin"],"WorkingDir":"/data","User":"app"}' \
		"$fx/base.tar" "$fx/l2.tar" "$fx/l3.tar"
	docker_archive "$fx/app.tar" "$fx/app.json" "$fx/base.tar" "$fx/l2.tar" "$fx/l3.tar"
	"$SANDBOX" import --name app "$fx/app.tar"
	image_config "$fx/ep.json" '{"Entrypoint":["/bin/echo","ep"],"Cmd":["default"]}' "$fx/base.tar"
	docker_archive "$fx/ep.tar" "$fx/ep.json" "$fx/base.tar"
	"$SANDBOX" import --name ep "$fx/ep.tar"
}

# The store's files belong to subordinate ids: only sandbox can remove them.
teardown_file() {
	"$SANDBOX" rm box solo >/dev/null 2>&1 || true
	"$SANDBOX" rm solo >/dev/null 2>&1 || true
	"$SANDBOX" rmi app ep many >/dev/null 2>&1 || true
}

@test "the image's Cmd, Env, WorkingDir and User" {
	run --separate-stderr sbi app
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'cmd-ran\n1000\n1001\n/data\nhi from env\n/home/app')" ]
	run sbi app id -u
	[ "$output" = 1000 ]
	run sbi --uid 0 --gid 0 app sh -c 'id -u; echo $HOME'
	[ "$output" = "$(printf '0\n/root')" ]
	run sbi --chdir /etc app pwd
	[ "$output" = /etc ]
	run sbi --setenv GREETING cli app sh -c 'echo $GREETING'
	[ "$output" = cli ]
}

@test "--uid/--gid choose who runs in an image; its files keep their owners" {
	run sbi --uid 1000 --gid 1001 app sh -c 'id -u; id -g; stat -c %u:%g /etc/passwd /home/app'
	[ "$output" = "$(printf '1000\n1001\n0:0\n1000:1001')" ]
}

@test "Entrypoint takes the command line's arguments, else Cmd" {
	run sbi ep
	[ "$output" = "ep default" ]
	run sbi ep one two
	[ "$output" = "ep one two" ]
}

@test "the overlay honours whiteouts and opaque directories, and owners map" {
	run sbi --uid 0 app sh -c 'test -e /etc/motd || echo motd-gone; ls /opq; stat -c %u:%g /home/app'
	[ "$output" = "$(printf 'motd-gone\nnew\n1000:1001')" ]
	run sbi --uid 0 app sbhelper mounts
	if [ "$OVERLAY" = kernel ]; then
		grep -Eq " / [^ ]+ - overlay .*userxattr" <<<"$output"
	else
		grep -Eq " / [^ ]+ - fuse.fuseovl " <<<"$output"
	fi
}

@test "writes go to an upper that is dropped at exit" {
	run sbi app sh -c 'echo x >/home/app/f && cat /home/app/f'
	[ "$output" = x ]
	run sbi app sh -c 'test -e /home/app/f || echo clean'
	[ "$output" = clean ]
}

@test "--name NAME --keep keeps the changes for the next run --name NAME" {
	run sbi --name box --keep --uid 0 app sh -c 'echo kept >/etc/kept'
	[ "$status" -eq 0 ]
	run sbi --name box --uid 0 app cat /etc/kept
	[ "$output" = kept ]
	run sbi --name other --uid 0 app sh -c 'test -e /etc/kept || echo not-here'
	[ "$output" = not-here ]
	run sbi --uid 0 app sh -c 'test -e /etc/kept || echo not-here'
	[ "$output" = not-here ]
	run --separate-stderr sbi --keep app true
	[ "$stderr" = "sandbox: --keep needs --name NAME" ]
	run sb rm box
	[ "$status" -eq 0 ]
	run sbi --name box --uid 0 app sh -c 'test -e /etc/kept || echo gone'
	[ "$output" = gone ]
	run --separate-stderr sb rm box
	[ "$status" -eq 125 ]
	[[ "$stderr" == "sandbox: nothing kept under the name 'box'"* ]]
}

@test "a kept sandbox runs once at a time; --read-only shows its changes read-only" {
	run sbi --name solo --keep --uid 0 app sh -c 'echo mine >/etc/mine'
	sbi --name solo --uid 0 app sleep 3 & bg=$!
	sleep 0.5
	run --separate-stderr sbi --name solo --uid 0 app true
	[ "$status" -eq 125 ]
	[[ "$stderr" == "sandbox: --name solo: a sandbox of that name is running"* ]]
	wait "$bg"
	run sbi --name solo --read-only --uid 0 app sh -c 'cat /etc/mine; touch /etc/x'
	[[ "$output" == "mine"*"Read-only file system"* ]]
	run sbi --name solo --uid 0 app sh -c 'test -e /etc/x || echo not-written'
	[ "$output" = not-written ]
	sb rm solo
}

@test "--read-only: no writable layer, a fresh /tmp" {
	run --separate-stderr sbi --read-only --uid 0 app sh -c 'touch /etc/x 2>&1; touch /tmp/y && echo tmp-ok'
	[[ "$output" == *"Read-only file system"*"tmp-ok" ]]
}

@test "an unknown image is named" {
	run --separate-stderr sbi no-such-image true
	[ "$status" -eq 125 ]
	[[ "$stderr" == "sandbox: "*"no-such-image"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}

@test "more layers than one mount option string can hold" {
	local d="$BATS_TEST_TMPDIR/many" args=() i
	mkdir -p "$d"
	tar --numeric-owner -C "$ROOTFS" -cf "$d/0.tar" .
	args+=("$d/0.tar")
	for i in $(seq 1 80); do
		mkdir -p "$d/l$i/layers"
		echo "$i" >"$d/l$i/layers/$i"
		tar -C "$d/l$i" -cf "$d/$i.tar" layers
		args+=("$d/$i.tar")
	done
	sb import --name many "${args[@]}"
	run sbi many sh -c 'ls /layers | wc -l; cat /layers/80'
	[ "$output" = "$(printf '80\n80')" ]
}
