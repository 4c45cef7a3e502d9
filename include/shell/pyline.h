/*
 * Lines of Python's socket API, as the teaching texts write them, turned
 * into the sockstep command each stands for (pyline.c). A bridge, not an
 * interpreter: one call per line, no blocks, no functions.
 */
#ifndef SOCKSTEP_PYLINE_H
#define SOCKSTEP_PYLINE_H

#include <stddef.h>

#include "buf.h"
#include "handle.h"

struct shell;
struct vars;

enum pyline_kind {
	PYLINE_NONE, /* not Python: a command of the shell */
	PYLINE_RUN, /* run cmd, then take its results (res) */
	PYLINE_SET, /* set variable name[0] to text */
	PYLINE_SHOW, /* print text as Python prints it */
	PYLINE_SAY, /* a block statement or import: text says what to type */
	PYLINE_ERROR /* outside the subset: text says so and what to type */
};

/* What the names on the left of a call take once it has run. */
enum pyline_res {
	PYRES_NONE,
	PYRES_DATA, /* name[0] = the bytes received */
	PYRES_DATA_FROM, /* name[0] = the bytes, name[1] = the sender */
	PYRES_ACCEPT, /* name[1] = the peer of the new handle name[0] */
	PYRES_RET, /* name[0] = what the call returned */
	PYRES_LOCAL, /* name[0] = the local address of handle */
	PYRES_PEER, /* name[0] = the peer address of handle */
	PYRES_LET /* let name[0] text: say when --var keeps its value */
};

struct pyline {
	enum pyline_kind kind;
	enum pyline_res res;
	struct buf cmd; /* RUN: the command */
	struct buf text; /* SET: the value; SHOW, SAY, ERROR: the line */
	struct buf after; /* RUN: a line to say after it (a with-block), or "" */
	char name[2][HANDLE_NAME_MAX]; /* the names on the left */
	char handle[HANDLE_NAME_MAX]; /* RUN: the handle the call is made on */
	int import; /* an import of socket */
	size_t next; /* where the line's next statement starts (after ;), or 0 */
};

void pyline_init(struct pyline *);
void pyline_free(struct pyline *);
int pyline_detect(const char *, size_t);
int pyline_translate(const char *, size_t, const struct vars *,
    struct pyline *);
int pyline_answer(struct shell *, const struct pyline *);
void pyline_after(struct shell *, const struct pyline *, int);
void pyline_help(struct shell *);

#endif
