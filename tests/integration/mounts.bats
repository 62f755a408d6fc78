#!/usr/bin/env bats
# mounts.bats: --bind, --ro-bind, --tmpfs, the host view, and destinations
# that try to leave the new root through symlinks.
load helpers

@test "--bind is read-write and reaches the host directory" {
	d="$BATS_TEST_TMPDIR/shared"; mkdir "$d"; echo in > "$d/f"
	run sbr --bind "$d" /mnt sh -c 'cat /mnt/f; echo out > /mnt/g'
	[ "$status" -eq 0 ]
	[ "$output" = "in" ]
	[ "$(cat "$d/g")" = "out" ]
}

@test "--ro-bind is read-only, files too" {
	d="$BATS_TEST_TMPDIR/shared"; mkdir "$d"; echo in > "$d/f"
	run sbr --ro-bind "$d" /mnt sbhelper write /mnt/g
	[ "$output" = "write /mnt/g: errno=EROFS" ]
	run sbr --ro-bind "$d/f" /etc/os-release cat /etc/os-release
	[ "$output" = "in" ]
}

@test "--tmpfs gives an empty writable directory, and binds can go under it" {
	d="$BATS_TEST_TMPDIR/shared"; mkdir "$d"; echo in > "$d/f"
	run sbr --tmpfs /mnt --ro-bind "$d" /mnt/deep/er sh -c 'sbhelper write /mnt/x; cat /mnt/deep/er/f'
	[ "$output" = "$(printf 'write /mnt/x: ok\nin')" ]
}

@test "a symlink in the root cannot steer a mount destination out of it" {
	r=$(rw_rootfs)
	# /var/tmp exists on the host and in the root: an absolute symlink to it
	# must mean the root's /var/tmp
	ln -s /var/tmp "$r/escape"
	ln -s ../../../../../../../../.. "$r/up"
	name="sbx-$$-$BATS_TEST_NUMBER"
	d="$BATS_TEST_TMPDIR/src"; mkdir "$d"; echo secret > "$d/f"
	run "$SANDBOX" run --rootfs "$r" --rootfs-rw --bind "$d" "/escape/$name" --bind "$d" "/up/$name" sh -c "cat /escape/$name/f /$name/f"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'secret\nsecret')" ]
	# the mount points were made inside the root, never on the host
	[ -d "$r/var/tmp/$name" ]
	[ -d "$r/$name" ]
	[ ! -e "/var/tmp/$name" ]
	[ ! -e "/$name" ]
	# in a read-only root, a symlink to a missing place is refused, not followed out
	ln -s /nonexistent-on-purpose "$r/dangling"
	run --separate-stderr "$SANDBOX" run --rootfs "$r" --bind "$d" /dangling/x true
	[ "$status" -eq 125 ]
	[ ! -e /nonexistent-on-purpose ]
}

@test "host: a read-only view of the host's system, fresh /tmp, no home" {
	run sb run host -- sh -c 'test -x /usr/bin/env && test -r /etc/os-release && echo sys-ok'
	[ "$output" = "sys-ok" ]
	run sb run host sh -c 'test -e /home || test -e /root || echo no-home'
	[ "$output" = "no-home" ]
	run sb run host sh -c 'ls -A /tmp | wc -l; touch /tmp/a && echo tmp-ok'
	[ "$output" = "$(printf '0\ntmp-ok')" ]
	run sb run host touch /usr/x
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	run sb run host touch /newfile
	[[ "$output" == *"Read-only file system"* ]]
	run sb run host "$SBHELPER" hostname
	[ "$status" -eq 127 ]
	run sb run --ro-bind "$SBHELPER" /sbhelper host /sbhelper ns mnt
	[ "$status" -eq 0 ]
	[ "$output" != "$(host_ns mnt)" ]
}

@test "host: a bound home directory is visible and writable" {
	d="$BATS_TEST_TMPDIR/home"; mkdir "$d"
	run sb run --bind "$d" /home/me --chdir /home/me host sh -c 'echo hi > note && pwd'
	[ "$output" = "/home/me" ]
	[ "$(cat "$d/note")" = "hi" ]
}
