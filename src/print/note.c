/*
 * Plain-language notes, each a function of one call's record: a note is
 * printed only when the record holds the evidence its claim rests on
 * (the result, and what the shell read of the socket just before and
 * after), or when Linux guarantees it for that family, type and state.
 * Every note has an id; tests/notes holds a scenario for each id and
 * family that checks its claim against the kernel.
 */
#include "note.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "addr.h"
#include "buf.h"
#include "call.h"
#include "diag.h"
#include "handle.h"
#include "job.h"
#include "labhost.h"
#include "out.h"
#include "shell.h"
#include "sig.h"
#include "sym.h"

/* Families a note can be printed for, one bit each. */
#define F_TCP 0x1
#define F_UDP 0x2
#define F_USTREAM 0x4
#define F_UDGRAM 0x8
#define F_NONE 0x10 /* the call names no socket */
#define F_INET (F_TCP | F_UDP)
#define F_STREAM (F_TCP | F_USTREAM)
#define F_DGRAM (F_UDP | F_UDGRAM)
#define F_ALL (F_INET | F_USTREAM | F_UDGRAM)

/* Results a rule can ask for, besides an errno. */
#define RES_OK (-1) /* the call succeeded */
#define RES_ZERO (-2) /* it returned 0 */

/* TCP states, as TCP_INFO gives them. */
#define ST_ESTABLISHED 1
#define ST_SYN_SENT 2
#define ST_FIN_WAIT1 4
#define ST_FIN_WAIT2 5
#define ST_TIME_WAIT 6
#define ST_CLOSE 7
#define ST_CLOSE_WAIT 8
#define ST_LAST_ACK 9
#define ST_LISTEN 10
#define ST_CLOSING 11

/*
 * One note: its id, the calls and result it follows, the families it can
 * be printed for, and either a fixed text or a function that writes it
 * into b from the record and returns 1, or 0 when the evidence is not there.
 * In a text, {h} is the handle's name, {a} the address the call named,
 * {c} the call and {i} what interrupted it.
 */
struct note_rule {
	const char *id;
	const char *calls; /* space-separated, or NULL for any */
	int result; /* RES_OK, RES_ZERO, or an errno */
	unsigned fams;
	int meaning; /* shown even with notes off: what the result is */
	int (*say)(struct shell *, const struct call *, struct buf *);
	const char *text;
};

/* Returns the family bit of the call's socket. */
static unsigned
note_fam(const struct call *c)
{
	int stream = c->type == SOCK_STREAM || c->type == SOCK_SEQPACKET;

	if (c->h == NULL)
		return F_NONE;
	if (c->family == AF_UNIX)
		return stream ? F_USTREAM : F_UDGRAM;
	return stream ? F_TCP : F_UDP;
}

/* Returns the name of a family bit, as scenarios write it. */
const char *
note_fam_name(unsigned fam)
{
	switch (fam) {
	case F_TCP:
		return "tcp";
	case F_UDP:
		return "udp";
	case F_USTREAM:
		return "unix-stream";
	case F_UDGRAM:
		return "unix-dgram";
	}
	return "-";
}

/* Returns the name of a TCP state. */
static const char *
note_state(int st)
{
	const char *s = sym_name(sym_tcp_state, st);

	return s ? s : "?";
}

/* Returns 1 when TCP state st is one of a connection still open or closing. */
static int
note_connected_state(int st)
{
	return st == ST_ESTABLISHED || st == ST_CLOSE_WAIT ||
	    st == ST_FIN_WAIT1 || st == ST_FIN_WAIT2 || st == ST_CLOSING ||
	    st == ST_LAST_ACK;
}

/*
 * Returns 1 when a close dropped the last descriptor of its socket that
 * the shell holds: only then do the notes of a close (FIN, RST, a freed
 * port, a reset queue) apply.
 */
static int
note_last_close(const struct call *c)
{
	return c->sharers == 0;
}

/* Returns 1 when the view shows a bound address (a port, or a Unix name). */
static int
note_bound(const struct call_view *v)
{
	if (v->local.ss_family == AF_UNIX)
		return v->local_len > sizeof(sa_family_t);
	return v->local_len > 0 && call_port(&v->local) > 0;
}

/* Returns the Unix path a view's local address holds, or NULL (none, or abstract). */
static const char *
note_unix_path(const struct call_view *v)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)&v->local;

	if (v->local.ss_family != AF_UNIX ||
	    v->local_len <= sizeof(sa_family_t) || un->sun_path[0] == '\0')
		return NULL;
	return un->sun_path;
}

/*
 * Returns what interrupted the call: a cancel of its job, or the signal
 * that came last (Ctrl-C, SIGPIPE, SIGTERM, SIGHUP).
 */
static const char *
note_interrupter(void)
{
	return job_current() ? "cancel" : sig_what();
}

/* Appends "s" when n is not 1. */
static const char *
note_s(long n)
{
	return n == 1 ? "" : "s";
}

/* socket: what kind of socket it made. */
static int
say_socket_kind(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	switch (note_fam(c)) {
	case F_TCP:
		buf_puts(b,
		    "a TCP socket: bind and listen for a server, or connect "
		    "for a client");
		break;
	case F_UDP:
		buf_puts(b,
		    "a UDP socket: datagrams, no connection; sendto an "
		    "address, or bind and recvfrom");
		break;
	case F_USTREAM:
		buf_puts(b,
		    "a Unix stream socket: like TCP, but addressed by a path "
		    "on this machine");
		break;
	default:
		buf_puts(b,
		    "a Unix datagram socket: like UDP, but addressed by a "
		    "path on this machine");
	}
	return 1;
}

/* bind to the wildcard address. */
static int
say_bind_wildcard(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->after.seen || !call_is_any(&c->after.local))
		return 0;
	if (c->type == SOCK_STREAM)
		buf_printf(b,
		    "'' is the wildcard address: once listening, %s takes "
		    "connections to any address of this machine",
		    c->h->name);
	else
		buf_printf(b,
		    "'' is the wildcard address: %s receives datagrams sent "
		    "to any address of this machine",
		    c->h->name);
	return 1;
}

/* Writes who holds the address: "srv (fd 3)", or "a socket of another program". */
static void
note_holder_name(struct shell *sh, struct buf *b, const struct call_holder *o)
{
	if (o->h && o->live)
		buf_printf(b, "%s (fd %d)", o->h->name, o->h->fd);
	else if (o->h)
		buf_printf(b, "the connection %s left when it was closed",
		    o->h->name);
	else if (o->inode)
		buf_puts(b,
		    sh->others ? sh->others : "a socket of another program");
	else
		buf_puts(b, "a connection no descriptor holds any more");
}

/* EADDRINUSE: a listening socket holds the address. */
static int
say_inuse_listener(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->holder.found || !c->holder.listening)
		return 0;
	note_holder_name(sh, b, &c->holder);
	buf_printf(b,
	    " listens on %s: while it listens no other socket can have "
	    "that port, with SO_REUSEADDR or without",
	    c->addr ? c->addr : "that port");
	return 1;
}

/* Appends who lacks SO_REUSEADDR for a bind to share a port with a connection. */
static void
note_reuse_tell(struct buf *b, const struct call *c)
{
	buf_puts(b,
	    "; a bind shares a port with a connection only when both sockets "
	    "set SO_REUSEADDR");
	if (c->before.seen && !c->before.reuseaddr)
		buf_printf(b, ", and %s has not", c->h->name);
	else if (c->holder.reuseaddr == 0 && c->holder.h)
		buf_printf(b, ", and %s has not", c->holder.h->name);
}

/* EADDRINUSE: a live connection holds the address. */
static int
say_inuse_conn(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->holder.found || c->holder.listening ||
	    !(c->holder.live || c->holder.h == NULL) ||
	    !note_connected_state(c->holder.state))
		return 0;
	note_holder_name(sh, b, &c->holder);
	buf_printf(b, ", a connection in %s, holds %s",
	    note_state(c->holder.state), c->addr ? c->addr : "it");
	note_reuse_tell(b, c);
	return 1;
}

