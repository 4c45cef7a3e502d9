/*
 * sock_diag over netlink (NETLINK_SOCK_DIAG, what ss uses): no privileges
 * are needed to list TCP sockets. It only reads. A connection in TIME_WAIT
 * or an orphan in FIN_WAIT2 after close is visible only here: no fd holds
 * it any more.
 */
#include "diag.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "handle.h"
#include "labhost.h"
#include "sys.h"

#define DIAG_WAIT_MS 200 /* the longest wait for one answer */
#define DIAG_SEQ 0x5d1a9 /* each request's number: its socket is its own */

/* Fills a sockaddr from sock_diag's address and port. */
static void
diag_addr(struct sockaddr_storage *ss, int family, const __be32 *a, __be16 port)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = port;
		memcpy(&sin->sin_addr, a, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		memcpy(&sin6->sin6_addr, a, 16);
	}
}

/* Writes an address and port the way sock_diag's socket id holds them. */
static void
diag_id(__be16 *port, __be32 *a, const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		*port = ((const struct sockaddr_in *)ss)->sin_port;
		memcpy(a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	} else {
		*port = ((const struct sockaddr_in6 *)ss)->sin6_port;
		memcpy(a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
	}
}

/*
 * Sends a request for TCP sockets of family: a dump of those in the
 * states of mask (on local port port, unless 0), or with local and peer
 * given, the one connection between them. Returns 0 or -1.
 */
static int
diag_request(int fd, int family, unsigned mask, int port,
    const struct sockaddr_storage *local, const struct sockaddr_storage *peer)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 req;
	} msg;
	struct sockaddr_nl nl;

	memset(&msg, 0, sizeof(msg));
	memset(&nl, 0, sizeof(nl));
	nl.nl_family = AF_NETLINK;
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_seq = DIAG_SEQ;
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST | (local ? 0 : NLM_F_DUMP);
	msg.req.sdiag_family = (unsigned char)family;
	msg.req.sdiag_protocol = IPPROTO_TCP;
	msg.req.idiag_states = mask;
	msg.req.id.idiag_sport = htons((uint16_t)port); /* 0: every port */
	if (local) {
		diag_id(&msg.req.id.idiag_sport, msg.req.id.idiag_src, local);
		diag_id(&msg.req.id.idiag_dport, msg.req.id.idiag_dst, peer);
		msg.req.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
		msg.req.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
	}
	return sendto(fd, &msg, sizeof(msg), 0, (struct sockaddr *)&nl,
	           sizeof(nl)) == (ssize_t)sizeof(msg)
	    ? 0
	    : -1;
}

/* Returns 0 for the "no such socket" answer of a lookup, else -1. */
static int
diag_error(const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = NLMSG_DATA(nlh);

	return e->error == -ENOENT ? 0 : -1;
}

/*
 * Reads the n bytes of one datagram of answers to request seq, calling fn
 * for each socket until it returns non-zero. A message shorter than what
 * it must hold, or answering another request, is no answer. Returns what
 * fn returned, DIAG_MORE when more datagrams follow, 0 at the end
 * (NLMSG_DONE, or "no such socket"), or -1.
 */
int
diag_parse(const void *buf, size_t n, unsigned seq, int family,
    int (*fn)(const struct diag_sock *, void *), void *arg)
{
	const struct nlmsghdr *nlh;
	const struct inet_diag_msg *m;
	struct diag_sock d;
	long left = (long)n; /* signed: NLMSG_NEXT may take it below 0 */
	int rc;

	for (nlh = buf; NLMSG_OK(nlh, left); nlh = NLMSG_NEXT(nlh, left)) {
		if (nlh->nlmsg_seq != seq)
			return -1; /* not the answer to this request */
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 0;
		if (nlh->nlmsg_type == NLMSG_ERROR)
			return nlh->nlmsg_len <
			        NLMSG_LENGTH(sizeof(struct nlmsgerr))
			    ? -1
			    : diag_error(nlh);
		if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
		    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
			return -1;
		m = NLMSG_DATA(nlh);
		memset(&d, 0, sizeof(d));
		diag_addr(&d.local, family, m->id.idiag_src, m->id.idiag_sport);
		diag_addr(&d.peer, family, m->id.idiag_dst, m->id.idiag_dport);
		d.state = m->idiag_state;
		d.expires_ms = m->idiag_expires;
		d.inode = m->idiag_inode;
		d.rqueue = m->idiag_rqueue;
		d.wqueue = m->idiag_wqueue;
		if ((rc = fn(&d, arg)) != 0)
			return rc;
	}
	return left == 0 ? DIAG_MORE : -1; /* bytes left over: a cut message */
}

/*
 * Reads the answers to request seq, calling fn for each socket until it
 * returns non-zero; once: the answer is a single datagram (a lookup, not
 * a dump). Returns what fn returned, 0 at the end, or -1.
 */
static int
diag_read(int fd, unsigned seq, int family,
    int (*fn)(const struct diag_sock *, void *), void *arg, int once)
{
	long buf[8192 / sizeof(long)];
	struct pollfd pfd = { fd, POLLIN, 0 };
	ssize_t n;
	int rc;

	for (;;) {
		if (poll(&pfd, 1, DIAG_WAIT_MS) != 1)
			return -1;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0)
			return -1;
		rc = diag_parse(buf, (size_t)n, seq, family, fn, arg);
		if (rc != DIAG_MORE)
			return rc;
		if (once)
			return 0;
	}
}

