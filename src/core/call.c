#include "call.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "diag.h"
#include "handle.h"
#include "proc.h"
#include "shell.h"
#include "sys.h"
#include "tcpinfo.h"

/*
 * The calling thread's process and thread ids, asked of the kernel once
 * per thread (glibc caches neither): not session state, the same for
 * every shell; a forked child forgets them (call_forked).
 */
static __thread pid_t call_my_pid, call_my_tid;
static pthread_once_t call_fork_once = PTHREAD_ONCE_INIT;

/* pthread_atfork child handler: the child is a new process and thread. */
static void
call_forked(void)
{
	call_my_pid = call_my_tid = 0;
}

/* Registers call_forked, once. */
static void
call_fork_register(void)
{
	pthread_atfork(NULL, NULL, call_forked);
}

/* Fills c's pid and tid from the calling thread's cache. */
static void
call_who(struct call *c)
{
	if (call_my_tid == 0) {
		pthread_once(&call_fork_once, call_fork_register);
		call_my_pid = getpid();
		call_my_tid = gettid();
	}
	c->pid = call_my_pid;
	c->tid = call_my_tid;
}

/* Returns 1 when a timeval option of fd is set to a non-zero time. */
static int
call_timeout_set(struct shell *sh, int fd, int opt)
{
	struct timeval tv;
	socklen_t len = sizeof(tv);

	return sh->sys->getsockopt(fd, SOL_SOCKET, opt, &tv, &len) == 0 &&
	    (tv.tv_sec != 0 || tv.tv_usec != 0);
}

/* Reads what the notes rest on of h's socket into v; only reads. */
void
call_view_read(struct shell *sh, const struct handle *h, struct call_view *v)
{
	call_view_read_some(sh, h, v, CALL_VIEW_ALL);
}

/*
 * Adds the CALL_VIEW_* groups in what of h's open socket to view v
 * (read before, or when the result asks for them: fields no call
 * changes); only reads.
 */
