/* init.h: pid 1 of the sandbox's pid namespace. */
#ifndef SB_INIT_H
#define SB_INIT_H

#include <signal.h>
#include <sys/types.h>

/* Signals relayed to the command (and by the monitor to init). */
extern const int relay_signals[];
extern const int n_relay_signals;
/* relay_signals plus SIGCHLD, blocked in the monitor before the clone. */
void relay_sigset(sigset_t *set);

/* Reap every child, relay signals sent with kill(2) to `payload`, and return
 * the exit status to leave with when `payload` ends: its own, or 128+N when
 * it died of signal N. Orphans die with the pid namespace after that. */
int init_loop(pid_t payload);

/* Exit status for a wait(2) status. */
int exit_status_of(int wstatus);

#endif
