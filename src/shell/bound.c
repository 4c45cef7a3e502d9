#include "bound.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shell.h"
#include "sig.h"

volatile sig_atomic_t bound_expired;

/* What a call that blocks is waiting for, by command name. */
static const struct {
	const char *name;
	const char *what;
} bound_waits[] = {
	{ "accept", "a connection in the listen queue" },
	{ "connect", "the handshake to finish" },
	{ "connect_ex", "the handshake to finish" },
	{ "recv", "data or the end of the stream" },
	{ "recvfrom", "a datagram or data" },
	{ "send", "room in the send buffer" },
	{ "sendall", "room in the send buffer" },
	{ "sendto", "room in the send buffer" },
	{ "poll", "an event on one of its sockets" },
	{ "select", "an event on one of its sockets" },
	{ "wait", "a background call to return" },
	{ NULL, NULL },
};

/* Marks the bound as run out and interrupts the call, as Ctrl-C would. */
static void
bound_catch(int signo)
{
	(void)signo;
	bound_expired = 1;
	sig_int = 1;
}

/*
 * Starts the clock of one statement in check mode: SIGALRM reaches this
 * thread (not a job's) after sh->bound_s seconds, without SA_RESTART, so
 * the blocking call returns EINTR. Returns 0, or -1 when no bound is set.
 */
int
bound_arm(struct shell *sh)
{
	struct sigevent sev;
	struct itimerspec its;
	struct sigaction sa;
	int secs = sh->bound_cli > 0 ? sh->bound_cli : sh->bound_s;

	bound_expired = 0;
	if (sh->mode != MODE_CHECK || secs <= 0 || sh->bound_on)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bound_catch;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, &sh->bound_timer) == -1)
		return -1;
	memset(&its, 0, sizeof(its));
	its.it_value.tv_sec = secs;
	if (timer_settime(sh->bound_timer, 0, &its, NULL) == -1) {
		timer_delete(sh->bound_timer);
		return -1;
	}
	sh->bound_on = 1;
	return 0;
}

/* Stops the clock of the statement that ran. */
void
bound_disarm(struct shell *sh)
{
	if (!sh->bound_on)
		return;
	timer_delete(sh->bound_timer);
	sh->bound_on = 0;
}

/* Returns what the command name's call waits for, or "its result". */
const char *
bound_waits_for(const char *name)
{
	int i;

	for (i = 0; bound_waits[i].name; i++)
		if (strcmp(bound_waits[i].name, name) == 0)
			return bound_waits[i].what;
	return "its result";
}