/* EADDRINUSE: a connection in TIME_WAIT (no fd holds it) holds the address. */
static int
say_inuse_timewait(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->holder.found || c->holder.live ||
	    c->holder.state != ST_TIME_WAIT)
		return 0;
	buf_printf(b, "a connection in TIME_WAIT (%u s left) holds %s",
	    (c->holder.expires_ms + 999) / 1000, c->addr ? c->addr : "it");
	if (c->holder.h)
		buf_printf(b, " (%s left it when it was closed)",
		    c->holder.h->name);
	if (c->before.seen && c->before.reuseaddr)
		buf_puts(b,
		    "; SO_REUSEADDR lets a bind over TIME_WAIT only when "
		    "the socket that left it had set it too, and that one "
		    "had not");
	else
		buf_printf(b,
		    "; setsockopt %s SO_REUSEADDR 1 before bind lets it "
		    "bind over TIME_WAIT, but only when the socket that left "
		    "it had set SO_REUSEADDR too",
		    c->h->name);
	return 1;
}

/* EADDRINUSE on UDP: another datagram socket of this shell is bound there. */
static int
say_inuse_udp(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->holder.found || !c->holder.live)
		return 0;
	note_holder_name(sh, b, &c->holder);
	buf_printf(b, " is bound to %s", c->addr ? c->addr : "it");
	return 1;
}

/* EADDRINUSE on a Unix socket: the file, or an abstract name in use. */
static int
say_inuse_unix(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->addr == NULL)
		return 0;
	if (c->addr[0] == '@')
		buf_printf(b, "another socket is bound to %s", c->addr);
	else
		buf_printf(b,
		    "%s exists in the file system: a Unix socket's file "
		    "stays after the socket is closed. If no socket uses it, "
		    "remove it (unlink %s) and bind again: this shell removes "
		    "no file by itself",
		    c->addr, c->addr);
	return 1;
}

/* bind EINVAL: the socket already has an address. */
static int
say_bind_inval(struct shell *sh, const struct call *c, struct buf *b)
{
	struct buf a;

	(void)sh;
	if (!c->before.seen || !note_bound(&c->before))
		return 0;
	buf_init(&a);
	addr_short(&a, (const struct sockaddr *)&c->before.local,
	    c->before.local_len);
	buf_printf(b, "%s is already bound to %s: a socket binds once",
	    c->h->name, buf_str(&a));
	buf_free(&a);
	return 1;
}

/* Returns net.core.somaxconn, the cap on every backlog, or -1 unknown. */
static long
note_somaxconn(void)
{
	FILE *f = fopen("/proc/sys/net/core/somaxconn", "r");
	long v = -1;

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* listen: how many connections can wait, as the kernel keeps the backlog. */
static int
say_listen_ok(struct shell *sh, const struct call *c, struct buf *b)
{
	long kept = c->after.backlog, max = note_somaxconn();

	(void)sh;
	if (kept < 0 && max >= 0) /* Unix: the kernel caps it the same way */
		kept = c->arg < 0 || c->arg > max ? max : c->arg;
	if (kept < 0)
		return 0;
	buf_printf(b,
	    "%s is listening: %s up to %ld connection%s wait for accept (the "
	    "backlog, plus one on Linux)",
	    c->h->name,
	    c->family == AF_UNIX ? "Unix sockets have no handshake;"
	                         : "the kernel completes handshakes and lets",
	    kept + 1, note_s(kept + 1));
	if (c->arg != kept)
		buf_printf(b,
		    "; listen asked for %ld, and the kernel keeps %ld "
		    "(net.core.somaxconn is %ld)",
		    c->arg, kept, max);
	return 1;
}

/* listen on a socket never bound: the kernel bound it. */
static int
say_listen_autobind(struct shell *sh, const struct call *c, struct buf *b)
{
	struct buf a;

	(void)sh;
	if (!c->before.seen || !c->after.seen || note_bound(&c->before) ||
	    !note_bound(&c->after))
		return 0;
	buf_init(&a);
	addr_short(&a, (const struct sockaddr *)&c->after.local,
	    c->after.local_len);
	buf_printf(b,
	    "%s was not bound, so listen bound it to %s: every address of "
	    "this machine, on a port the kernel chose; bind first to choose",
	    c->h->name, buf_str(&a));
	buf_free(&a);
	return 1;
}

/* listen or accept EINVAL on a connected socket. */
static int
say_inval_connected(struct shell *sh, const struct call *c, struct buf *b)
{
	size_t i;
	int n = 0;

	if (!c->before.seen || (c->before.peer_len == 0 && !c->h->connected))
		return 0;
	if (strcmp(c->name, "listen") == 0) {
		buf_printf(b,
		    "%s has been connected, and such a socket cannot listen: "
		    "a server needs a socket of its own (socket, bind, listen)",
		    c->h->name);
		return 1;
	}
	buf_printf(b,
	    "%s has been connected, so it is not a listening socket: accept "
	    "on the listening one",
	    c->h->name);
	for (i = 0; i < sh->handles.n; i++) {
		struct handle *h = sh->handles.v[i];
		struct call_view v;

		if (h->fd < 0 || h == c->h || h->family != c->family)
			continue;
		call_view_read(sh, h, &v);
		if (v.listening)
			buf_printf(b, "%s%s", n++ ? ", " : " (", h->name);
	}
	if (n)
		buf_addc(b, ')');
	return 1;
}

/* accept EINVAL on a socket that is not listening nor connected. */
static int
say_accept_notlistening(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->before.seen || c->before.peer_len != 0 || c->h->connected ||
	    c->before.listening)
		return 0;
	buf_printf(b,
	    "%s is not listening: listen %s first (bound first, so clients "
	    "know its address)",
	    c->h->name, c->h->name);
	return 1;
}

/* listen EINVAL on a Unix socket with no address. */
static int
say_listen_unbound(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->before.seen || note_bound(&c->before) ||
	    c->before.peer_len != 0 || c->h->connected)
		return 0;
	buf_printf(b,
	    "a Unix socket must be bound to a path (or @name) before it can "
	    "listen: bind %s PATH first",
	    c->h->name);
	return 1;
}

/* accept: the new socket, and the listener that stays. */
static int
say_accept_ok(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->after.seen || !c->after.listening)
		return 0;
	buf_printf(b,
	    "a new socket for this one connection; %s keeps listening",
	    c->h->name);
	return 1;
}

/* recvmsg with MSG_CTRUNC: descriptors that found no room were closed. */
static int
say_recvmsg_ctrunc(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!(c->msg_flags & MSG_CTRUNC))
		return 0;
	buf_puts(b,
	    "MSG_CTRUNC: more descriptors came than there were names to "
	    "hold them; the kernel closed the ones that did not fit, so "
	    "this process never gets them (the sender's own stay open)");
	return 1;
}

/* sendmsg of 0 bytes with descriptors on a stream: none was passed. */
static int
say_sendmsg_empty(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->arg != 0 || c->nfds == 0)
		return 0;
	buf_puts(b,
	    "0 bytes: nothing was sent, and no descriptor with it: on a "
	    "stream socket descriptors ride with at least one byte of data");
	return 1;
}

/* accept EMFILE: the connection stays queued. */
static int
say_accept_emfile(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->after.queued <= 0)
		return 0;
	buf_printf(b,
	    "the process has no free fd for the new socket, so the "
	    "connection stays in %s's queue (%d waiting): close a handle and "
	    "accept again",
	    c->h->name, c->after.queued);
	return 1;
}

/* connect: where the connection is now. */
static int
say_connect_ok(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->family == AF_UNIX)
		buf_puts(b,
		    "Unix sockets have no handshake: the server's kernel "
		    "queued the connection for accept, before any accept");
	else if (c->after.state == ST_ESTABLISHED)
		buf_puts(b,
		    "the handshake is done (ESTABLISHED): the server's kernel "
		    "completed it, before any accept");
	else
		return 0;
	return 1;
}

