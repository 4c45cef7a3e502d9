/* The seam of socket calls: the real ones, or a fake that tests fill in. */
#ifndef SOCKSTEP_SYS_H
#define SOCKSTEP_SYS_H

#include <sys/socket.h>
#include <sys/types.h>

struct sys_ops {
	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*recv)(int, void *, size_t, int);
	int (*shutdown)(int, int);
	int (*close)(int);
	int (*getsockname)(int, struct sockaddr *, socklen_t *);
	int (*getpeername)(int, struct sockaddr *, socklen_t *);
	int (*setsockopt)(int, int, int, const void *, socklen_t);
	int (*getsockopt)(int, int, int, void *, socklen_t *);
	int (*ioctl_int)(int, unsigned long, int *);
	int (*fcntl_getfl)(int);
	int (*gethostname)(char *, size_t);
};

extern const struct sys_ops sys_real;

#endif
