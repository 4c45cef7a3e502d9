/* The kernel's full TCP_INFO, read through <linux/tcp.h> in a file of its own. */
#ifndef SOCKSTEP_TCPINFO_H
#define SOCKSTEP_TCPINFO_H

struct sys_ops;

/* The TCP_INFO fields the shell shows, in plain types. */
struct tcpinfo {
	int state; /* TCP_ESTABLISHED ... TCP_CLOSING */
	unsigned retransmits; /* unrecovered retransmissions now */
	unsigned rto_us;
	unsigned ato_us;
	unsigned snd_mss;
	unsigned rcv_mss;
	unsigned unacked; /* segments sent, not yet acknowledged */
	unsigned sacked; /* for a listener: the backlog */
	unsigned lost;
	unsigned last_data_sent_ms;
	unsigned last_data_recv_ms;
	unsigned last_ack_recv_ms;
	unsigned rtt_us;
	unsigned rttvar_us;
	unsigned snd_cwnd; /* congestion window, in segments */
	unsigned snd_ssthresh;
	unsigned rcv_space;
	unsigned total_retrans;
	unsigned long long bytes_acked;
	unsigned long long bytes_received;
	unsigned long long bytes_sent;
	unsigned segs_out;
	unsigned segs_in;
	unsigned data_segs_out;
	unsigned data_segs_in;
	unsigned notsent_bytes;
	unsigned snd_wnd; /* the peer's advertised window; 0 when unknown */
	int full; /* the kernel filled the fields past total_retrans */
};

int tcpinfo_get(const struct sys_ops *, int, struct tcpinfo *);

#endif
