/* Lessons: finding them by name, listing them, and running them in each mode. */
#ifndef SOCKSTEP_LESSON_H
#define SOCKSTEP_LESSON_H

#include <stddef.h>

#include "shell.h"
#include "var.h"

struct diagram;

struct lesson_opts {
	enum shell_mode mode;
	int delay_ms;
	int verbose; /* check mode: show the calls too */
	int color;
	int notes;
	const struct vars *vars; /* fixed from the command line */
	int bound_s; /* --timeout: seconds a checked call may block; 0 unset */
	int alone; /* --no-partner: a partner runs elsewhere */
	int force; /* --force: files may be replaced */
	int nest; /* lessons it is played inside */
	const struct shell *parent; /* the shell that plays it, or NULL */
	int capture; /* --capture, or capture on where it is played */
	struct diagram *diagram; /* where its arrows go on, or NULL */
};

/* What a lesson's read-through found, before it runs. */
struct lesson_scan {
	int checks; /* expectations and state checks it makes */
	int errors; /* lines and expectations that cannot be read */
	int listens; /* it calls listen: its partner is the client */
	int lab; /* it says lab: it runs in a lab, made afresh outside one */
	char partner[64]; /* partner NAME: the other half of its pair */
	long partner_line;
	char bind_port[64]; /* the port of its first bind, as written */
	char bind_addr[64]; /* ...and its address */
	long bind_line;
	struct vars lets; /* let defaults seen */
};

int lesson_find(const char *, char *, size_t);
int lesson_suggest(const char *, char *, size_t);
void lesson_list(struct shell *);
char **lesson_names(size_t *);
void lesson_names_free(char **, size_t);
int lesson_run_file(struct shell *, const char *);
void lesson_scan(struct shell *, const char *, const char *, size_t,
    struct lesson_scan *);
int lesson_main(const struct lesson_opts *, char **, int);
int lesson_play(struct shell *, const char *);

#endif
