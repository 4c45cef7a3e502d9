/*
 * Running lines in a shell (run.c): parsing, expanding, dispatching each
 * statement and checking, recording and tracking what it did; making and
 * freeing a shell. struct shell itself is in core's shell.h.
 */
#ifndef SOCKSTEP_RUN_H
#define SOCKSTEP_RUN_H

#include <stdio.h>

#include "shell.h"

void shell_init(struct shell *, const struct sys_ops *, FILE *, FILE *);
void shell_free(struct shell *);
int shell_run_line(struct shell *, const char *, size_t);
void shell_refuse_line(struct shell *, const char *);
int shell_run_stmt(struct shell *, const struct stmt *);
void shell_finish_stmt(struct shell *, const struct stmt *, int, int);
void shell_close_all(struct shell *);
void shell_sleep(int);
int shell_key(struct shell *, int);
int shell_wait_enter(struct shell *, const char *);
void shell_failed_step(struct shell *);
void shell_pause(struct shell *);
void shell_intro(struct shell *, const char *, size_t);

#endif
