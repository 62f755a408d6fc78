# base: the kernel-facing rules every shipped profile starts from
# Calls that act on the whole machine or reach the kernel in ways a
# sandboxed program has no use for are refused with EPERM, and sandbox says
# which one was refused and how to grant it.
seccomp-deny @clock @reboot @module @swap @raw-io @keyring @debug @obsolete
seccomp-deny @cpu-emulation @tty-inject
seccomp-deny bpf userfaultfd open_by_handle_at acct quotactl syslog vhangup
# personality: only the flags that weaken the process (no ASLR, ...)
seccomp-deny personality
caps default
