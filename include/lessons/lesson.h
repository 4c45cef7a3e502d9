/* Lessons: finding them by name, listing them, and running them in each mode. */
#ifndef SOCKSTEP_LESSON_H
#define SOCKSTEP_LESSON_H

#include <stddef.h>

#include "shell.h"

struct lesson_opts {
	enum shell_mode mode;
	int delay_ms;
	int verbose; /* check mode: show the calls too */
	int color;
	int notes;
	const struct vars *vars; /* fixed from the command line */
};

int lesson_find(const char *, char *, size_t);
void lesson_list(struct shell *);
char **lesson_names(size_t *);
void lesson_names_free(char **, size_t);
int lesson_run_file(struct shell *, const char *);
int lesson_main(const struct lesson_opts *, char **, int);
int lesson_play(struct shell *, const char *);

#endif
