#include "sig.h"

#include <string.h>

volatile sig_atomic_t sig_int;
volatile sig_atomic_t sig_pipe;

/* Remembers that a signal came, and nothing else. */
static void
sig_catch(int signo)
{
	if (signo == SIGINT)
		sig_int = 1;
	else if (signo == SIGPIPE)
		sig_pipe = 1;
}

/*
 * Catches SIGINT and SIGPIPE without SA_RESTART, so a blocking call that
 * Ctrl-C interrupts returns -1 EINTR and a send to a closed peer shows EPIPE.
 */
void
sig_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_catch;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
}