/* Returns 1 when ss is a loopback address (127.0.0.0/8, ::1). */
static int
note_is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(
		            ((const struct sockaddr_in *)ss)->sin_addr.s_addr) >>
		           24) == 127;
	return ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/*
 * Finds a live TCP listener of the shell on the port connect c named,
 * and reads it into v: bound to another address (not the wildcard); or,
 * with other_host, when c named a loopback address, one on another lab
 * host than c's socket, bound to loopback or the wildcard. Returns it,
 * or NULL.
 */
static struct handle *
note_other_listener(struct shell *sh, const struct call *c, struct call_view *v,
    int other_host)
{
	size_t i;

	if (c->to == NULL || call_port(c->to) <= 0 ||
	    (other_host && (c->h->host < 0 || !note_is_loopback(c->to))))
		return NULL;
	for (i = 0; i < sh->handles.n; i++) {
		struct handle *h = sh->handles.v[i];

		if (h == c->h || h->fd < 0 || h->type != SOCK_STREAM ||
		    h->family != c->family ||
		    (other_host && (h->host < 0 || h->host == c->h->host)))
			continue;
		call_view_read_some(sh, h, v,
		    CALL_VIEW_STATE | CALL_VIEW_NAMES);
		if (!v->listening || call_port(&v->local) != call_port(c->to))
			continue;
		if (other_host
		        ? call_is_any(&v->local) || note_is_loopback(&v->local)
		        : !call_is_any(&v->local) &&
		            !diag_addr_equal(&v->local, c->to))
			return h;
	}
	return NULL;
}

/* connect ECONNREFUSED on TCP, with no listener of the shell on another address or host. */
static int
say_refused(struct shell *sh, const struct call *c, struct buf *b)
{
	struct call_view v;

	if (note_other_listener(sh, c, &v, 0) ||
	    note_other_listener(sh, c, &v, 1))
		return 0;
	buf_printf(b,
	    "nothing listens on %s — start the server (bind, listen) first",
	    c->addr ? c->addr : "that address");
	return 1;
}

/* connect ECONNREFUSED on TCP while a listener of the shell has the port on another address. */
static int
say_refused_elsewhere(struct shell *sh, const struct call *c, struct buf *b)
{
	struct call_view v;
	const struct handle *h = note_other_listener(sh, c, &v, 0);
	struct buf where;

	if (h == NULL)
		return 0;
	buf_init(&where);
	addr_short(&where, (const struct sockaddr *)&v.local, sizeof(v.local));
	buf_printf(b,
	    "nothing listens on %s; %s listens on %s: a listening socket "
	    "takes only connections to the address it is bound to ('' "
	    "takes them on every address of its host)",
	    c->addr ? c->addr : "that address", h->name, buf_str(&where));
	buf_free(&where);
	return 1;
}

/* connect ECONNREFUSED to loopback on a lab host while a listener of the shell has the port on the other. */
static int
say_refused_other_host(struct shell *sh, const struct call *c, struct buf *b)
{
	struct call_view v;
	const struct handle *h = note_other_listener(sh, c, &v, 1);

	if (h == NULL)
		return 0;
	buf_printf(b,
	    "nothing listens on %s on %s; %s listens on %s: a loopback "
	    "address reaches only the host it is used on",
	    c->addr ? c->addr : "that address", labhost_name(c->h->host),
	    h->name, labhost_name(h->host));
	return 1;
}

/* connect EINPROGRESS: the handshake goes on, or has ended since. */
static int
say_connect_inprogress(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->after.state == ST_SYN_SENT)
		buf_printf(b,
		    "the handshake goes on in the kernel (SYN_SENT): poll %s "
		    "for POLLOUT, and once it is writable, getsockopt %s "
		    "SO_ERROR tells how it ended (0: connected)",
		    c->h->name, c->h->name);
	else if (c->after.state == ST_ESTABLISHED)
		buf_printf(b,
		    "the handshake was under way when connect returned, and "
		    "it is done already (ESTABLISHED): %s is writable now",
		    c->h->name);
	else
		return 0;
	return 1;
}

/* connect EALREADY: a handshake in progress. */
static int
say_connect_already(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->before.state != ST_SYN_SENT)
		return 0;
	buf_printf(b,
	    "%s's earlier connect is still in progress (SYN_SENT): poll %s "
	    "for POLLOUT rather than connect again",
	    c->h->name, c->h->name);
	return 1;
}

/* connect EISCONN. */
static int
say_connect_isconn(struct shell *sh, const struct call *c, struct buf *b)
{
	struct buf a;

	(void)sh;
	if (!c->before.seen || c->before.peer_len == 0)
		return 0;
	buf_init(&a);
	addr_short(&a, (const struct sockaddr *)&c->before.peer,
	    c->before.peer_len);
	buf_printf(b,
	    "%s is already connected to %s: a stream socket connects once",
	    c->h->name, buf_str(&a));
	buf_free(&a);
	return 1;
}

/* connect EINTR on TCP: the handshake goes on. */
static int
say_connect_eintr(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->after.state == ST_SYN_SENT)
		buf_printf(b,
		    "%s interrupted connect, but the handshake goes on in the "
		    "kernel: %s is in SYN_SENT",
		    note_interrupter(), c->h->name);
	else if (c->after.state == ST_ESTABLISHED)
		buf_printf(b,
		    "%s interrupted connect, and the handshake finished "
		    "meanwhile: %s is ESTABLISHED",
		    note_interrupter(), c->h->name);
	else
		return 0;
	return 1;
}

/* Returns 1 when nothing the shell reads of the socket changed across the call. */
static int
note_unchanged(const struct call *c)
{
	return c->before.seen && c->after.seen &&
	    c->before.state == c->after.state &&
	    c->before.listening == c->after.listening &&
	    c->before.peer_len == c->after.peer_len &&
	    c->before.shut == c->after.shut;
}

/* EINTR of a call with nothing changed. */
static int
say_eintr(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->h == NULL) {
		buf_printf(b,
		    "%s interrupted the call before a handle was ready; %s "
		    "changes no socket",
		    note_interrupter(), c->name);
		return 1;
	}
	if (!note_unchanged(c) ||
	    (strcmp(c->name, "connect") == 0 && c->family != AF_UNIX))
		return 0;
	buf_printf(b, "%s interrupted %s; %s is as it was before the call",
	    note_interrupter(), c->name, c->h->name);
	return 1;
}

/* send 0 bytes. */
static int
say_send_zero(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->arg != 0)
		return 0;
	if (c->type == SOCK_DGRAM)
		buf_puts(b,
		    "a datagram of 0 bytes went: a real message, which the "
		    "peer's recvfrom returns as 0 (not EOF)");
	else
		buf_puts(b,
		    "a send of 0 bytes on a stream sends nothing: it is not "
		    "the zero-length message, which shutdown SHUT_WR makes");
	return 1;
}

/* send took fewer bytes than given. */
static int
say_send_partial(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->ret >= c->arg || (c->cmd && strcmp(c->cmd, "sendall") == 0))
		return 0;
	buf_printf(b,
	    "only %ld of %ld bytes went: send may send less than asked; "
	    "send the rest again (sendall does that)",
	    c->ret, c->arg);
	return 1;
}

/* EPIPE after this socket's own SHUT_WR. */
static int
say_epipe_shutwr(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!(c->before.shut & HANDLE_SHUT_WR))
		return 0;
	buf_printf(b,
	    "%s shut down its sending side (SHUT_WR): it can send no more",
	    c->h->name);
	if (!(c->before.shut & HANDLE_SHUT_RD))
		buf_puts(b, ", though it can still receive");
	return 1;
}

