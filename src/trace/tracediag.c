/*
 * sockstep trace --diagram and capture: the arrows of a traced program's
 * TCP connections, kept in the shell's diagram and drawn as the shell's
 * diagram command draws them, and, with capture on, its segments printed
 * under its calls as the shell prints its own. Without capture the arrows
 * are inferred, as the shell's are: from what a call returned and the
 * state the tracer read just before it. What the program's peer sent is
 * drawn only when the peer is not the program's own socket (then its own
 * call draws it), labelled with the call that saw it.
 */
#include "tracediag.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "addr.h"
#include "buf.h"
#include "capture.h"
#include "diagram.h"
#include "fmt.h"
#include "handle.h"
#include "shell.h"
#include "track.h"
#include "xalloc.h"

/* A connection seen: whether its handshake and its peer's FIN are drawn. */
struct tracediag_conn {
	char local[48];
	char peer[48];
	int shook;
	int fin_in;
};

/* An endpoint of the program's own: its address, its peer's, fd and process. */
struct tracediag_end {
	char addr[48];
	char peer[48]; /* "" for a listener */
	int fd;
	pid_t pid;
};

/* The segment being read: whose, and the call it is read after. */
struct tracediag_segctx {
	struct tracediag *td;
	const char *call;
	const char *prefix;
};

/* Starts the arrows of a trace printed by sh; draw: --diagram was given. */
void
tracediag_init(struct tracediag *td, struct shell *sh, int draw)
{
	memset(td, 0, sizeof(*td));
	td->sh = sh;
	td->draw = draw;
}

/* Frees what td holds. */
void
tracediag_free(struct tracediag *td)
{
	free(td->conn);
	free(td->end);
	memset(td, 0, sizeof(*td));
}

/* Returns 1 when arrows are kept or segments captured. */
int
tracediag_on(const struct tracediag *td)
{
	return td->draw || track_capture(td->sh)->fd >= 0;
}

/* Writes address ss into a, short: "127.0.0.1:51234"; "" when none. */
static void
tracediag_addr(char *a, size_t n, const struct sockaddr_storage *ss)
{
	struct buf b;

	a[0] = '\0';
	if (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)
		return;
	buf_init(&b);
	addr_short(&b, (const struct sockaddr *)ss, sizeof(*ss));
	snprintf(a, n, "%s", buf_str(&b));
	buf_free(&b);
}

/* Returns the program's latest endpoint at address a, or NULL. */
static const struct tracediag_end *
tracediag_own(const struct tracediag *td, const char *a)
{
	size_t i;

	for (i = td->nend; i-- > 0;)
		if (strcmp(td->end[i].addr, a) == 0)
			return &td->end[i];
	return NULL;
}

/*
 * Returns the latest endpoint of fd in process pid with a peer: the
 * addresses of a connection whose socket can no longer say them (its
 * peer's FIN came before the call; the socket is closed, its TIME_WAIT
 * the kernel's), or NULL.
 */
static const struct tracediag_end *
tracediag_end_of(const struct tracediag *td, int fd, pid_t pid)
{
	size_t i;

	for (i = td->nend; i-- > 0;)
		if (td->end[i].fd == fd && td->end[i].pid == pid)
			return td->end[i].peer[0] ? &td->end[i] : NULL;
	return NULL;
}

/* Remembers address a, with peer p, as fd's of process pid. */
static void
tracediag_add_end(struct tracediag *td, const char *a, const char *p, int fd,
    pid_t pid)
{
	struct tracediag_end *e;

	if (*a == '\0')
		return;
	td->end = xrealloc(td->end, (td->nend + 1) * sizeof(*td->end));
	e = &td->end[td->nend++];
	snprintf(e->addr, sizeof(e->addr), "%s", a);
	snprintf(e->peer, sizeof(e->peer), "%s", p);
	e->fd = fd;
	e->pid = pid;
}

/* Returns the connection local-peer, made when new. */
static struct tracediag_conn *
tracediag_conn(struct tracediag *td, const char *local, const char *peer)
{
	struct tracediag_conn *c;
	size_t i;

	for (i = 0; i < td->nconn; i++)
		if (strcmp(td->conn[i].local, local) == 0 &&
		    strcmp(td->conn[i].peer, peer) == 0)
			return &td->conn[i];
	td->conn = xrealloc(td->conn, (td->nconn + 1) * sizeof(*td->conn));
	c = &td->conn[td->nconn++];
	memset(c, 0, sizeof(*c));
	snprintf(c->local, sizeof(c->local), "%s", local);
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	return c;
}

