/* Recording a session as a lesson, with each observed result as its expectation. */
#ifndef SOCKSTEP_RECORD_H
#define SOCKSTEP_RECORD_H

#include <stddef.h>

struct buf;
struct shell;
struct stmt;

int record_start(struct shell *, const char *, int);
void record_stop(struct shell *);
void record_prepare(struct shell *, const struct stmt *, struct buf *);
void record_stmt(struct shell *, const struct stmt *, int, const struct buf *);
void record_line(struct shell *, const char *, size_t);

#endif
