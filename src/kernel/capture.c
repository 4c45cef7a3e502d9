/*
 * Capture on lo with an AF_PACKET socket (needs CAP_NET_RAW); in a lab,
 * on every interface of the shell's host: lo and its link to the other
 * host, where ARP frames come too. Every frame on lo is seen twice, going
 * out and coming in: only the incoming copy is kept. The socket is moved to a high fd so the fds students see stay as
 * they would be without it.
 */
#include "capture.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "labhost.h"

#define CAPTURE_MAX_MS 50 /* the longest one read waits in all */

/* Makes c off, with no flows remembered. */
void
capture_init(struct capture *c)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/*
 * Opens the capture socket on lo at fd CAPTURE_FD or above.
 * Returns 0, or -1 with why (and what to do) in err.
 */
int
capture_start(struct capture *c, char *err, size_t errlen)
{
	struct sockaddr_ll ll;
	int fd, hi, save, size = 4 << 20;

	if (c->fd >= 0)
		return 0;
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd == -1) {
		save = errno;
		snprintf(err, errlen, "socket(AF_PACKET) failed: %s%s",
		    strerror(save),
		    save == EPERM || save == EACCES
		        ? ": capturing needs CAP_NET_RAW; run sockstep as root "
		          "(sudo sockstep), or start it as sockstep --lab (a "
		          "private network namespace, where capture needs no "
		          "privileges); without it each call still shows its "
		          "segment counts (set segments on)"
		        : "");
		return -1;
	}
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_ALL);
	c->lo = (int)if_nametoindex("lo");
	ll.sll_ifindex = labhost_here() >= 0 ? 0 : c->lo;
	if (c->lo == 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) == -1) {
		snprintf(err, errlen, "cannot bind to lo: %s", strerror(errno));
		close(fd);
		return -1;
	}
	/* room for every frame on lo between two reads, other programs'
	 * too: beyond rmem_max where allowed (root), else up to it */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) ==
	    -1)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	hi = fcntl(fd, F_DUPFD_CLOEXEC, CAPTURE_FD);
	close(fd);
	if (hi == -1) {
		snprintf(err, errlen,
		    "cannot move the capture socket to a "
		    "high fd: %s",
		    strerror(errno));
		return -1;
	}
	c->fd = hi;
	c->nflow = 0;
	c->next = 0;
	return 0;
}

/* Closes the capture socket. */
void
capture_stop(struct capture *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Returns 1 when two sockaddrs hold the same address and port. */
static int
capture_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET)
		return memcmp(&((const struct sockaddr_in *)a)->sin_addr,
		           &((const struct sockaddr_in *)b)->sin_addr,
		           4) == 0 &&
		    ((const struct sockaddr_in *)a)->sin_port ==
		    ((const struct sockaddr_in *)b)->sin_port;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
	           &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0 &&
	    ((const struct sockaddr_in6 *)a)->sin6_port ==
	    ((const struct sockaddr_in6 *)b)->sin6_port;
}

/* Returns the flow from src to dst; with isn, makes it when new (a SYN starts it afresh). */
static struct capture_flow *
capture_flow(struct capture *c, const struct sockaddr_storage *src,
    const struct sockaddr_storage *dst, const uint32_t *isn)
{
	struct capture_flow *f;
	size_t i;

	for (i = 0; i < c->nflow; i++) {
		f = &c->flow[i];
		if (capture_same(&f->src, src) && capture_same(&f->dst, dst)) {
			if (isn)
				f->isn = *isn;
			return f;
		}
	}
	if (isn == NULL)
		return NULL;
	if (c->nflow < CAPTURE_FLOWS)
		f = &c->flow[c->nflow++];
	else {
		f = &c->flow[c->next];
		c->next = (c->next + 1) % CAPTURE_FLOWS;
	}
	f->src = *src;
	f->dst = *dst;
	f->isn = *isn;
	f->last = 0;
	return f;
}

