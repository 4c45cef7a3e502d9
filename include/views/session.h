/* The statements a session has run, packed a few bytes each, read back in order. */
#ifndef SOCKSTEP_SESSION_H
#define SOCKSTEP_SESSION_H

#include <stddef.h>

#include "handle.h"

/* One statement run, with what it returned and the handles it named. */
struct session_entry {
	char **argv; /* the words, decoded; may hold NULs */
	size_t *len;
	int *kind; /* enum tok_kind of each word */
	int argc;
	int made; /* a call was made */
	long ret;
	int err;
	char hname[HANDLE_NAME_MAX]; /* the handle argument 1 named, or "" */
	int family; /* its family and type, when it is a handle */
	int type;
	char made_names[2][HANDLE_NAME_MAX]; /* handles the statement created */
	char kid[HANDLE_NAME_MAX]; /* the child that ran it (@NAME), or "" */
};

struct session;
struct stmt;

/* A walk through a session's statements, first to last. */
struct session_iter {
	const struct session *s;
	size_t block, off, i;
	struct session_entry e; /* the statement read last */
	int cap; /* room in e's arrays */
};

void session_put(struct session **, const struct session_entry *);
size_t session_count(const struct session *);
void session_destroy(struct session *);
void session_iter_start(struct session_iter *, const struct session *);
const struct session_entry *session_iter_next(struct session_iter *);
void session_iter_end(struct session_iter *);
void session_entry_stmt(const struct session_entry *, struct stmt *);

#endif
