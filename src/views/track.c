/*
 * After each command that made a call: which handles changed TCP state
 * (read with TCP_INFO, and through sock_diag for connections no fd holds),
 * how many segments each sent and received, the packets on lo when
 * capturing, notes where the kernel surprises, and arrows for diagram.
 * Before each statement, the same look shows what changed since the
 * previous command (a delayed ACK, a peer's FIN or close), said as such,
 * so that no call is shown causing what it did not. It never sleeps to
 * see a state pass: what is seen is shown when it is seen.
 * It only reads: getsockopt, getsockname, getpeername, sock_diag.
 */
#include "track.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "capture.h"
#include "cmd.h"
#include "diag.h"
#include "diagram.h"
#include "fmt.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "session.h"
#include "shell.h"
#include "sym.h"
#include "tcpinfo.h"
#include "xalloc.h"

#define TRACK_LINGER 16 /* closed handles followed until they settle */
#define TRACK_QUIET_MS 3 /* capture: no packet for this long ends a read */
#define TRACK_SINCE "since the previous command: " /* seen before a call */

/* TCP states, as in TCP_INFO's tcpi_state. */
enum {
	ST_ESTABLISHED = 1,
	ST_SYN_SENT,
	ST_SYN_RECV,
	ST_FIN_WAIT1,
	ST_FIN_WAIT2,
	ST_TIME_WAIT,
	ST_CLOSE,
	ST_CLOSE_WAIT,
	ST_LAST_ACK,
	ST_LISTEN,
	ST_CLOSING
};

/* A state change of one handle during one command. */
struct track_change {
	struct handle *h;
	int from;
	int to;
	unsigned expires_ms; /* the kernel's timer, for lingering states */
	int closed; /* h was closed by this command */
	int behind_fd; /* to is TIME_WAIT though the fd says CLOSE */
};

/* The segment counters of a handle read during one command. */
struct track_seen {
	struct handle *h;
	unsigned segs_in;
	unsigned segs_out;
};

struct track {
	struct diagram diagram;
	struct capture capture;
	struct buf call; /* the statement being run, as typed */
	int call_unset; /* call not formatted yet: nothing watched at its start */
	struct handle *h; /* its handle argument, resolved before it ran */
	int h_live; /* that handle was live before */
	int h_shut; /* and its shut directions then */
	unsigned long h_seq; /* and its closed_seq then */
	struct handle *linger[TRACK_LINGER]; /* closed, not settled yet */
	size_t nlinger;
	struct track_change *ch;
	size_t nch;
	size_t capch;
	struct track_seen *seen; /* handles read this time, and counters */
	size_t nseen;
	size_t capseen;
	int stale; /* calls went by unwatched: resynchronise, print nothing */
};

/* Returns a state's name, "?" when unknown. */
static const char *
track_state_name(int st)
{
	const char *s = sym_name(sym_tcp_state, st);

	return s ? s : "?";
}

/* Returns 1 for a state in which the connection is still open for data. */
static int
track_open(int st)
{
	return st == ST_ESTABLISHED || st == ST_CLOSE_WAIT || st == ST_SYN_RECV;
}

/* Returns 1 when h is a TCP socket of the internet families. */
static int
track_is_tcp(const struct handle *h)
{
	return h->type == SOCK_STREAM &&
	    (h->family == AF_INET || h->family == AF_INET6);
}

/* Sets up tracking for a new shell: states shown, segments counted. */
void
track_init(struct shell *sh)
{
	struct track *t = xcalloc(1, sizeof(*t));

	diagram_init(&t->diagram);
	capture_init(&t->capture);
	buf_init(&t->call);
	sh->track = t;
	sh->states = 1;
	sh->segments = 1;
}

/* Frees what tracking holds and stops a capture. */
void
track_free(struct shell *sh)
{
	struct track *t = sh->track;

	if (t == NULL)
		return;
	capture_stop(&t->capture);
	diagram_free(&t->diagram);
	buf_free(&t->call);
	free(t->ch);
	free(t->seen);
	free(t);
	sh->track = NULL;
}

/* Returns the session's event log. */
struct diagram *
track_diagram(struct shell *sh)
{
	return &sh->track->diagram;
}

/* Returns the session's capture. */
struct capture *
track_capture(struct shell *sh)
{
	return &sh->track->capture;
}

/* Appends an address as "127.0.0.1:51234". */
static void
track_addr(struct buf *b, const struct sockaddr_storage *ss)
{
	addr_short(b, (const struct sockaddr *)ss, sizeof(*ss));
}

/*
 * Appends the name of endpoint local talking to peer: the handle with
 * both addresses, else a handle bound to local, else the address.
 */