/* EPIPE on a TCP socket that never had a connection. */
static int
say_epipe_notconn(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if ((c->before.shut & HANDLE_SHUT_WR) || c->h->connected ||
	    c->before.state != ST_CLOSE)
		return 0;
	buf_printf(b,
	    "%s is not connected: TCP sends only on a connected socket "
	    "(connect it, or use the socket accept returns)",
	    c->h->name);
	return 1;
}

/* Appends what the shell knows of the other end: closed, or shut down. */
static void
note_peer_tell(struct buf *b, const struct call *c)
{
	if (c->peer == NULL)
		return;
	if (c->peer->fd < 0)
		buf_printf(b, " (%s is closed)", c->peer->name);
	else if (c->peer->shut & HANDLE_SHUT_RD)
		buf_printf(b, " (%s shut down its receiving side)",
		    c->peer->name);
}

/* EPIPE on a TCP connection that is over. */
static int
say_epipe_closed(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if ((c->before.shut & HANDLE_SHUT_WR) || !c->h->connected ||
	    c->before.state != ST_CLOSE)
		return 0;
	buf_printf(b,
	    "%s's connection is over (its state is CLOSE): nothing more can "
	    "be sent on it",
	    c->h->name);
	note_peer_tell(b, c);
	return 1;
}

/* EPIPE on a Unix stream socket. */
static int
say_epipe_unix(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->before.shut & HANDLE_SHUT_WR)
		return 0;
	buf_printf(b,
	    "the other end of %s is closed or shut down for receiving: "
	    "nothing more can be sent",
	    c->h->name);
	note_peer_tell(b, c);
	return 1;
}

/* EPIPE with SIGPIPE ignored, as Python does. */
static int
say_sigpipe_ignore(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)c;
	if (sh->sigpipe != SHELL_SIGPIPE_IGNORE)
		return 0;
	buf_puts(b,
	    "SIGPIPE is ignored, as Python ignores it: the send just fails "
	    "with EPIPE, which Python raises as BrokenPipeError");
	return 1;
}

/* EPIPE with SIGPIPE caught by the shell. */
static int
say_sigpipe_catch(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->signal != SIGPIPE || c->killed)
		return 0;
	buf_puts(b,
	    "SIGPIPE came too: a program that does not handle it is killed "
	    "by it (exit status 141); Python ignores it and raises "
	    "BrokenPipeError");
	return 1;
}

/* EPIPE in a child with SIGPIPE's default action: killed. */
static int
say_sigpipe_default(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->killed != SIGPIPE)
		return 0;
	buf_puts(b,
	    "this is what a C program that does not handle SIGPIPE meets: "
	    "send does return EPIPE, but the signal kills the process before "
	    "it can use the result. Python ignores SIGPIPE and raises "
	    "BrokenPipeError; MSG_NOSIGNAL (or set sigpipe ignore) keeps the "
	    "signal away");
	return 1;
}

/* EAGAIN with MSG_DONTWAIT. */
static int
say_dontwait(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!(c->flags & MSG_DONTWAIT))
		return 0;
	if (strncmp(c->name, "recv", 4) == 0)
		buf_printf(b,
		    "MSG_DONTWAIT: nothing has arrived, so %s returns at once "
		    "instead of waiting",
		    c->name);
	else if (c->family == AF_UNIX && c->type == SOCK_DGRAM)
		buf_puts(b,
		    "MSG_DONTWAIT: the receiver's queue is full, so the call "
		    "returns at once instead of waiting");
	else if (c->family != AF_UNIX && !note_connected_state(c->before.state))
		return 0;
	else
		buf_puts(b,
		    "MSG_DONTWAIT: the send buffer is full, so the call "
		    "returns at once instead of waiting");
	return 1;
}

/* EAGAIN on a non-blocking socket. */
static int
say_eagain_nonblock(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if ((c->flags & MSG_DONTWAIT) || !c->before.nonblock)
		return 0;
	buf_printf(b,
	    "%s would have to wait, and %s is non-blocking: it returns at "
	    "once instead",
	    c->name, c->h->name);
	return 1;
}

/* EAGAIN when a timeout ran out. */
static int
say_eagain_timeout(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if ((c->flags & MSG_DONTWAIT) || c->before.nonblock ||
	    !c->before.timeout)
		return 0;
	buf_printf(b,
	    "%s waited as long as %s's timeout (SO_RCVTIMEO, SO_SNDTIMEO) "
	    "allows, and gave up; Python raises TimeoutError here",
	    c->name, c->h->name);
	return 1;
}

/* ENOTCONN on a stream socket. */
static int
say_notconn(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!c->before.seen)
		return 0;
	if (c->before.listening)
		buf_printf(b,
		    "%s is listening: a listening socket never carries data; "
		    "use the socket accept returns",
		    c->h->name);
	else
		buf_printf(b,
		    "%s is not connected: connect it (client), or use the "
		    "socket accept returns (server)",
		    c->h->name);
	return 1;
}

/* ECONNREFUSED on a Unix datagram socket. */
static int
say_refused_udgram(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->addr)
		buf_printf(b,
		    "no socket is bound to %s: Unix datagrams go only to a "
		    "bound socket",
		    c->addr);
	else
		buf_printf(b,
		    "the socket %s was connected to is gone: no socket is "
		    "bound at that address now",
		    c->h->name);
	return 1;
}

/* ECONNRESET after this socket shut down both directions. */
static int
say_reset_own(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if ((c->before.shut & (HANDLE_SHUT_RD | HANDLE_SHUT_WR)) !=
	    (HANDLE_SHUT_RD | HANDLE_SHUT_WR))
		return 0;
	buf_printf(b,
	    "%s had shut down both directions, and data came anyway: %s's "
	    "own kernel answered it with RST, which reset the connection",
	    c->h->name, c->h->name);
	return 1;
}

/* ECONNRESET from the peer. */
static int
say_reset_peer(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if ((c->before.shut & (HANDLE_SHUT_RD | HANDLE_SHUT_WR)) ==
	    (HANDLE_SHUT_RD | HANDLE_SHUT_WR))
		return 0;
	buf_puts(b, "the peer's kernel reset the connection (RST)");
	if (c->peer && c->peer->fd < 0 && c->peer->close_rst)
		buf_printf(b,
		    ": %s was closed with unread data or with SO_LINGER {1, 0}",
		    c->peer->name);
	return 1;
}

/* ECONNRESET on a Unix stream socket. */
static int
say_reset_unix(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->peer && c->peer->fd < 0)
		buf_printf(b,
		    "%s was closed while data it had not read was queued: "
		    "that resets a Unix stream connection",
		    c->peer->name);
	else
		buf_puts(b,
		    "the other end was closed while data it had not read was "
		    "queued (or before it was accepted): that resets a Unix "
		    "stream connection");
	return 1;
}

/* recv asked for 0 bytes. */
static int
say_recv_zero_ask(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->arg != 0)
		return 0;
	if (c->type == SOCK_DGRAM)
		buf_printf(b,
		    "you asked for 0 bytes: %s took the next datagram and kept "
		    "none of it, so that datagram is gone (MSG_TRUNC would "
		    "return its length); Python's recv(0) returns b'' without "
		    "calling recv",
		    c->name);
	else
		buf_printf(b,
		    "you asked for 0 bytes: %s returns 0 once data (or EOF) "
		    "is there, and takes none, so 0 says nothing about EOF; "
		    "Python's recv(0) returns b'' without calling recv",
		    c->name);
	return 1;
}

/* recv returned 0 after this socket's own SHUT_RD. */
static int
say_recv_shutrd(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->arg == 0 || !(c->h->shut & HANDLE_SHUT_RD))
		return 0;
	buf_printf(b,
	    "0: %s shut down its receiving side (SHUT_RD) and nothing is "
	    "queued, so %s returns 0 at once",
	    c->h->name, c->name);
	return 1;
}

