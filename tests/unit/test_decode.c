/*
 * Unit tests of what sockstep decodes from the kernel (issue 14, finding
 * 8): frames captured on lo (capture_decode: an IPv4 header length below
 * 5 words, IPv6 extension headers), ARP frames of a lab's link, and
 * sock_diag answers (diag_parse:
 * each message's length and sequence number).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <string.h>

#include "capture.h"
#include "diag.h"

#define ETH 14

/* Writes a 20-byte TCP header at p: ports 1111 -> 2222, flags, 8-byte data after. */
static size_t
tcp_header(unsigned char *p, unsigned char flags)
{
	memset(p, 0, 20);
	p[0] = 1111 >> 8;
	p[1] = 1111 & 0xff;
	p[2] = 2222 >> 8;
	p[3] = 2222 & 0xff;
	p[7] = 7; /* seq 7 */
	p[12] = 5 << 4; /* 5 words */
	p[13] = flags;
	return 20;
}

/* Makes an Ethernet + IPv4 (header of ihl words) + TCP frame with 8 bytes of data. */
static size_t
ipv4_frame(unsigned char *f, int ihl)
{
	size_t ip = (size_t)(ihl < 5 ? 5 : ihl) * 4, tot = ip + 20 + 8;

	memset(f, 0, 128);
	f[12] = 0x08; /* ETH_P_IP */
	f[ETH] = (unsigned char)(0x40 | ihl);
	f[ETH + 2] = (unsigned char)(tot >> 8);
	f[ETH + 3] = (unsigned char)tot;
	f[ETH + 9] = IPPROTO_TCP;
	f[ETH + 12] = 127;
	f[ETH + 15] = 1;
	f[ETH + 16] = 127;
	f[ETH + 19] = 1;
	tcp_header(f + ETH + ip, 0x18); /* PSH|ACK */
	memcpy(f + ETH + ip + 20, "12345678", 8);
	return ETH + tot;
}

