#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Says that memory ran out and ends the process: the only fatal error. */
static void
xalloc_die(void)
{
	fputs("sockstep: out of memory\n", stderr);
	exit(70);
}

/* Returns n bytes of fresh memory; never NULL. */
void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		xalloc_die();
	return p;
}

/* Returns zeroed memory for n items of size sz; never NULL. */
void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		xalloc_die();
	return p;
}

/* Resizes p to n bytes; never NULL. */
void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		xalloc_die();
	return q;
}

/* Returns a copy of the string s. */
char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s));
}

/* Returns a NUL-terminated copy of n bytes at p. */
char *
xmemdup(const void *p, size_t n)
{
	char *q = xmalloc(n + 1);

	if (n)
		memcpy(q, p, n);
	q[n] = '\0';
	return q;
}