static void
call_view_more(struct shell *sh, const struct handle *h, struct call_view *v,
    int what)
{
	struct tcpinfo ti;
	struct linger lg;
	socklen_t len;
	int fl, stream = h->type == SOCK_STREAM || h->type == SOCK_SEQPACKET;
	int inet = h->family == AF_INET || h->family == AF_INET6;

	if ((what & CALL_VIEW_STATE) && inet && h->type == SOCK_STREAM &&
	    tcpinfo_get(sh->sys, h->fd, &ti) == 0)
		v->state = ti.state;
	len = sizeof(v->listening);
	if (((what & CALL_VIEW_STATE) ||
	        ((what & CALL_VIEW_QUEUES) && !(v->read & CALL_VIEW_STATE))) &&
	    stream)
		sh->sys->getsockopt(h->fd, SOL_SOCKET, SO_ACCEPTCONN,
		    &v->listening, &len);
	if ((what & CALL_VIEW_STATE) && v->listening && v->state != -1) {
		v->queued = (int)ti.unacked; /* a listener's accept queue */
		v->backlog = (int)ti.sacked; /* and its backlog */
	}
	v->read |= what;
	if ((what & CALL_VIEW_QUEUES) && !v->listening &&
	    sh->sys->ioctl_int(h->fd, SIOCINQ, &v->unread) == -1)
		v->unread = -1;
	if ((what & CALL_VIEW_QUEUES) && stream && !v->listening &&
	    sh->sys->ioctl_int(h->fd, SIOCOUTQNSD, &v->unsent) == -1)
		v->unsent = -1;
	len = sizeof(lg);
	if ((what & CALL_VIEW_LINGER) && stream &&
	    sh->sys->getsockopt(h->fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0) {
		v->linger_on = lg.l_onoff;
		v->linger_s = lg.l_linger;
	}
	len = sizeof(v->reuseaddr);
	if ((what & CALL_VIEW_REUSE) && inet)
		sh->sys->getsockopt(h->fd, SOL_SOCKET, SO_REUSEADDR,
		    &v->reuseaddr, &len);
	if (what & CALL_VIEW_MODE) {
		fl = sh->sys->fcntl_getfl(h->fd);
		v->nonblock = fl != -1 && (fl & O_NONBLOCK);
		v->timeout = call_timeout_set(sh, h->fd, SO_RCVTIMEO) ||
		    call_timeout_set(sh, h->fd, SO_SNDTIMEO);
	}
	if (!(what & CALL_VIEW_NAMES))
		return;
	v->local_len = sizeof(v->local);
	if (sh->sys->getsockname(h->fd, (struct sockaddr *)&v->local,
	        &v->local_len) == -1)
		v->local_len = 0;
	v->peer_len = sizeof(v->peer);
	if (sh->sys->getpeername(h->fd, (struct sockaddr *)&v->peer,
	        &v->peer_len) == -1)
		v->peer_len = 0;
}

/*
 * Reads the CALL_VIEW_* groups of fields in what of h's socket into v,
 * and no more: unread fields stay 0, or -1 where -1 means unknown.
 */
void
call_view_read_some(struct shell *sh, const struct handle *h,
    struct call_view *v, int what)
{
	memset(v, 0, sizeof(*v));
	v->state = v->queued = v->backlog = v->unread = v->unsent = -1;
	v->shut = h->shut;
	if (h->fd < 0)
		return;
	v->seen = 1;
	call_view_more(sh, h, v, what);
}

/*
 * What the notes read of a handle before each call, by call name
 * (others: CALL_VIEW_BEFORE). Fields no call changes (O_NONBLOCK, the
 * timeouts, SO_REUSEADDR) are read after it, when the result is one a
 * note explains with them (call_end).
 */
static const struct {
	const char *name;
	int what;
} call_before[] = {
	{ "close", CALL_VIEW_BEFORE | CALL_VIEW_QUEUES | CALL_VIEW_LINGER },
	{ "shutdown", CALL_VIEW_BEFORE | CALL_VIEW_QUEUES },
	{ NULL, CALL_VIEW_BEFORE },
};

/* Returns the CALL_VIEW_* groups to read before call name. */
static int
call_before_needs(const char *name)
{
	size_t i;

	for (i = 0; call_before[i].name != NULL; i++)
		if (strcmp(call_before[i].name, name) == 0)
			break;
	return call_before[i].what;
}

/* Starts the record of a call on h (NULL for none): who, what, and h just before. */
void
call_begin(struct shell *sh, struct call *c, const char *name, struct handle *h)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	call_who(c);
	c->h = h;
	c->family = h ? h->family : 0;
	c->type = h ? h->type : 0;
	c->before.state = c->after.state = -1;
	if (h && strcmp(name, "close") == 0) {
		c->sharers = call_sharers(sh, h, &c->sharer);
		if (c->sharer)
			snprintf(c->sharer_name, sizeof(c->sharer_name), "%s",
			    c->sharer->name);
		c->sharers += call_proc_sharers(sh, h, c->sharer_name,
		    c->sharer_name[0] ? 0 : sizeof(c->sharer_name));
	}
	if (h && sh->notes)
		call_view_read_some(sh, h, &c->before, call_before_needs(name));
}

/*
 * Ends the record: the result and errno, h just after (while it is
 * open), who holds the address on EADDRINUSE or after a listener's
 * close, and the handle at the other end when a stream call met EOF,
 * EPIPE or ECONNRESET.
 */
