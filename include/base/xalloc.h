/* Allocation that never returns NULL: running out of memory is the one fatal error. */
#ifndef SOCKSTEP_XALLOC_H
#define SOCKSTEP_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
char *xstrdup(const char *);
char *xmemdup(const void *, size_t);

#endif
