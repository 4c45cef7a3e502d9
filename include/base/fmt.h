/* Showing bytes as strace, Python and a hex dump show them. */
#ifndef SOCKSTEP_FMT_H
#define SOCKSTEP_FMT_H

#include <sys/select.h>

#include <stddef.h>

struct buf;
struct epoll_event;

void fmt_cstring(struct buf *, const unsigned char *, size_t, size_t);
void fmt_pybytes(struct buf *, const unsigned char *, size_t);
void fmt_hexdump(struct buf *, const unsigned char *, size_t, const char *);
void fmt_visible(struct buf *, const char *, size_t);
void fmt_fdset(struct buf *, const fd_set *, int, int);
void fmt_epoll_events(struct buf *, const struct epoll_event *, int);

#endif