/* Returns the port of a decoded address. */
static int
port_of(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET
	    ? ntohs(((const struct sockaddr_in *)ss)->sin_port)
	    : ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void
test_ipv4(void **state)
{
	unsigned char f[128];
	struct capture_seg s;
	size_t n;
	int ihl;

	(void)state;
	n = ipv4_frame(f, 5);
	assert_int_equal(capture_decode(f, n, &s), 0);
	assert_int_equal(port_of(&s.src), 1111);
	assert_int_equal(port_of(&s.dst), 2222);
	assert_int_equal(s.len, 8);
	assert_memory_equal(s.data, "12345678", 8);
	n = ipv4_frame(f, 6); /* 4 bytes of options */
	assert_int_equal(capture_decode(f, n, &s), 0);
	assert_int_equal(s.len, 8);
	/* a header length below 5 words is malformed: no segment */
	for (ihl = 0; ihl < 5; ihl++) {
		n = ipv4_frame(f, ihl);
		assert_int_equal(capture_decode(f, n, &s), -1);
	}
	/* a frame cut inside the TCP header */
	ipv4_frame(f, 5);
	assert_int_equal(capture_decode(f, ETH + 20 + 10, &s), -1);
}

/*
 * Makes an Ethernet + IPv6 frame whose extension headers are ext (each
 * given whole, its next-header byte filled in here), then TCP with 8
 * bytes of data. Returns its length.
 */
static size_t
ipv6_frame(unsigned char *f, const unsigned char *ext, size_t extlen, int first)
{
	size_t plen = extlen + 20 + 8;

	memset(f, 0, 256);
	f[12] = 0x86;
	f[13] = 0xdd; /* ETH_P_IPV6 */
	f[ETH] = 0x60;
	f[ETH + 4] = (unsigned char)(plen >> 8);
	f[ETH + 5] = (unsigned char)plen;
	f[ETH + 6] = (unsigned char)first;
	f[ETH + 8 + 15] = 1; /* ::1 */
	f[ETH + 24 + 15] = 1;
	if (extlen > 0)
		memcpy(f + ETH + 40, ext, extlen);
	tcp_header(f + ETH + 40 + extlen, 0x02); /* SYN */
	memcpy(f + ETH + 40 + extlen + 20, "abcdefgh", 8);
	return ETH + 40 + plen;
}

static void
test_ipv6_extension_headers(void **state)
{
	/* hop-by-hop (8 bytes), then destination options (16), then TCP */
	unsigned char ext[24] = { IPPROTO_DSTOPTS, 0 };
	unsigned char frag[8] = { IPPROTO_TCP, 0, 0, 0 };
	unsigned char f[256];
	struct capture_seg s;
	size_t n;

	(void)state;
	n = ipv6_frame(f, NULL, 0, IPPROTO_TCP);
	assert_int_equal(capture_decode(f, n, &s), 0);
	assert_int_equal(s.len, 8);
	assert_int_equal(s.flags, CAPTURE_SYN);
	ext[8] = IPPROTO_TCP;
	ext[9] = 1; /* (1 + 1) * 8 bytes */
	n = ipv6_frame(f, ext, sizeof(ext), IPPROTO_HOPOPTS);
	assert_int_equal(capture_decode(f, n, &s), 0);
	assert_int_equal(port_of(&s.src), 1111);
	assert_int_equal(port_of(&s.dst), 2222);
	assert_int_equal(s.len, 8);
	assert_memory_equal(s.data, "abcdefgh", 8);
	/* the first fragment holds the TCP header; a later one does not */
	n = ipv6_frame(f, frag, sizeof(frag), IPPROTO_FRAGMENT);
	assert_int_equal(capture_decode(f, n, &s), 0);
	frag[3] = 0x08; /* offset 1: the second 8 bytes */
	n = ipv6_frame(f, frag, sizeof(frag), IPPROTO_FRAGMENT);
	assert_int_equal(capture_decode(f, n, &s), -1);
	/* an extension header that claims more than the packet holds */
	ext[9] = 200;
	n = ipv6_frame(f, ext, sizeof(ext), IPPROTO_HOPOPTS);
	assert_int_equal(capture_decode(f, n, &s), -1);
	/* no TCP at the end of the chain */
	ext[8] = IPPROTO_NONE;
	ext[9] = 1;
	n = ipv6_frame(f, ext, sizeof(ext), IPPROTO_HOPOPTS);
	assert_int_equal(capture_decode(f, n, &s), -1);
}

/* A sock_diag answer: one message, with room for a second. */
struct answer {
	struct nlmsghdr nlh;
	struct inet_diag_msg m;
	struct nlmsghdr nlh2;
	struct inet_diag_msg m2;
};

/* Fills a message for a socket in state, local port lport. */
static void
diag_msg(struct nlmsghdr *nlh, struct inet_diag_msg *m, unsigned seq, int state,
    int lport)
{
	memset(nlh, 0, sizeof(*nlh));
	memset(m, 0, sizeof(*m));
	nlh->nlmsg_len = NLMSG_LENGTH(sizeof(*m));
	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_seq = seq;
	m->idiag_family = AF_INET;
	m->idiag_state = (unsigned char)state;
	m->id.idiag_sport = htons((uint16_t)lport);
	m->id.idiag_src[0] = htonl(0x7f000001);
	m->idiag_inode = 4242;
}

/* Counts the sockets diag_parse reports, keeping the last one's port. */
static int
diag_count(const struct diag_sock *d, void *arg)
{
	int *got = arg;

	got[0]++;
	got[1] = port_of(&d->local);
	return 0;
}

static void
test_diag_parse(void **state)
{
	struct answer a;
	int got[2] = { 0, 0 };

	(void)state;
	diag_msg(&a.nlh, &a.m, 77, 10, 5000);
	assert_int_equal(diag_parse(&a, NLMSG_ALIGN(a.nlh.nlmsg_len), 77,
	                     AF_INET, diag_count, got),
	    DIAG_MORE);
	assert_int_equal(got[0], 1);
	assert_int_equal(got[1], 5000);
	/* two in one datagram */
	diag_msg(&a.nlh2, &a.m2, 77, 1, 6000);
	got[0] = 0;
	assert_int_equal(diag_parse(&a, sizeof(a), 77, AF_INET, diag_count,
	                     got),
	    DIAG_MORE);
	assert_int_equal(got[0], 2);
	assert_int_equal(got[1], 6000);
	/* the answer to another request */
	got[0] = 0;
	assert_int_equal(diag_parse(&a, sizeof(a), 78, AF_INET, diag_count,
	                     got),
	    -1);
	assert_int_equal(got[0], 0);
	/* a message too short for what it must hold */
	a.nlh.nlmsg_len = NLMSG_LENGTH(8);
	assert_int_equal(diag_parse(&a, NLMSG_ALIGN(a.nlh.nlmsg_len), 77,
	                     AF_INET, diag_count, got),
	    -1);
	assert_int_equal(got[0], 0);
	/* a message longer than the datagram */
	diag_msg(&a.nlh, &a.m, 77, 10, 5000);
	a.nlh.nlmsg_len = sizeof(a) + 64;
	assert_int_equal(diag_parse(&a, sizeof(a), 77, AF_INET, diag_count,
	                     got),
	    -1);
	/* bytes left over after the last whole message */
	diag_msg(&a.nlh, &a.m, 77, 10, 5000);
	assert_int_equal(diag_parse(&a, NLMSG_ALIGN(a.nlh.nlmsg_len) + 12, 77,
	                     AF_INET, diag_count, got),
	    -1);
	/* the end of a dump */
	a.nlh.nlmsg_type = NLMSG_DONE;
	a.nlh.nlmsg_len = NLMSG_LENGTH(4);
	assert_int_equal(diag_parse(&a, NLMSG_ALIGN(a.nlh.nlmsg_len), 77,
	                     AF_INET, diag_count, got),
	    0);
}

/* An ARP request and a reply of the lab's link decode as ARP; a short or non-IPv4 one does not. */
static void
test_arp(void **state)
{
	static const unsigned char mac[6] = { 2, 0, 0, 0, 0, 2 };
	unsigned char f[ETH + 28];
	struct capture_seg s;

	(void)state;
	memset(f, 0, sizeof(f));
	f[12] = 0x08; /* ETH_P_ARP */
	f[13] = 0x06;
	memcpy(f + ETH, "\0\1\x08\0\6\4\0\1", 8); /* Ethernet, IPv4, request */
	memcpy(f + ETH + 8, mac, 6);
	memcpy(f + ETH + 14, "\x0a\0\0\2", 4);
	memcpy(f + ETH + 24, "\x0a\0\0\1", 4);
	assert_int_equal(capture_decode(f, sizeof(f), &s), 0);
	assert_int_equal(s.arp, 1);
	assert_memory_equal(s.arp_mac, mac, 6);
	assert_memory_equal(s.arp_sender, "\x0a\0\0\2", 4);
	assert_memory_equal(s.arp_target, "\x0a\0\0\1", 4);
	f[ETH + 7] = 2;
	assert_int_equal(capture_decode(f, sizeof(f), &s), 0);
	assert_int_equal(s.arp, 2);
	assert_int_equal(capture_decode(f, sizeof(f) - 1, &s), -1);
	f[ETH + 7] = 3; /* neither a request nor a reply */
	assert_int_equal(capture_decode(f, sizeof(f), &s), -1);
	f[ETH + 7] = 1;
	f[ETH + 2] = 0x86; /* not IPv4 */
	assert_int_equal(capture_decode(f, sizeof(f), &s), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6_extension_headers),
		cmocka_unit_test(test_diag_parse),
		cmocka_unit_test(test_arp),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
