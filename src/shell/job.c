#include "jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "cmd.h"
#include "note.h"
#include "out.h"
#include "record.h"
#include "shell.h"
#include "sig.h"
#include "track.h"
#include "xalloc.h"

#define JOB_SETTLE_MS 1000 /* how long a woken job may take to return */
#define JOB_GRACE_MS 10 /* how long a wake-up may take after a call */
#define JOB_CANCEL_MS 2000 /* how long cancel keeps signalling */
#define JOB_TEXT_MAX 64 /* a job's statement as shown */

/* Makes sh's list of jobs empty and ready. */
void
job_init(struct shell *sh)
{
	memset(&sh->jobs, 0, sizeof(sh->jobs));
	sh->jobs.start = job_start;
	job_turn_init(sh);
}

/* Returns the index of job id, or -1. */
int
job_find(const struct shell *sh, int id)
{
	int i;

	for (i = 0; i < sh->jobs.n; i++)
		if (sh->jobs.v[i]->id == id)
			return i;
	return -1;
}

/* Frees a job whose thread has ended. */
static void
job_delete(struct job *j)
{
	if (j->procfd >= 0)
		close(j->procfd);
	free(j->waits);
	free(j->text);
	parse_stmt_free(&j->st);
	free(j);
}

/* Takes job i off the list (its thread has ended) and frees it. */
static void
job_forget(struct shell *sh, int i)
{
	struct jobs *js = &sh->jobs;

	job_delete(js->v[i]);
	memmove(js->v + i, js->v + i + 1,
	    (size_t)(js->n - i - 1) * sizeof(*js->v));
	js->n--;
}

/* Returns 1 when cmd sends data: with set sigpipe default that happens in a child. */
static int
job_sends(const struct cmd_entry *cmd)
{
	return strncmp(cmd->name, "send", 4) == 0;
}

/*
 * Starts st (which ends in '&') as a job: its own thread runs the command
 * up to its system call, and the prompt goes on while the call waits.
 * Returns CMD_OK, or what the command returned if it stopped before
 * making a call.
 */
int
job_start(struct shell *sh, const struct cmd_entry *cmd, const struct stmt *st,
    const struct handle *h)
{
	struct jobs *js = &sh->jobs;
	struct job *j;
	struct buf b;
	int err, rc;

	if (job_sends(cmd) && sh->sigpipe == SHELL_SIGPIPE_DEFAULT)
		return cmd_usage(sh, cmd,
		    "with set sigpipe default each send is made in a "
		    "child process, which cannot run in the background (set "
		    "sigpipe catch first)");
	j = xcalloc(1, sizeof(*j));
	j->sh = sh;
	j->procfd = -1;
	j->line = sh->line;
	j->id = js->next_id + 1;
	j->fd = h ? h->fd : -1;
	snprintf(j->hname, sizeof(j->hname), "%s", h ? h->name : "");
	parse_stmt_copy(&j->st, st);
	j->st.background = 0;
	buf_init(&b);
	parse_format_stmt(&b, st);
	if (b.len > JOB_TEXT_MAX) /* long data: the start is enough */
		memcpy(b.p + JOB_TEXT_MAX - 3, "...", 4);
	j->text = xstrdup(buf_str(&b));
	buf_free(&b);
	if ((err = job_turn_spawn(j)) != 0) {
		out_error(sh, "cannot start a thread for %s: %s", cmd->name,
		    strerror(err));
		job_delete(j);
		return CMD_ERR;
	}
	if (job_turn_give(sh, j) == JOB_DONE) { /* it stopped before its call */
		rc = j->rc;
		job_delete(j);
		return rc;
	}
	js->v = xrealloc(js->v, (size_t)(js->n + 1) * sizeof(*js->v));
	js->v[js->n++] = j;
	js->next_id = j->id;
	out_meaning(sh, "[%d] %s &", j->id, j->text);
	note_say(sh, "job.thread",
	    "%s runs in a thread of its own, so the prompt is free; "
	    "its result comes as job [%d] when it returns (jobs, wait, "
	    "cancel)",
	    cmd->name, j->id);
	if (strncmp(j->call, "accept", 6) == 0)
		note_say(sh, "job.accept-fd",
		    "a blocked accept already holds the lowest free fd for "
		    "the socket it will return: the next socket gets the one "
		    "after");
	return CMD_OK;
}

/* Shows job i, whose call returned: its call line, meaning and state changes. */
static void
job_show(struct shell *sh, int i)
{
	struct job *j = sh->jobs.v[i];
	long now;

	out_line(sh, "[%d] returned: %s", j->id, j->text);
	track_resume(sh, &j->st);
	if (job_turn_give(sh, j) != JOB_DONE) { /* sendall: one send returned */
		track_end(sh, &j->st, CMD_OK);
		out_meaning(sh, "[%d] waits again, in %s", j->id, j->call);
		return;
	}
	now = sh->line;
	sh->line = j->line; /* an expectation that fails names the job's line */
	sh->jobs.finish(sh, &j->st, j->rc, 0);
	sh->line = now;
	job_forget(sh, i);
}