/* recv returned 0 on a datagram socket: an empty datagram. */
static int
say_recv_empty(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->arg == 0 || (c->h->shut & HANDLE_SHUT_RD))
		return 0;
	buf_puts(b, "an empty datagram: a message of 0 bytes, not EOF");
	return 1;
}

/* recv returned 0 on a stream socket: EOF. */
static int
say_recv_eof(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->arg == 0 || (c->h->shut & HANDLE_SHUT_RD))
		return 0;
	buf_puts(b, "EOF: nothing more will come from the peer");
	return 1;
}

/* Returns 1 when c is an EOF that say_recv_eof explained. */
static int
note_is_eof(const struct call *c)
{
	return c->ret == 0 && c->arg != 0 && !(c->h->shut & HANDLE_SHUT_RD);
}

/* EOF: the peer is a handle of this shell that shut down only its sending side. */
static int
say_eof_peer_shut(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_is_eof(c) || c->peer == NULL || c->peer->fd < 0 ||
	    (c->peer->shut & HANDLE_SHUT_RD) ||
	    !(c->peer->shut & HANDLE_SHUT_WR) ||
	    (c->before.shut & HANDLE_SHUT_WR))
		return 0;
	buf_printf(b,
	    "%s shut down only its sending side: %s can still send, and %s "
	    "can still receive",
	    c->peer->name, c->h->name, c->peer->name);
	return 1;
}

/* EOF: the peer is a handle of this shell that was closed. */
static int
say_eof_peer_closed(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_is_eof(c) || c->peer == NULL || c->peer->fd >= 0 ||
	    (c->before.shut & HANDLE_SHUT_WR))
		return 0;
	if (c->family == AF_UNIX)
		buf_printf(b, "%s is closed: a send from %s fails with EPIPE",
		    c->peer->name, c->h->name);
	else if (c->after.state == ST_CLOSE_WAIT)
		buf_printf(b,
		    "%s is closed: a send from %s now is answered with RST, "
		    "and the send after that fails with EPIPE",
		    c->peer->name, c->h->name);
	else
		return 0;
	return 1;
}

/* EOF after this socket had shut down its own sending side. */
static int
say_eof_both(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_is_eof(c) || !(c->before.shut & HANDLE_SHUT_WR))
		return 0;
	buf_printf(b,
	    "%s had shut down its sending side too: the connection is done "
	    "in both directions; close %s to let it go",
	    c->h->name, c->h->name);
	return 1;
}

/* EOF in CLOSE_WAIT from a peer the shell does not hold. */
static int
say_eof_closewait(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_is_eof(c) || c->peer || c->after.state != ST_CLOSE_WAIT ||
	    (c->before.shut & HANDLE_SHUT_WR))
		return 0;
	buf_printf(b,
	    "the peer sent FIN: it shut down its sending side, or closed; %s "
	    "stays in CLOSE_WAIT until it closes too",
	    c->h->name);
	return 1;
}

/* recv 0 on a TCP connection already reset. */
static int
say_eof_reset(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_is_eof(c) || c->before.state != ST_CLOSE ||
	    !c->h->connected || (c->before.shut & HANDLE_SHUT_WR))
		return 0;
	buf_printf(b,
	    "%s's connection was already over (state CLOSE): once a reset "
	    "has been reported, recv returns 0",
	    c->h->name);
	return 1;
}

/* A datagram that filled the buffer. */
static int
say_recv_full(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->ret != c->arg || c->arg == 0 || (c->flags & MSG_TRUNC))
		return 0;
	buf_puts(b,
	    "the datagram filled the buffer: if it was longer, the rest is "
	    "gone; MSG_TRUNC makes recv return the real length");
	return 1;
}

/* A datagram longer than the buffer, with MSG_TRUNC. */
static int
say_recv_trunc(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->ret <= c->arg)
		return 0;
	buf_printf(b,
	    "MSG_TRUNC: the datagram had %ld bytes; only %ld fit in the "
	    "buffer and the rest is gone",
	    c->ret, c->arg);
	return 1;
}

/* Returns 1 when the shutdown was HOW (SHUT_RD 0, SHUT_WR 1, SHUT_RDWR 2). */
static int
note_how(const struct call *c, long how)
{
	return c->arg == how;
}

/* shutdown SHUT_WR on TCP: FIN. */
static int
say_shut_wr_tcp(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_how(c, SHUT_WR) || !c->before.seen ||
	    !note_connected_state(c->before.state))
		return 0;
	if (c->before.unsent > 0)
		buf_printf(b,
		    "%s queued FIN behind %d unsent bytes: the zero-length "
		    "message goes once they have",
		    c->h->name, c->before.unsent);
	else
		buf_printf(b, "%s sent FIN: the zero-length message",
		    c->h->name);
	buf_puts(b,
	    "; the peer's recv returns 0 once it has read what came before");
	if (!(c->before.shut & HANDLE_SHUT_RD))
		buf_printf(b, ", and %s can still receive", c->h->name);
	return 1;
}

/* shutdown SHUT_WR on a Unix stream socket. */
static int
say_shut_wr_unix(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->before.peer_len == 0 || !note_how(c, SHUT_WR))
		return 0;
	buf_printf(b,
	    "%s will send no more: the peer's recv returns 0 (EOF) once it "
	    "has read what came before",
	    c->h->name);
	if (!(c->before.shut & HANDLE_SHUT_RD))
		buf_printf(b, ", and %s can still receive", c->h->name);
	return 1;
}

/* shutdown SHUT_WR on a datagram socket. */
static int
say_shut_wr_dgram(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_how(c, SHUT_WR))
		return 0;
	buf_printf(b,
	    "%s's sends now fail with EPIPE; a datagram socket tells the "
	    "peer nothing",
	    c->h->name);
	return 1;
}

/* shutdown SHUT_RD on TCP. */
static int
say_shut_rd_tcp(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_how(c, SHUT_RD) || (c->before.shut & HANDLE_SHUT_WR))
		return 0;
	buf_printf(b,
	    "%s's recv now returns 0 when nothing is queued, instead of "
	    "waiting; the peer is not told, and on Linux data it sends later "
	    "is still delivered",
	    c->h->name);
	return 1;
}

/* shutdown SHUT_RD on TCP after SHUT_WR: both ways shut, data is reset. */
static int
say_shut_rd_tcp_after_wr(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_how(c, SHUT_RD) || !(c->before.shut & HANDLE_SHUT_WR) ||
	    (c->before.state != ST_FIN_WAIT1 &&
	        c->before.state != ST_FIN_WAIT2))
		return 0;
	buf_printf(b,
	    "%s's sending side was shut down already, so both directions are "
	    "shut now: recv returns 0 when nothing is queued, and data the "
	    "peer sends from now on is answered with RST by %s's own kernel",
	    c->h->name, c->h->name);
	return 1;
}

/* shutdown SHUT_RD on a Unix stream socket. */
static int
say_shut_rd_unix(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->before.peer_len == 0 || !note_how(c, SHUT_RD))
		return 0;
	buf_printf(b,
	    "%s takes no more: the peer's sends fail with EPIPE; %s can still "
	    "read what was queued, then recv returns 0",
	    c->h->name, c->h->name);
	return 1;
}

/* shutdown SHUT_RD on a datagram socket. */
static int
say_shut_rd_dgram(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_how(c, SHUT_RD))
		return 0;
	buf_printf(b,
	    "%s's recv now returns 0 at once when no datagram is queued",
	    c->h->name);
	return 1;
}

/* shutdown SHUT_RDWR on TCP. */
static int
say_shut_rdwr_tcp(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_how(c, SHUT_RDWR) || !c->before.seen ||
	    !note_connected_state(c->before.state))
		return 0;
	buf_printf(b,
	    "%s sent FIN and reads no more: data the peer still sends is "
	    "answered with RST by %s's own kernel; the fd stays open until "
	    "close",
	    c->h->name, c->h->name);
	return 1;
}

