#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "addr.h"
#include "buf.h"
#include "call.h"
#include "cmd.h"
#include "diag.h"
#include "handle.h"
#include "out.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"
#include "tcpinfo.h"

/* Names the other handles that hold h's socket (dup), if any. */
static void
state_shared(struct shell *sh, const struct handle *h)
{
	struct handle *o;
	int n = call_sharers(sh, h, &o);

	if (n > 0)
		out_line(sh, "  one socket with %s (fd %d)%s", o->name, o->fd,
		    n > 1 ? " and others (handles lists them)" : "");
}

/* Prints a handle's addresses as the kernel has them, or as remembered. */
static void
state_addrs(struct shell *sh, const struct handle *h)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct buf l, p;

	buf_init(&l);
	buf_init(&p);
	len = sizeof(ss);
	if (sh->sys->getsockname(h->fd, (struct sockaddr *)&ss, &len) == 0)
		addr_short(&l, (struct sockaddr *)&ss, len);
	else
		buf_puts(&l, "-");
	len = sizeof(ss);
	if (sh->sys->getpeername(h->fd, (struct sockaddr *)&ss, &len) == 0)
		addr_short(&p, (struct sockaddr *)&ss, len);
	else if (diag_has_addr(handle_peer(h))) {
		addr_short(&p, (const struct sockaddr *)handle_peer(h),
		    sizeof(struct sockaddr_storage));
		buf_puts(&p, " (remembered; the fd has no peer now)");
	} else
		buf_puts(&p, "-");
	out_line(sh, "  local %s, peer %s", buf_str(&l), buf_str(&p));
	buf_free(&l);
	buf_free(&p);
}

/* Prints what sock_diag says of the socket behind fd, found by its inode. */
static void
state_diag(struct shell *sh, const struct handle *h)
{
	struct diag_sock d;
	struct stat st;
	const char *name;

	if (fstat(h->fd, &st) == -1 ||
	    diag_find_inode(h->family, (unsigned long)st.st_ino, &d) != 1) {
		if (h->tcp_state == TCP_TIME_WAIT &&
		    diag_find_peer(h, 1U << TCP_TIME_WAIT, &d) == 1)
			out_line(sh,
			    "  sock_diag: its connection is in TIME_WAIT "
			    "apart from the fd, %u s left",
			    (d.expires_ms + 999) / 1000);
		return;
	}
	name = sym_name(sym_tcp_state, d.state);
	out_line(sh, "  sock_diag: inode %lu, %s%s, queues %u/%u", d.inode,
	    name ? name : "?", d.expires_ms ? ", a timer runs" : "", d.rqueue,
	    d.wqueue);
}

/*
 * Returns 1 when state st shows the peer's FIN has come, 0 when it shows
 * it has not, -1 when it cannot say (CLOSE: after a FIN, an RST, or none).
 */
static int
state_fin_in(int st)
{
	switch (st) {
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
	case TCP_CLOSING:
	case TCP_TIME_WAIT:
		return 1;
	case TCP_CLOSE:
		return -1;
	default:
		return 0;
	}
}

/*
 * Prints TCP_INFO's byte counters as what they count (checked on Linux
 * 6.x): bytes_sent is data only; bytes_received counts the peer's FIN as
 * one byte (not its SYN); bytes_acked counts one for the SYN a connect
 * sent (not an accepted socket's SYN-ACK) and one for a FIN once
 * acknowledged.
 */
static void
state_bytes(struct shell *sh, const struct tcpinfo *ti)
{
	int fin = state_fin_in(ti->state);

	if (fin == 1 && ti->bytes_received > 0)
		out_line(sh,
		    "  bytes of data: %llu sent, %llu received, then the "
		    "peer's FIN; %u not sent yet",
		    ti->bytes_sent, ti->bytes_received - 1, ti->notsent_bytes);
	else if (fin == 0)
		out_line(sh,
		    "  bytes of data: %llu sent, %llu received; %u not sent "
		    "yet",
		    ti->bytes_sent, ti->bytes_received, ti->notsent_bytes);
	else
		out_line(sh,
		    "  bytes: %llu of data sent; %llu received, counting "
		    "the peer's FIN as one if it came; %u not sent yet",
		    ti->bytes_sent, ti->bytes_received, ti->notsent_bytes);
	out_line(sh,
	    "  acknowledged by the peer: %llu, counting one for the SYN if "
	    "this socket made the connect%s",
	    ti->bytes_acked,
	    ti->state == TCP_FIN_WAIT2 || ti->state == TCP_TIME_WAIT
	        ? ", and one for its FIN"
	        : ti->state == TCP_CLOSE ? ", and one for its FIN if the peer "
	                                   "acknowledged one"
	                                 : "; its FIN is not among them");
}

