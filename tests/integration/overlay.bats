#!/usr/bin/env bats
# overlay.bats: choosing the overlay backend. `--overlay auto` (the default)
# falls back to the FUSE overlay where the kernel refuses the image, and
# says so once with --verbose; `--overlay kernel` then fails with one line
# naming why; the profile line `overlay` chooses like the option. The
# kernel refusal is a real one: an image of 501 layers, one more than
# kernel overlayfs stacks.
load helpers

setup_file() {
	local d="$BATS_FILE_TMPDIR/layers" i
	export XDG_DATA_HOME="$BATS_FILE_TMPDIR/data"
	export XDG_CONFIG_HOME="$BATS_FILE_TMPDIR/config"
	mkdir -p "$d" "$XDG_CONFIG_HOME/sandbox/profiles"
	tar --numeric-owner -C "$ROOTFS" -cf "$d/0.tar" .
	for i in $(seq 1 500); do
		mkdir -p "$d/l$i/layers"
		echo "$i" >"$d/l$i/layers/$i"
		tar -C "$d/l$i" -cf "$d/$i.tar" layers
	done
	"$SANDBOX" import --name tall $(printf "$d/%d.tar " $(seq 0 500))
	"$SANDBOX" import --name short "$d/0.tar" "$d/1.tar"
}

teardown_file() {
	"$SANDBOX" rmi tall short >/dev/null 2>&1 || true
}

# root_fs_type: what the sandbox's root is mounted as, from inside.
root_fs_type='awk '\''$2 == "/" { t = $3 } END { print t }'\'' /proc/mounts'

@test "--overlay auto: 501 layers are refused by the kernel and served over FUSE, said once with --verbose" {
	run --separate-stderr sb run --verbose tall sh -c "ls /layers | wc -l; cat /layers/500; $root_fs_type"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '500\n500\nfuse.fuseovl')" ]
	[ "$(grep -c 'the kernel refused the overlay (the kernel overlay stacks only 500 of the 501 layers' <<<"$stderr")" -eq 1 ]
	[ "$(grep -c 'using the FUSE overlay' <<<"$stderr")" -eq 1 ]
	# quiet without --verbose
	run --separate-stderr sb run tall cat /layers/1
	[ "$status" -eq 0 ] && [ "$output" = 1 ] && [ -z "$stderr" ]
	# writes land in the FUSE overlay's upper and go at exit, like the kernel's
	run sb run tall sh -c 'echo changed >/layers/7; cat /layers/7'
	[ "$output" = changed ]
	run sb run tall cat /layers/7
	[ "$output" = 7 ]
}

@test "--overlay kernel: the same image fails with one line naming the limit" {
	run --separate-stderr sb run --overlay kernel tall true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: image 'tall': the kernel overlay stacks only 500 of the 501 layers: Invalid argument (--overlay fuse or auto takes any number)" ]
}

@test "an image the kernel takes is on the kernel overlay unless told otherwise" {
	run sb run short sh -c "$root_fs_type"
	[ "$output" = overlay ]
	run sb run --overlay fuse short sh -c "$root_fs_type; cat /layers/1; ulimit -n"
	# the command keeps the caller's fd limit (the server raises its own)
	[ "$output" = "$(printf 'fuse.fuseovl\n1\n%s' "$(ulimit -n)")" ]
}

@test "the profile line 'overlay' chooses the backend; the command line wins" {
	printf 'include default\noverlay fuse\n' >"$XDG_CONFIG_HOME/sandbox/profiles/viafuse.profile"
	run sb run --profile viafuse short sh -c "$root_fs_type"
	[ "$output" = fuse.fuseovl ]
	run sb run --profile viafuse --overlay kernel short sh -c "$root_fs_type"
	[ "$output" = overlay ]
	printf 'include default\noverlay sideways\n' >"$XDG_CONFIG_HOME/sandbox/profiles/badovl.profile"
	run --separate-stderr sb run --profile badovl short true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: profile 'badovl' line 2: --overlay: 'sideways' is not one of auto, kernel, fuse" ]
}