static void
track_name(struct shell *sh, struct buf *b,
    const struct sockaddr_storage *local, const struct sockaddr_storage *peer)
{
	const struct handle_table *ht = &sh->handles;
	const struct handle *any = NULL;
	size_t i;

	for (i = 0; i < ht->n; i++) {
		const struct handle *h = ht->v[i];

		if (!diag_addr_equal(handle_local(h), local))
			continue;
		if (peer && diag_addr_equal(handle_peer(h), peer)) {
			buf_puts(b, h->name);
			return;
		}
		if (any == NULL ||
		    (!diag_has_addr(handle_peer(h)) &&
		        diag_has_addr(handle_peer(any))))
			any = h;
	}
	if (any)
		buf_puts(b, any->name);
	else
		track_addr(b, local);
}

/* Returns 1 when a handle of the shell is bound to addr. */
static int
track_is_ours(struct shell *sh, const struct sockaddr_storage *addr)
{
	size_t i;

	for (i = 0; i < sh->handles.n; i++)
		if (diag_addr_equal(handle_local(sh->handles.v[i]), addr))
			return 1;
	return 0;
}

/* Adds an arrow of the current call from one address to another. */
static void
track_arrow(struct shell *sh, const struct sockaddr_storage *from,
    const struct sockaddr_storage *to, const char *what, const char *call)
{
	struct diagram_event *e;
	struct buf a, b;

	if (!diag_has_addr(from) || !diag_has_addr(to))
		return;
	if (sh->track->diagram.n == DIAGRAM_MAX) { /* counted, not kept */
		diagram_add(&sh->track->diagram, "", "", what,
		    call ? call : buf_str(&sh->track->call));
		return;
	}
	buf_init(&a);
	buf_init(&b);
	track_addr(&a, from);
	track_addr(&b, to);
	e = diagram_add(&sh->track->diagram, buf_str(&a), buf_str(&b), what,
	    call ? call : buf_str(&sh->track->call));
	e->inferred = sh->track->capture.fd < 0;
	buf_free(&a);
	buf_free(&b);
}

/*
 * Adds an inferred arrow of the current call along h's connection (back:
 * from its peer to it; what NULL: a send's bytes). Its ends, its call and
 * its bytes are made when the chart is drawn (track_resolve), from h's
 * addresses and from the session's record of the statement, which
 * session_add makes next: nothing is formatted per command.
 */
static void
track_arrow_later(struct shell *sh, const struct handle *h, int back,
    const char *what)
{
	diagram_add_later(&sh->track->diagram, h, back, what,
	    session_count(sh->session) + 1);
}

/*
 * Resolves the statement's first argument to a handle, by name or fd: the
 * handle its call can change. NULL for a command that only reads.
 */
static struct handle *
track_handle_arg(struct shell *sh, const struct stmt *st)
{
	const struct cmd_entry *cmd;
	const char *s;

	if (st->argc < 2 || st->argv[1].kind != TOK_WORD)
		return NULL;
	cmd = st->argv[0].kind == TOK_WORD ? cmd_find(st->argv[0].text) : NULL;
	if (cmd && (cmd->flags & CMD_READS))
		return NULL;
	s = st->argv[1].text;
	if (*s && strspn(s, "0123456789") == strlen(s) && strlen(s) < 8)
		return handle_by_fd(&sh->handles, atoi(s));
	return strlen(s) < HANDLE_NAME_MAX ? handle_find(&sh->handles, s)
	                                   : NULL;
}

/* Describes one captured segment in words for its arrow: flags, bytes. */
void
track_seg_what(struct buf *b, const struct capture_seg *s)
{
	char fl[64];

	capture_flags(fl, sizeof(fl), s->flags);
	if (s->len > 0) {
		buf_printf(b, "%u byte%s ", s->len, s->len == 1 ? "" : "s");
		fmt_cstring(b, s->data, s->len, 8);
		buf_printf(b, " %s", fl);
	} else
		buf_puts(b, fl);
}

/* The call a segment belongs to, and whether it came between calls. */
struct track_segctx {
	struct shell *sh;
	const char *call;
	const char *prefix;
};

/*
 * Prints one captured segment, its ends named from and to, after prefix
 * ("meanwhile: " between calls), and the note a lone FIN or an RST needs.
 */
