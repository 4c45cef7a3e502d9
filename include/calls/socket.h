/* The socket command's call line, also used by sockstep trace. */
#ifndef SOCKSTEP_SOCKET_H
#define SOCKSTEP_SOCKET_H

struct buf;

void socket_format(struct buf *, long, long, long);

#endif
