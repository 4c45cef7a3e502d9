/* Running a session's lines from a script, a pipe or -c, without a prompt; its end. */
#ifndef SOCKSTEP_REPL_H
#define SOCKSTEP_REPL_H

#include <stdio.h>

struct shell;

int repl_script(struct shell *, FILE *, const char *);
void repl_goodbye(struct shell *);

#endif
