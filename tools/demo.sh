#!/bin/sh
# tools/demo.sh SANDBOX ROOTFS: show, side by side, what the host sees and
# what a command inside the sandbox sees. Run by `make demo`.
set -eu
SANDBOX=$1
ROOTFS=$2

echo "--- on the host"
echo "user:     $(id -un) (uid $(id -u))"
echo "hostname: $(hostname)"
echo "pid ns:   $(stat -L -c %i /proc/self/ns/pid)   net ns: $(stat -L -c %i /proc/self/ns/net)"
echo "clock:    $(date -u '+%Y-%m-%d %H:%M')"
echo
echo "--- inside: $SANDBOX run --rootfs $ROOTFS sh -c ..."
"$SANDBOX" run --rootfs "$ROOTFS" /bin/sh -c '
echo "user:     $(id -un) (uid $(id -u)), uid_map: $(head -1 /proc/self/uid_map | tr -s " ")"
echo "hostname: $(hostname)"
echo "pid ns:   $(stat -L -c %i /proc/self/ns/pid)   net ns: $(stat -L -c %i /proc/self/ns/net)"
echo "processes:"; ps -o pid,user,comm | sed "s/^/          /"
echo "network:  $(ls /sys/class/net | tr "\n" " ")(loopback only)"
printf "write /:  "; touch /x 2>&1 || true
printf "set clock 1985-10-26 01:15: "; date -s "1985-10-26 01:15" 2>&1 >/dev/null | sed "s/^date: //"
'
echo
echo "--- back on the host"
echo "clock:    $(date -u '+%Y-%m-%d %H:%M') (unchanged)"
