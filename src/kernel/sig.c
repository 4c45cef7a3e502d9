#include "sig.h"

#include <pthread.h>
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
 * Catches SIGINT, SIGPIPE and SIGUSR1 without SA_RESTART, so a blocking
 * call that Ctrl-C (or cancel, in a job) interrupts returns -1 EINTR and a
 * send to a closed peer shows EPIPE.
 */
void
sig_install(void)
{
	struct sigaction sa;
	sigset_t usr;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_catch;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	/* cancel N interrupts a job's call; only a job's thread takes it */
	sig_install_cancel();
	sigemptyset(&usr);
	sigaddset(&usr, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr, NULL);
}

/* Makes sure SIGUSR1 interrupts a call rather than ending the process. */
void
sig_install_cancel(void)
{
	struct sigaction sa;

	if (sigaction(SIGUSR1, NULL, &sa) == 0 && sa.sa_handler == sig_catch)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_catch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}
