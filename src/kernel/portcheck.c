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

#include "sym.h"

/* One TCP socket as /proc/net/tcp and tcp6 list it (what ss reads too). */
struct portcheck_sock {
	char addr[INET6_ADDRSTRLEN];
	int family;
	unsigned char raw[16]; /* the address, in network order */
	int port;
	int state;
	unsigned long inode; /* 0 when no fd holds it (TIME_WAIT, orphans) */
	long left_s; /* seconds left on its timer (TIME_WAIT: to go) */
};

/* Reads one line of /proc/net/tcp or tcp6 into s. Returns 0, or -1. */
static int
portcheck_parse(const char *line, int v6, struct portcheck_sock *s)
{
	char hex[40];
	unsigned int port, state, w[4];
	unsigned long inode, when;
	struct in6_addr a6;
	struct in_addr a4;

	if (sscanf(line,
	        " %*d: %39[0-9A-Fa-f]:%x %*s %x %*s %*x:%lx %*s %*s %*s %lu",
	        hex, &port, &state, &when, &inode) != 5)
		return -1;
	if (v6) {
		if (sscanf(hex, "%8x%8x%8x%8x", &w[0], &w[1], &w[2], &w[3]) !=
		    4)
			return -1;
		memcpy(&a6, w, sizeof(a6));
		inet_ntop(AF_INET6, &a6, s->addr, sizeof(s->addr));
		memcpy(s->raw, &a6, 16);
		s->family = AF_INET6;
	} else {
		a4.s_addr = (in_addr_t)strtoul(hex, NULL, 16);
		inet_ntop(AF_INET, &a4, s->addr, sizeof(s->addr));
		memcpy(s->raw, &a4, 4);
		s->family = AF_INET;
	}
	s->port = (int)port;
	s->state = (int)state;
	s->inode = inode;
	s->left_s = (long)(when / (unsigned long)sysconf(_SC_CLK_TCK));
	return 0;
}

/*
 * Returns 1 when a bind to want:port (a struct portcheck_want) surely
 * fails because of s: the same address, or either is the wildcard, of one
 * family; with SO_REUSEADDR set only a listener is sure to be in the way
 * (a connection or TIME_WAIT is not when its socket had it set too).
 * Anything the evidence does not settle (dual-stack sockets) is not.
 */
static int
portcheck_conflict(const struct portcheck_sock *s,
    const struct portcheck_want *want)
{
	static const unsigned char any[16];
	size_t len = want->family == AF_INET ? 4 : 16;

	if (s->family != want->family || s->port != want->port)
		return 0;
	if (want->reuse && s->state != 10)
		return 0;
	return memcmp(s->raw, want->addr, len) == 0 ||
	    memcmp(s->raw, any, len) == 0 || memcmp(want->addr, any, len) == 0;
}

/*
 * Finds a TCP socket that is in the way of want, or, when want is NULL,
 * one listening on port. Returns 1 and fills s, or 0 when there is none.
 */
static int
portcheck_find(int port, const struct portcheck_want *want,
    struct portcheck_sock *s)
{
	static const char *const files[] = { "/proc/net/tcp",
		"/proc/net/tcp6" };
	char line[512];
	FILE *fp;
	int i, found = 0;

	for (i = 0; i < 2 && !found; i++) {
		if ((fp = fopen(files[i], "re")) == NULL)
			continue;
		while (!found && fgets(line, sizeof(line), fp))
			found = portcheck_parse(line, i, s) == 0 &&
			    s->port == port &&
			    (want ? portcheck_conflict(s, want)
			          : s->state == 10);
		fclose(fp);
	}
	return found;
}

/* Returns 1 when some TCP socket has port as its local port, else 0. */
static int
portcheck_used(int port)
{
	static const char *const files[] = { "/proc/net/tcp",
		"/proc/net/tcp6" };
	struct portcheck_sock s;
	char line[512];
	FILE *fp;
	int i, found = 0;

	for (i = 0; i < 2 && !found; i++) {
		if ((fp = fopen(files[i], "re")) == NULL)
			continue;
		while (!found && fgets(line, sizeof(line), fp))
			found =
			    portcheck_parse(line, i, &s) == 0 && s.port == port;
		fclose(fp);
	}
	return found;
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
 * Says who is in the way of a bind to want, as "127.0.0.1:65432 in
 * LISTEN, held by socat (pid 1234)". Returns 1 when a bind would surely
 * fail, else 0.
 */
int
portcheck_holder(const struct portcheck_want *want, char *out, size_t len)
{
	struct portcheck_sock s;
	const char *state;
	char owner[128];
	int v6;

	if (!portcheck_find(want->port, want, &s))
		return 0;
	state = sym_name(sym_tcp_state, s.state);
	portcheck_owner(s.inode, owner, sizeof(owner));
	if (*owner == '\0' && s.inode == 0)
		snprintf(owner, sizeof(owner),
		    "the kernel, %ld s more (no program has it open)",
		    s.left_s);
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

	return portcheck_find(port, NULL, &s);
}

/*
 * Finds a TCP port no socket uses, below the kernel's ephemeral range (so
 * that no client's connect takes it before the lesson binds it), from
 * /proc/net/tcp alone: no socket call of its own shows in strace.
 * Returns the port, or -1.
 */
int
portcheck_free(void)
{
	struct timespec ts;
	unsigned start;
	int i, port;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	start = (unsigned)getpid() * 7919U + (unsigned)ts.tv_nsec;
	for (i = 0; i < 200; i++) {
		port = 20000 + (int)((start + (unsigned)i * 61U) % 12000U);
		if (!portcheck_used(port))
			return port;
	}
	return -1;
}
