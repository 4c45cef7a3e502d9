/* NETLINK_SOCK_DIAG: the kernel's list of TCP connections, as ss reads it. */
#ifndef SOCKSTEP_DIAG_H
#define SOCKSTEP_DIAG_H

#include <stddef.h>
#include <sys/socket.h>

struct handle;
struct sys_ops;

/* One TCP socket as sock_diag reports it. */
struct diag_sock {
	struct sockaddr_storage local;
	struct sockaddr_storage peer;
	int state; /* TCP_ESTABLISHED ... as in TCP_INFO */
	unsigned expires_ms; /* time left on its timer (TIME_WAIT: to go) */
	unsigned long inode; /* 0 for TIME_WAIT and orphans: no fd holds it */
	unsigned rqueue;
	unsigned wqueue;
};

/* Bits of diag_dump's state mask. */
#define DIAG_LINGER \
	((1U << 4) | (1U << 5) | (1U << 6) | (1U << 9) | \
	    (1U << 11)) /* FIN_WAIT1, FIN_WAIT2, TIME_WAIT, LAST_ACK, CLOSING */
#define DIAG_ALL 0xfffU
#define DIAG_LISTEN (1U << 10)

/* What diag_parse returns when more datagrams of the answer follow. */
#define DIAG_MORE (-2)

int diag_dump(int, unsigned, int (*)(const struct diag_sock *, void *), void *);
int diag_dump_port(int, unsigned, int,
    int (*)(const struct diag_sock *, void *), void *);
int diag_parse(const void *, size_t, unsigned, int,
    int (*)(const struct diag_sock *, void *), void *);
int diag_find_peer(const struct handle *, unsigned, struct diag_sock *);
int diag_find_inode(int, unsigned long, struct diag_sock *);
int diag_addr_equal(const struct sockaddr_storage *,
    const struct sockaddr_storage *);
int diag_has_addr(const struct sockaddr_storage *);
int diag_lingering(struct handle *const *, size_t, struct diag_sock *);
int diag_remember(const struct sys_ops *, struct handle *);

#endif
