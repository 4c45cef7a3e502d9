/* What an epoll instance watches, as the kernel lists it in /proc's fdinfo. */
#ifndef SOCKSTEP_EPOLLINFO_H
#define SOCKSTEP_EPOLLINFO_H

#include <sys/types.h>

/* One fd an epoll instance watches, with the events the kernel keeps for it. */
struct epollinfo {
	int fd;
	unsigned
	    events; /* EPOLLERR|EPOLLHUP added; a spent EPOLLONESHOT keeps only that bit */
	unsigned long long data;
	unsigned long
	    ino; /* the watched file's inode: the fd may have been closed, and reused */
};

int epollinfo_read(pid_t, int, struct epollinfo *, int);

#endif
