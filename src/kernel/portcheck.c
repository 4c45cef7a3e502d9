#include "portcheck.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "sym.h"

/* One TCP socket as sock_diag reports it, with what portcheck needs. */
struct portcheck_sock {
	char addr[INET6_ADDRSTRLEN];
	int family;
	unsigned char raw[16]; /* the address, in network order */
	int port;
	int state;
	unsigned long inode; /* 0 when no fd holds it (TIME_WAIT, orphans) */
};

/* Fills s from a socket of sock_diag's dump. */
static void
portcheck_from_diag(const struct diag_sock *d, struct portcheck_sock *s)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)&d->local;
	const struct sockaddr_in6 *sin6 =
	    (const struct sockaddr_in6 *)&d->local;

	memset(s, 0, sizeof(*s));
	s->family = d->local.ss_family;
	if (s->family == AF_INET6) {
		memcpy(s->raw, &sin6->sin6_addr, 16);
		s->port = ntohs(sin6->sin6_port);
	} else {
		memcpy(s->raw, &sin->sin_addr, 4);
		s->port = ntohs(sin->sin_port);
	}
	inet_ntop(s->family, s->raw, s->addr, sizeof(s->addr));
	s->state = d->state;
	s->inode = d->inode;
}

/*
 * Returns 1 when a bind to want surely fails because of listener s: the
 * same address, or either is the wildcard, of one family (checked on
 * Linux 6: 0.0.0.0 and 127.0.0.1 are in each other's way, 127.0.0.2 and
 * 127.0.0.1 are not). A dual-stack socket's way is not settled: not one.
 */
static int
portcheck_conflict(const struct portcheck_sock *s,
    const struct portcheck_want *want)
{
	static const unsigned char any[16];
	size_t len = want->family == AF_INET ? 4 : 16;

	if (s->family != want->family || s->port != want->port)
		return 0;
	return memcmp(s->raw, want->addr, len) == 0 ||
	    memcmp(s->raw, any, len) == 0 || memcmp(want->addr, any, len) == 0;
}

/* Which sockets on a port portcheck_find looks for. */
enum portcheck_match {
	PORTCHECK_ANY, /* any socket */
	PORTCHECK_LISTEN, /* a listener */
	PORTCHECK_CONFLICT /* a listener in the way of a bind (want) */
};

/* What portcheck_find asks of each socket sock_diag lists. */
struct portcheck_query {
	enum portcheck_match m;
	const struct portcheck_want *want;
	struct portcheck_sock *s;
};

/* Returns 1 (stop) when d is the socket the query looks for, else 0. */
static int
portcheck_match(const struct diag_sock *d, void *arg)
{
	struct portcheck_query *q = arg;

	portcheck_from_diag(d, q->s);
	return q->m == PORTCHECK_ANY ||
	    (q->m == PORTCHECK_LISTEN && q->s->state == 10) ||
	    (q->m == PORTCHECK_CONFLICT && portcheck_conflict(q->s, q->want));
}

/*
 * Finds a TCP socket on port that m asks for, through sock_diag with the
 * kernel filtering by port. A dump of listeners reads the kernel's small
 * table of them; one of every state walks its whole table of connections
 * (about 3 ms on a 24 GB machine, whatever the sockets), so only a search
 * for a free port makes one.
 * Returns 1 and fills s, or 0 when there is none.
 */
static int
portcheck_find(int port, enum portcheck_match m,
    const struct portcheck_want *want, struct portcheck_sock *s)
{
	struct portcheck_query q = { m, want, s };
	int fam;

	for (fam = 0; fam < 2; fam++) {
		if (m == PORTCHECK_CONFLICT &&
		    want->family != (fam ? AF_INET6 : AF_INET))
			continue; /* only its own family is in the way */
		if (diag_dump_port(fam ? AF_INET6 : AF_INET,
		        m == PORTCHECK_ANY ? DIAG_ALL : DIAG_LISTEN, port,
		        portcheck_match, &q) == 1)
			return 1;
	}
	return 0;
}

/* Writes "name (pid N)" of the process holding socket inode, or "". */
static void
portcheck_owner(unsigned long inode, char *out, size_t len)
{
	char path[300], link[64], want[64], comm[64] = "";
	struct dirent *p, *f;
	DIR *d, *fd;
	FILE *fp;
	ssize_t n;

	*out = '\0';
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	if (inode == 0 || (d = opendir("/proc")) == NULL)
		return;
	while (*out == '\0' && (p = readdir(d)) != NULL) {
		if (strspn(p->d_name, "0123456789") != strlen(p->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/fd", p->d_name);
		if ((fd = opendir(path)) == NULL)
			continue;
		while ((f = readdir(fd)) != NULL) {
			snprintf(path, sizeof(path), "/proc/%.20s/fd/%.20s",
			    p->d_name, f->d_name); /* numbers, all */
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want) != 0)
				continue;
			snprintf(path, sizeof(path), "/proc/%.20s/comm",
			    p->d_name);
			if ((fp = fopen(path, "re")) != NULL) {
				if (fgets(comm, sizeof(comm), fp) == NULL)
					comm[0] = '\0';
				comm[strcspn(comm, "\n")] = '\0';
				fclose(fp);
			}
			snprintf(out, len, "%s (pid %.20s)", comm, p->d_name);
			break;
		}
		closedir(fd);
	}
	closedir(d);
}

/*
 * Says which listener is in the way of a bind to want, as
 * "127.0.0.1:65432 in LISTEN, held by socat (pid 1234)". Returns 1 when
 * there is one (the bind would surely fail), else 0.
 */
int
portcheck_holder(const struct portcheck_want *want, char *out, size_t len)
{
	struct portcheck_sock s;
	const char *state;
	char owner[128];
	int v6;

	if (!portcheck_find(want->port, PORTCHECK_CONFLICT, want, &s))
		return 0;
	state = sym_name(sym_tcp_state, s.state);
	portcheck_owner(s.inode, owner, sizeof(owner));
	v6 = strchr(s.addr, ':') != NULL;
	snprintf(out, len, "%s%s%s:%d in %s, held by %s", v6 ? "[" : "", s.addr,
	    v6 ? "]" : "", s.port, state ? state : "?",
	    *owner ? owner : "a program sockstep cannot name");
	return 1;
}

/* Returns 1 when something listens on TCP port, else 0. */
int
portcheck_listening(int port)
{
	struct portcheck_sock s;

	return portcheck_find(port, PORTCHECK_LISTEN, NULL, &s);
}

/*
 * Finds a TCP port no socket uses, below the kernel's ephemeral range (so
 * that no client's connect takes it before the lesson binds it), from
 * sock_diag alone: it binds no socket of its own.
 * Returns the port, or -1.
 */
int
portcheck_free(void)
{
	struct portcheck_sock s;
	struct timespec ts;
	unsigned start;
	int i, port;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = (unsigned)getpid() * 7919U + (unsigned)ts.tv_nsec;
	for (i = 0; i < 200; i++) {
		port = 20000 + (int)((start + (unsigned)i * 61U) % 12000U);
		if (!portcheck_find(port, PORTCHECK_ANY, NULL, &s))
			return port;
	}
	return -1;
}