/* Names the lane of address a after the program's endpoint there: "pid 42: fd3". */
static void
tracediag_name(struct tracediag *td, const char *a)
{
	struct diagram *d = track_diagram(td->sh);
	const struct tracediag_end *e = tracediag_own(td, a);
	struct diagram_name *n;
	size_t i;

	for (i = 0; i < d->nnames; i++)
		if (strcmp(d->names[i].addr, a) == 0)
			return;
	if (e == NULL)
		return;
	d->names = xrealloc(d->names, (d->nnames + 1) * sizeof(*d->names));
	n = &d->names[d->nnames++];
	snprintf(n->addr, sizeof(n->addr), "%s", a);
	snprintf(n->who, sizeof(n->who), "pid %d", (int)e->pid);
	snprintf(n->name, sizeof(n->name), "fd%d", e->fd);
}

/* Adds an arrow from one address to another, inferred or captured. */
static void
tracediag_arrow(struct tracediag *td, const char *from, const char *to,
    const char *what, const char *call, int inferred)
{
	struct diagram_event *e;

	if (!td->draw || *from == '\0' || *to == '\0')
		return;
	tracediag_name(td, from);
	tracediag_name(td, to);
	e = diagram_add(track_diagram(td->sh), from, to, what, call);
	if (e)
		e->inferred = inferred;
}

/* Returns 1 when a captured segment has an end of the program's own. */
static int
tracediag_seg_ours(const struct capture_seg *s, void *arg)
{
	struct tracediag_segctx *c = arg;
	char a[48];

	if (s->arp) /* a lab's link: no segment of a connection */
		return 0;
	tracediag_addr(a, sizeof(a), &s->src);
	if (tracediag_own(c->td, a))
		return 1;
	tracediag_addr(a, sizeof(a), &s->dst);
	return tracediag_own(c->td, a) != NULL;
}

/* Appends an endpoint's name: the program's "fd3", else its address. */
static void
tracediag_end_name(struct buf *b, const struct tracediag *td, const char *a)
{
	const struct tracediag_end *e = tracediag_own(td, a);

	if (e)
		buf_printf(b, "fd%d", e->fd);
	else
		buf_puts(b, a);
}

/* Prints one captured segment of the program's as the shell prints its own, and keeps its arrow. */
static int
tracediag_seg(const struct capture_seg *s, void *arg)
{
	struct tracediag_segctx *c = arg;
	char from[48], to[48];
	struct buf fb, tb, what;

	tracediag_addr(from, sizeof(from), &s->src);
	tracediag_addr(to, sizeof(to), &s->dst);
	buf_init(&fb);
	buf_init(&tb);
	buf_init(&what);
	tracediag_end_name(&fb, c->td, from);
	tracediag_end_name(&tb, c->td, to);
	if (c->td->sh->segments)
		track_seg_print(c->td->sh, c->prefix, buf_str(&fb),
		    buf_str(&tb), s);
	track_seg_what(&what, s);
	tracediag_arrow(c->td, from, to, buf_str(&what), c->call, 0);
	buf_free(&fb);
	buf_free(&tb);
	buf_free(&what);
	return 0;
}

/* Reads the segments captured so far, each printed with prefix and kept as call's. */
static void
tracediag_capture(struct tracediag *td, int quiet_ms, const char *call,
    const char *prefix)
{
	struct tracediag_segctx c = { td, call, prefix };

	capture_read(track_capture(td->sh), quiet_ms, tracediag_seg_ours,
	    tracediag_seg, &c);
}

/* Before a traced call, and after the program: the segments that came between calls. */
void
tracediag_between(struct tracediag *td)
{
	if (track_capture(td->sh)->fd >= 0)
		tracediag_capture(td, 0, "(between calls)", "meanwhile: ");
}

/* Writes into what the words of a data arrow: "5 bytes \"hello\"". */
static void
tracediag_data(char *what, size_t n, const struct tracediag_call *c)
{
	struct buf b;

	buf_init(&b);
	buf_printf(&b, "%ld byte%s", c->ret, c->ret == 1 ? "" : "s");
	if (c->data_len > 0) {
		buf_addc(&b, ' ');
		fmt_cstring(&b, c->data, (size_t)c->ret, 8);
	}
	snprintf(what, n, "%s", buf_str(&b));
	buf_free(&b);
}

/* Returns 1 when state st is a connection still open for data both ways or to the peer. */
static int
tracediag_open(int st)
{
	return st == TCP_ESTABLISHED || st == TCP_CLOSE_WAIT;
}

/*
 * Adds the arrows a call's result shows without capture: a connect's
 * handshake (its SYN alone when EINPROGRESS), the handshake an accept
 * found done, a send's bytes, the peer's bytes and FIN a receive found,
 * the FIN of the first shutdown of sending, a close's FIN or RST.
 */