/*
 * Lists the TCP sockets of family (AF_INET or AF_INET6) whose state bit
 * is in mask, calling fn(sock, arg) for each until fn returns non-zero.
 * Returns fn's non-zero value, 0 when the list ended, -1 on failure.
 */
int
diag_dump(int family, unsigned mask,
    int (*fn)(const struct diag_sock *, void *), void *arg)
{
	return diag_dump_port(family, mask, 0, fn, arg);
}

/*
 * diag_dump of the sockets whose local port is port (the kernel filters
 * them; 0 for every port).
 */
int
diag_dump_port(int family, unsigned mask, int port,
    int (*fn)(const struct diag_sock *, void *), void *arg)
{
	int fd, rc, save;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd == -1)
		return -1;
	rc = diag_request(fd, family, mask, port, NULL, NULL);
	if (rc == 0)
		rc = diag_read(fd, DIAG_SEQ, family, fn, arg, 0);
	save = errno;
	close(fd);
	errno = save;
	return rc;
}

/* Returns 1 when a and b are the same address and port. */
int
diag_addr_equal(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const struct sockaddr_in *)a;
		const struct sockaddr_in *y = (const struct sockaddr_in *)b;

		return x->sin_port == y->sin_port &&
		    x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
		const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)b;

		return x->sin6_port == y->sin6_port &&
		    memcmp(&x->sin6_addr, &y->sin6_addr, 16) == 0;
	}
	return 0;
}

/* Returns 1 when ss holds an IP address with a port. */
int
diag_has_addr(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_port != 0;
	if (ss->ss_family == AF_INET6)
		return ((const struct sockaddr_in6 *)ss)->sin6_port != 0;
	return 0;
}

/* What diag_find_peer and diag_find_inode look for, and what they found. */
struct diag_want {
	const struct sockaddr_storage *local;
	const struct sockaddr_storage *peer;
	unsigned long inode;
	struct diag_sock *out;
};

/* Returns 1 (stop) when d is the socket w wants, copying it out. */
static int
diag_match(const struct diag_sock *d, void *arg)
{
	struct diag_want *w = arg;

	if (w->inode ? d->inode != w->inode
	             : !diag_addr_equal(&d->local, w->local) ||
	            !diag_addr_equal(&d->peer, w->peer))
		return 0;
	*w->out = *d;
	return 1;
}

/*
 * Finds the connection handle h remembered, from its local address to its
 * peer, among states in mask, on the lab host h is on (sock_diag sees the
 * network namespace its socket is made in). Returns 1 and fills out, 0
 * when there is none, -1 on failure.
 */
int
diag_find_peer(const struct handle *h, unsigned mask, struct diag_sock *out)
{
	const struct sockaddr_storage *local = handle_local(h),
	                              *peer = handle_peer(h);
	struct diag_want w = { local, peer, 0, out };
	int fd, rc, save, away;

	if (!diag_has_addr(local) || !diag_has_addr(peer) ||
	    local->ss_family != peer->ss_family)
		return 0;
	away = h->host >= 0 && h->host != labhost_here() &&
	    labhost_net(h->host) == 0;
	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (away) /* the socket stays on h's host */
		labhost_net(labhost_here());
	if (fd == -1)
		return -1;
	rc = diag_request(fd, local->ss_family, mask, 0, local, peer);
	if (rc == 0)
		rc = diag_read(fd, DIAG_SEQ, local->ss_family, diag_match, &w,
		    1);
	save = errno;
	close(fd);
	errno = save;
	if (rc == 1 && !(mask & (1U << out->state)))
		rc = 0;
	return rc;
}

/*
 * Finds the live socket open as fd (its inode, as fstat gives it) of the
 * given family. Returns 1 and fills out, 0 when not listed, -1 on failure.
 */
int
diag_find_inode(int family, unsigned long inode, struct diag_sock *out)
{
	struct diag_want w = { NULL, NULL, inode, out };

	if (inode == 0)
		return 0;
	return diag_dump(family, DIAG_ALL, diag_match, &w);
}

/*
 * Remembers h's local and peer address in h, for finding its connection
 * after close; keeps what was remembered when a call fails. Returns 1
 * when h (of an internet family) has a peer now, else 0.
 */
int
diag_remember(const struct sys_ops *sys, struct handle *h)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int connected = 0;

	if (h->fd < 0 || (h->family != AF_INET && h->family != AF_INET6))
		return 0;
	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (sys->getsockname(h->fd, (struct sockaddr *)&ss, &len) == 0 &&
	    diag_has_addr(&ss))
		handle_set_local(h, &ss);
	len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	if (sys->getpeername(h->fd, (struct sockaddr *)&ss, &len) == 0 &&
	    diag_has_addr(&ss)) {
		handle_set_peer(h, &ss);
		connected = 1;
	}
	return connected;
}

/*
 * Finds the connections of n closed handles that are still in the
 * kernel, by the addresses each remembered: one exact lookup each.
 * out[i].state is 0 when v[i]'s is gone; out[i].inode is not 0 when a
 * descriptor still holds its socket (a dup, another process's, one in
 * flight in a Unix socket), 0 when it lingers with none (TIME_WAIT,
 * FIN_WAIT1/2, CLOSING, LAST_ACK). Returns 0, or -1 when sock_diag could
 * not be asked.
 */
int
diag_lingering(struct handle *const *v, size_t n, struct diag_sock *out)
{
	size_t i;

	memset(out, 0, n * sizeof(*out));
	for (i = 0; i < n; i++) {
		if (diag_find_peer(v[i], DIAG_ALL, &out[i]) == -1)
			return -1;
	}
	return 0;
}