void
track_seg_print(struct shell *sh, const char *prefix, const char *from,
    const char *to, const struct capture_seg *s)
{
	char fl[64];

	capture_flags(fl, sizeof(fl), s->flags);
	out_meaning(sh, "%s%s > %s  %-9s seq %u%s%s ack %u  len %u", prefix,
	    from, to, fl, (unsigned)s->seq,
	    s->rel_ack || !(s->flags & CAPTURE_ACK) ? "" : " (raw)", "",
	    (s->flags & CAPTURE_ACK) ? (unsigned)s->ack : 0U, s->len);
	if ((s->flags & CAPTURE_FIN) && s->len == 0)
		note_say(sh, "segment.fin",
		    "a FIN with no data: the zero-length message; the "
		    "peer's recv returns 0 once it has read everything before it");
	else if ((s->flags & CAPTURE_RST) && s->answers_syn)
		note_say(sh, "segment.rst.refused",
		    "RST in answer to a SYN: the peer's kernel refuses the "
		    "connection (nothing listens there), and the connect "
		    "fails with ECONNREFUSED");
	else if (s->flags & CAPTURE_RST)
		note_say(sh, "segment.rst",
		    "RST: the connection is aborted; the peer's next "
		    "call fails (ECONNRESET or EPIPE)");
}

