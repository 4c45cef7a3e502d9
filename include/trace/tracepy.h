/* sockstep trace --python: the Python line of each traced call. */
#ifndef SOCKSTEP_TRACEPY_H
#define SOCKSTEP_TRACEPY_H

struct buf;
struct tracefmt_sys;

int tracepy_line(struct buf *, const struct tracefmt_sys *);

#endif