/* Prints the TCP_INFO fields worth knowing, in words. */
static void
state_tcp(struct shell *sh, const struct tcpinfo *ti)
{
	out_line(sh,
	    "  round-trip time %.3f ms (varies by %.3f ms); "
	    "retransmission timeout %u ms",
	    ti->rtt_us / 1000.0, ti->rttvar_us / 1000.0, ti->rto_us / 1000);
	out_line(sh,
	    "  congestion window %u segments; segment size %u bytes "
	    "out, %u in",
	    ti->snd_cwnd, ti->snd_mss, ti->rcv_mss);
	if (ti->full) {
		out_line(sh,
		    "  segments: %u sent (%u with data), %u received "
		    "(%u with data)",
		    ti->segs_out, ti->data_segs_out, ti->segs_in,
		    ti->data_segs_in);
		state_bytes(sh, ti);
	}
	out_line(sh,
	    "  retransmits: %u now, %u in all; %u segments "
	    "unacknowledged, %u lost",
	    ti->retransmits, ti->total_retrans, ti->unacked, ti->lost);
	out_line(sh,
	    "  last data sent %u ms ago, received %u ms ago; last "
	    "ACK received %u ms ago",
	    ti->last_data_sent_ms, ti->last_data_recv_ms, ti->last_ack_recv_ms);
	if (ti->snd_wnd)
		out_line(sh, "  the peer's receive window: %u bytes",
		    ti->snd_wnd);
}

/* state HANDLE: one handle in full, the kernel's view in words. */
static int
cmd_state_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const struct handle *h = a->h;
	struct tcpinfo ti;
	const char *st;
	int inq = -1, outq = -1, tcp;

	(void)cmd;
	tcp = h->type == SOCK_STREAM &&
	    (h->family == AF_INET || h->family == AF_INET6);
	if (!tcp || tcpinfo_get(sh->sys, h->fd, &ti) == -1) {
		out_line(sh, "%s: fd %d, %s", h->name, h->fd,
		    tcp ? "tcp"
		        : "not a TCP socket: handles shows what there is");
		state_addrs(sh, h);
		state_shared(sh, h);
		return CMD_OK;
	}
	st = sym_name(sym_tcp_state, ti.state);
	out_line(sh, "%s: fd %d, tcp%s, %s", h->name, h->fd,
	    h->family == AF_INET6 ? "6" : "", st ? st : "?");
	state_addrs(sh, h);
	state_shared(sh, h);
	state_diag(sh, h);
	if (ti.state == TCP_LISTEN) {
		out_line(sh,
		    "  %u connections wait for accept; the backlog is "
		    "%u",
		    ti.unacked, ti.sacked);
		return CMD_OK;
	}
	state_tcp(sh, &ti);
	if (ti.state != TCP_LISTEN) {
		if (sh->sys->ioctl_int(h->fd, SIOCINQ, &inq) == -1)
			inq = -1;
		if (sh->sys->ioctl_int(h->fd, SIOCOUTQ, &outq) == -1)
			outq = -1;
		out_line(sh,
		    "  queues: %d bytes unread (SIOCINQ), %d unsent or "
		    "unacknowledged (SIOCOUTQ)",
		    inq, outq);
	}
	out_line(sh, "  shut down: %s",
	    h->shut == (HANDLE_SHUT_RD | HANDLE_SHUT_WR) ? "both directions"
	        : h->shut == HANDLE_SHUT_RD              ? "reading (SHUT_RD)"
	        : h->shut == HANDLE_SHUT_WR              ? "writing (SHUT_WR)"
	                                                 : "nothing");
	return CMD_OK;
}

const struct cmd_entry cmd_state_entry = {
	.name = "state",
	.usage = "HANDLE",
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_HANDLE | CMD_READS,
	.group = CMD_GROUP_SHELL,
	.summary = "show one handle in full: TCP_INFO in words",
	.help =
	    "Shows one handle in full: its TCP state, addresses, the other "
	    "handles of its socket (dup), what "
	    "sock_diag says of the socket (found by the inode fstat gives), "
	    "and the TCP_INFO fields in words: round-trip time, congestion "
	    "window, segments and bytes sent, acknowledged and received, "
	    "retransmits, and the queues. It only reads: getsockopt, ioctl, "
	    "getsockname, getpeername, fstat, sock_diag.",
	.errors = "",
	.man = "tcp(7), ss(8), sock_diag(7)",
	.complete = "handle",
	.exec = cmd_state_exec,
};
