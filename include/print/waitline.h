/*
 * The line of a call that waits, on a terminal: after a moment, the call
 * line up to where it waits (as strace shows an unfinished call) and how
 * to get out of it; taken off the screen again when the call returns.
 */
#ifndef SOCKSTEP_WAITLINE_H
#define SOCKSTEP_WAITLINE_H

#include <stddef.h>

struct shell;

void waitline_begin(struct shell *, const char *);
void waitline_end(void);
int waitline_was_shown(void);
size_t waitline_unechoed(void);
void waitline_echoed(size_t);

#endif