/* shutdown SHUT_RDWR on a Unix stream socket. */
static int
say_shut_rdwr_unix(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->before.peer_len == 0 || !note_how(c, SHUT_RDWR))
		return 0;
	buf_printf(b,
	    "both directions of %s are shut: the peer's recv returns 0 and "
	    "its sends fail with EPIPE; the fd stays open until close",
	    c->h->name);
	return 1;
}

/* fork: the child's descriptors, as /proc showed them. */
static int
say_fork(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (c->arg <= 0)
		return 0;
	buf_printf(b,
	    "pid %ld holds its own fd for each of the %ld socket%s of this "
	    "shell's handles (/proc/%ld/fd shows them): a close in one "
	    "process drops only that process's fd, and a socket lives until "
	    "its last fd is closed; a shutdown in either acts on the socket "
	    "at once",
	    c->ret, c->arg, note_s(c->arg), c->ret);
	return 1;
}

/* close of a handle while another handle holds the same socket (dup). */
static int
say_close_shared(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (note_last_close(c) || !c->sharer_name[0])
		return 0;
	buf_printf(b,
	    "%s still hold%s the same socket, which stays open: a close "
	    "ends a socket only when it drops the last descriptor for it",
	    c->sharer_name, c->sharers > 1 ? " (and others)" : "s");
	return 1;
}

/* shared close of a connection: nothing is sent. */
static int
say_close_shared_conn(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (note_last_close(c) || !c->sharer_name[0] || c->before.listening ||
	    c->before.peer_len == 0 ||
	    (c->family != AF_UNIX && !note_connected_state(c->before.state)))
		return 0;
	buf_printf(b,
	    "nothing was sent: no FIN, no RST; the peer sees no change "
	    "until %s shuts the socket down or its last descriptor is "
	    "closed",
	    c->sharer_name);
	return 1;
}

/* shared close of a TCP listener: it still listens, its port stays held. */
static int
say_close_shared_listener(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (note_last_close(c) || !c->sharer_name[0] || !c->before.listening ||
	    call_port(&c->before.local) <= 0)
		return 0;
	buf_printf(b, "it still listens through %s: connections to ",
	    c->sharer_name);
	addr_short(b, (const struct sockaddr *)&c->before.local,
	    c->before.local_len);
	buf_puts(b,
	    " still queue for accept, and the port stays held by that "
	    "socket");
	return 1;
}

/* close of a listener with connections never accepted. */
static int
say_close_queue(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_last_close(c))
		return 0;
	if (!c->before.listening || c->before.queued <= 0)
		return 0;
	buf_printf(b,
	    "%d connection%s waiting in its queue, never accepted, %s reset",
	    c->before.queued, note_s(c->before.queued),
	    c->before.queued == 1 ? "is" : "are");
	return 1;
}

/* close of a TCP listener: is its address free now? */
static int
say_close_port(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_last_close(c))
		return 0;
	if (!c->before.listening || call_port(&c->before.local) <= 0)
		return 0;
	addr_short(b, (const struct sockaddr *)&c->before.local,
	    c->before.local_len);
	if (!c->holder.found) {
		buf_puts(b, " is free again: no other socket holds it");
		return 1;
	}
	buf_puts(b, " stays in use: ");
	note_holder_name(sh, b, &c->holder);
	if (c->holder.state == ST_TIME_WAIT)
		buf_printf(b,
		    ", a connection in TIME_WAIT (%u s left), holds it",
		    (c->holder.expires_ms + 999) / 1000);
	else
		buf_printf(b,
		    ", a connection in %s, holds it: a bind to it gets "
		    "EADDRINUSE unless both sockets set SO_REUSEADDR",
		    note_state(c->holder.state));
	return 1;
}

/* close of a Unix socket bound to a path: the file stays. */
static int
say_close_unix_path(struct shell *sh, const struct call *c, struct buf *b)
{
	const char *path = note_unix_path(&c->before);

	(void)sh;
	if (path == NULL)
		return 0;
	buf_printf(b,
	    "the file %s stays after close: a bind to it gets EADDRINUSE "
	    "until unlink %s",
	    path, path);
	return 1;
}

/* Returns 1 when the view shows SO_LINGER {1, 0}. */
static int
note_linger0(const struct call_view *v)
{
	return v->seen && v->linger_on && v->linger_s == 0;
}

/* close with SO_LINGER {1, 0} on TCP: RST. */
static int
say_close_linger0(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_last_close(c))
		return 0;
	if (!note_linger0(&c->before) || !note_connected_state(c->before.state))
		return 0;
	buf_puts(b,
	    "SO_LINGER {1, 0}: the kernel aborts the connection with RST at "
	    "once, and it leaves no TIME_WAIT behind");
	return 1;
}

/* close with SO_LINGER {1, 0} on a Unix socket: ignored. */
static int
say_close_linger0_unix(struct shell *sh, const struct call *c, struct buf *b)
{
	(void)sh;
	if (!note_last_close(c))
		return 0;
	if (!note_linger0(&c->before) || c->before.peer_len == 0)
		return 0;
	buf_puts(b,
	    "Unix sockets ignore SO_LINGER: the peer reads what was sent, "
	    "then EOF");
	return 1;
}

/* close with unread data. */
static int
say_close_unread(struct shell *sh, const struct call *c, struct buf *b)
{
	long n = c->before.unread;

	(void)sh;
	if (!note_last_close(c))
		return 0;
	if (n <= 0 || c->before.listening)
		return 0;
	if (c->family == AF_UNIX)
		buf_printf(b,
		    "it had %ld unread byte%s: the peer's next recv fails "
		    "with ECONNRESET",
		    n, note_s(n));
	else if ((c->before.state == ST_ESTABLISHED ||
	             c->before.state == ST_CLOSE_WAIT) &&
	    !note_linger0(&c->before))
		buf_printf(b,
		    "it had %ld unread byte%s: the kernel sends RST instead of "
		    "FIN, and the peer learns of it as ECONNRESET",
		    n, note_s(n));
	else
		return 0;
	return 1;
}

/* close with unread data after this socket's FIN was acknowledged. */
static int
say_close_unread_fin(struct shell *sh, const struct call *c, struct buf *b)
{
	long n = c->before.unread;

	(void)sh;
	if (!note_last_close(c))
		return 0;
	if (n <= 0 || c->before.state != ST_FIN_WAIT2 ||
	    note_linger0(&c->before))
		return 0;
	buf_printf(b,
	    "it had %ld unread byte%s: the kernel sends RST; the peer, which "
	    "had %s's FIN already, learns of it as EPIPE on its next send",
	    n, note_s(n), c->h->name);
	return 1;
}

