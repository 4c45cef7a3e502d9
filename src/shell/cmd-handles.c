#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "addr.h"
#include "buf.h"
#include "call.h"
#include "child.h"
#include "cmd.h"
#include "diag.h"
#include "epollinfo.h"
#include "handle.h"
#include "labhost.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"
#include "xalloc.h"

#define NCOL 10
#define HANDLES_FOLD 6 /* the first column of a row's second line */

static const char *const handles_head[NCOL] = { "NAME", "FD", "KIND", "STATE",
	"LOCAL", "PEER", "RECV-Q", "SEND-Q", "SHUT", "MODE" };

/* Appends the kind of socket: tcp, udp, tcp6, unix stream, ... and "listen". */
static void
handles_kind(struct buf *b, const struct handle *h, int listening)
{
	const char *t = h->type == SOCK_STREAM ? "tcp"
	    : h->type == SOCK_DGRAM            ? "udp"
	                                       : "raw";

	if (h->family == AF_UNIX)
		buf_puts(b,
		    h->type == SOCK_STREAM      ? "unix stream"
		        : h->type == SOCK_DGRAM ? "unix dgram"
		                                : "unix");
	else
		buf_printf(b, "%s%s", t, h->family == AF_INET6 ? "6" : "");
	if (listening)
		buf_puts(b, " listen");
}

/* Appends this end's or the peer's address, or "-" when there is none. */
static void
handles_addr(struct shell *sh, struct buf *b, const struct handle *h, int peer)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int rc;

	memset(&ss, 0, sizeof(ss));
	rc = peer ? sh->sys->getpeername(h->fd, (struct sockaddr *)&ss, &len)
	          : sh->sys->getsockname(h->fd, (struct sockaddr *)&ss, &len);
	if (rc == -1 ||
	    (ss.ss_family == AF_INET &&
	        ((struct sockaddr_in *)&ss)->sin_port == 0) ||
	    (ss.ss_family == AF_INET6 &&
	        ((struct sockaddr_in6 *)&ss)->sin6_port == 0))
		buf_puts(b, "-");
	else
		addr_short(b, (struct sockaddr *)&ss, len);
}

/* Appends the blocking mode: blocking, non-blocking, or the timeout. */
static void
handles_mode(struct shell *sh, struct buf *b, const struct handle *h)
{
	struct timeval tv;
	socklen_t len = sizeof(tv);
	int fl = sh->sys->fcntl_getfl(h->fd);

	if (fl != -1 && (fl & O_NONBLOCK))
		buf_puts(b, "non-blocking");
	else if (sh->sys->getsockopt(h->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	             &len) == 0 &&
	    (tv.tv_sec || tv.tv_usec))
		buf_printf(b, "timeout %g s",
		    (double)tv.tv_sec + (double)tv.tv_usec / 1e6);
	else
		buf_puts(b, "blocking");
}

/*
 * Appends to a live handle's CLOSE the state its connection lingers in
 * apart from the fd (TIME_WAIT), found through sock_diag.
 */
static void
handles_behind(const struct handle *h, struct buf *b)
{
	struct diag_sock d;

	if (h->tcp_state != TCP_TIME_WAIT ||
	    diag_find_peer(h, 1U << TCP_TIME_WAIT, &d) != 1)
		return;
	buf_printf(b, " (TIME_WAIT %u s)", (d.expires_ms + 999) / 1000);
}

/*
 * Fills the columns of one live handle's row from what the kernel says.
 * Returns 1 when its SEND-Q holds an unacknowledged FIN.
 */
