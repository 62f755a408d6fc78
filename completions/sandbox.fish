# fish completion for sandbox(1). The options of `sandbox run` follow the
# table in src/spec.c; keep the two in step.

# True when the command line so far holds exactly $argv[1] tokens.
function __sandbox_ntokens
    test (count (commandline -opc)) -eq $argv[1]
end

# True when the subcommand (the first argument) is $argv[1].
function __sandbox_subcommand
    set -l tokens (commandline -opc)
    test (count $tokens) -ge 2; and test "$tokens[2]" = $argv[1]
end

# Directories inside the sandbox are absolute: start from / when nothing
# is typed yet; the host's tree is a guide.
function __sandbox_inside_dirs
    set -l cur $argv[1]
    test -n "$cur"; or set cur /
    __fish_complete_directories $cur 'Path inside the sandbox'
end

# "NAME<tab>DESCRIPTION" from `sandbox profiles ...` ($argv), run as the
# command being completed.
function __sandbox_names
    set -l sb (commandline -opc)[1]
    test -n "$sb"; or set sb sandbox
    $sb $argv 2>/dev/null | string replace -r -- '^(\S+)\s+(.*?)(:.*|  \[.*)?$' '$1'\t'$2'
end

# The imported images: the first column of `sandbox images`, past its header.
function __sandbox_images
    set -l sb (commandline -opc)[1]
    test -n "$sb"; or set sb sandbox
    $sb images 2>/dev/null | tail -n +2 | string replace -r -- '\s.*$' ''
end

# The names that `run --name NAME --keep` kept: the directories under the
# store's containers/.
function __sandbox_kept
    set -l data $XDG_DATA_HOME
    string match -q -- '/*' "$data"; or set data $HOME/.local/share
    for d in $data/sandbox/containers/*/
        string replace -r -- '^.*/([^/]+)/$' '$1' $d
    end
end

# --publish [HOST_IP:]HOST_PORT:PORT[/udp|/tcp]: a host address to start
# with, then /tcp or /udp once HOST_PORT:PORT is there.
function __sandbox_publish
    set -l cur $argv[1]
    if string match -qr -- '^([0-9.]+:)?[0-9]+:[0-9]+$' $cur
        printf '%s\t%s\n' $cur TCP $cur/tcp TCP $cur/udp UDP
    else if not string match -q -- '*:*' $cur
        printf '%s\t%s\n' 127.0.0.1: 'Host loopback address (the default)' 0.0.0.0: 'Every host address'
    end
end

# The host's DNS servers, from /etc/resolv.conf.
function __sandbox_nameservers
    test -r /etc/resolv.conf; or return
    string match -r -- '^\s*nameserver\s+\S+' </etc/resolv.conf | string replace -r -- '^\s*nameserver\s+' ''
end

# Profile names, and profile files once a '/' is typed.
function __sandbox_profiles
    set -l cur $argv[1]
    __sandbox_names profiles
    string match -q -- '*/*' $cur; and __fish_complete_path $cur 'Profile file'
end

# Complete one item of a comma-separated list: $argv[1] is the token, the
# rest the command that prints "ITEM<tab>DESCRIPTION" lines.
function __sandbox_list
    set -l cur $argv[1]
    set -l head (string match -r -- '^.*,' $cur)
    $argv[2..-1] | string replace -r -- '^' "$head"
end

# Capability names as --cap-add and --cap-drop take them (capabilities(7)),
# in the case and with the CAP_ prefix of the item typed ($argv[1]).
function __sandbox_caps
    set -l caps chown dac_override dac_read_search fowner fsetid kill setgid \
        setuid setpcap linux_immutable net_bind_service net_broadcast net_admin \
        net_raw ipc_lock ipc_owner sys_module sys_rawio sys_chroot sys_ptrace \
        sys_pacct sys_admin sys_boot sys_nice sys_resource sys_time \
        sys_tty_config mknod lease audit_write audit_control setfcap \
        mac_override mac_admin syslog wake_alarm block_suspend audit_read \
        perfmon bpf checkpoint_restore
    set -l item (string replace -r -- '^.*,' '' $argv[1])
    if string match -qr -- '^(CAP_|[A-Z])' $item
        printf 'CAP_%s\n' (string upper -- $caps)
        if not string match -q -- 'CAP_*' $item
            string upper -- $caps
            printf '%s\tEvery capability\n' ALL
        end
    else if string match -q -- 'cap_*' $item
        printf 'cap_%s\n' $caps
    else
        printf '%s\n' $caps
        printf '%s\tEvery capability\n' all
    end
end

