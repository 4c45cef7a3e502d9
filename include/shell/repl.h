/* Running a session's lines from a script, a pipe or -c, without a prompt; its end. */
#ifndef SOCKSTEP_REPL_H
#define SOCKSTEP_REPL_H

#include <stdio.h>
#include <sys/types.h>

struct shell;

int repl_script(struct shell *, FILE *, const char *);
void repl_goodbye(struct shell *);
ssize_t repl_getline(FILE *, char **, size_t *, size_t);
void repl_line(struct shell *, const char *, size_t);
int repl_ended(struct shell *, int);

#endif
