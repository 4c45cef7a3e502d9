/* Everything the shell prints: call lines, their meaning, and usage errors. */
#ifndef SOCKSTEP_OUT_H
#define SOCKSTEP_OUT_H

#include <stddef.h>

struct shell;

size_t out_width(struct shell *);
void out_call(struct shell *, const char *, long, int);
void out_call_shown(struct shell *, const char *, long, int, const char *);
void out_meaning(struct shell *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void out_note(struct shell *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void out_error(struct shell *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
void out_line(struct shell *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Write errors on the output: the shell stops, and the exit says so. */
int out_flush(struct shell *);
int out_broken(struct shell *);
void out_exit_check(void);

#endif
