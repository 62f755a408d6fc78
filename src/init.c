/* init.c: the sandbox's pid 1 (see init.h). It waits with sigwaitinfo on the
 * signals the launcher blocked before the clone, so no signal is lost between
 * fork and loop. Signals the terminal generated (SI_KERNEL) reach every
 * process of the foreground group by themselves and are not relayed again. */
#include "config.h"
#include "init.h"
#include "log.h"

#include <errno.h>
#include <sys/wait.h>

const int relay_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
const int n_relay_signals = sizeof(relay_signals) / sizeof(relay_signals[0]);

void relay_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (int i = 0; i < n_relay_signals; i++)
		sigaddset(set, relay_signals[i]);
}

int exit_status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}

int init_loop(pid_t payload)
{
	sigset_t set;

	relay_sigset(&set);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			return 125;
		}
		if (sig == SIGCHLD) {
			for (;;) {
				int st;
				pid_t p = waitpid(-1, &st, WNOHANG);
				if (p <= 0)
					break;
				if (p == payload)
					return exit_status_of(st);
			}
			continue;
		}
		if (si.si_code != SI_KERNEL)
			kill(payload, sig);
	}
}
