/* Lesson variables: $PORT and ${PORT}, with defaults a command line can override. */
#ifndef SOCKSTEP_VAR_H
#define SOCKSTEP_VAR_H

#include <stddef.h>

struct buf;

struct var {
	char *name;
	char *value;
	int fixed; /* set from the command line: let does not change it */
};

struct vars {
	struct var *v;
	size_t n;
};

void var_free(struct vars *);
int var_set(struct vars *, const char *, const char *, int);
const char *var_get(const struct vars *, const char *);
int var_name_ok(const char *);
int var_expand(const struct vars *, const char *, size_t, struct buf *, char *,
    size_t);
void var_escape(const char *, size_t, struct buf *);

#endif