void
call_end(struct shell *sh, struct call *c, long ret, int err)
{
	const struct sockaddr_storage *want = c->want;

	c->ret = ret;
	c->err = ret == -1 ? err : 0;
	if (c->h == NULL || !sh->notes)
		return;
	call_view_read_some(sh, c->h, &c->after, CALL_VIEW_AFTER);
	if (c->before.seen && c->h->fd >= 0 && c->err == EAGAIN)
		call_view_more(sh, c->h, &c->before, CALL_VIEW_MODE);
	if (c->before.seen && c->h->fd >= 0 && c->err == EADDRINUSE)
		call_view_more(sh, c->h, &c->before, CALL_VIEW_REUSE);
	if (want == NULL)
		want = &c->before.local;
	c->holder.state = c->holder.reuseaddr = -1;
	if ((c->err == EADDRINUSE ||
	        (strcmp(c->name, "close") == 0 && ret == 0 &&
	            c->before.listening)) &&
	    (want->ss_family == AF_INET || want->ss_family == AF_INET6))
		call_holder_find(sh, c->h, want, c->h->type, &c->holder);
	if (ret == 0 || c->err == EPIPE || c->err == ECONNRESET)
		c->peer = call_peer_find(sh, c);
}

/* Returns the port of an internet address, 0 for none, -1 for other families. */
int
call_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	if (ss->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	return -1;
}

/* Returns 1 when socket addresses a and b name the same address and port. */
static int
call_same(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	return a->ss_family != 0 && diag_addr_equal(a, b);
}

/* Returns 1 when ss is the wildcard address (INADDR_ANY or in6addr_any). */
int
call_is_any(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ((const struct sockaddr_in *)ss)->sin_addr.s_addr ==
		    htonl(INADDR_ANY);
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)ss)->sin6_addr);
	return 0;
}

/* Returns 1 when bound address l overlaps want: same port, same or wildcard address. */
static int
call_overlaps(const struct sockaddr_storage *l,
    const struct sockaddr_storage *want)
{
	if (l->ss_family != want->ss_family || call_port(l) <= 0 ||
	    call_port(l) != call_port(want))
		return 0;
	return call_is_any(l) || call_is_any(want) || diag_addr_equal(l, want);
}

/* What call_holder_diag looks for, and what it found. */
struct call_holder_ask {
	const struct sockaddr_storage *want;
	struct diag_sock found;
	int n;
};

/* sock_diag callback: keeps the first socket whose local address overlaps. */
static int
call_holder_diag(const struct diag_sock *d, void *arg)
{
	struct call_holder_ask *ask = arg;

	if (!call_overlaps(&d->local, ask->want))
		return 0;
	if (ask->n == 0 || d->state == 10 /* LISTEN first */)
		ask->found = *d;
	ask->n++;
	return d->state == 10;
}

/*
 * Finds who holds internet address want (of socket type type), other
 * than self: a live handle first (a listener before a connection), then
 * a TCP connection in sock_diag, named after a closed handle that left it.
 */
void
call_holder_find(struct shell *sh, const struct handle *self,
    const struct sockaddr_storage *want, int type, struct call_holder *out)
{
	struct call_holder_ask ask;
	struct call_view v;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->state = out->reuseaddr = -1;
	for (i = 0; i < sh->handles.n; i++) {
		struct handle *h = sh->handles.v[i];

		if (h == self || h->fd < 0 || h->type != type ||
		    h->family != want->ss_family)
			continue;
		call_view_read_some(sh, h, &v,
		    CALL_VIEW_STATE | CALL_VIEW_REUSE | CALL_VIEW_NAMES);
		if (!call_overlaps(&v.local, want) ||
		    (out->found && !v.listening))
			continue;
		out->found = out->live = 1;
		out->h = h;
		out->state = v.state;
		out->listening = v.listening;
		out->reuseaddr = v.reuseaddr;
		if (v.listening)
			return;
	}
	if (out->found || type != SOCK_STREAM)
		return;
	if (call_port(want) <= 0) /* call_overlaps matches no port 0 */
		return;
	memset(&ask, 0, sizeof(ask));
	ask.want = want;
	if (diag_dump_port(want->ss_family, DIAG_ALL, call_port(want),
	        call_holder_diag, &ask) == -1 ||
	    ask.n == 0)
		return;
	out->found = 1;
	out->state = ask.found.state;
	out->listening = ask.found.state == 10;
	out->expires_ms = ask.found.expires_ms;
	out->inode = ask.found.inode;
	for (i = 0; ask.found.inode == 0 && i < sh->handles.n; i++)
		if (sh->handles.v[i]->fd < 0 &&
		    call_same(handle_local(sh->handles.v[i]),
		        &ask.found.local) &&
		    call_same(handle_peer(sh->handles.v[i]), &ask.found.peer))
			out->h = sh->handles.v[i];
}

