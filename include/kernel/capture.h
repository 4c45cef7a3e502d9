/* Packets on loopback through an AF_PACKET socket: the shell's own segments. */
#ifndef SOCKSTEP_CAPTURE_H
#define SOCKSTEP_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CAPTURE_FD 200 /* the capture socket sits at or above this fd */
#define CAPTURE_FLOWS 64 /* directions whose first sequence number is kept */

#define CAPTURE_FIN 0x01
#define CAPTURE_SYN 0x02
#define CAPTURE_RST 0x04
#define CAPTURE_PSH 0x08
#define CAPTURE_ACK 0x10

/* One TCP segment seen on lo (or on a lab host's link), or an ARP frame of the link. */
struct capture_seg {
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
	unsigned flags; /* CAPTURE_* */
	uint32_t seq; /* relative to the direction's first */
	uint32_t ack; /* relative to the other direction's first */
	int rel_ack; /* ack is relative (the other direction seen) */
	int answers_syn; /* the other direction's latest was a bare SYN */
	unsigned len; /* bytes of data */
	const unsigned char *data;
	int link; /* seen on a lab's link (not lo): the lab's own traffic */
	int arp; /* an ARP frame instead: 1 a request, 2 a reply; 0 TCP */
	unsigned char arp_sender[4]; /* ARP: the sender's IPv4 address */
	unsigned char arp_target[4]; /* ...the address asked for */
	unsigned char arp_mac[6]; /* ...the sender's hardware address */
};

/* The first sequence number seen in one direction of a connection. */
struct capture_flow {
	struct sockaddr_storage src;
	struct sockaddr_storage dst;
	uint32_t isn;
	unsigned last; /* the flags of its latest segment */
};

struct capture {
	int fd; /* -1 when off */
	int lo; /* the index of lo, whose frames come twice */
	struct capture_flow flow[CAPTURE_FLOWS];
	size_t nflow;
	size_t next; /* the slot a new flow takes when full */
};

void capture_init(struct capture *);
int capture_start(struct capture *, char *, size_t);
void capture_stop(struct capture *);
int capture_read(struct capture *, int,
    int (*)(const struct capture_seg *, void *),
    int (*)(const struct capture_seg *, void *), void *);
void capture_flags(char *, size_t, unsigned);
int capture_decode(const unsigned char *, size_t, struct capture_seg *);

#endif