/* Prints one ARP frame of a lab's link: a question, or its answer. */
static void
track_arp(struct shell *sh, const char *prefix, const struct capture_seg *s)
{
	char sender[INET_ADDRSTRLEN], target[INET_ADDRSTRLEN];
	const unsigned char *m = s->arp_mac;

	inet_ntop(AF_INET, s->arp_sender, sender, sizeof(sender));
	inet_ntop(AF_INET, s->arp_target, target, sizeof(target));
	if (s->arp == 1)
		out_meaning(sh,
		    "%sARP who-has %s tell %s (%02x:%02x:%02x:%02x:%02x:%02x)",
		    prefix, target, sender, m[0], m[1], m[2], m[3], m[4], m[5]);
	else
		out_meaning(sh,
		    "%sARP reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x",
		    prefix, sender, m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* Prints one captured segment of the shell's own connections and logs its arrow. */
static int
track_seg(const struct capture_seg *s, void *arg)
{
	struct track_segctx *c = arg;
	struct shell *sh = c->sh;
	struct buf from, to, what;

	if (s->arp) { /* no connection: no arrow */
		track_arp(sh, c->prefix, s);
		return 0;
	}
	buf_init(&from);
	buf_init(&to);
	buf_init(&what);
	track_name(sh, &from, &s->src, &s->dst);
	track_name(sh, &to, &s->dst, &s->src);
	track_seg_print(sh, c->prefix, buf_str(&from), buf_str(&to), s);
	track_seg_what(&what, s);
	track_arrow(sh, &s->src, &s->dst, buf_str(&what), c->call);
	buf_free(&from);
	buf_free(&to);
	buf_free(&what);
	return 0;
}

/* Returns 1 when a segment belongs to a connection of the shell's handles. */
static int
track_seg_ours(const struct capture_seg *s, void *arg)
{
	struct track_segctx *c = arg;

	/*
	 * A lab's link carries only the lab's frames: ARP, and segments
	 * such as a refused SYN and its RST, whose socket has no address
	 * of its own left to match
	 */
	return s->arp || s->link || track_is_ours(c->sh, &s->src) ||
	    track_is_ours(c->sh, &s->dst);
}

/* Reads what the capture holds, printing each segment with prefix. */
static void
track_capture_read(struct shell *sh, int quiet_ms, const char *call,
    const char *prefix)
{
	struct track_segctx c = { sh, call, prefix };

	capture_read(&sh->track->capture, quiet_ms, track_seg_ours, track_seg,
	    &c);
}

/* Records a change of h from one state to another. */
static struct track_change *
track_changed(struct track *t, struct handle *h, int from, int to)
{
	struct track_change *c;

	if (t->nch == t->capch) {
		t->capch = t->capch ? t->capch * 2 : 16;
		t->ch = xrealloc(t->ch, t->capch * sizeof(*t->ch));
	}
	c = &t->ch[t->nch++];
	memset(c, 0, sizeof(*c));
	c->h = h;
	c->from = from;
	c->to = to;
	return c;
}

/* Keeps the segment counters just read of h; again: h was read before. */
static void
track_saw(struct track *t, struct handle *h, const struct tcpinfo *ti,
    int again)
{
	size_t i = t->nseen;

	if (again)
		for (i = 0; i < t->nseen && t->seen[i].h != h; i++)
			;
	if (i == t->nseen) {
		if (t->nseen == t->capseen) {
			t->capseen = t->capseen ? t->capseen * 2 : 16;
			t->seen =
			    xrealloc(t->seen, t->capseen * sizeof(*t->seen));
		}
		t->seen[t->nseen++].h = h;
	}
	t->seen[i].segs_in = ti->segs_in;
	t->seen[i].segs_out = ti->segs_out;
}

/*
 * Returns 1 when h cannot have changed: a socket in CLOSE (fresh, or its
 * connection gone) or LISTEN changes only by a call on it, and this
 * command's call was not. Reading only the others keeps idle handles free.
 */
static int
track_idle(const struct track *t, const struct handle *h)
{
	if (h == t->h || h->track_seq != h->closed_seq || h->tcp_state <= 0)
		return 0;
	return h->tcp_state == ST_CLOSE || h->tcp_state == ST_LISTEN ||
	    h->tcp_state == ST_TIME_WAIT;
}

/*
 * Reads the TCP state of every live TCP handle once and records those
 * that changed; a state in passing is shown as it is, and its end is seen
 * by a later look.
 */
static void
track_scan(struct shell *sh)
{
	struct track *t = sh->track;
	struct tcpinfo ti;
	size_t i, k;

	/* live handles only, by fd: closed ones pile up and never change here */
	for (i = 0; i < sh->handles.nbyfd; i++) {
		struct handle *h = sh->handles.byfd[i];

		if (h == NULL || h->fd < 0 || !track_is_tcp(h) ||
		    track_idle(t, h) || tcpinfo_get(sh->sys, h->fd, &ti) == -1)
			continue;
		track_saw(t, h, &ti, 0);
		if (h->track_seq != h->closed_seq || h->tcp_state <= 0) {
			/* first sight of this socket: nothing to compare */
			h->track_seq = h->closed_seq;
			h->tcp_state = ti.state;
			h->segs_in = ti.segs_in;
			h->segs_out = ti.segs_out;
			if (ti.state != ST_CLOSE)
				diag_remember(sh->sys, h);
			continue;
		}
		if (ti.state != h->tcp_state &&
		    !(ti.state == ST_CLOSE && h->tcp_state == ST_TIME_WAIT))
			track_changed(t, h, h->tcp_state, ti.state);
	}
	for (k = 0; k < t->nch; k++) {
		struct track_change *c = &t->ch[k];

		c->h->tcp_state = c->to;
		if (c->to != ST_CLOSE)
			diag_remember(sh->sys, c->h);
		if (c->to == ST_ESTABLISHED || c->to == ST_CLOSE_WAIT)
			c->h->connected = 1;
	}
}

/*
 * Forgets what was known of the live handles' states after calls went by
 * unwatched, so that the next scan records them without printing changes
 * that happened long ago.
 */
static void
track_resync(struct shell *sh)
{
	size_t i;

	for (i = 0; i < sh->handles.nbyfd; i++)
		if (sh->handles.byfd[i])
			sh->handles.byfd[i]->tcp_state = 0;
	sh->track->stale = 0;
}

/*
 * For connections that went to CLOSE through their fd, asks sock_diag
 * whether the kernel holds them on in TIME_WAIT.
 */
static void
track_timewait(struct shell *sh)
{
	struct track *t = sh->track;
	struct diag_sock d;
	size_t k;

	for (k = 0; k < t->nch; k++) {
		struct track_change *c = &t->ch[k];

		if (c->to != ST_CLOSE ||
		    (c->from != ST_FIN_WAIT1 && c->from != ST_FIN_WAIT2 &&
		        c->from != ST_CLOSING))
			continue;
		if (diag_find_peer(c->h, 1U << ST_TIME_WAIT, &d) == 1) {
			c->to = ST_TIME_WAIT;
			c->h->tcp_state = ST_TIME_WAIT;
			c->expires_ms = d.expires_ms;
			c->behind_fd = 1;
		}
	}
}

/* Forgets lingering closed handle i. */
static void
track_unlinger(struct track *t, size_t i)
{
	t->linger[i] = t->linger[--t->nlinger];
}

/*
 * Follows closed handles whose connection lingers in the kernel, and the
 * handle closed by this command, through sock_diag.
 */
static void
track_closed(struct shell *sh)
{
	struct track *t = sh->track;
	struct diag_sock d[TRACK_LINGER + 1];
	struct handle *v[TRACK_LINGER + 1];
	struct track_change *c;
	size_t i, n;
	int to, mine;

	for (i = t->nlinger; i-- > 0;)
		if (t->linger[i]->fd >= 0)
			track_unlinger(t, i);
	n = t->nlinger;
	memcpy(v, t->linger, n * sizeof(*v));
	mine = t->h && t->h_live && t->h->fd < 0 && track_is_tcp(t->h) &&
	    t->h->tcp_state > 0 && t->h->track_seq == t->h_seq;
	if (mine)
		v[n++] = t->h;
	if (n == 0 || diag_lingering(v, n, d) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (d[i].state &&
		    d[i].inode) { /* a descriptor elsewhere holds */
			v[i]->tcp_state =
			    -1; /* it: not this handle's to follow */
			continue;
		}
		to = d[i].state ? d[i].state : ST_CLOSE;
		if (to == v[i]->tcp_state)
			continue;
		c = track_changed(t, v[i], v[i]->tcp_state, to);
		c->closed = mine && i == n - 1;
		c->expires_ms = d[i].expires_ms;
		v[i]->tcp_state = to;
	}
	for (i = t->nlinger; i-- > 0;)
		if (t->linger[i]->tcp_state <= 0 ||
		    t->linger[i]->tcp_state == ST_CLOSE ||
		    t->linger[i]->tcp_state == ST_TIME_WAIT)
			track_unlinger(t, i);
	if (mine && t->h->tcp_state > 0 && t->h->tcp_state != ST_CLOSE &&
	    t->h->tcp_state != ST_TIME_WAIT && t->nlinger < TRACK_LINGER)
		t->linger[t->nlinger++] = t->h;
}

/*
 * Returns 1 when address a is b, or the wildcard address of b's port
 * (a listener bound to '' and a connection to it).
 */
static int
track_addr_covers(const struct sockaddr_storage *a,
    const struct sockaddr_storage *b)
{
	struct sockaddr_storage any;

	if (!diag_has_addr(a) || !diag_has_addr(b))
		return 0;
	if (diag_addr_equal(a, b))
		return 1;
	any = *b;
	if (any.ss_family == AF_INET)
		((struct sockaddr_in *)&any)->sin_addr.s_addr = INADDR_ANY;
	else
		memset(&((struct sockaddr_in6 *)&any)->sin6_addr, 0,
		    sizeof(struct in6_addr));
	return diag_addr_equal(a, &any);
}

/*
 * Returns 1 when a call on h can have changed c: c is h or a dup of it,
 * the other end of h's connection, or, h being a listener, a connection
 * to its port.
 * Another handle's change seen after the call happened beside it.
 */
static int
track_caused(const struct handle *h, const struct handle *c)
{
	if (h == NULL)
		return 0;
	if (c == h || c->sock == h->sock) /* itself, or a dup of it */
		return 1;
	if (diag_has_addr(handle_peer(h)))
		return diag_addr_equal(handle_local(c), handle_peer(h)) &&
		    diag_addr_equal(handle_peer(c), handle_local(h));
	return track_addr_covers(handle_local(h), handle_peer(c));
}

/*
 * Adds the arrows that the changes other than the call's own handle's
 * stand for: the peer's RST, SYN-ACK or FIN. skip_h: h's change is the
 * call's own; rst: h was closed with RST, which explains the peer's CLOSE.
 * label names the call of the arrows a call on h can have caused (NULL:
 * the statement); the others came between calls.
 */
static void
track_infer_peer(struct shell *sh, const struct handle *h, int skip_h, int rst,
    const char *label)
{
	struct track *t = sh->track;
	const char *call;
	size_t k;

	for (k = 0; k < t->nch; k++) {
		struct track_change *c = &t->ch[k];

		call = track_caused(h, c->h) ? label : "(between calls)";
		if (c->h == h && skip_h)
			continue;
		if (c->to == ST_CLOSE && c->from != ST_SYN_SENT &&
		    c->from != ST_LISTEN && c->from != ST_LAST_ACK && !rst)
			track_arrow(sh, handle_peer(c->h), handle_local(c->h),
			    "RST", call);
		else if (c->from == ST_SYN_SENT && c->to == ST_ESTABLISHED) {
			track_arrow(sh, handle_peer(c->h), handle_local(c->h),
			    "SYN, ACK", call);
			track_arrow(sh, handle_local(c->h), handle_peer(c->h),
			    "ACK", call);
		} else if (!track_is_ours(sh, handle_peer(c->h)) &&
		    (c->to == ST_CLOSE_WAIT || c->to == ST_TIME_WAIT ||
		        c->to == ST_CLOSING))
			track_arrow(sh, handle_peer(c->h), handle_local(c->h),
			    "FIN", call);
	}
}

/*
 * Writes into what the words of a send's data arrow, "5 bytes \"hello\"".
 * Returns 0, or -1 when st is no send that sent bytes.
 */
static int
track_data(const struct stmt *st, long ret, struct buf *what)
{
	char err[64], *data;
	size_t len;

	if (strncmp(st->argv[0].text, "send", 4) != 0 || ret <= 0 ||
	    st->argc <= 2 ||
	    parse_data(&st->argv[2], &data, &len, err, sizeof(err)) == -1)
		return -1;
	if ((size_t)ret < len)
		len = (size_t)ret;
	buf_printf(what, "%zu byte%s ", len, len == 1 ? "" : "s");
	fmt_cstring(what, (unsigned char *)data, len, 8);
	free(data);
	return 0;
}

/*
 * Adds the arrows a call's result alone shows, when no state is read
 * (-n, or states and segments off): a connect that returned 0 made the
 * handshake (EINPROGRESS: its SYN went), a send sent its bytes, the first
 * shutdown of the sending side of a connection sent FIN, and a close of
 * a connection close found ESTABLISHED or CLOSE_WAIT sent FIN (RST with
 * unread data or SO_LINGER {1, 0}).
 */
static void
track_infer_result(struct shell *sh, const struct stmt *st)
{
	struct track *t = sh->track;
	const struct handle *h = t->h;
	const char *cmd = st->argv[0].text;
	int connect = strncmp(cmd, "connect", 7) == 0;
	long ret = sh->last.ret;

	if (h == NULL || !track_is_tcp(h))
		return;
	if (connect &&
	    (ret == EINPROGRESS || (ret == -1 && sh->last.err == EINPROGRESS)))
		track_arrow_later(sh, h, 0, "SYN");
	else if (connect && ret == 0) {
		track_arrow_later(sh, h, 0, "SYN");
		track_arrow_later(sh, h, 1, "SYN, ACK");
		track_arrow_later(sh, h, 0, "ACK");
	} else if (h->connected && strncmp(cmd, "send", 4) == 0 && ret > 0)
		track_arrow_later(sh, h, 0, NULL); /* its bytes: track_data */
	else if (strcmp(cmd, "shutdown") == 0 && ret == 0 && h->connected &&
	    !(t->h_shut & HANDLE_SHUT_WR) && (h->shut & HANDLE_SHUT_WR))
		track_arrow_later(sh, h, 0, "FIN");
	else if (strcmp(cmd, "close") == 0 && ret == 0 && t->h_live &&
	    h->fd < 0 &&
	    (h->close_state == ST_ESTABLISHED ||
	        h->close_state == ST_CLOSE_WAIT))
		track_arrow_later(sh, h, 0, h->close_rst ? "RST" : "FIN");
}

/* Adds the arrows a call stands for when no capture shows the real ones. */
static void
track_infer(struct shell *sh, const struct stmt *st)
{
	struct track *t = sh->track;
	struct handle *h = t->h;
	const char *cmd = st->argv[0].text;
	struct track_change *mine = NULL;
	struct buf what;
	size_t k;

	for (k = 0; k < t->nch; k++)
		if (t->ch[k].h == h)
			mine = &t->ch[k];
	buf_init(&what);
	if (h && mine &&
	    (strcmp(cmd, "connect") == 0 || strcmp(cmd, "connect_ex") == 0)) {
		track_arrow(sh, handle_local(h), handle_peer(h), "SYN", NULL);
		if (mine->to != ST_SYN_SENT) {
			track_arrow(sh, handle_peer(h), handle_local(h),
			    "SYN, ACK", NULL);
			track_arrow(sh, handle_local(h), handle_peer(h), "ACK",
			    NULL);
		}
	} else if (h && track_data(st, sh->last.ret, &what) == 0)
		track_arrow(sh, handle_local(h), handle_peer(h), buf_str(&what),
		    NULL);
	else if (h && mine && strcmp(cmd, "shutdown") == 0 &&
	    track_open(mine->from) && !track_open(mine->to))
		track_arrow(sh, handle_local(h), handle_peer(h), "FIN", NULL);
	else if (h && mine && mine->closed && track_open(mine->from))
		track_arrow(sh, handle_local(h), handle_peer(h),
		    h->close_rst ? "RST" : "FIN", NULL);
	track_infer_peer(sh, h,
	    h && mine && (mine->closed || strcmp(cmd, "shutdown") == 0),
	    h && h->close_rst && mine && mine->closed, NULL);
	buf_free(&what);
}

/*
 * Makes the call of each arrow kept by statement (and a send's bytes)
 * from the session's record of it, walking both in order.
 */
static void
track_resolve_calls(struct shell *sh)
{
	struct diagram *d = &sh->track->diagram;
	const struct session_entry *e = NULL;
	struct session_iter it;
	struct stmt st;
	struct buf b;
	size_t i, at = 0;

	session_iter_start(&it, sh->session);
	buf_init(&b);
	memset(&st, 0, sizeof(st));
	for (i = 0; i < d->n; i++) {
		struct diagram_event *ev = &d->v[i];

		while (ev->stmt > at && (e = session_iter_next(&it)) != NULL) {
			at++;
			free(st.argv);
			session_entry_stmt(e, &st);
		}
		if (ev->stmt == 0 || ev->stmt != at || e == NULL)
			continue; /* made, or its statement was not kept */
		buf_reset(&b);
		parse_format_stmt(&b, &st);
		snprintf(ev->call, sizeof(ev->call), "%s", buf_str(&b));
		buf_reset(&b);
		if (ev->what[0] == '\0' && track_data(&st, e->ret, &b) == 0)
			snprintf(ev->what, sizeof(ev->what), "%s", buf_str(&b));
		ev->stmt = 0;
	}
	free(st.argv);
	buf_free(&b);
	session_iter_end(&it);
}

/*
 * Before the chart is drawn (or a lesson's handed on): reads the
 * addresses not known yet of live TCP handles (arrows wait for them, and
 * lanes are named by them), then fills in the arrows.
 */
void
track_resolve(struct shell *sh)
{
	size_t i, n = 0;

	for (i = 0; i < sh->handles.nbyfd && n < TRACK_MAX_LIVE; i++) {
		struct handle *h = sh->handles.byfd[i];

		if (h && h->fd >= 0 && track_is_tcp(h) &&
		    (!diag_has_addr(handle_local(h)) ||
		        (h->connected && !diag_has_addr(handle_peer(h))))) {
			diag_remember(sh->sys, h);
			n++;
		}
	}
	track_resolve_calls(sh);
	diagram_resolve(&sh->track->diagram);
}

/*
 * Prints the state changes, and the notes where the kernel surprises:
 * first those the call can have caused, then, with TRACK_SINCE, those it
 * cannot (all of them before the call: before is 1).
 */
static void
track_print(struct shell *sh, const struct stmt *st, int before)
{
	struct track *t = sh->track;
	const char *cmd = st->argv[0].text, *prefix;
	struct buf left;
	size_t k, pass;
	int since;

	buf_init(&left);
	for (k = 0; k < 2 * t->nch && sh->states; k++) {
		struct track_change *c = &t->ch[k % t->nch];

		pass = k / t->nch;
		since = before || !track_caused(t->h, c->h);
		if ((size_t)since != pass)
			continue;
		prefix = since ? TRACK_SINCE : "";
		buf_reset(&left);
		if ((c->to == ST_TIME_WAIT || c->to == ST_FIN_WAIT2) &&
		    c->expires_ms > 0)
			buf_printf(&left, "%u s left",
			    (c->expires_ms + 999) / 1000);
		if (c->closed && c->to != ST_CLOSE)
			out_meaning(sh,
			    "%s%s %s -> %s (closed: the kernel finishes "
			    "the connection on its own%s%s)",
			    prefix, c->h->name, track_state_name(c->from),
			    track_state_name(c->to), left.len ? "; " : "",
			    buf_str(&left));
		else
			out_meaning(sh, "%s%s%s %s -> %s%s%s%s", prefix,
			    c->h->name,
			    c->h->fd < 0 && !c->closed ? " (closed)" : "",
			    track_state_name(c->from), track_state_name(c->to),
			    left.len ? " (" : "", buf_str(&left),
			    left.len        ? ")"
			        : c->closed ? " (closed)"
			                    : "");
		if (c->behind_fd)
			note_say(sh, "state.timewait-behind-fd",
			    "the connection now lives on in the kernel "
			    "apart from %s's fd, which reports CLOSE: TIME_WAIT "
			    "shows only through sock_diag (ss -tan), and holds "
			    "the address until it ends",
			    c->h->name);
		if (c->to == ST_FIN_WAIT1 || c->to == ST_LAST_ACK ||
		    c->to == ST_CLOSING)
			note_say(sh, "state.fin-unacked",
			    "%s's FIN is not acknowledged yet: until it "
			    "is, SEND-Q counts it as one byte",
			    c->h->name);
		if (c->from == ST_SYN_SENT && c->to == ST_ESTABLISHED &&
		    (since || c->h != t->h || strncmp(cmd, "connect", 7) != 0))
			note_say(sh, "state.connect-went-on",
			    "the connect of %s that was interrupted went "
			    "on in the kernel: %s is connected now",
			    c->h->name, c->h->name);
		if (!since && c->h == t->h && strncmp(cmd, "send", 4) == 0 &&
		    sh->last.ret > 0 && c->to == ST_CLOSE)
			note_say(sh, "state.send-then-rst",
			    "this send succeeded, but the peer's kernel "
			    "answered the data with RST (the peer was closed, or "
			    "shut down both ways): the connection is over, and "
			    "the next send fails (%s)",
			    c->from == ST_CLOSE_WAIT ? "EPIPE" : "ECONNRESET");
	}
	buf_free(&left);
}

/* Returns 1 when a handle seen before seen[i] holds the same socket (a dup). */
static int
track_seen_before(const struct track *t, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (t->seen[k].h->sock == t->seen[i].h->sock)
			return 1;
	return 0;
}

/*
 * Prints how many segments each handle sent and received: those the call
 * can have caused, then, with TRACK_SINCE, the others (all: before is 1).
 */
static void
track_segments(struct shell *sh, int before)
{
	struct track *t = sh->track;
	struct buf b[2];
	size_t i, k;
	int since;

	buf_init(&b[0]);
	buf_init(&b[1]);
	for (i = 0; i < t->nseen; i++) {
		struct track_seen *s = &t->seen[i];
		unsigned in = s->segs_in - s->h->segs_in;
		unsigned out = s->segs_out - s->h->segs_out;

		s->h->segs_in = s->segs_in;
		s->h->segs_out = s->segs_out;
		since = before || !track_caused(t->h, s->h);
		if (!(in || out) || track_seen_before(t, i))
			continue; /* a dup's socket: counted under the first */
		buf_printf(&b[since], "%s%s", b[since].len ? "; " : "",
		    s->h->name);
		for (k = i + 1; k < t->nseen; k++)
			if (t->seen[k].h->sock == s->h->sock)
				buf_printf(&b[since], "/%s",
				    t->seen[k].h->name);
		buf_printf(&b[since], " sent %u, received %u", out, in);
	}
	if (b[0].len && sh->segments && t->capture.fd < 0)
		out_meaning(sh, "segments: %s", buf_str(&b[0]));
	if (b[1].len && sh->segments && t->capture.fd < 0)
		out_meaning(sh, "%ssegments: %s", TRACK_SINCE, buf_str(&b[1]));
	buf_free(&b[0]);
	buf_free(&b[1]);
}

/*
 * Returns 1 when a look at the kernel would show something: states,
 * segments or a capture on, and few enough live handles that the cost of
 * a command stays flat.
 */
static int
track_watching(struct shell *sh)
{
	if (sh->handles.live > TRACK_MAX_LIVE)
		return 0;
	if (!sh->states && !sh->segments && sh->track->capture.fd < 0) {
		sh->track->stale = 1; /* nothing to show: no reads */
		return 0;
	}
	return 1;
}

/* Reads the states and counters of the handles once: no waiting, no naps. */
static void
track_look(struct shell *sh)
{
	struct track *t = sh->track;

	if (t->stale)
		track_resync(sh);
	t->nch = 0;
	t->nseen = 0;
	track_scan(sh);
	track_timewait(sh);
	track_closed(sh);
}

/*
 * Remembers statement st and its handle as they are before it runs; the
 * statement's text only when format is set (else track_end formats it
 * if it comes to need it).
 */
static void
track_start(struct shell *sh, const struct stmt *st, int format)
{
	struct track *t = sh->track;

	buf_reset(&t->call);
	if (format)
		parse_format_stmt(&t->call, st);
	t->call_unset = !format;
	t->h = track_handle_arg(sh, st);
	t->h_live = t->h && t->h->fd >= 0;
	t->h_shut = t->h ? t->h->shut : 0;
	t->h_seq = t->h ? t->h->closed_seq : 0;
	t->nch = 0;
}

/*
 * Before the notice of a job whose call returned: remembers its statement
 * and handle. No look first: the job's call ran since the previous
 * command, so what changed since is its doing, shown under its call line.
 */
void
track_resume(struct shell *sh, const struct stmt *st)
{
	track_start(sh, st, 1);
}

/*
 * Before a statement runs: remembers it and its handle, and prints what
 * changed since the previous command, as such: the segments captured
 * between calls, and the state changes no call of this one caused yet
 * (a delayed ACK ending FIN_WAIT1, a peer's FIN or close).
 */
void
track_begin(struct shell *sh, const struct stmt *st)
{
	struct track *t = sh->track;

	track_start(sh, st, sh->states || sh->segments || t->capture.fd >= 0);
	if (st->argc == 0 || !track_watching(sh))
		return;
	if (t->capture.fd >= 0)
		track_capture_read(sh, 0, "(between calls)", "meanwhile: ");
	track_look(sh);
	if (t->capture.fd < 0)
		track_infer_peer(sh, NULL, 0, 0, "(between calls)");
	track_print(sh, st, 1);
	track_segments(sh, 1);
	t->nch = 0;
}

/*
 * After a statement ran: when it made a call, shows what changed in the
 * kernel. Skipped beyond TRACK_MAX_LIVE live handles, so the cost of a
 * command stays flat.
 */
void
track_end(struct shell *sh, const struct stmt *st, int rc)
{
	struct track *t = sh->track;

	if (rc != CMD_OK || !sh->last.made || st->argc == 0)
		return;
	if (!track_watching(sh)) {
		track_infer_result(sh, st);
		return;
	}
	if (t->call_unset) {
		parse_format_stmt(&t->call, st);
		t->call_unset = 0;
	}
	track_look(sh);
	if (t->capture.fd >= 0)
		track_capture_read(sh, TRACK_QUIET_MS, NULL, "");
	else
		track_infer(sh, st);
	track_print(sh, st, 0);
	track_segments(sh, 0);
}