/* The notes, in the order they print under a call. */
static const struct note_rule note_rules[] = {
	{ "socket.kind", "socket", RES_OK, F_ALL, 0, say_socket_kind, NULL },
	{ "bind.wildcard", "bind", RES_OK, F_INET, 0, say_bind_wildcard, NULL },
	{ "bind.inuse.listener", "bind listen", EADDRINUSE, F_TCP, 0,
	    say_inuse_listener, NULL },
	{ "bind.inuse.conn", "bind", EADDRINUSE, F_TCP, 0, say_inuse_conn,
	    NULL },
	{ "bind.inuse.timewait", "bind", EADDRINUSE, F_TCP, 0,
	    say_inuse_timewait, NULL },
	{ "bind.inuse.udp", "bind", EADDRINUSE, F_UDP, 0, say_inuse_udp, NULL },
	{ "bind.inuse.unix", "bind", EADDRINUSE, F_USTREAM | F_UDGRAM, 0,
	    say_inuse_unix, NULL },
	{ "bind.addrnotavail", "bind", EADDRNOTAVAIL, F_INET, 0, NULL,
	    "{a} is not an address of this machine: bind takes only its own "
	    "addresses (127.0.0.1, or '' for all)" },
	{ "bind.acces", "bind", EACCES, F_INET, 0, NULL,
	    "ports below 1024 are for privileged programs; pick one above "
	    "1023, or 0" },
	{ "bind.inval", "bind", EINVAL, F_ALL, 0, say_bind_inval, NULL },
	{ "listen.ok", "listen", RES_OK, F_TCP | F_USTREAM, 0, say_listen_ok,
	    NULL },
	{ "listen.autobind", "listen", RES_OK, F_TCP, 0, say_listen_autobind,
	    NULL },
	{ "inval.connected", "listen accept accept4", EINVAL, F_TCP | F_USTREAM,
	    0, say_inval_connected, NULL },
	{ "listen.inval.unbound", "listen", EINVAL, F_USTREAM, 0,
	    say_listen_unbound, NULL },
	{ "accept.inval.notlistening", "accept accept4", EINVAL,
	    F_TCP | F_USTREAM, 0, say_accept_notlistening, NULL },
	{ "listen.opnotsupp", "listen accept accept4", EOPNOTSUPP, F_DGRAM, 0,
	    NULL,
	    "a datagram socket has no connections: it does not listen or "
	    "accept, it just receives (recvfrom)" },
	{ "accept.ok", "accept accept4", RES_OK, F_TCP | F_USTREAM, 0,
	    say_accept_ok, NULL },
	{ "accept.emfile", "accept accept4", EMFILE, F_TCP, 0,
	    say_accept_emfile, NULL },
	{ "connect.ok", "connect", RES_OK, F_TCP | F_USTREAM, 0, say_connect_ok,
	    NULL },
	{ "connect.refused", "connect", ECONNREFUSED, F_TCP, 0, say_refused,
	    NULL },
	{ "connect.refused.elsewhere", "connect", ECONNREFUSED, F_TCP, 0,
	    say_refused_elsewhere, NULL },
	{ "connect.refused.other-host", "connect", ECONNREFUSED, F_TCP, 0,
	    say_refused_other_host, NULL },
	{ "connect.refused.unix", "connect", ECONNREFUSED, F_USTREAM, 0, NULL,
	    "no socket listens on {a}: the file is there, but the socket "
	    "bound to it is closed or not listening" },
	{ "connect.inprogress", "connect", EINPROGRESS, F_TCP, 0,
	    say_connect_inprogress, NULL },
	{ "connect.already", "connect", EALREADY, F_TCP, 0, say_connect_already,
	    NULL },
	{ "connect.isconn", "connect", EISCONN, F_TCP | F_USTREAM, 0,
	    say_connect_isconn, NULL },
	{ "connect.eintr", "connect", EINTR, F_TCP, 0, say_connect_eintr,
	    NULL },
	{ "send.zero", "send sendto", RES_ZERO, F_ALL, 0, say_send_zero, NULL },
	{ "send.partial", "send sendto", RES_OK, F_STREAM, 0, say_send_partial,
	    NULL },
	{ "send.epipe.shutwr", "send sendto", EPIPE, F_ALL, 0, say_epipe_shutwr,
	    NULL },
	{ "send.epipe.notconn", "send", EPIPE, F_TCP, 0, say_epipe_notconn,
	    NULL },
	{ "send.epipe.closed", "send", EPIPE, F_TCP, 0, say_epipe_closed,
	    NULL },
	{ "send.epipe.unix", "send", EPIPE, F_USTREAM, 0, say_epipe_unix,
	    NULL },
	{ "send.sigpipe.ignore", "send sendto", EPIPE, F_STREAM, 0,
	    say_sigpipe_ignore, NULL },
	{ "send.sigpipe.catch", "send sendto", EPIPE, F_STREAM, 0,
	    say_sigpipe_catch, NULL },
	{ "send.sigpipe.default", "send sendto", EPIPE, F_STREAM, 0,
	    say_sigpipe_default, NULL },
	{ "dontwait.recv", "recv recvfrom", EAGAIN, F_ALL, 0, say_dontwait,
	    NULL },
	{ "dontwait.send", "send sendto", EAGAIN, F_STREAM | F_UDGRAM, 0,
	    say_dontwait, NULL },
	{ "eagain.nonblock", NULL, EAGAIN, F_ALL, 0, say_eagain_nonblock,
	    NULL },
	{ "eagain.timeout", "send sendto recv recvfrom accept accept4", EAGAIN,
	    F_ALL, 0, say_eagain_timeout, NULL },
	{ "notconn", NULL, ENOTCONN, F_TCP | F_USTREAM, 0, say_notconn, NULL },
	{ "notconn.dgram", NULL, ENOTCONN, F_DGRAM, 0, NULL,
	    "{h} has no peer: connect it, or say where with sendto" },
	{ "destaddrreq", "send", EDESTADDRREQ, F_UDP, 0, NULL,
	    "{h} has no peer: connect it first, or say where with sendto" },
	{ "refused.udp", "send sendto recv recvfrom", ECONNREFUSED, F_UDP, 0,
	    NULL,
	    "an earlier datagram from {h} came back as ICMP port unreachable: "
	    "nothing listens at the peer's port (a connected UDP socket hears "
	    "of it on its next call)" },
	{ "refused.unix-dgram", "send sendto connect", ECONNREFUSED, F_UDGRAM,
	    0, say_refused_udgram, NULL },
	{ "emsgsize", "send sendto", EMSGSIZE, F_UDP, 0, NULL,
	    "the message is larger than one UDP datagram can carry (65,507 "
	    "bytes over IPv4)" },
	{ "emsgsize.unix", "send sendto", EMSGSIZE, F_UDGRAM, 0, NULL,
	    "the message is larger than {h}'s send buffer (SO_SNDBUF) can hold "
	    "as one datagram" },
	{ "reset.own", NULL, ECONNRESET, F_TCP, 0, say_reset_own, NULL },
	{ "reset.peer", NULL, ECONNRESET, F_TCP, 0, say_reset_peer, NULL },
	{ "reset.unix", NULL, ECONNRESET, F_USTREAM, 0, say_reset_unix, NULL },
	{ "eintr", NULL, EINTR, F_ALL | F_NONE, 0, say_eintr, NULL },
	{ "recv.zero-ask", "recv recvfrom", RES_ZERO, F_ALL, 0,
	    say_recv_zero_ask, NULL },
	{ "recv.shut-rd", "recv recvfrom", RES_ZERO, F_ALL, 1, say_recv_shutrd,
	    NULL },
	{ "recv.empty", "recv recvfrom", RES_ZERO, F_DGRAM, 1, say_recv_empty,
	    NULL },
	{ "recv.eof", "recv recvfrom", RES_ZERO, F_TCP | F_USTREAM, 1,
	    say_recv_eof, NULL },
	{ "recv.eof.peer-shut", "recv recvfrom", RES_ZERO, F_TCP | F_USTREAM, 0,
	    say_eof_peer_shut, NULL },
	{ "recv.eof.peer-closed", "recv recvfrom", RES_ZERO, F_TCP | F_USTREAM,
	    0, say_eof_peer_closed, NULL },
	{ "recv.eof.both", "recv recvfrom", RES_ZERO, F_TCP | F_USTREAM, 0,
	    say_eof_both, NULL },
	{ "recv.eof.closewait", "recv recvfrom", RES_ZERO, F_TCP, 0,
	    say_eof_closewait, NULL },
	{ "recv.eof.reset", "recv recvfrom", RES_ZERO, F_TCP, 0, say_eof_reset,
	    NULL },
	{ "recv.trunc", "recv recvfrom", RES_OK, F_DGRAM, 1, say_recv_trunc,
	    NULL },
	{ "recv.full", "recv recvfrom", RES_OK, F_DGRAM, 0, say_recv_full,
	    NULL },
	{ "shutdown.wr.tcp", "shutdown", RES_OK, F_TCP, 0, say_shut_wr_tcp,
	    NULL },
	{ "shutdown.wr.unix", "shutdown", RES_OK, F_USTREAM, 0,
	    say_shut_wr_unix, NULL },
	{ "shutdown.wr.dgram", "shutdown", RES_OK, F_DGRAM, 0,
	    say_shut_wr_dgram, NULL },
	{ "shutdown.rd.tcp", "shutdown", RES_OK, F_TCP, 0, say_shut_rd_tcp,
	    NULL },
	{ "shutdown.rd.tcp.after-wr", "shutdown", RES_OK, F_TCP, 0,
	    say_shut_rd_tcp_after_wr, NULL },
	{ "shutdown.rd.unix", "shutdown", RES_OK, F_USTREAM, 0,
	    say_shut_rd_unix, NULL },
	{ "shutdown.rd.dgram", "shutdown", RES_OK, F_DGRAM, 0,
	    say_shut_rd_dgram, NULL },
	{ "shutdown.rdwr.tcp", "shutdown", RES_OK, F_TCP, 0, say_shut_rdwr_tcp,
	    NULL },
	{ "shutdown.rdwr.unix", "shutdown", RES_OK, F_USTREAM, 0,
	    say_shut_rdwr_unix, NULL },
	{ "fork.ok", "fork", RES_OK, F_NONE, 0, say_fork, NULL },
	{ "close.shared", "close", RES_OK, F_ALL, 0, say_close_shared, NULL },
	{ "close.shared.conn", "close", RES_OK, F_STREAM, 0,
	    say_close_shared_conn, NULL },
	{ "close.shared.listener", "close", RES_OK, F_TCP, 0,
	    say_close_shared_listener, NULL },
	{ "close.queue", "close", RES_OK, F_TCP, 0, say_close_queue, NULL },
	{ "close.port", "close", RES_OK, F_TCP, 0, say_close_port, NULL },
	{ "close.unix-path", "close", RES_OK, F_USTREAM | F_UDGRAM, 0,
	    say_close_unix_path, NULL },
	{ "close.linger0", "close", RES_OK, F_TCP, 0, say_close_linger0, NULL },
	{ "close.linger0.unix", "close", RES_OK, F_USTREAM, 0,
	    say_close_linger0_unix, NULL },
	{ "close.unread", "close", RES_OK, F_TCP | F_USTREAM, 0,
	    say_close_unread, NULL },
	{ "close.unread.after-fin", "close", RES_OK, F_TCP, 0,
	    say_close_unread_fin, NULL },
	{ "socketpair.opnotsupp", "socketpair", EOPNOTSUPP, F_NONE, 0, NULL,
	    "only AF_UNIX makes socket pairs; for TCP, connect a client to a "
	    "listening socket and accept" },
	{ "emfile", "socket socketpair", EMFILE, F_NONE, 0, NULL,
	    "the process has no free file descriptors left (ulimit -n): close "
	    "some handles" },
	{ "recvmsg.ctrunc", "recvmsg", RES_OK, F_USTREAM | F_UDGRAM, 0,
	    say_recvmsg_ctrunc, NULL },
	{ "sendmsg.empty", "sendmsg", RES_ZERO, F_USTREAM, 0, say_sendmsg_empty,
	    NULL },
	{ "dup.emfile", "dup", EMFILE, F_ALL, 0, NULL,
	    "the process has no free file descriptors left (ulimit -n) for a "
	    "second one: close a handle, or go on using {h}" },
	{ "eprotonosupport", "socket", EPROTONOSUPPORT, F_NONE, 0, NULL,
	    "no such protocol for that family and type (0 picks the usual "
	    "one)" },
	{ "opnotsupp", "setsockopt getsockopt send sendto", EOPNOTSUPP, F_ALL,
	    0, NULL,
	    "{h} is not the kind of socket this option or flag is for" },
	{ NULL, NULL, 0, 0, 0, NULL, NULL }
};