# The candidates for the current token of `sandbox run`, found by walking
# the tokens before it as src/spec.c does.
function __sandbox_run_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l n (count $tokens)
    set -l i 3
    set -l rootfs 0
    set -l dashdash 0
    set -l opt
    set -l argn 0

    while test $i -le $n
        set -l t $tokens[$i]
        switch $t
            case --
                set dashdash 1
                set i (math $i + 1)
                break
            case '--rootfs=*'
                set rootfs 1
            case '--*=*' --rootfs-rw --allow-userns --verbose --quiet --help -h \
                --keep --read-only --net-host-loopback
            case --rootfs --tmpfs --chdir --keep-env --uid --gid --hostname \
                --name --mtu --publish --dns-server \
                --net --seccomp-allow --seccomp-deny --seccomp-profile \
                --cap-add --cap-drop --caps --profile
                test $t = --rootfs; and set rootfs 1
                if test $i -eq $n
                    set opt $t
                    set argn 1
                    break
                end
                set i (math $i + 1)
            case --bind --ro-bind --setenv
                if test $i -ge (math $n - 1)
                    set opt $t
                    set argn (math $n - $i + 1)
                    break
                end
                set i (math $i + 2)
            case '-*'
                # not an option of sandbox run: it would be refused
            case '*'
                break
        end
        set i (math $i + 1)
    end

    # The current token is an argument of an option, given as the next word
    # or as --option=VALUE.
    set -l prefix
    if test -z "$opt"; and test $i -gt $n; and test $dashdash = 0
        and string match -qr -- '^--[a-z-]+=' $cur
        set opt (string replace -r -- '=.*' '' $cur)
        set prefix $opt=
        set cur (string replace -r -- '^[^=]*=' '' $cur)
        set argn 1
    end
    if test -n "$opt"
        switch $opt
            case --rootfs
                __fish_complete_directories $cur 'Root directory'
            case --chdir --tmpfs
                __sandbox_inside_dirs $cur
            case --bind --ro-bind
                if test $argn = 1
                    __fish_complete_path $cur 'Host source'
                else
                    set -l src $tokens[-1]
                    string match -q -- '/*' $src; and printf '%s\t%s\n' $src 'Same path as the source'
                    __sandbox_inside_dirs $cur
                end
            case --setenv --keep-env
                test $argn = 1; and set -xn | string match -r -- '^[A-Za-z_][A-Za-z0-9_]*$'
            case --net
                printf '%s\t%s\n' none 'Own network namespace, loopback only' \
                    slirp 'Own network namespace, user-mode networking' host "The host's network"
            case --mtu
                printf '%s\n' 1280 1500 9000 65520
            case --publish
                __sandbox_publish $cur
            case --dns-server
                __sandbox_nameservers
            case --name
                __sandbox_kept
            case --caps
                printf '%s\t%s\n' none 'No capabilities' default 'The default set'
            case --seccomp-allow --seccomp-deny
                __sandbox_list $cur __sandbox_names profiles groups
            case --cap-add --cap-drop
                __sandbox_list $cur __sandbox_caps $cur
            case --seccomp-profile
                __fish_complete_path $cur 'Seccomp JSON profile'
            case --profile
                __sandbox_profiles $cur
        end | string replace -r -- '^' "$prefix"
        return
    end

    if test $i -gt $n; and test $dashdash = 0
        # Still among the options, which must come before the image.
        if string match -q -- '-*' $cur
            printf '%s\t%s\n' \
                --rootfs 'Use DIR as the root file system (read-only)' \
                --rootfs-rw 'Make the --rootfs directory writable' \
                --name 'Name this sandbox (with --keep: keep its changes)' \
                --keep "Keep an image's changes for the next run --name NAME" \
                --read-only 'Run an image with no writable layer' \
                --overlay 'How an image is mounted: auto, kernel or fuse' \
                --bind 'Bind host path SRC read-write at DEST' \
                --ro-bind 'Bind host path SRC read-only at DEST' \
                --tmpfs 'Mount a fresh tmpfs at DEST' \
                --chdir 'Start the command in DIR (default /)' \
                --setenv 'Set an environment variable' \
                --keep-env "Pass the host's value of KEY through" \
                --uid 'Run as uid N inside (default 0)' \
                --gid 'Run as gid N inside (default 0)' \
                --hostname 'Host name inside (default: sandbox)' \
                --net "Network: loopback only, user-mode, or the host's" \
                --mtu 'MTU of the user-mode network (default 65520)' \
                --publish 'Forward a host port to a port inside' \
                --net-host-loopback "Let 10.0.2.2 reach the host's loopback" \
                --dns-server "Where 10.0.2.3 sends queries (default: the host's)" \
                --seccomp-allow 'Grant a denied syscall group or call' \
                --seccomp-deny 'Refuse a syscall group or call with EPERM' \
                --seccomp-profile 'Use a Docker/OCI seccomp JSON profile instead' \
                --allow-userns 'Allow new user namespaces inside' \
                --cap-add 'Add a capability for uid 0 inside' \
                --cap-drop 'Drop a capability (ALL for every one)' \
                --caps 'Start from no capabilities, or the default set' \
                --profile 'Apply profile NAME first (default: default)' \
                --verbose 'Trace each setup step with its duration' \
                --quiet 'Print no warnings' \
                --help 'Show the help of sandbox run' \
                -- 'End of options'
            return
        end
    end

    # Where the command starts: right away with --rootfs, else after the
    # image and an optional "--".
    set -l cmd $i
    if test $rootfs = 0
        if test $i -gt $n
            printf '%s\t%s\n' host "Read-only view of the host's system"
            __sandbox_images | string replace -r -- '$' \tImage
            return
        end
        set cmd (math $i + 1)
        if test $cmd -le $n; and test "$tokens[$cmd]" = --
            set cmd (math $cmd + 1)
        else if test $cmd -gt $n; and string match -q -- '-*' $cur
            printf '%s\t%s\n' -- 'End of options'
            return
        end
    end
    if test $cmd -gt $n
        complete -C "$cur"
    else
        complete -C (string join -- ' ' (string escape -- $tokens[$cmd..-1]) "$cur")
    end
