#!/usr/bin/env bats
# run.bats: `sandbox run` basics: output, exit statuses, errors, help.
load helpers

@test "stdout is the command's own, stderr is empty" {
	run --separate-stderr sbr echo hello
	[ "$status" -eq 0 ]
	[ "$output" = "hello" ]
	[ -z "$stderr" ]
}

@test "exit status is the command's own" {
	run sbr sbhelper exit 42
	[ "$status" -eq 42 ]
	run sbr sbhelper exit 0
	[ "$status" -eq 0 ]
}

@test "death by signal N gives 128+N" {
	run sbr sbhelper kill-self 15
	[ "$status" -eq 143 ]
	run sbr sbhelper kill-self 9
	[ "$status" -eq 137 ]
}

@test "a command that is not found gives 127 and names it" {
	run --separate-stderr sbr no-such-command
	[ "$status" -eq 127 ]
	[[ "$stderr" == "sandbox: cannot run 'no-such-command': No such file or directory"* ]]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
}

@test "a command that cannot be executed gives 126" {
	run --separate-stderr sbr /etc/passwd
	[ "$status" -eq 126 ]
	[[ "$stderr" == "sandbox: cannot run '/etc/passwd': Permission denied"* ]]
}

@test "sandbox failures give 125 with one line naming the culprit" {
	run --separate-stderr sb run --rootfs /nonexistent/root true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: --rootfs '/nonexistent/root': No such file or directory" ]
	run --separate-stderr sbr --bind /nonexistent/src /mnt true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: --bind source '/nonexistent/src': No such file or directory" ]
	run --separate-stderr sb run --bnid /a /b host true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: unknown option '--bnid' (did you mean 'bind'?)" ]
	run --separate-stderr sb run --tmpfs relative host true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: --tmpfs destination 'relative' must be an absolute path" ]
	run --separate-stderr sb run host
	[ "$status" -eq 125 ]
	[[ "$stderr" == "sandbox: no command given"* ]]
}

@test "a missing mount point in a read-only root is refused and not created" {
	run --separate-stderr sbr --tmpfs /newdir true
	[ "$status" -eq 125 ]
	[[ "$stderr" == *"'/newdir'"*"Read-only file system"*"--rootfs-rw"* ]]
	[ ! -e "$ROOTFS/newdir" ]
}

@test "--help and --version answer" {
	run sb run --help
	[ "$status" -eq 0 ]
	for o in rootfs rootfs-rw bind ro-bind tmpfs chdir setenv keep-env uid gid hostname verbose quiet; do
		[[ "$output" == *"--$o"* ]]
	done
	run sb --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"run"*"check"* ]]
	run sb --version
	[[ "$output" =~ ^sandbox\ [0-9] ]]
	run --separate-stderr sb frobnicate
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: unknown command 'frobnicate' (see sandbox --help)" ]
}

@test "--verbose traces each setup step with its duration" {
	run --separate-stderr sbr --verbose true
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"ms] pid "*"cloned pid"* ]]
	[[ "$stderr" == *"id maps written"* ]]
	[[ "$stderr" == *"pid 1: pivoted into the new root"* ]]
	[[ "$stderr" == *"pid 2: exec true"* ]]
}

@test "the environment starts from the allow-list" {
	run env SECRET_TOKEN=x TERM=xterm-test LC_TIME=C.UTF-8 FOO=bar "$SANDBOX" run \
		--rootfs "$ROOTFS" --keep-env FOO --setenv NEW val sbhelper env
	[ "$status" -eq 0 ]
	[[ "$output" != *SECRET_TOKEN* ]]
	[[ "$output" == *"TERM=xterm-test"* ]]
	[[ "$output" == *"LC_TIME=C.UTF-8"* ]]
	[[ "$output" == *"FOO=bar"* ]]
	[[ "$output" == *"NEW=val"* ]]
	[[ "$output" == *"container=sandbox"* ]]
	[[ "$output" == *"HOME=/root"* ]]
	[[ "$output" == *"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"* ]]
}

@test "--chdir sets the working directory, a missing one is an error" {
	run sbr --chdir /etc sbhelper cwd
	[ "$output" = "/etc" ]
	run --separate-stderr sbr --chdir /nonexistent true
	[ "$status" -eq 125 ]
	[ "$stderr" = "sandbox: --chdir '/nonexistent': No such file or directory" ]
}

@test "hostname is sandbox unless --hostname" {
	run sbr sbhelper hostname
	[ "$output" = "sandbox" ]
	run sbr --hostname box1 sbhelper hostname
	[ "$output" = "box1" ]
	[ "$(hostname)" != "box1" ]
}

@test "sandbox check reports what the host supports" {
	run sb check
	[ "$status" -eq 0 ]
	[[ "$output" == *"ok    user namespaces"* ]]
	for w in subuid subgid newuidmap newgidmap "overlay in userns" /dev/fuse /dev/net/tun "cgroup v2" seccomp "runtime directory"; do
		[[ "$output" == *"$w"* ]]
	done
}
