#include "sig.h"

#include <pthread.h>
#include <string.h>

volatile sig_atomic_t sig_int;
volatile sig_atomic_t sig_pipe;
volatile sig_atomic_t sig_end;
volatile sig_atomic_t sig_last;

/* What each caught signal is called where it interrupts a call. */
static const struct {
	int signo;
	const char *what;
} sig_names[] = { { SIGINT, "Ctrl-C" }, { SIGPIPE, "SIGPIPE" },
	{ SIGTERM, "SIGTERM" }, { SIGHUP, "SIGHUP" }, { SIGUSR1, "cancel" },
	{ 0, NULL } };

/*
 * Remembers that a signal came, and which came last (atomically: a job's
 * thread may take a SIGPIPE while the prompt's reads it); nothing else.
 * cancel's SIGUSR1 is not remembered: a job knows it is one.
 */
static void
sig_catch(int signo)
{
	if (signo != SIGUSR1)
		__atomic_store_n(&sig_last, signo, __ATOMIC_RELAXED);
	if (signo == SIGINT)
		sig_int = 1;
	else if (signo == SIGPIPE)
		sig_pipe = 1;
	else if (signo == SIGTERM || signo == SIGHUP)
		sig_end = signo;
}

/* Catches signo with sig_catch, without SA_RESTART. */
static void
sig_set(int signo)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_catch;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	sigaction(signo, &sa, NULL);
}

/*
 * Catches SIGINT, SIGPIPE, SIGTERM, SIGHUP and SIGUSR1 without
 * SA_RESTART, so a blocking call that Ctrl-C (or cancel, in a job)
 * interrupts returns -1 EINTR and a send to a closed peer shows EPIPE;
 * SIGTERM and SIGHUP end the session the same way, with its output
 * flushed and its history saved.
 */
void
sig_install(void)
{
	sigset_t usr;

	sig_set(SIGINT);
	sig_set(SIGPIPE);
	sig_set(SIGTERM);
	sig_set(SIGHUP);
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
	sig_set(SIGUSR1);
}

/*
 * Sets what SIGPIPE does from now on: ignored (set sigpipe ignore), or
 * caught as sig_install catches it. Changes it only when the setting of
 * the shell that sends differs from the last one set, never around a
 * call: background sends overlap, and a save and restore per call would
 * restore out of order.
 */
void
sig_pipe_ignore(int ignore)
{
	static int ignored; /* process state, as the disposition is */
	struct sigaction sa;

	if (ignore == ignored)
		return;
	ignored = ignore;
	if (!ignore) {
		sig_set(SIGPIPE);
		return;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGPIPE, &sa, NULL);
}

/* Returns what the last signal that came is called: "Ctrl-C", "SIGPIPE", ... */
const char *
sig_what(void)
{
	int i, signo = __atomic_load_n(&sig_last, __ATOMIC_RELAXED);

	for (i = 0; sig_names[i].what; i++)
		if (sig_names[i].signo == signo)
			return sig_names[i].what;
	return "a signal";
}

/* Returns 1 when the shell should stop reading: Ctrl-C, SIGTERM or SIGHUP. */
int
sig_stops_input(void)
{
	return sig_int || sig_end;
}
