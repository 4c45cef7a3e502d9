/* Running a session: interactively at a prompt, or from a script or pipe. */
#ifndef SOCKSTEP_REPL_H
#define SOCKSTEP_REPL_H

#include <stdio.h>

struct shell;

int repl_run(struct shell *);
int repl_script(struct shell *, FILE *, const char *);

#endif
