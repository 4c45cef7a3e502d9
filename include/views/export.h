/* The statements a session has run and what they returned, and the programs made from them. */
#ifndef SOCKSTEP_SESSION_H
#define SOCKSTEP_SESSION_H

#include <stdio.h>

struct shell;
struct stmt;
struct buf;

/* One statement run, with what it returned and the handles it named. */
struct session_entry {
	char **argv; /* the words, decoded; may hold NULs */
	size_t *len;
	int *kind; /* enum tok_kind of each word */
	int argc;
	int made; /* a call was made */
	long ret;
	int err;
	char hname[32]; /* the handle argument 1 named, or "" */
	int family; /* its family and type, when it is a handle */
	int type;
	char made_names[2][32]; /* handles the statement created */
};

struct session {
	struct session_entry *v;
	size_t n;
	size_t cap;
};

void session_add(struct shell *, const struct stmt *, int);
void session_free(struct shell *);
int session_python_line(struct shell *, const struct session_entry *,
    struct buf *);
int session_export(struct shell *, const char *, FILE *);

#endif
