/* The session's connections as a message sequence chart, in text or SVG. */
#ifndef SOCKSTEP_DIAGRAM_H
#define SOCKSTEP_DIAGRAM_H

#include <stddef.h>
#include <stdio.h>

struct handle;
struct handle_table;

#define DIAGRAM_MAX 4096 /* events kept; later ones are counted only */

/* One arrow: a segment (or a few inferred) from one endpoint to another. */
struct diagram_event {
	char from[48]; /* "127.0.0.1:51234" */
	char to[48];
	char what[64]; /* "SYN", "12 bytes \"Hello, w\"", "FIN" */
	char call[64]; /* the statement that caused it */
	unsigned long step; /* events of one call share a step */
	int inferred; /* drawn from calls and states read, not captured */
	const struct handle *h; /* from and to still to be read from h's */
	int back; /* ...addresses: from its peer to it, else from it */
};

/* A lane named by a handle no longer in the shell's table (a lesson's). */
struct diagram_name {
	char addr[48];
	char who[64]; /* the lesson: "half-close" */
	char name[32]; /* the handle: "cli" */
};

struct diagram {
	struct diagram_event *v;
	size_t n;
	size_t cap;
	size_t dropped;
	unsigned long step;
	struct diagram_name *names;
	size_t nnames;
};

void diagram_init(struct diagram *);
void diagram_free(struct diagram *);
struct diagram_event *diagram_add(struct diagram *, const char *, const char *,
    const char *, const char *);
void diagram_resolve(struct diagram *);
void diagram_append(struct diagram *, const struct diagram *,
    const struct handle_table *, const char *);
void diagram_text(const struct diagram *, const struct handle_table *, FILE *);
int diagram_svg(const struct diagram *, const struct handle_table *, FILE *);

#endif
