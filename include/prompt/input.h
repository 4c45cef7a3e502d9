/* Reading lines: readline, libedit or plain stdio, chosen at build time. */
#ifndef SOCKSTEP_INPUT_H
#define SOCKSTEP_INPUT_H

#include <stddef.h>

struct shell;

const char *input_backend(void);
void input_open(struct shell *);
char *input_read(const char *, size_t *, int *);
void input_add_history(const char *);
void input_drop_typed(struct shell *);
void input_close(void);

#endif
