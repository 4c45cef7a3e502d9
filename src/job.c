#include "job.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "handle.h"
#include "out.h"
#include "parse.h"
#include "record.h"
#include "shell.h"
#include "xalloc.h"

/*
 * Starts a background job for st on handle h: nothing is called now; the
 * call is made, once, when poll says h is ready, so it returns at once.
 */
void
job_add(struct shell *sh, const struct stmt *st, const struct handle *h)
{
	struct jobs *js = &sh->jobs;
	struct job *j;
	struct buf b;

	buf_init(&b);
	record_format_stmt(&b, st);
	js->v = xrealloc(js->v, (size_t)(js->n + 1) * sizeof(*js->v));
	j = &js->v[js->n++];
	j->id = ++js->next_id;
	j->fd = h->fd;
	snprintf(j->hname, sizeof(j->hname), "%s", h->name);
	j->text = xstrdup(buf_str(&b));
	buf_free(&b);
	out_meaning(sh, "[%d] %s &", j->id, j->text);
	out_note(sh,
	    "runs in the background: %s is made the moment %s is "
	    "ready, and its result comes as job [%d] (jobs, wait, cancel)",
	    st->argv[0].text, h->name, j->id);
}

/* Returns the index of job id, or -1. */
int
job_find(const struct shell *sh, int id)
{
	int i;

	for (i = 0; i < sh->jobs.n; i++)
		if (sh->jobs.v[i].id == id)
			return i;
	return -1;
}

/* Forgets job i without making its call. */
void
job_drop(struct shell *sh, int i)
{
	struct jobs *js = &sh->jobs;

	free(js->v[i].text);
	js->v[i] = js->v[--js->n];
}

/* Runs job i now that its handle is ready, then forgets it. */
static void
job_run(struct shell *sh, int i)
{
	struct job j = sh->jobs.v[i];
	const struct handle *h = handle_find(&sh->handles, j.hname);

	sh->jobs.v[i].text = NULL;
	job_drop(sh, i);
	if (h == NULL || h->fd != j.fd) {
		out_line(sh, "[%d] dropped: %s was closed before it was ready",
		    j.id, j.hname);
	} else {
		out_line(sh, "[%d] %s is ready: %s", j.id, j.hname, j.text);
		shell_run_line(sh, j.text, strlen(j.text));
	}
	free(j.text);
}

/*
 * Waits up to timeout ms (-1: for ever, 0: just a look) for background
 * jobs' handles to be ready and runs those that are. Returns how many ran,
 * or -1 when Ctrl-C interrupted the wait.
 */
int
job_check(struct shell *sh, int timeout)
{
	struct pollfd *pf;
	size_t i, nj = sh->jobs.n > 0 ? (size_t)sh->jobs.n : 0;
	int n, ran = 0, *ids;

	if (nj == 0)
		return 0;
	pf = xcalloc(nj, sizeof(*pf));
	ids = xcalloc(nj, sizeof(*ids));
	for (i = 0; i < nj; i++) {
		pf[i].fd = sh->jobs.v[i].fd;
		pf[i].events = POLLIN;
		ids[i] = sh->jobs.v[i].id;
	}
	n = poll(pf, nj, timeout);
	if (n == -1 && errno == EINTR)
		ran = -1;
	for (i = 0; n > 0 && i < nj; i++) {
		int k = job_find(sh, ids[i]);

		if (pf[i].revents && k >= 0) {
			job_run(sh, k);
			ran++;
		}
	}
	free(ids);
	free(pf);
	return ran;
}

/* Forgets every job, saying which calls were never made. */
void
job_free(struct shell *sh)
{
	if (sh->jobs.n)
		out_note(sh, "%d background call%s never made", sh->jobs.n,
		    sh->jobs.n == 1 ? " was" : "s were");
	while (sh->jobs.n)
		job_drop(sh, 0);
	free(sh->jobs.v);
	memset(&sh->jobs, 0, sizeof(sh->jobs));
}