static int
handles_row(struct shell *sh, const struct handle *h, struct buf *col)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int listening = 0, inq = -1, outq = -1, tcp, k;
	socklen_t ilen = sizeof(listening);

	if (h->epoll) { /* not a socket: no state, addresses or queues */
		buf_printf(&col[0], "%s", h->name);
		buf_printf(&col[1], "%d", h->fd);
		buf_puts(&col[2], "epoll");
		for (k = 3; k < NCOL; k++)
			buf_puts(&col[k], "-");
		return 0;
	}
	tcp = h->type == SOCK_STREAM && h->family != AF_UNIX;
	sh->sys->getsockopt(h->fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
	    &ilen);
	memset(&ti, 0, sizeof(ti));
	if (tcp &&
	    sh->sys->getsockopt(h->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == 0) {
		const char *st = sym_name(sym_tcp_state, ti.tcpi_state);

		buf_puts(&col[3], st ? st : "?");
		if (ti.tcpi_state == TCP_CLOSE)
			handles_behind(h, &col[3]);
	} else
		buf_puts(&col[3], listening ? "LISTEN" : "-");
	buf_puts(&col[0], h->name);
	if (h->host >= 0 && h->host != labhost_here()) /* on the other host */
		buf_printf(&col[0], "@%s", labhost_name(h->host));
	buf_printf(&col[1], "%d", h->fd);
	handles_kind(&col[2], h, listening);
	handles_addr(sh, &col[4], h, 0);
	handles_addr(sh, &col[5], h, 1);
	if (listening && tcp) {
		inq = (int)ti.tcpi_unacked;
		outq = (int)ti.tcpi_sacked;
	} else if (!listening) {
		if (sh->sys->ioctl_int(h->fd, SIOCINQ, &inq) == -1)
			inq = -1;
		if (sh->sys->ioctl_int(h->fd, SIOCOUTQ, &outq) == -1)
			outq = -1;
	}
	if (inq >= 0)
		buf_printf(&col[6], "%d", inq);
	else
		buf_puts(&col[6], "-");
	if (outq >= 0)
		buf_printf(&col[7], "%d", outq);
	else
		buf_puts(&col[7], "-");
	buf_puts(&col[8],
	    h->shut == (HANDLE_SHUT_RD | HANDLE_SHUT_WR) ? "RDWR"
	        : h->shut == HANDLE_SHUT_RD              ? "RD"
	        : h->shut == HANDLE_SHUT_WR              ? "WR"
	                                                 : "-");
	handles_mode(sh, &col[9], h);
	return tcp && outq > 0 &&
	    (ti.tcpi_state == TCP_FIN_WAIT1 || ti.tcpi_state == TCP_LAST_ACK ||
	        ti.tcpi_state == TCP_CLOSING);
}

/*
 * Prints one row, padding each column to its width; split (fold > 0)
 * into two lines, the queues, SHUT and MODE on the second after fold
 * spaces, when one line would not fit the terminal.
 */
static void
handles_print(struct shell *sh, struct buf *col, const size_t *w, size_t fold)
{
	int i;

	for (i = 0; i < NCOL; i++) {
		const char *s = buf_str(&col[i]);
		size_t pad = w[i] - col[i].len;

		if (i == HANDLES_FOLD && fold)
			fprintf(sh->out, "\n%*s", (int)fold, "");
		if (i == 1 || i == 6 || i == 7)
			fprintf(sh->out, "%*s%s", (int)pad, "", s);
		else if (i == NCOL - 1 || (i == HANDLES_FOLD - 1 && fold))
			fputs(s, sh->out);
		else
			fprintf(sh->out, "%s%*s", s, (int)pad, "");
		if (i < NCOL - 1 && !(i == HANDLES_FOLD - 1 && fold))
			fputs("  ", sh->out);
	}
	fputc('\n', sh->out);
}

/* Orders closed handles by when they were closed, for qsort. */
static int
handles_by_close(const void *a, const void *b)
{
	const struct handle *x = *(const struct handle *const *)a;
	const struct handle *y = *(const struct handle *const *)b;

	return x->closed_seq < y->closed_seq ? -1
	                                     : x->closed_seq > y->closed_seq;
}