/* Returns the milliseconds since start. */
static long
job_ms_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000L +
	    (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/*
 * Waits, up to JOB_SETTLE_MS, for a job that is on its way back from its
 * call (the kernel says it no longer sleeps in it) to return; and until
 * grace ms after start for one still asleep, which a packet on its way
 * (the last ACK of a handshake, handled on another CPU) may yet wake.
 */
static void
job_settle(struct shell *sh, const struct job *j, const struct timespec *start,
    int grace)
{
	int ms;

	for (ms = 0; ms < JOB_SETTLE_MS; ms++) {
		if (job_turn_state(sh, j) != JOB_IN_CALL)
			return;
		if (job_turn_in_kernel(j) && job_ms_since(start) >= grace)
			return;
		job_turn_wait(sh, 1);
	}
}

/* Returns the index of the first job whose call has returned, or -1. */
static int
job_next_returned(struct shell *sh, const struct timespec *start, int grace)
{
	int i;

	for (i = 0; i < sh->jobs.n; i++) {
		job_settle(sh, sh->jobs.v[i], start, grace);
		if (job_turn_state(sh, sh->jobs.v[i]) == JOB_RETURNED)
			return i;
	}
	return -1;
}

/*
 * Shows every job whose call has returned, after giving those that the
 * last command woke the moment they need to return (up to grace ms, for
 * a wake-up still on its way), so that a job's notice usually follows
 * the command that let it go on; wait N makes sure. Returns how many.
 */
int
job_check(struct shell *sh, int grace)
{
	struct timespec start;
	int i, shown = 0;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while ((i = job_next_returned(sh, &start, grace)) >= 0) {
		job_show(sh, i);
		shown++;
	}
	return shown;
}

/* How long to give jobs to return after a statement: only one that made a call could wake them. */
int
job_grace(const struct shell *sh)
{
	return sh->last.made ? JOB_GRACE_MS : 0;
}

/* Returns 1 when some job's call has returned and waits to be shown. */
int
job_returned(struct shell *sh)
{
	int i;

	for (i = 0; i < sh->jobs.n; i++)
		if (job_turn_state(sh, sh->jobs.v[i]) == JOB_RETURNED)
			return 1;
	return 0;
}

/*
 * Waits until job id (0: every job) has finished, showing each as it
 * returns. Returns 0, or -1 when Ctrl-C (or SIGTERM, SIGHUP) stopped the
 * wait.
 */
int
job_wait(struct shell *sh, int id)
{
	out_flush(sh); /* what was printed is out before the wait */
	for (;;) {
		job_check(sh, 0);
		if (sh->jobs.n == 0 || (id && job_find(sh, id) < 0))
			return 0;
		if (job_turn_wait(sh, 50) == -1 || sig_end)
			return -1;
	}
}

/*
 * Ends job i: SIGUSR1 to its thread interrupts its call (EINTR, or what
 * the call had done by then), and the job is shown as it returns.
 */
void
job_cancel(struct shell *sh, int i)
{
	struct job *j = sh->jobs.v[i];
	int id = j->id, ms;

	if (job_turn_state(sh, j) == JOB_RETURNED) {
		out_meaning(sh, "[%d] its %s had already returned", id,
		    j->call);
		job_check(sh, 0);
		return;
	}
	pthread_mutex_lock(&sh->jobs.mu);
	j->cancel = 1;
	pthread_mutex_unlock(&sh->jobs.mu);
	out_meaning(sh,
	    "[%d] cancel: SIGUSR1 to the job's thread interrupts its %s", id,
	    j->call);
	for (ms = 0; ms < JOB_CANCEL_MS; ms++) {
		if (job_turn_state(sh, j) != JOB_IN_CALL)
			break;
		job_turn_signal(j);
		job_turn_wait(sh, 1);
	}
	if (ms == JOB_CANCEL_MS) {
		out_error(sh, "[%d] %s did not return; the job goes on", id,
		    j->call);
		return;
	}
	while ((i = job_find(sh, id)) >= 0 &&
	    job_turn_state(sh, sh->jobs.v[i]) == JOB_RETURNED)
		job_show(sh, i);
}

/*
 * Cancels every job still running, saying so: the session ends. Returns
 * how many would not stop (their threads are left alone).
 */
int
job_end(struct shell *sh)
{
	struct jobs *js = &sh->jobs;
	int stuck = 0;

	while (js->n > 0) {
		int id = js->v[0]->id;

		note_say(sh, "job.at-exit",
		    "[%d] %s & is still running as the session ends", id,
		    js->v[0]->text);
		job_cancel(sh, 0);
		if (job_find(sh, id) == 0) { /* it would not stop */
			js->v[0] = js->v[--js->n];
			stuck++;
		}
	}
	return stuck;
}

/* Ends every job, then frees what the list holds. */
void
job_free(struct shell *sh)
{
	int stuck = job_end(sh);

	free(sh->jobs.v);
	sh->jobs.v = NULL;
	if (stuck == 0)
		job_turn_free(sh);
}
