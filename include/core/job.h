/*
 * Background calls: a statement ending in '&' runs in a thread of its own,
 * which makes the real blocking call while the prompt goes on. The thread
 * and the prompt take turns: only one of them runs shell code at a time,
 * and a job's thread lets go of the shell only while it is in its call.
 * A job's state belongs to the lock (jobs.mu): read it with job_turn_state
 * or from what job_turn_give returns.
 */
#ifndef SOCKSTEP_JOB_H
#define SOCKSTEP_JOB_H

#include <pthread.h>
#include <sys/types.h>

#include "handle.h"
#include "parse.h"
#include "sys.h"

struct shell;
struct cmd_entry;

enum job_state {
	JOB_RUNNING, /* its thread has the turn: it runs shell code */
	JOB_IN_CALL, /* in its system call; the prompt goes on */
	JOB_RETURNED, /* the call returned; it waits to be shown */
	JOB_DONE /* the command has finished */
};

struct job {
	int id;
	enum job_state state;
	int cancel; /* cancel N asked it to stop */
	int rc; /* the command's result, once done */
	pthread_t thread;
	pid_t tid;
	int procfd; /* its /proc/self/task/TID/syscall, or -1 */
	const char *call; /* the call it is in: "accept", "recv", ... */
	char hname[HANDLE_NAME_MAX]; /* the handle it waits on */
	int fd; /* that handle's fd */
	int *waits; /* the fds a poll or select waits on */
	int nwaits;
	char newname[HANDLE_NAME_MAX]; /* the name it gives a new handle */
	char *text; /* the statement, as shown */
	long line; /* the line it was typed on, for its expectation */
	struct stmt st; /* its own copy of the statement, without '&' */
	struct shell *sh;
	/*
	 * Set before its thread starts, never changed after: the calls as
	 * the prompt makes them, and the same giving the turn back around
	 * the blocking ones.
	 */
	const struct sys_ops *real;
	struct sys_ops ops;
};

struct jobs {
	struct job **v;
	int n;
	int next_id;
	pthread_mutex_t mu; /* guards turn and every job's state */
	pthread_cond_t cv; /* signalled at every change of either */
	struct job *turn; /* whose thread runs shell code; NULL: the prompt's */
	int by_process; /* the last number went to a program started in the */
	/* background (trace PROGRAM &): its statement finishes at once */
	/* set by the shell above: how a statement ending in '&' starts a */
	/* job (job_init), and how a job's statement is finished (shell_init) */
	int (*start)(struct shell *, const struct cmd_entry *,
	    const struct stmt *, const struct handle *);
	void (*finish)(struct shell *, const struct stmt *, int, int);
};

/* state.c: what the calls and views below the shell may ask of the jobs */
extern _Thread_local struct job *job_self; /* NULL in the prompt's thread */
struct job *job_current(void);
int job_stopping(void);
int job_using(const struct shell *, const struct handle *);
int job_naming(const struct shell *, const char *);

#endif