/* Fills a sockaddr of family from raw address bytes and a port in network order. */
static void
capture_addr(struct sockaddr_storage *ss, int family, const void *a,
    uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = (sa_family_t)family;
	if (family == AF_INET) {
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, a, 4);
		((struct sockaddr_in *)ss)->sin_port = port;
	} else {
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, a, 16);
		((struct sockaddr_in6 *)ss)->sin6_port = port;
	}
}

/*
 * Follows the IPv6 extension headers from the one after the fixed header
 * (next) in the tl bytes of packet p, to the TCP header. Returns its
 * offset in p, or 0 when there is none (another protocol, a later
 * fragment, a header past the end).
 */
static size_t
capture_ip6_tcp(const unsigned char *p, size_t tl, int next)
{
	size_t at = 40, len;

	for (;;) {
		switch (next) {
		case IPPROTO_TCP:
			return at;
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			if (at + 8 > tl)
				return 0;
			len = ((size_t)p[at + 1] + 1) * 8;
			break;
		case IPPROTO_FRAGMENT:
			if (at + 8 > tl)
				return 0;
			if ((p[at + 2] << 8 | (p[at + 3] & 0xf8)) != 0)
				return 0; /* not the first fragment: no TCP header */
			len = 8;
			break;
		case IPPROTO_AH:
			if (at + 8 > tl)
				return 0;
			len = ((size_t)p[at + 1] + 2) * 4;
			break;
		default:
			return 0;
		}
		next = p[at];
		at += len;
	}
}

/* Decodes an ARP frame for IPv4 over Ethernet into s. Returns 0, or -1 when it is not one. */
static int
capture_arp(const unsigned char *p, size_t n, struct capture_seg *s)
{
	const unsigned char *a = p + 14;

	/* hardware 1 (Ethernet), protocol 0x0800, lengths 6 and 4 */
	if (n < 14 + 28 || a[0] != 0 || a[1] != 1 || a[2] != 8 || a[3] != 0 ||
	    a[4] != 6 || a[5] != 4 || a[6] != 0 || (a[7] != 1 && a[7] != 2))
		return -1;
	s->arp = a[7];
	memcpy(s->arp_mac, a + 8, 6);
	memcpy(s->arp_sender, a + 14, 4);
	memcpy(s->arp_target, a + 24, 4);
	return 0;
}

/*
 * Decodes one frame (Ethernet, then ARP, or IPv4 or IPv6 with any
 * extension headers, then TCP) into s. Returns 0, or -1 when it is
 * neither an ARP frame nor a well-formed TCP segment.
 */
int
capture_decode(const unsigned char *p, size_t n, struct capture_seg *s)
{
	struct tcphdr th;
	struct iphdr iph;
	struct ip6_hdr ip6;
	size_t ip, hl, tl, off = 14;
	uint16_t proto;
	int family;

	if (n < off + 20)
		return -1;
	proto = (uint16_t)(p[12] << 8 | p[13]);
	memset(s, 0, sizeof(*s));
	if (proto == ETH_P_ARP)
		return capture_arp(p, n, s);
	if (proto == ETH_P_IP) {
		memcpy(&iph, p + off, sizeof(iph));
		if (iph.protocol != IPPROTO_TCP || iph.ihl < 5)
			return -1; /* a header shorter than 20 bytes is malformed */
		ip = (size_t)iph.ihl * 4;
		tl = ntohs(iph.tot_len);
		family = AF_INET;
	} else if (proto == ETH_P_IPV6 && n >= off + 40) {
		memcpy(&ip6, p + off, sizeof(ip6));
		tl = 40 + ntohs(ip6.ip6_plen);
		if (tl > n - off)
			tl = n - off;
		if ((ip = capture_ip6_tcp(p + off, tl, ip6.ip6_nxt)) == 0)
			return -1;
		family = AF_INET6;
	} else
		return -1;
	if (tl > n - off)
		tl = n - off;
	if (tl < ip + sizeof(th))
		return -1;
	memcpy(&th, p + off + ip, sizeof(th));
	hl = (size_t)th.th_off * 4;
	if (hl < 20 || ip + hl > tl)
		return -1;
	if (family == AF_INET) {
		capture_addr(&s->src, family, &iph.saddr, th.th_sport);
		capture_addr(&s->dst, family, &iph.daddr, th.th_dport);
	} else {
		capture_addr(&s->src, family, &ip6.ip6_src, th.th_sport);
		capture_addr(&s->dst, family, &ip6.ip6_dst, th.th_dport);
	}
	s->flags = (th.th_flags & TH_FIN ? CAPTURE_FIN : 0) |
	    (th.th_flags & TH_SYN ? CAPTURE_SYN : 0) |
	    (th.th_flags & TH_RST ? CAPTURE_RST : 0) |
	    (th.th_flags & TH_PUSH ? CAPTURE_PSH : 0) |
	    (th.th_flags & TH_ACK ? CAPTURE_ACK : 0);
	s->seq = ntohl(th.th_seq);
	s->ack = ntohl(th.th_ack);
	s->len = (unsigned)(tl - ip - hl);
	s->data = p + off + ip + hl;
	return 0;
}