/* Prints the last few closed handles, in the order they were closed. */
static void
handles_closed(struct shell *sh)
{
	const struct handle_table *t = &sh->handles;
	struct diag_sock d[8];
	size_t i, n = 0, first;
	struct handle **v;
	struct buf b;

	if (t->n == t->live)
		return;
	v = xcalloc(t->n - t->live, sizeof(*v));
	for (i = 0; i < t->n; i++)
		if (t->v[i]->fd < 0)
			v[n++] = t->v[i];
	qsort(v, n, sizeof(*v), handles_by_close);
	first = n > 8 ? n - 8 : 0;
	if (diag_lingering(v + first, n - first, d) == -1)
		memset(d, 0, sizeof(d));
	buf_init(&b);
	for (i = first; i < n; i++) {
		const char *st = sym_name(sym_tcp_state, d[i - first].state);

		buf_printf(&b, "%s%s (fd %d, %s", i > first ? ", " : "",
		    v[i]->name, v[i]->old_fd, v[i]->closed_at);
		if (d[i - first].state && d[i - first].inode && st)
			buf_printf(&b,
			    "; another descriptor still holds its socket, "
			    "%s",
			    st);
		else if (d[i - first].state && st)
			buf_printf(&b,
			    "; its connection lingers in %s, %u s "
			    "left",
			    st, (d[i - first].expires_ms + 999) / 1000);
		buf_addc(&b, ')');
	}
	out_line(sh, "closed: %s%s", first ? "..., " : "", buf_str(&b));
	buf_free(&b);
	free(v);
}

/* Counts the live handles of h's socket among fds below end. */
static size_t
handles_sock_count(const struct handle_table *t, const struct handle *h,
    size_t end)
{
	size_t fd, n = 0;

	for (fd = 0; fd < end; fd++)
		n += t->byfd[fd] != NULL && t->byfd[fd]->sock == h->sock;
	return n;
}

/*
 * Under the table, the live handles that hold one socket (made by dup):
 * "conn and conn2 are one socket (fds 5 and 6)". By the socket numbers
 * dup gives, so no call and nothing to do while no dup was made.
 */
static void
handles_shared(struct shell *sh)
{
	const struct handle_table *t = &sh->handles;
	struct buf names, fds;
	size_t i, j, n, k;

	buf_init(&names);
	buf_init(&fds);
	for (i = 0; t->dups > 0 && i < t->nbyfd; i++) {
		const struct handle *h = t->byfd[i];

		if (h == NULL || handles_sock_count(t, h, i) != 0)
			continue; /* said with the first of its socket */
		if ((n = handles_sock_count(t, h, t->nbyfd)) < 2)
			continue;
		buf_reset(&names);
		buf_reset(&fds);
		for (j = i, k = 0; j < t->nbyfd; j++) {
			if (t->byfd[j] == NULL || t->byfd[j]->sock != h->sock)
				continue;
			if (k++ > 0) {
				buf_puts(&names, k == n ? " and " : ", ");
				buf_puts(&fds, k == n ? " and " : ", ");
			}
			buf_puts(&names, t->byfd[j]->name);
			buf_printf(&fds, "%d", t->byfd[j]->fd);
		}
		out_line(sh, "%s are one socket (fds %s)", buf_str(&names),
		    buf_str(&fds));
	}
	buf_free(&names);
	buf_free(&fds);
}

