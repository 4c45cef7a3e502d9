/* A program being written from a session (export), shared by its generators. */
#ifndef SOCKSTEP_GEN_H
#define SOCKSTEP_GEN_H

#include <stddef.h>

#include "handle.h"

#define GEN_FORKS_MAX 64 /* children an exported program can drive */

struct buf;
struct session_entry;
struct shell;

/* A child the program forks: the pipes of slot give it its turns. */
struct gen_kid {
	char name[HANDLE_NAME_MAX];
	int slot;
	int exited; /* @NAME exit ran */
	int reaped; /* waitpid NAME ran */
};

/* A program being written: its language, and the handles it has named so far. */
struct gen {
	struct shell *sh;
	int py; /* Python, else C */
	struct buf *b;
	const char *indent;
	char (*names)[HANDLE_NAME_MAX];
	size_t nnames;
	struct gen_kid *kids; /* every fork, in order */
	size_t nkids;
	int side; /* the open block: -1 none, 0 the shell's, k + 1 child k's */
	int alone; /* one line, for set python on: no helpers */
};

void gen_ident(struct gen *, const char *);
int gen_fork(struct gen *, const struct session_entry *);
int gen_waitpid(struct gen *, const struct session_entry *);
int gen_exit(struct gen *, const struct session_entry *);
int gen_side(const struct gen *, const struct session_entry *);
void gen_switch(struct gen *, struct buf *, int);
void gen_forks_head(struct gen *, struct buf *, const struct session_entry *);
void gen_forks_end(struct gen *, struct buf *);
void gen_forks_decl(struct gen *, struct buf *, int);

#endif