static void
tracediag_infer(struct tracediag *td, const struct tracediag_call *c,
    const char *l, const char *p)
{
	struct tracediag_conn *cn = tracediag_conn(td, l, p);
	int peer_own = tracediag_own(td, p) != NULL;
	char seen[64], what[64];

	snprintf(seen, sizeof(seen), "(seen by %s)", c->label);
	if (c->nr == SYS_connect && (c->ret == 0 || c->err == EINPROGRESS) &&
	    !cn->shook) {
		tracediag_arrow(td, l, p, "SYN", c->label, 1);
		if (c->ret == 0) {
			tracediag_arrow(td, p, l, "SYN, ACK", c->label, 1);
			tracediag_arrow(td, l, p, "ACK", c->label, 1);
		}
		cn->shook = 1;
	} else if ((c->nr == SYS_accept || c->nr == SYS_accept4) &&
	    c->ret >= 0 && !peer_own && !cn->shook) {
		tracediag_arrow(td, p, l, "SYN", seen, 1);
		tracediag_arrow(td, l, p, "SYN, ACK", seen, 1);
		tracediag_arrow(td, p, l, "ACK", seen, 1);
		cn->shook = 1;
	} else if ((c->nr == SYS_sendto || c->nr == SYS_sendmsg) &&
	    c->ret > 0 && tracediag_open(c->before)) {
		tracediag_data(what, sizeof(what), c);
		tracediag_arrow(td, l, p, what, c->label, 1);
	} else if ((c->nr == SYS_recvfrom || c->nr == SYS_recvmsg) &&
	    c->ret > 0 && !peer_own) {
		tracediag_data(what, sizeof(what), c);
		tracediag_arrow(td, p, l, what, seen, 1);
	} else if ((c->nr == SYS_recvfrom || c->nr == SYS_recvmsg) &&
	    c->ret == 0 && !peer_own && !cn->fin_in) {
		tracediag_arrow(td, p, l, "FIN", seen, 1);
		cn->fin_in = 1;
	} else if (c->nr == SYS_shutdown && c->ret == 0 &&
	    (c->how == SHUT_WR || c->how == SHUT_RDWR) &&
	    tracediag_open(c->before))
		tracediag_arrow(td, l, p, "FIN", c->label, 1);
	else if (c->nr == SYS_close && c->ret == 0 && tracediag_open(c->before))
		tracediag_arrow(td, l, p, c->rst ? "RST" : "FIN", c->label, 1);
}

/*
 * After a traced call on a TCP socket: remembers its endpoint as the
 * program's, then prints the segments captured (with capture on) or
 * infers its arrows (without).
 */
void
tracediag_call(struct tracediag *td, const struct tracediag_call *c)
{
	const struct tracediag_end *e;
	char l[48], p[48];

	tracediag_addr(l, sizeof(l), &c->local);
	tracediag_addr(p, sizeof(p), &c->peer);
	if ((c->nr == SYS_connect || c->nr == SYS_listen ||
	        c->nr == SYS_accept || c->nr == SYS_accept4) &&
	    (c->ret >= 0 || c->err == EINPROGRESS))
		tracediag_add_end(td, l, p, c->fd, c->pid);
	if ((!*l || !*p) && (e = tracediag_end_of(td, c->fd, c->pid))) {
		snprintf(l, sizeof(l), "%s", e->addr);
		snprintf(p, sizeof(p), "%s", e->peer);
	}
	if (track_capture(td->sh)->fd >= 0)
		tracediag_capture(td, 3, c->label, "");
	else if (td->draw && *l && *p)
		tracediag_infer(td, c, l, p);
}

/* Writes the chart to path: SVG when it ends in .svg, else text. Returns 0, or -1 with a message. */
int
tracediag_write(struct tracediag *td, const char *path)
{
	struct handle_table none;
	size_t len = strlen(path);
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "we")) == NULL) {
		fprintf(stderr, "sockstep trace: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	memset(&none, 0, sizeof(none));
	if (track_diagram(td->sh)->n == 0)
		fputs("no connections: the program made no TCP connection "
		      "the tracer saw\n",
		    f);
	else if (len > 4 && strcmp(path + len - 4, ".svg") == 0)
		rc = diagram_svg(track_diagram(td->sh), &none, f);
	else
		diagram_text(track_diagram(td->sh), &none, f);
	if (fclose(f) == EOF || rc == -1) {
		fprintf(stderr, "sockstep trace: writing %s failed\n", path);
		return -1;
	}
	return 0;
}
