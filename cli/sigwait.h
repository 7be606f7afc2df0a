/* SIGINT/SIGTERM for the real-UDP verbs (peer, load): blocked except inside the loop's wait (ppoll/epoll_pwait),
 * so a signal always ends the wait it arrives in; the verb then sees which one with cli_signal(). */
#ifndef CLI_SIGWAIT_H
#define CLI_SIGWAIT_H

#include <signal.h>

typedef struct cli_sigstate {
	struct sigaction old_int, old_term;
	sigset_t old_mask;
} cli_sigstate;

/* Installs the handler, blocks both signals, forgets any earlier one; *waitmask: the mask to wait with. */
void cli_signals_on(cli_sigstate *s, sigset_t *waitmask);
/* Restores the handlers and mask cli_signals_on found. */
void cli_signals_off(const cli_sigstate *s);
/* SIGINT or SIGTERM if one arrived since cli_signals_on (or cli_signal_clear), else 0. */
int cli_signal(void);
void cli_signal_clear(void);
/* How many signals arrived since cli_signals_on: a second Ctrl-C is told from the first. */
int cli_signal_count(void);

#endif