end

complete -c sandbox -f

complete -c sandbox -n '__sandbox_ntokens 1' -a run -d 'Run a command in a sandbox'
complete -c sandbox -n '__sandbox_ntokens 1' -a check -d 'Show what this host supports, and how to fix each gap'
complete -c sandbox -n '__sandbox_ntokens 1' -a profiles -d 'List profiles, show one expanded, list the syscall groups'
complete -c sandbox -n '__sandbox_ntokens 1' -a import -d 'Import an image (docker-save, OCI layout or layer tarballs)'
complete -c sandbox -n '__sandbox_ntokens 1' -a images -d 'List the imported images'
complete -c sandbox -n '__sandbox_ntokens 1' -a rmi -d 'Remove images and the layers no other image uses'
complete -c sandbox -n '__sandbox_ntokens 1' -a rm -d 'Remove what run --name NAME --keep kept'
complete -c sandbox -n '__sandbox_ntokens 1' -a help -d 'Show the help'
complete -c sandbox -n '__sandbox_ntokens 1' -a version -d 'Show the version'
complete -c sandbox -n '__sandbox_ntokens 1' -s h -l help -d 'Show the help'
complete -c sandbox -n '__sandbox_ntokens 1' -l version -d 'Show the version'

complete -c sandbox -n '__sandbox_ntokens 2; and __sandbox_subcommand help' -a run -d 'The options of sandbox run'
complete -c sandbox -n '__sandbox_ntokens 2; and __sandbox_subcommand check' -s h -l help -d 'Show the help of sandbox check'
complete -c sandbox -n '__sandbox_ntokens 2; and __sandbox_subcommand profiles' -a show -d 'Print a profile with includes resolved and variables expanded'
complete -c sandbox -n '__sandbox_ntokens 2; and __sandbox_subcommand profiles' -a groups -d 'List the system call groups'
complete -c sandbox -n '__sandbox_ntokens 2; and __sandbox_subcommand profiles' -s h -l help -d 'Show the help of sandbox profiles'
complete -c sandbox -n '__sandbox_ntokens 3; and __sandbox_subcommand profiles; and test (commandline -opc)[3] = show' -a '(__sandbox_profiles (commandline -ct))'

complete -c sandbox -n '__sandbox_subcommand run' -a '(__sandbox_run_complete)'

complete -c sandbox -n '__sandbox_subcommand import' -F -d 'Archive, OCI layout or layer tarball'
complete -c sandbox -n '__sandbox_subcommand import' -s n -l name -x -d 'Store the image as NAME'
complete -c sandbox -n '__sandbox_subcommand import' -s v -l verbose -d 'Trace each step'
complete -c sandbox -n '__sandbox_subcommand import' -s q -l quiet -d 'Print no warnings'
complete -c sandbox -n '__sandbox_subcommand import' -s h -l help -d 'Show the help of sandbox import'
complete -c sandbox -n '__sandbox_ntokens 2; and __sandbox_subcommand images' -l json -d 'One JSON array, for scripts'
complete -c sandbox -n '__sandbox_ntokens 2; and __sandbox_subcommand images' -s h -l help -d 'Show the help of sandbox images'
complete -c sandbox -n '__sandbox_subcommand rmi' -a '(__sandbox_images)' -d Image
complete -c sandbox -n '__sandbox_subcommand rm' -a '(__sandbox_kept)' -d 'Kept name'
complete -c sandbox -n '__sandbox_ntokens 2; and __sandbox_subcommand rm' -s h -l help -d 'Show the help of sandbox rm'