/*
 * Counts the other processes of this session (the shell, when this is a
 * child; its children not ended) whose descriptors hold the socket of
 * inode ino, as /proc/PID/fd shows them; names the first in name (size
 * bytes, 0 for none).
 */
static int
call_procs_holding(struct shell *sh, unsigned long ino, char *name, size_t size)
{
	int i, n = 0;

	if (ino == 0)
		return 0;
	if (sh->shell_pid && proc_holds(sh->shell_pid, ino) && n++ == 0 && size)
		snprintf(name, size, "the shell (pid %d)", (int)sh->shell_pid);
	for (i = 0; i < sh->nkids; i++) {
		const struct shell_kid *k = &sh->kids[i];

		if (k->gone || k->pid == getpid() || !proc_holds(k->pid, ino))
			continue;
		if (n++ == 0 && size)
			snprintf(name, size, "%s (pid %d)", k->name,
			    (int)k->pid);
	}
	return n;
}

/*
 * Returns the other end of socketpair end h: the handle made with it, or
 * while that one is closed (or its name went to another socket) a live
 * dup of it (the same other end).
 */
static struct handle *
call_pair_find(struct shell *sh, const struct handle *h)
{
	struct handle *p = h->pair;
	size_t i;

	if (p && p->sock != h->pair_sock)
		p = NULL; /* its name was given to another socket since */
	for (i = 0; (p == NULL || p->fd < 0) && i < sh->handles.n; i++)
		if (sh->handles.v[i]->fd >= 0 &&
		    sh->handles.v[i]->sock == h->pair_sock)
			return sh->handles.v[i];
	return p;
}

/*
 * Finds the handle of this shell at the other end of c's connection:
 * the other of a socketpair, or the internet socket whose addresses are
 * c's the other way round (live, or remembered when it was closed; a
 * live one first). Returns it, or NULL when the other end is not one the shell holds.
 */
struct handle *
call_peer_find(struct shell *sh, const struct call *c)
{
	struct handle *found = NULL;
	struct sockaddr_storage l, p;
	socklen_t len;
	size_t i;

	if (c->h == NULL)
		return NULL;
	if (c->h->pair_sock) {
		found = call_pair_find(sh, c->h);
		return found && found->fd < 0 && handle_ino(found) &&
		        call_procs_holding(sh, handle_ino(found), NULL, 0) > 0
		    ? NULL
		    : found;
	}
	if (c->before.peer_len == 0 || !diag_has_addr(&c->before.peer))
		return NULL;
	for (i = 0; i < sh->handles.n; i++) {
		struct handle *h = sh->handles.v[i];

		if (h == c->h || h->family != c->family || h->type != c->type)
			continue;
		if (h->fd < 0) {
			l = *handle_local(h);
			p = *handle_peer(h);
		} else {
			memset(&l, 0, sizeof(l));
			memset(&p, 0, sizeof(p));
			len = sizeof(l);
			sh->sys->getsockname(h->fd, (struct sockaddr *)&l,
			    &len);
			len = sizeof(p);
			sh->sys->getpeername(h->fd, (struct sockaddr *)&p,
			    &len);
		}
		if (call_same(&l, &c->before.peer) &&
		    call_same(&p, &c->before.local) &&
		    (found == NULL || found->fd < 0))
			found =
			    h; /* a live one first: a dup outlives a close */
	}
	if (found && found->fd < 0 && handle_ino(found) &&
	    call_procs_holding(sh, handle_ino(found), NULL, 0) > 0)
		return NULL; /* closed here, open in another process */
	return found;
}

