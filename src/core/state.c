/*
 * What any layer may ask of the session's state: which job the calling
 * thread runs, whether it should stop, which jobs hold a handle or a name,
 * and where the session is. Plain reads of struct shell and struct jobs,
 * kept here, below the calls and the views that ask them, so that the
 * shell above (job.c, job-turn.c) is never called from below.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "job.h"
#include "shell.h"
#include "sig.h"

/* The job this thread runs, or NULL in the prompt's own thread. */
_Thread_local struct job *job_self;

/* Returns the job of the calling thread, or NULL for the prompt's. */
struct job *
job_current(void)
{
	return job_self;
}

/* Returns 1 when the calling code should stop: Ctrl-C, or cancel for a job. */
int
job_stopping(void)
{
	struct job *j = job_self;
	int stop;

	if (j == NULL)
		return sig_int != 0;
	pthread_mutex_lock(&j->sh->jobs.mu);
	stop = j->cancel;
	pthread_mutex_unlock(&j->sh->jobs.mu);
	return stop;
}

/* Returns 1 when job j's poll or select waits on fd. */
static int
job_waits_on(const struct job *j, int fd)
{
	int i;

	for (i = 0; i < j->nwaits; i++)
		if (j->waits[i] == fd)
			return 1;
	return 0;
}

/* Returns the id of a job whose call waits on handle h, or 0. */
int
job_using(const struct shell *sh, const struct handle *h)
{
	const struct job *j;
	int i;

	for (i = 0; i < sh->jobs.n; i++) {
		j = sh->jobs.v[i];
		if ((j->fd == h->fd && strcmp(j->hname, h->name) == 0) ||
		    job_waits_on(j, h->fd))
			return j->id;
	}
	return 0;
}

/* Returns the id of a job that will give its new handle this name, or 0. */
int
job_naming(const struct shell *sh, const char *name)
{
	int i;

	for (i = 0; i < sh->jobs.n; i++)
		if (strcmp(sh->jobs.v[i]->newname, name) == 0)
			return sh->jobs.v[i]->id;
	return 0;
}

/* Writes where the session is now, "line 14", for remembering closed names. */
void
shell_where(struct shell *sh, char *out, size_t len)
{
	char n[TEXT_LONG_MAX];

	text_copy(out, len, "line "); /* no printf: every close asks */
	text_copy(out + strlen(out), len - strlen(out), text_long(n, sh->line));
}
