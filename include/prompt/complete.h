/* What Tab offers: commands, handle names, constants, by position. */
#ifndef SOCKSTEP_COMPLETE_H
#define SOCKSTEP_COMPLETE_H

#include <stddef.h>

struct shell;

char **complete_words(struct shell *, const char *, size_t, const char *,
    size_t *);
void complete_free(char **, size_t);
int complete_kind_known(const char *);

#endif
