/* SIGINT/SIGTERM handling shared by `ikesim peer` and `ikesim load` (sigwait.h). */
#include "sigwait.h"

#include <string.h>

/* The one thing a signal handler may set: a process-wide flag. */
static volatile sig_atomic_t cli_sig, cli_sig_n;

static void on_signal(int sig)
{
	cli_sig = sig;
	cli_sig_n++;
}

void cli_signals_on(cli_sigstate *s, sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	cli_sig = cli_sig_n = 0;
	sigaction(SIGINT, &sa, &s->old_int);
	sigaction(SIGTERM, &sa, &s->old_term);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &s->old_mask);
	*waitmask = s->old_mask;
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
}

void cli_signals_off(const cli_sigstate *s)
{
	sigprocmask(SIG_SETMASK, &s->old_mask, NULL);
	sigaction(SIGINT, &s->old_int, NULL);
	sigaction(SIGTERM, &s->old_term, NULL);
}

int cli_signal(void) { return cli_sig; }

int cli_signal_count(void) { return cli_sig_n; }

void cli_signal_clear(void) { cli_sig = 0; }
