/* A growable byte buffer, always NUL-terminated, for building output lines. */
#ifndef SOCKSTEP_BUF_H
#define SOCKSTEP_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *);
void buf_free(struct buf *);
void buf_reset(struct buf *);
void buf_add(struct buf *, const void *, size_t);
void buf_addc(struct buf *, char);
void buf_puts(struct buf *, const char *);
void buf_printf(struct buf *, const char *, ...)
    __attribute__((format(printf, 2, 3)));
const char *buf_str(struct buf *);

#endif
