/* Socket addresses: parsed as a student writes them, printed as strace does. */
#ifndef SOCKSTEP_ADDR_H
#define SOCKSTEP_ADDR_H

#include <sys/socket.h>
#include <stddef.h>

struct addrinfo;
struct buf;

#define ADDR_NAME 1 /* addr_parse: a host name, to look up */

struct addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

int addr_parse(int, const char *, const char *, struct addr *, char *, size_t);
int addr_parse_port(const char *, unsigned *, char *, size_t);
socklen_t addr_size(int);
void addr_strace(struct buf *, const struct sockaddr *, socklen_t);
void addr_short(struct buf *, const struct sockaddr *, socklen_t);
void addr_gai_call(struct buf *, const char *, const char *,
    const struct addrinfo *);
void addr_gai_ret(struct buf *, int);
void addr_gai_result(struct buf *, const struct addrinfo *);

#endif