/* Makes s's sequence and acknowledgement numbers relative to each direction's first. */
static void
capture_relative(struct capture *c, struct capture_seg *s)
{
	struct capture_flow *f, *back;
	uint32_t seq = s->seq;

	f = capture_flow(c, &s->src, &s->dst,
	    (s->flags & CAPTURE_SYN) ? &seq : NULL);
	if (f == NULL)
		f = capture_flow(c, &s->src, &s->dst, &seq);
	back = capture_flow(c, &s->dst, &s->src, NULL);
	s->seq = seq - f->isn;
	s->rel_ack = back != NULL;
	s->answers_syn = back && back->last == CAPTURE_SYN;
	if (back)
		s->ack -= back->isn;
	f->last = s->flags;
}

/* Returns milliseconds on the monotonic clock. */
static long
capture_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Reads the segments that arrive until none came for quiet_ms (and never
 * longer than CAPTURE_MAX_MS in all), calling fn(seg, arg) for each TCP
 * segment (or ARP frame) seen once that want(seg, arg) keeps (its sequence numbers
 * still absolute when want sees it). Returns the number kept, or -1.
 */
int
capture_read(struct capture *c, int quiet_ms,
    int (*want)(const struct capture_seg *, void *),
    int (*fn)(const struct capture_seg *, void *), void *arg)
{
	unsigned char frame[65536 + 64];
	struct sockaddr_ll from;
	struct pollfd pfd;
	struct capture_seg s;
	socklen_t flen;
	long end = capture_now_ms() + CAPTURE_MAX_MS;
	ssize_t n;
	int count = 0;

	if (c->fd < 0)
		return -1;
	pfd.fd = c->fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, quiet_ms) == 1) {
		flen = sizeof(from);
		n = recvfrom(c->fd, frame, sizeof(frame), MSG_DONTWAIT,
		    (struct sockaddr *)&from, &flen);
		if (n <= 0)
			break;
		if ((from.sll_pkttype != PACKET_OUTGOING ||
		        from.sll_ifindex != c->lo) &&
		    capture_decode(frame, (size_t)n, &s) == 0 &&
		    (s.link = from.sll_ifindex != c->lo, want(&s, arg))) {
			if (!s.arp)
				capture_relative(c, &s);
			fn(&s, arg);
			count++;
		}
		if (capture_now_ms() >= end)
			break;
	}
	return count;
}

/* Writes the flags in words: "SYN, ACK", "FIN, ACK", "RST", ... */
void
capture_flags(char *out, size_t n, unsigned flags)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = { { CAPTURE_SYN, "SYN" }, { CAPTURE_FIN, "FIN" },
		{ CAPTURE_RST, "RST" }, { CAPTURE_PSH, "PSH" },
		{ CAPTURE_ACK, "ACK" }, { 0, NULL } };
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; names[i].name; i++)
		if ((flags & names[i].bit) && len < n)
			len += (size_t)snprintf(out + len, n - len, "%s%s",
			    len ? ", " : "", names[i].name);
}
