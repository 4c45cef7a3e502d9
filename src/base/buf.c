#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "xalloc.h"

/* Makes b an empty buffer. */
void
buf_init(struct buf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Frees what b holds and leaves it empty. */
void
buf_free(struct buf *b)
{
	free(b->p);
	buf_init(b);
}

/* Empties b, keeping its memory. */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

/* Makes room for n more bytes and the terminating NUL. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t need = b->len + n + 1;

	if (need <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < need)
		b->cap *= 2;
	b->p = xrealloc(b->p, b->cap);
}

/* Appends n bytes at p. */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Appends one character. */
void
buf_addc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

/* Appends a string. */
void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Appends printf-style formatted text, formatting it once when it fits the room left. */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	size_t len;
	int n;

	buf_grow(b, 63); /* room for most lines: formatted once */
	va_start(ap, fmt);
	len = b->len;
	n = text_vplain(b->p, b->cap, &len, fmt, ap); /* %s %d %u ...: fast */
	va_end(ap);
	if (n == 0) {
		b->len = len;
		b->p[len] = '\0';
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n <= 0) {
		b->p[b->len] = '\0';
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

/* Returns the contents as a string ("" when empty). */
const char *
buf_str(struct buf *b)
{
	if (b->p == NULL)
		buf_grow(b, 0), b->p[0] = '\0';
	return b->p;
}