/* Returns 1 when word w is one of the space-separated words of list. */
static int
note_in_list(const char *list, const char *w)
{
	size_t n = strlen(w);
	const char *p = list;

	while ((p = strstr(p, w)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* Returns 1 when rule r is about call c's name, result and family. */
static int
note_matches(const struct note_rule *r, const struct call *c)
{
	int res;

	if (r->result == RES_OK)
		res = c->ret >= 0;
	else if (r->result == RES_ZERO)
		res = c->ret == 0;
	else
		res = c->ret == -1 && c->err == r->result;
	return res && (r->fams & note_fam(c)) &&
	    (r->calls == NULL || note_in_list(r->calls, c->name));
}

/* Appends text to b with {h}, {a}, {c} and {i} filled in from the record. */
static void
note_expand(struct buf *b, const char *text, const struct call *c)
{
	for (; *text; text++) {
		if (text[0] == '{' && text[1] && text[2] == '}' &&
		    strchr("ahci", text[1])) {
			switch (text[1]) {
			case 'a':
				buf_puts(b, c->addr ? c->addr : "that address");
				break;
			case 'h':
				buf_puts(b, c->h ? c->h->name : "the socket");
				break;
			case 'c':
				buf_puts(b, c->name);
				break;
			default:
				buf_puts(b, note_interrupter());
			}
			text += 2;
		} else
			buf_addc(b, *text);
	}
}

/* Prints one note line, with its id and family first when SOCKSTEP_NOTE_IDS is set. */
static void
note_emit(struct shell *sh, const char *id, unsigned fam, int meaning,
    const char *text)
{
	if (!meaning && !sh->notes)
		return;
	if (sh->note_ids)
		out_meaning(sh, "[%s %s] %s", id, note_fam_name(fam), text);
	else
		out_meaning(sh, "%s", text);
}

/* The rules shown with notes off (meaning), in table order: made once. */
static const struct note_rule
    *note_meanings[sizeof(note_rules) / sizeof(note_rules[0])];
static size_t note_nmeanings;
static int note_meanings_made;

/*
 * Lists the meaning rules, so that -n does not walk every rule: once;
 * shell_init calls it before any job's thread can print a note.
 */
void
note_meanings_make(void)
{
	const struct note_rule *r;

	if (note_meanings_made)
		return;
	note_meanings_made = 1;
	for (r = note_rules; r->id; r++)
		if (r->meaning)
			note_meanings[note_nmeanings++] = r;
}

/* Prints rule r's note on call c when the record has its evidence. */
static void
note_try(struct shell *sh, const struct note_rule *r, const struct call *c,
    struct buf *b)
{
	if (!note_matches(r, c))
		return;
	buf_reset(b);
	if (r->say == NULL)
		note_expand(b, r->text, c);
	else if (!r->say(sh, c, b))
		return;
	note_emit(sh, r->id, note_fam(c), r->meaning, buf_str(b));
}

/* Prints every note the record of call c has the evidence for. */
void
note_call(struct shell *sh, const struct call *c)
{
	const struct note_rule *r;
	struct buf b;
	size_t i;

	buf_init(&b);
	if (sh->notes) {
		for (r = note_rules; r->id; r++)
			note_try(sh, r, c, &b);
	} else {
		note_meanings_make();
		for (i = 0; i < note_nmeanings; i++)
			note_try(sh, note_meanings[i], c, &b);
	}
	buf_free(&b);
}

/* Prints a note that rests on no socket (encoding, jobs, the session): id, then text. */
void
note_say(struct shell *sh, const char *id, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	char *s = NULL;

	if (!sh->notes)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	buf_init(&b);
	buf_puts(&b, s ? s : "");
	note_emit(sh, id, F_NONE, 0, buf_str(&b));
	buf_free(&b);
	free(s);
}

/* Writes the id and families of every rule, one per line: what scenarios must cover. */
void
note_list(FILE *f)
{
	const struct note_rule *r;
	unsigned bit;

	for (r = note_rules; r->id; r++) {
		fprintf(f, "%s", r->id);
		for (bit = F_TCP; bit <= F_NONE; bit <<= 1)
			if (r->fams & bit)
				fprintf(f, " %s", note_fam_name(bit));
		fputc('\n', f);
	}
}