/* Returns the inode of the socket fd holds, or 0 (not open, or no socket). */
static unsigned long
call_ino(struct shell *sh, int fd)
{
	struct stat st;

	if (fd < 0 || sh->sys->fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode))
		return 0;
	return (unsigned long)st.st_ino;
}

/* Returns the live handle whose fd holds the socket of inode ino (fd's first, when it does), or NULL. */
struct handle *
call_ino_handle(struct shell *sh, int fd, unsigned long ino)
{
	const struct handle_table *t = &sh->handles;
	struct handle *h = handle_by_fd(t, fd);
	size_t i;

	if (ino == 0)
		return NULL;
	if (h && call_ino(sh, h->fd) == ino)
		return h;
	for (i = 0; i < t->nbyfd; i++)
		if (t->byfd[i] && call_ino(sh, t->byfd[i]->fd) == ino)
			return t->byfd[i];
	return NULL;
}

/* Returns the live handle whose socket fd (not a handle yet) also holds, by inode, or NULL. */
struct handle *
call_fd_holder(struct shell *sh, int fd)
{
	return call_ino_handle(sh, fd, call_ino(sh, fd));
}

/*
 * Gives h, a new descriptor for from's socket (dup, dup2, dup3, or one
 * recvmsg received), from's socket number and what the shell knows of it.
 */
void
call_share(struct shell *sh, struct handle *h, const struct handle *from)
{
	h->sock = from->sock; /* one socket, two descriptors */
	h->host = from->host;
	sh->handles.dups++;
	h->connected = from->connected;
	h->shut = from->shut;
	h->pair = from->pair;
	h->pair_sock = from->pair_sock;
	diag_remember(sh->sys, h);
}

/*
 * Returns 1 when o is another live handle holding h's socket: a dup of
 * it, or what it is a dup of (only dup and recvmsg make one socket's
 * descriptors in the shell, and they number the new handle's socket as
 * its original's):
 * no call to the kernel, whatever the number of handles.
 */
static int
call_shares(const struct handle *h, const struct handle *o)
{
	return o != NULL && o != h && o->fd >= 0 && o->sock == h->sock;
}

/*
 * Counts the other live handles whose fds hold h's socket, and points
 * *first at the first of them by fd, or NULL. Returns the count, 0 when
 * h holds the only one the shell knows of.
 */
int
call_sharers(struct shell *sh, const struct handle *h, struct handle **first)
{
	const struct handle_table *t = &sh->handles;
	size_t fd;
	int n = 0;

	*first = NULL;
	for (fd = 0; t->dups > 0 && fd < t->nbyfd; fd++) /* none: no look */
		if (call_shares(h, t->byfd[fd]) && n++ == 0)
			*first = t->byfd[fd];
	return n;
}

/*
 * Counts the other processes of this session whose descriptors hold h's
 * socket (call_procs_holding), naming the first in name. No call while
 * there are no children. Remembers the socket's inode in h (its close
 * leaves the socket to them).
 */
int
call_proc_sharers(struct shell *sh, struct handle *h, char *name, size_t size)
{
	if (sh->nkids == 0 && sh->shell_pid == 0)
		return 0;
	handle_set_ino(h, call_ino(sh, h->fd));
	return call_procs_holding(sh, handle_ino(h), name, size);
}

/*
 * Records that h's socket was shut down in the HANDLE_SHUT_* directions
 * bits: for h and every other handle holding the same socket, since
 * shutdown acts on the socket, not on one descriptor.
 */
void
call_shut_shared(struct shell *sh, struct handle *h, int bits)
{
	const struct handle_table *t = &sh->handles;
	size_t fd;

	h->shut |= bits;
	for (fd = 0; t->dups > 0 && fd < t->nbyfd; fd++)
		if (call_shares(h, t->byfd[fd]))
			t->byfd[fd]->shut |= bits;
}
