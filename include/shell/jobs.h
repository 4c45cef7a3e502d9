/*
 * Background jobs, as the shell runs them: job.c starts, checks, waits for
 * and ends them; job-turn.c runs each in a thread of its own that takes
 * turns with the prompt. Their types are in core's job.h.
 */
#ifndef SOCKSTEP_JOBS_H
#define SOCKSTEP_JOBS_H

#include "job.h"

/* job.c: the jobs as the prompt sees them */
void job_init(struct shell *);
int job_start(struct shell *, const struct cmd_entry *, const struct stmt *,
    const struct handle *);
int job_check(struct shell *, int);
int job_grace(const struct shell *);
int job_wait(struct shell *, int);
void job_cancel(struct shell *, int);
int job_find(const struct shell *, int);
int job_returned(struct shell *);
int job_end(struct shell *);
void job_free(struct shell *);

/* job-turn.c: threads, turns, and what the kernel says of them */
void job_turn_init(struct shell *);
void job_turn_free(struct shell *);
int job_turn_spawn(struct job *);
enum job_state job_turn_give(struct shell *, struct job *);
enum job_state job_turn_state(struct shell *, const struct job *);
int job_turn_wait(struct shell *, int);
int job_turn_in_kernel(const struct job *);
int job_turn_signal(struct job *);

#endif
