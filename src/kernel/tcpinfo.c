/*
 * <linux/tcp.h> has the whole struct tcp_info (segs_in, bytes_acked, ...);
 * glibc's <netinet/tcp.h> stops at tcpi_total_retrans, and the two cannot
 * be included in one file, so this file alone reads it.
 */
#include "tcpinfo.h"

#include <linux/tcp.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "sys.h"

/*
 * Reads TCP_INFO of fd into out, through the sys seam (getsockopt only).
 * Returns 0, or -1 with errno set (not TCP, not a socket).
 */
int
tcpinfo_get(const struct sys_ops *sys, int fd, struct tcpinfo *out)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	memset(out, 0, sizeof(*out));
	if (sys->getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -1;
	out->state = ti.tcpi_state;
	out->retransmits = ti.tcpi_retransmits;
	out->rto_us = ti.tcpi_rto;
	out->ato_us = ti.tcpi_ato;
	out->snd_mss = ti.tcpi_snd_mss;
	out->rcv_mss = ti.tcpi_rcv_mss;
	out->unacked = ti.tcpi_unacked;
	out->sacked = ti.tcpi_sacked;
	out->lost = ti.tcpi_lost;
	out->last_data_sent_ms = ti.tcpi_last_data_sent;
	out->last_data_recv_ms = ti.tcpi_last_data_recv;
	out->last_ack_recv_ms = ti.tcpi_last_ack_recv;
	out->rtt_us = ti.tcpi_rtt;
	out->rttvar_us = ti.tcpi_rttvar;
	out->snd_cwnd = ti.tcpi_snd_cwnd;
	out->snd_ssthresh = ti.tcpi_snd_ssthresh;
	out->rcv_space = ti.tcpi_rcv_space;
	out->total_retrans = ti.tcpi_total_retrans;
	out->full = len >= offsetof(struct tcp_info, tcpi_data_segs_out) +
	        sizeof(ti.tcpi_data_segs_out);
	out->bytes_acked = ti.tcpi_bytes_acked;
	out->bytes_received = ti.tcpi_bytes_received;
	out->bytes_sent = ti.tcpi_bytes_sent;
	out->segs_out = ti.tcpi_segs_out;
	out->segs_in = ti.tcpi_segs_in;
	out->data_segs_out = ti.tcpi_data_segs_out;
	out->data_segs_in = ti.tcpi_data_segs_in;
	out->notsent_bytes = ti.tcpi_notsent_bytes;
	if (len >=
	    offsetof(struct tcp_info, tcpi_snd_wnd) + sizeof(ti.tcpi_snd_wnd))
		out->snd_wnd = ti.tcpi_snd_wnd;
	return 0;
}
