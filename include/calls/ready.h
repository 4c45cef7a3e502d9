/* What a handle that poll, select or epoll_wait reported ready may now do. */
#ifndef SOCKSTEP_READY_H
#define SOCKSTEP_READY_H

struct handle;
struct shell;

void ready_explain(struct shell *, const struct handle *, unsigned);

#endif
