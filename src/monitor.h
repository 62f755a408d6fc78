/* monitor.h: the monitor's life once the command runs: one poll loop for
 * signals, the seccomp listener and the user-mode network, and the
 * confinement of the monitor itself when it parses untrusted packets. */
#ifndef SB_MONITOR_H
#define SB_MONITOR_H

#include <sys/types.h>

#include "net.h"
#include "scnotify.h"

/* Until `child` (the sandbox's init) exits: relay signals sent with
 * kill(2), answer the listener, move packets. Returns the exit status. */
int monitor_run(pid_t child, struct scnotify *notify, struct net *net);

/* Restrict the monitor to the calls its loop needs (seccomp allow-list),
 * with no_new_privs and no capabilities. */
int monitor_confine(sb_error *err);

#endif
