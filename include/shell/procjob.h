/*
 * Programs run in the background under a tracer (trace PROGRAM &): each
 * a numbered job among the shell's background calls, its output (the
 * tracer's lines and its own) read through a pipe and shown between
 * statements, its call lines kept for expect trace N CALL.
 */
#ifndef SOCKSTEP_PROCJOB_H
#define SOCKSTEP_PROCJOB_H

#include <stddef.h>

struct shell;
struct call_result;

int procjob_start(struct shell *, char *const *, const char *);
void procjob_drain(struct shell *);
int procjob_exists(const struct shell *, int);
int procjob_wait(struct shell *, int);
int procjob_next_call(struct shell *, int, const char *, struct call_result *);
int procjob_list(struct shell *);
void procjob_end(struct shell *);
int procjob_parse_call(const char *, char *, size_t, struct call_result *);

#endif