/* Orders an epoll instance's watches by fd, for qsort (the kernel's order is by address). */
static int
handles_by_fd(const void *a, const void *b)
{
	const struct epollinfo *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

/*
 * Prints under the table what each epoll handle watches, as the kernel
 * lists it (/proc/self/fdinfo), leaving out the EPOLLERR|EPOLLHUP it adds
 * to every watch; each watch named by the handle holding its socket (its
 * inode): a watch outlives the close of its fd while a dup holds it.
 */
static void
handles_epoll(struct shell *sh)
{
	struct epollinfo v[64];
	const struct handle *w;
	struct buf b;
	size_t i;
	int k, n;

	buf_init(&b);
	for (i = 0; i < sh->handles.n; i++) {
		const struct handle *h = sh->handles.v[i];

		if (!h->epoll || h->fd < 0 ||
		    (n = epollinfo_read(getpid(), h->fd, v, 64)) < 0)
			continue;
		buf_reset(&b);
		qsort(v, (size_t)n, sizeof(v[0]), handles_by_fd);
		for (k = 0; k < n; k++) {
			w = call_ino_handle(sh, v[k].fd, v[k].ino);
			buf_printf(&b, "%s", k ? ", " : "");
			if (w && w->fd == v[k].fd)
				buf_puts(&b, w->name);
			else if (w) /* added as fd N, closed; a dup holds it */
				buf_printf(&b,
				    "fd %d, since closed: %s's socket", v[k].fd,
				    w->name);
			else
				buf_printf(&b, "fd %d", v[k].fd);
			buf_puts(&b, " (");
			sym_format_flags(&b, sym_epoll,
			    v[k].events & ~(unsigned)(EPOLLERR | EPOLLHUP));
			if ((v[k].events & ~(unsigned)EPOLLET) == EPOLLONESHOT)
				buf_puts(&b, ": reported, disarmed until MOD");
			buf_addc(&b, ')');
		}
		out_line(sh, "%s watches %s", h->name,
		    n ? buf_str(&b) : "nothing (epoll_ctl ADD adds a socket)");
	}
	buf_free(&b);
}

/*
 * Under the shell's own handles, each child's: the child lists them
 * itself (its lines marked [pid N]); a child that has ended is named a
 * zombie when /proc/PID/stat shows it as one.
 */
static void
handles_children(struct shell *sh)
{
	struct buf line;
	int i;

	buf_init(&line);
	buf_puts(&line, "handles");
	for (i = 0; i < sh->nkids && !sh->shell_pid; i++) {
		child_say(sh, &sh->kids[i]);
		if (!sh->kids[i].gone) /* its own list, [pid N] */
			child_ask(sh, &sh->kids[i], &line);
	}
	buf_free(&line);
}

/* handles: every live handle with the kernel's view of it. */
static int
cmd_handles_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const struct handle_table *t = &sh->handles;
	struct buf *rows;
	size_t w[NCOL], i, r, n = 0, wide, fold;
	int c, fin = 0;

	(void)cmd;
	(void)a;
	if (t->live == 0) {
		out_line(sh, "no live handles (socket makes one)");
		handles_closed(sh);
		handles_children(sh);
		return CMD_OK;
	}
	rows = xcalloc((t->live + 1) * NCOL, sizeof(*rows));
	for (c = 0; c < NCOL; c++) {
		buf_puts(&rows[c], handles_head[c]);
		w[c] = rows[c].len;
	}
	for (i = 0; i < t->n; i++) {
		if (t->v[i]->fd < 0)
			continue;
		n++;
		fin |= handles_row(sh, t->v[i], &rows[n * NCOL]);
		for (c = 0; c < NCOL; c++)
			if (rows[n * NCOL + c].len > w[c])
				w[c] = rows[n * NCOL + c].len;
	}
	for (c = 0, wide = 0; c < NCOL; c++)
		wide += w[c] + 2;
	fold = out_width(sh) && wide - 2 > out_width(sh) ? w[0] + 2 : 0;
	for (r = 0; r <= n; r++)
		handles_print(sh, &rows[r * NCOL], w, fold);
	for (r = 0; r < (n + 1) * NCOL; r++)
		buf_free(&rows[r]);
	free(rows);
	if (fin)
		note_say(sh, "handles.fin-sendq",
		    "a FIN counts as one byte in SEND-Q until the peer "
		    "acknowledges it");
	handles_shared(sh);
	handles_epoll(sh);
	handles_closed(sh);
	handles_children(sh);
	return CMD_OK;
}

const struct cmd_entry cmd_handles_entry = {
	.name = "handles",
	.usage = "",
	.args_min = 0,
	.args_max = 0,
	.flags = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "list the handles with the kernel's view of each",
	.help =
	    "Lists every live handle: its name and fd, the kind of socket, "
	    "the TCP state (from TCP_INFO), local and peer address, bytes "
	    "waiting to be read (RECV-Q, SIOCINQ) and sent or unacknowledged "
	    "(SEND-Q, SIOCOUTQ; a FIN counts as one), which directions this "
	    "shell shut down, and the blocking mode. For a listening socket "
	    "RECV-Q is the number of connections waiting for accept and SEND-Q "
	    "the backlog. Handles that hold one socket (dup) are named "
	    "together below the table, and under it each epoll handle's "
	    "watches as the kernel lists them in /proc/self/fdinfo (without "
	    "the EPOLLERR and EPOLLHUP it adds to each). It only reads: "
	    "getsockopt, ioctl, getsockname, fstat, /proc.",
	.errors = "",
	.man = "ss(8), tcp(7)",
	.complete = "handle",
	.exec = cmd_handles_exec,
};
