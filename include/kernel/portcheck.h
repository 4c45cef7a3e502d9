/* Ports a lesson names: who holds one, whether one listens, a free one. */
#ifndef SOCKSTEP_PORTCHECK_H
#define SOCKSTEP_PORTCHECK_H

#include <stddef.h>

/* A bind a lesson will make. */
struct portcheck_want {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16]; /* network order; all zero for any address */
	int port;
};

int portcheck_holder(const struct portcheck_want *, char *, size_t);
int portcheck_listening(int);
int portcheck_free(void);

#endif
