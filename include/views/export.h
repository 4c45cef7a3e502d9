/* The statements a session has run and what they returned, and the programs made from them. */
#ifndef SOCKSTEP_EXPORT_H
#define SOCKSTEP_EXPORT_H

#include <stdio.h>

#include "session.h"

struct shell;
struct stmt;
struct buf;

void session_add(struct shell *, const struct stmt *, int);
void session_add_child(struct shell *, const struct stmt *, int);
void session_free(struct shell *);
int session_python_line(struct shell *, const struct session_entry *,
    struct buf *);
int session_export(struct shell *, const char *, FILE *);

#endif
