/*
 * sockstep trace [-o FILE] [-n] [--] PROGRAM [ARGS]: runs PROGRAM under
 * ptrace with a seccomp filter that stops it only at socket calls, and
 * prints each as the shell prints its own: the strace line from the
 * same call record, then the notes its evidence allows. The tracer reads
 * the program's sockets through descriptors of its own (pidfd_getfd),
 * taken while the program is stopped and closed before it runs on.
 */
#include "trace.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <dirent.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "addr.h"
#include "buf.h"
#include "call.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "proc.h"
#include "run.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"
#include "capture.h"
#include "lab.h"
#include "tcpinfo.h"
#include "track.h"
#include "tracediag.h"
#include "tracefmt.h"
#include "tracepy.h"
#include "xalloc.h"

/* One task (process or thread) of the traced program. */
struct trace_task {
	pid_t tid;
	pid_t tgid;
	int fresh; /* its first stop, a SIGSTOP, is still to come */
	int pidfd; /* a pidfd of its process, opened on first use, or -1 */
	int in; /* stopped inside a traced call: its exit stop comes next */
	int shared; /* a close of one of several descriptors of its socket */
	ino_t ino; /* that socket's inode, to count its holders after */
	int waits; /* "blocked" was said of the call it is in */
	int segs_seen; /* its TCP socket's counters were read at entry: */
	unsigned segs_in; /* segments received and sent until then */
	unsigned segs_out;
	struct tracefmt_sys s;
	struct call c;
	struct handle h; /* the socket the call names, as fdN */
	char addr[128]; /* the address the call named, short form */
	struct trace_task *next;
};

/* The whole trace: the shell that prints, the tasks, the program's end. */
struct trace {
	struct shell sh;
	struct trace_task *tasks;
	int ntasks;
	pid_t main;
	int status; /* sockstep's exit status, from the program's */
	int attached; /* -p: every system call stops; resume with PTRACE_SYSCALL */
	int step; /* --step: a key before each call */
	int run_on; /* --step's c: no more keys */
	int pids; /* --pids: every call line marked [pid N] */
	FILE *tty; /* where --step asks */
	struct tracediag diag; /* --diagram's arrows, capture's segments */
};

/* ERESTART* results, seen only by a tracer, as strace names them. */
static const struct {
	int nr;
	const char *name;
	const char *text;
} trace_restart[] = {
	{ 512, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ 513, "ERESTARTNOINTR", "To be restarted" },
	{ 514, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ 516, "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
	{ 0, NULL, NULL },
};

/* Returns the task tid, made (fresh) when it is new. */
static struct trace_task *
trace_task_get(struct trace *t, pid_t tid)
{
	struct trace_task *k;
	char path[64], line[128];
	FILE *fp;

	for (k = t->tasks; k; k = k->next)
		if (k->tid == tid)
			return k;
	k = xcalloc(1, sizeof(*k));
	k->tid = k->tgid = tid;
	k->fresh = 1;
	k->pidfd = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "Tgid: %d", &k->tgid) == 1)
				break;
		fclose(fp);
	}
	k->next = t->tasks;
	t->tasks = k;
	t->ntasks++;
	return k;
}

/* Forgets task tid, which has ended. */
static void
trace_task_drop(struct trace *t, pid_t tid)
{
	struct trace_task **p, *k;

	for (p = &t->tasks; (k = *p) != NULL; p = &k->next)
		if (k->tid == tid) {
			*p = k->next;
			if (k->pidfd != -1)
				close(k->pidfd);
			free(k);
			t->ntasks--;
			return;
		}
}

/*
 * Returns a descriptor of the tracer's own for fd of k's process when it
 * is a socket, or -1 (no such fd, not a socket, not permitted).
 */
static int
trace_getfd(struct trace_task *k, int fd)
{
	struct stat st;
	int dup;

	if (k->pidfd == -1 &&
	    (k->pidfd = (int)syscall(SYS_pidfd_open, k->tgid, 0)) == -1)
		return -1;
	dup = (int)syscall(SYS_pidfd_getfd, k->pidfd, fd, 0);
	if (dup != -1 && (fstat(dup, &st) == -1 || !S_ISSOCK(st.st_mode))) {
		close(dup);
		return -1;
	}
	return dup;
}

/*
 * Returns how many descriptors other than the tracer's own hold the
 * socket of inode ino, in every process /proc shows (2 is enough to know).
 */
static int
trace_holders(ino_t ino)
{
	char want[64], path[600], link[64];
	struct dirent *p, *f;
	DIR *procs, *fds;
	ssize_t n;
	int count = 0;

	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)ino);
	if ((procs = opendir("/proc")) == NULL)
		return -1;
	while (count < 2 && (p = readdir(procs)) != NULL) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' ||
		    atoi(p->d_name) == (int)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;
		while (count < 2 && (f = readdir(fds)) != NULL) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
			    p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0 && (link[n] = '\0', strcmp(link, want) == 0))
				count++;
		}
		closedir(fds);
	}
	closedir(procs);
	return count;
}

/* Makes k's handle stand for the program's socket fd through the tracer's dup. */
static void
trace_handle(struct trace_task *k, int fd, int dup)
{
	socklen_t len;
	int v;

	memset(&k->h, 0, sizeof(k->h));
	snprintf(k->h.name, sizeof(k->h.name), "fd%d", fd);
	k->h.fd = dup;
	k->h.old_fd = fd;
	k->h.tcp_state = -1;
	len = sizeof(v);
	if (getsockopt(dup, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0)
		k->h.family = v;
	len = sizeof(v);
	if (getsockopt(dup, SOL_SOCKET, SO_TYPE, &v, &len) == 0)
		k->h.type = v;
	len = sizeof(v);
	if (getsockopt(dup, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0)
		k->h.protocol = v;
}

/* Lets task tid run on (with signal sig): to the next traced call. */
static void
trace_resume(struct trace *t, pid_t tid, int sig)
{
	ptrace(t->attached ? PTRACE_SYSCALL : PTRACE_CONT, tid, NULL,
	    (void *)(long)sig);
}

/* Prints one socket of the program as --step's h shows it: FD KIND STATE LOCAL PEER queues. */
static void
trace_socket_row(struct trace *t, pid_t tgid, int fd, int dup)
{
	struct trace_task k;
	struct call_view v;
	struct buf l, p;
	const char *kind, *st = "-";

	trace_handle(&k, fd, dup);
	call_view_read(&t->sh, &k.h, &v);
	buf_init(&l);
	buf_init(&p);
	if (v.local_len)
		addr_short(&l, (struct sockaddr *)&v.local, v.local_len);
	else
		buf_puts(&l, "-");
	if (v.peer_len)
		addr_short(&p, (struct sockaddr *)&v.peer, v.peer_len);
	else
		buf_puts(&p, "-");
	if (k.h.family == AF_UNIX)
		kind = k.h.type == SOCK_STREAM ? "unix stream" : "unix dgram";
	else if (k.h.type == SOCK_STREAM)
		kind = v.listening ? "tcp listen" : "tcp";
	else
		kind = k.h.type == SOCK_DGRAM ? "udp" : "other";
	if (v.state >= 0 && sym_name(sym_tcp_state, v.state))
		st = sym_name(sym_tcp_state, v.state);
	fprintf(t->tty, "%7d  fd%-3d %-11s %-11s %-21s %-21s %6d %6d\n",
	    (int)tgid, fd, kind, st, buf_str(&l), buf_str(&p),
	    v.listening ? v.queued : v.unread,
	    v.listening ? v.backlog : v.unsent);
	buf_free(&l);
	buf_free(&p);
}

/* --step's h: every socket of every traced process, read through the tracer's own fds. */
static void
trace_sockets(struct trace *t)
{
	struct trace_task *k, *o;
	char path[64];
	struct dirent *e;
	DIR *d;
	int dup, n = 0;

	fprintf(t->tty, "%7s  %-5s %-11s %-11s %-21s %-21s %6s %6s\n", "PID",
	    "FD", "KIND", "STATE", "LOCAL", "PEER", "RECV-Q", "SEND-Q");
	for (k = t->tasks; k; k = k->next) {
		for (o = t->tasks; o != k && o->tgid != k->tgid; o = o->next)
			;
		if (o != k) /* a thread of a process already listed */
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd", (int)k->tgid);
		if ((d = opendir(path)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] < '0' || e->d_name[0] > '9' ||
			    (dup = trace_getfd(k, atoi(e->d_name))) == -1)
				continue;
			trace_socket_row(t, k->tgid, atoi(e->d_name), dup);
			close(dup);
			n++;
		}
		closedir(d);
	}
	if (n == 0)
		fputs("(no sockets)\n", t->tty);
}

/*
 * --step: asks before the call k is stopped at. Returns 0 to let it
 * happen, -1 to end the program (q, or the end of the keys).
 */
static int
trace_step(struct trace *t, struct trace_task *k)
{
	const struct tracefmt_call *tc = tracefmt_find(k->s.nr);
	int c;

	for (;;) {
		fflush(t->sh.out);
		if (t->ntasks > 1 || t->pids)
			fprintf(t->tty, "[pid %d] ", (int)k->tid);
		fprintf(t->tty, "next: %s", tc->name);
		if (tc->fd_arg >= 0)
			fprintf(t->tty, " on fd%d", (int)k->s.a[tc->fd_arg]);
		fputs(" [Enter: make the call, h: the program's sockets, c: "
		      "run to the end, q: end the program] ",
		    t->tty);
		fflush(t->tty);
		c = shell_key(&t->sh, -1);
		fputc('\n', t->tty);
		if (c != 'h')
			break;
		trace_sockets(t);
	}
	if (c == 'c')
		t->run_on = 1;
	return c == 'q' || c == EOF ? -1 : 0;
}

/* Ends every process of the program (--step's q). */
static void
trace_kill(struct trace *t)
{
	const struct trace_task *k;

	for (k = t->tasks; k; k = k->next)
		kill(k->tgid, SIGKILL);
}

/* Returns 1 when the poll or select k is in names a socket of its process. */
static int
trace_names_socket(struct trace_task *k)
{
	int fds[TRACEFMT_POLL_MAX], dup;
	size_t i, n = tracefmt_fds(&k->s, fds, TRACEFMT_POLL_MAX);

	for (i = 0; i < n; i++)
		if ((dup = trace_getfd(k, fds[i])) != -1) {
			close(dup);
			return 1;
		}
	return 0;
}

/* Returns 0 and the call's number and arguments from k's registers, or -1. */
static int
trace_regs(struct trace_task *k, struct user_regs_struct *r)
{
	if (ptrace(PTRACE_GETREGS, k->tid, NULL, r) == -1)
		return -1;
	return 0;
}

/* Fills what the notes read of the call's arguments: backlog, how, length, flags, address. */
static void
trace_record_args(struct trace_task *k)
{
	const struct tracefmt_sys *s = &k->s;
	struct buf b;

	switch (s->nr) {
	case SYS_listen:
	case SYS_shutdown:
		k->c.arg = (long)s->a[1];
		break;
	case SYS_sendto:
	case SYS_recvfrom:
		k->c.arg = (long)s->a[2];
		k->c.flags = (long)s->a[3];
		break;
	case SYS_sendmsg:
	case SYS_recvmsg:
		k->c.flags = (long)s->a[2];
		break;
	default:
		break;
	}
	if (s->addr_len == 0)
		return;
	buf_init(&b);
	addr_short(&b, (const struct sockaddr *)&s->addr, s->addr_len);
	snprintf(k->addr, sizeof(k->addr), "%s", buf_str(&b));
	buf_free(&b);
	k->c.addr = k->addr;
	if (s->nr == SYS_bind)
		k->c.want = &s->addr;
}

/* Reads the segment counters of k's TCP socket (through dup) just before its call. */
static void
trace_segs_before(struct trace *t, struct trace_task *k, int dup)
{
	struct tcpinfo ti;

	k->segs_seen = t->sh.segments && k->h.type == SOCK_STREAM &&
	    (k->h.family == AF_INET || k->h.family == AF_INET6) &&
	    track_capture(&t->sh)->fd < 0 &&
	    tcpinfo_get(t->sh.sys, dup, &ti) == 0;
	if (k->segs_seen) {
		k->segs_in = ti.segs_in;
		k->segs_out = ti.segs_out;
	}
}

/*
 * At a seccomp stop: reads the call, its arguments and its socket just
 * before, then lets it happen up to its exit stop. A close of a
 * descriptor that is no socket goes on untraced.
 */
static void
trace_enter(struct trace *t, struct trace_task *k)
{
	const struct tracefmt_call *tc;
	struct user_regs_struct r;
	struct stat st;
	int dup = -1, holders = 0;

	if (trace_regs(k, &r) == -1 ||
	    (tc = tracefmt_find((long)r.orig_rax)) == NULL) {
		trace_resume(t, k->tid, 0);
		return;
	}
	if (tracediag_on(&t->diag))
		tracediag_between(&t->diag);
	memset(&k->s, 0, sizeof(k->s));
	k->s.tid = k->tid;
	k->s.nr = (long)r.orig_rax;
	k->s.a[0] = r.rdi;
	k->s.a[1] = r.rsi;
	k->s.a[2] = r.rdx;
	k->s.a[3] = r.r10;
	k->s.a[4] = r.r8;
	k->s.a[5] = r.r9;
	if (!tracefmt_wanted(k->s.nr, k->s.a)) {
		trace_resume(t, k->tid, 0);
		return;
	}
	if (tc->fd_arg >= 0)
		dup = trace_getfd(k, (int)k->s.a[tc->fd_arg]);
	if (tc->any_fd && dup == -1) {
		trace_resume(t, k->tid, 0);
		return;
	}
	tracefmt_entry(&k->s, t->sh.strsize);
	if (tc->fd_arg < 0 && tc->blocks && !trace_names_socket(k)) {
		trace_resume(t, k->tid, 0);
		return;
	}
	k->shared = 0;
	k->segs_seen = 0;
	if (k->s.nr == SYS_close &&
	    (fstat(dup, &st) == -1 ||
	        (holders = trace_holders(st.st_ino)) != 1)) {
		/* not surely the last: nothing a note says of a close may
		 * happen; 2 or more, and the socket surely stays open */
		k->shared = fstat(dup, &st) == 0 && holders >= 2;
		k->ino = k->shared ? st.st_ino : 0;
		close(dup);
		dup = -1;
	}
	if (dup != -1) {
		trace_handle(k, (int)k->s.a[tc->fd_arg], dup);
		call_begin(&t->sh, &k->c, tc->name, &k->h);
		if (!t->sh.notes && tracediag_on(&t->diag)) /* -n */
			call_view_read(&t->sh, &k->h, &k->c.before);
		trace_segs_before(t, k, dup);
		close(dup);
		k->h.fd = -1;
	} else
		call_begin(&t->sh, &k->c, tc->name, NULL);
	k->c.pid = k->tgid;
	k->c.tid = k->tid;
	trace_record_args(k);
	if (t->step && !t->run_on && trace_step(t, k) == -1) {
		trace_kill(t);
		return;
	}
	k->in = 1;
	k->waits = 0;
	ptrace(PTRACE_SYSCALL, k->tid, NULL, NULL);
}

/* Prints a result only a tracer sees: "= ? ERESTARTSYS (...)". Returns 1 when it was one. */
static int
trace_restart_line(struct trace *t, const char *line, int err)
{
	int i;

	for (i = 0; trace_restart[i].name; i++)
		if (trace_restart[i].nr == err) {
			out_line(&t->sh, "%s = ? %s (%s)", line,
			    trace_restart[i].name, trace_restart[i].text);
			return 1;
		}
	return 0;
}

/*
 * Says how the call's own TCP socket changed state across it, as the
 * tracer read it just before and just after: "fd3 CLOSE -> LISTEN".
 */
static void
trace_state_line(struct trace *t, const struct trace_task *k)
{
	const struct call *c = &k->c;
	const char *from, *to;

	if (!t->sh.states || c->h == NULL || !c->before.seen ||
	    !c->after.seen || c->before.state < 0 || c->after.state < 0 ||
	    c->before.state == c->after.state)
		return;
	from = sym_name(sym_tcp_state, c->before.state);
	to = sym_name(sym_tcp_state, c->after.state);
	if (from && to)
		out_meaning(&t->sh, "fd%d %s -> %s", c->h->old_fd, from, to);
}

/*
 * Says how many segments k's TCP socket sent and received across its
 * call, from TCP_INFO read just before and just after (through dup), as
 * the shell says it of its own without capture.
 */
static void
trace_segs_line(struct trace *t, const struct trace_task *k, int dup)
{
	struct tcpinfo ti;
	unsigned in, out;

	if (!k->segs_seen || dup == -1 || tcpinfo_get(t->sh.sys, dup, &ti))
		return;
	in = ti.segs_in - k->segs_in;
	out = ti.segs_out - k->segs_out;
	if (in || out)
		out_meaning(&t->sh, "segments: fd%d sent %u, received %u",
		    k->h.old_fd, out, in);
}

/* With --python, the Python line of the call that returned, under its notes. */
static void
trace_python_line(struct trace *t, const struct trace_task *k)
{
	struct buf b;

	if (!t->sh.python)
		return;
	buf_init(&b);
	if (tracepy_line(&b, &k->s) == 0)
		out_meaning(&t->sh, "python: %s", buf_str(&b));
	buf_free(&b);
}

/* Reads the names of the socket dup stands for into c's local and peer. */
static void
trace_names(int dup, struct tracediag_call *c)
{
	socklen_t len = sizeof(c->local);

	if (getsockname(dup, (struct sockaddr *)&c->local, &len) == -1)
		c->local.ss_family = AF_UNSPEC;
	len = sizeof(c->peer);
	if (getpeername(dup, (struct sockaddr *)&c->peer, &len) == -1)
		c->peer.ss_family = AF_UNSPEC;
}

/*
 * Hands a call on a TCP socket to --diagram and capture: its ends (an
 * accept's new connection's; a close's as read just before), its state
 * before, the first bytes it sent or received.
 */
static void
trace_diagram(struct trace *t, struct trace_task *k, int dup)
{
	const struct call_view *b = &k->c.before;
	struct tracediag_call c;
	unsigned char data[8];
	char label[64];
	int conn;

	if (k->c.h == NULL || k->h.type != SOCK_STREAM ||
	    (k->h.family != AF_INET && k->h.family != AF_INET6))
		return;
	memset(&c, 0, sizeof(c));
	c.pid = k->tgid;
	c.fd = k->h.old_fd;
	c.nr = k->s.nr;
	c.ret = k->s.ret;
	c.err = k->s.err;
	c.before = b->seen ? b->state : -1;
	c.how = (long)k->s.a[1];
	snprintf(label, sizeof(label), "%s(%d)", tracefmt_find(c.nr)->name,
	    c.fd);
	c.label = label;
	if (k->s.nr == SYS_close) {
		c.local = b->local;
		c.peer = b->peer;
		c.rst = b->unread > 0 || (b->linger_on && b->linger_s == 0);
	} else if ((k->s.nr == SYS_accept || k->s.nr == SYS_accept4) &&
	    k->s.ret >= 0) {
		if ((conn = trace_getfd(k, (int)k->s.ret)) == -1)
			return;
		trace_names(conn, &c);
		close(conn);
		c.fd = (int)k->s.ret;
	} else if (dup != -1)
		trace_names(dup, &c);
	if (c.peer.ss_family == AF_UNSPEC && b->peer_len) { /* gone after */
		c.local = b->local;
		c.peer = b->peer;
	}
	if (k->s.nr == SYS_sendto) {
		c.data = k->s.data;
		c.data_len = k->s.data_len;
	} else if (k->s.nr == SYS_recvfrom && k->s.ret > 0 &&
	    tracefmt_read(k->tid, k->s.a[1], data,
	        k->s.ret < 8 ? (size_t)k->s.ret : 8) > 0) {
		c.data = data;
		c.data_len = k->s.ret < 8 ? (size_t)k->s.ret : 8;
	}
	tracediag_call(&t->diag, &c);
}

/* At the exit stop of a traced call: its result, its socket just after, its line and notes. */
static void
trace_leave(struct trace *t, struct trace_task *k)
{
	const struct tracefmt_call *tc = tracefmt_find(k->s.nr);
	struct user_regs_struct r;
	struct buf b;
	long rax;
	int fd = -1, dup = -1;

	k->in = 0;
	if (trace_regs(k, &r) == -1) {
		trace_resume(t, k->tid, 0);
		return;
	}
	rax = (long)r.rax;
	k->s.ret = rax < 0 && rax >= -4095 ? -1 : rax;
	k->s.err = rax < 0 && rax >= -4095 ? (int)-rax : 0;
	if (k->s.nr == SYS_socket && k->s.ret >= 0)
		fd = (int)k->s.ret;
	else if (tc->fd_arg >= 0 && k->s.nr != SYS_close &&
	    (t->sh.notes || tracediag_on(&t->diag)))
		fd = (int)k->s.a[tc->fd_arg]; /* -n: no view after */
	if (fd >= 0 && (dup = trace_getfd(k, fd)) != -1) {
		if (k->c.h == NULL) { /* socket: the new one */
			trace_handle(k, fd, dup);
			k->c.h = &k->h;
			k->c.family = k->h.family;
			k->c.type = k->h.type;
		}
		k->h.fd = dup;
	}
	call_end(&t->sh, &k->c, k->s.ret, k->s.err);
	buf_init(&b);
	if (t->ntasks > 1 || t->pids)
		buf_printf(&b, "[pid %d] ", (int)k->tid);
	tracefmt_line(&b, &k->s, t->sh.strsize);
	if (!trace_restart_line(t, buf_str(&b), k->s.err)) {
		if (tracefmt_result(&b, &k->s))
			out_line(&t->sh, "%s", buf_str(&b));
		else
			out_call(&t->sh, buf_str(&b), k->s.ret, k->s.err);
		/* said only if a holder is still there after the close:
		 * another's close may have run at the same time */
		if (k->shared && k->s.ret == 0 && trace_holders(k->ino) >= 1)
			out_meaning(&t->sh,
			    "fd%d is closed; another descriptor (a dup, or "
			    "another process's) still holds its socket, which "
			    "stays open",
			    (int)k->s.a[0]);
		if ((k->s.nr == SYS_dup || k->s.nr == SYS_dup2 ||
		        k->s.nr == SYS_dup3) &&
		    k->s.ret >= 0 && k->s.ret != (long)k->s.a[0])
			out_meaning(&t->sh,
			    "fd%ld is another descriptor for fd%d's socket: "
			    "the socket stays open until every descriptor for "
			    "it is closed",
			    k->s.ret, (int)k->s.a[0]);
		note_call(&t->sh, &k->c);
		trace_state_line(t, k);
		trace_segs_line(t, k, dup);
		trace_python_line(t, k);
		if (tracediag_on(&t->diag))
			trace_diagram(t, k, dup);
	}
	fflush(t->sh.out);
	buf_free(&b);
	if (dup != -1)
		close(dup);
	k->h.fd = -1;
	trace_resume(t, k->tid, 0);
}

/*
 * The program's side of the fork: stops for the tracer, installs the
 * filter that stops it at each socket call, and runs PROGRAM. Never returns.
 */
static void __attribute__((noreturn)) trace_child(char **argv)
{
	struct sock_filter f[64];
	struct sock_fprog prog;
	const long *nr;
	size_t n, i, k = 0;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1) {
		fprintf(stderr,
		    "sockstep trace: ptrace not permitted (%s): a container "
		    "without CAP_SYS_PTRACE, seccomp, or "
		    "/proc/sys/kernel/yama/ptrace_scope = 3 forbids it\n",
		    strerror(errno));
		_exit(126);
	}
	raise(SIGSTOP);
	nr = tracefmt_numbers(&n);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    AUDIT_ARCH_X86_64, 1, 0);
	f[k++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
	for (i = 0; i < n; i++) /* each a jump to the TRACE at the end */
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    (unsigned)nr[i], (unsigned char)(n - i), 0);
	f[k++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[k++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	prog.len = (unsigned short)k;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1) {
		fprintf(stderr, "sockstep trace: seccomp filter: %s\n",
		    strerror(errno));
		_exit(126);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "sockstep trace: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Returns 1 when task tid stopped at the entry of a system call (-p), 0 at its exit. */
static int
trace_at_entry(pid_t tid)
{
	struct __ptrace_syscall_info info;

	if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info) <=
	    0)
		return 0;
	return info.op == PTRACE_SYSCALL_INFO_ENTRY;
}

/* Handles one stop of task tid with wait status st. */
static void
trace_stop(struct trace *t, pid_t tid, int st)
{
	struct trace_task *k = trace_task_get(t, tid);
	int sig = WSTOPSIG(st), ev = st >> 16;
	unsigned long child;
	long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD |
	    PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
	    PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL;

	if (sig == (SIGTRAP | 0x80)) {
		if (k->in)
			trace_leave(t, k);
		else if (t->attached && trace_at_entry(tid))
			trace_enter(t, k);
		else
			trace_resume(t, tid, 0);
	} else if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP)
		trace_enter(t, k);
	else if (ev ==
	    PTRACE_EVENT_STOP) { /* -p: the first stop, or a group stop */
		k->fresh = 0;
		trace_resume(t, tid, 0);
	} else if (sig == SIGTRAP && ev != 0) { /* fork, clone, exec */
		if ((ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
		        ev == PTRACE_EVENT_CLONE) &&
		    ptrace(PTRACE_GETEVENTMSG, tid, NULL, &child) == 0)
			trace_task_get(t, (pid_t)child); /* [pid N] from now */
		trace_resume(t, tid, 0);
	} else if (sig == SIGSTOP && k->fresh) {
		k->fresh = 0;
		if (tid == t->main && !t->attached)
			ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)opts);
		trace_resume(t, tid, 0);
	} else /* a signal for the program: it gets it */
		trace_resume(t, tid, sig);
}

/*
 * -p: seizes every thread of process pid and stops each once, to start
 * stopping it at every system call (no seccomp filter can be put into a
 * running program). Returns 0, or -1 with a message.
 */
static int
trace_attach(struct trace *t, pid_t pid)
{
	long opts = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
	    PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE;
	char path[64];
	struct dirent *e;
	DIR *d;
	pid_t tid;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (pid <= 0 || (d = opendir(path)) == NULL) {
		fprintf(stderr, "sockstep trace: no process %d\n", (int)pid);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if ((tid = atoi(e->d_name)) <= 0)
			continue;
		if (ptrace(PTRACE_SEIZE, tid, NULL, (void *)opts) == -1) {
			if (n == 0) {
				fprintf(stderr,
				    "sockstep trace: cannot attach to %d: %s: "
				    "ptrace needs the same user and, with "
				    "/proc/sys/kernel/yama/ptrace_scope 1 or "
				    "more, CAP_SYS_PTRACE (run as root, or start "
				    "the program under sockstep trace)\n",
				    (int)pid, strerror(errno));
				closedir(d);
				return -1;
			}
			continue; /* a thread that has just ended */
		}
		trace_task_get(t, tid);
		ptrace(PTRACE_INTERRUPT, tid, NULL, NULL);
		n++;
	}
	closedir(d);
	t->main = pid;
	t->attached = 1;
	return 0;
}

/* Returns 1 when a task is in a call that can wait, not yet said to. */
static int
trace_may_wait(const struct trace *t)
{
	const struct trace_task *k;

	for (k = t->tasks; k; k = k->next)
		if (k->in && !k->waits && tracefmt_find(k->s.nr)->blocks)
			return 1;
	return 0;
}

/* Returns 1 when task tid sleeps (state S, or D) in the kernel, read from /proc. */
static int
trace_asleep(pid_t tid)
{
	int st = proc_state(tid);

	return st == 'S' || st == 'D';
}

/*
 * Says at once of each call that can wait, in a task asleep in it, that
 * the program waits there (its line comes when it returns).
 */
static void
trace_say_waits(struct trace *t)
{
	struct trace_task *k;
	const struct tracefmt_call *tc;
	struct buf b;

	for (k = t->tasks; k; k = k->next) {
		if (!k->in || k->waits ||
		    !(tc = tracefmt_find(k->s.nr))->blocks ||
		    !trace_asleep(k->tid))
			continue;
		k->waits = 1;
		buf_init(&b);
		if (t->ntasks > 1 || t->pids)
			buf_printf(&b, "[pid %d] ", (int)k->tid);
		buf_puts(&b, tc->name);
		if (tc->fd_arg >= 0)
			buf_printf(&b, " on fd%d", (int)k->s.a[tc->fd_arg]);
		out_meaning(&t->sh,
		    "%s waits: the program is blocked in it, its line comes "
		    "when it returns",
		    buf_str(&b));
		buf_free(&b);
		fflush(t->sh.out);
	}
}

/*
 * Waits for the next stop or end of a traced task, saying meanwhile which
 * calls wait (after 100 ms asleep); SIGTERM, when in chld, ends the
 * program, whose end is then waited for as any other. Returns its pid
 * and wait status, or -1.
 */
static pid_t
trace_wait(struct trace *t, const sigset_t *chld, int *st)
{
	struct timespec wait_ms = { 0, 100 * 1000000L }, safety = { 1, 0 };
	pid_t pid;
	int sig;

	for (;;) {
		pid = waitpid(-1, st, __WALL | WNOHANG);
		if (pid != 0)
			return pid;
		/* every stop and end of a tracee sends the tracer SIGCHLD */
		sig = sigtimedwait(chld, NULL,
		    trace_may_wait(t) ? &wait_ms : &safety);
		if (sig == SIGTERM) /* the shell ends a program it traces */
			trace_kill(t);
		else if (sig == -1 && errno == EAGAIN)
			trace_say_waits(t);
	}
}

/* Runs argv under the tracer until every traced task has ended. Returns the exit status. */
static int
trace_run(struct trace *t, char **argv)
{
	struct sigaction ign, oint, oquit;
	sigset_t chld, omask;
	pid_t pid;
	int st;

	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, NULL, &oint);
	sigaction(SIGQUIT, NULL, &oquit);
	if (argv == NULL) {
		/* -p: Ctrl-C ends sockstep; the kernel lets the program go */
	} else if ((t->main = fork()) == -1) {
		fprintf(stderr, "sockstep trace: fork: %s\n", strerror(errno));
		return 2;
	} else if (t->main == 0)
		trace_child(argv);
	else {
		/* Ctrl-C and Ctrl-\ are the program's: the tracer stays to
		 * see it end */
		sigaction(SIGINT, &ign, NULL);
		sigaction(SIGQUIT, &ign, NULL);
		trace_task_get(t, t->main);
	}
	t->status = 0;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (!t->attached) /* -p: SIGTERM ends sockstep, the program goes on */
		sigaddset(&chld, SIGTERM);
	sigprocmask(SIG_BLOCK, &chld,
	    &omask); /* the program's mask is its own */
	for (;;) {
		pid = trace_wait(t, &chld, &st);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == t->main)
				t->status = WIFEXITED(st) ? WEXITSTATUS(st)
				                          : 128 + WTERMSIG(st);
			trace_task_drop(t, pid);
		} else if (WIFSTOPPED(st))
			trace_stop(t, pid, st);
	}
	sigprocmask(SIG_SETMASK, &omask, NULL);
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	while (t->tasks)
		trace_task_drop(t, t->tasks->tid);
	return t->status;
}

/* Prints how to run sockstep trace. */
static void
trace_usage(FILE *fp)
{
	fputs("usage: sockstep trace [-n] [-o FILE] [--step] [--python] "
	      "[--diagram FILE]\n"
	      "                      [--capture] [--lab] [--pids] [--] "
	      "PROGRAM [ARG]...\n"
	      "       sockstep trace [-n] [-o FILE] [--step] [--python] "
	      "[--diagram FILE]\n"
	      "                      [--capture] [--pids] -p PID\n"
	      "Runs PROGRAM (or watches process PID) and prints each of its "
	      "socket calls as\nthe shell prints its own: the strace line, "
	      "then what it means.\n\n"
	      "  -o, --output=FILE  write the calls to FILE (- for stdout; "
	      "default: stderr,\n"
	      "                     as strace)\n"
	      "  -n, --no-notes     leave out the notes\n"
	      "  -s, --step         stop before each socket call: Enter makes "
	      "it, h shows the\n"
	      "                     program's sockets, c runs to the end, q "
	      "ends the program\n"
	      "  -p, --pid=PID      attach to the running process PID (and its "
	      "threads)\n"
	      "      --python       under each call, the line of Python's "
	      "socket module that\n"
	      "                     makes it (each socket named by its fd: "
	      "fd3)\n"
	      "      --diagram=FILE write the chart of the program's TCP "
	      "connections to FILE\n"
	      "                     at its end (SVG when FILE ends in .svg), "
	      "as the shell's\n"
	      "                     diagram draws it: from captured segments, "
	      "else inferred\n"
	      "      --capture      show the segments of the program's "
	      "connections under its\n"
	      "                     calls, as the shell does (root, or with "
	      "--lab)\n"
	      "      --lab          run the program in a private lab, on host "
	      "alpha (10.0.0.1;\n"
	      "                     beta is 10.0.0.2), as the shell's --lab "
	      "(capture works\n"
	      "                     there without root)\n"
	      "      --pids         mark every call line with [pid N], not "
	      "only once there are\n"
	      "                     several processes or threads\n"
	      "  -h, --help         show this help and exit\n\n"
	      "The program's own output passes through; Ctrl-C reaches it. "
	      "Exit status: the\nprogram's (128+N when signal N ended it, "
	      "137 after --step's q); 126 or 127\nwhen it could not be run; "
	      "2 a usage error, no permission to trace, or\n--diagram's "
	      "FILE not written.\n",
	    fp);
}

/* sockstep trace ...: argv[0] is "trace". Returns sockstep's exit status. */
int
trace_main(int argc, char **argv)
{
	static const struct option longopts[] = { { "output", required_argument,
		                                      NULL, 'o' },
		{ "no-notes", no_argument, NULL, 'n' },
		{ "step", no_argument, NULL, 's' },
		{ "python", no_argument, NULL, 'y' },
		{ "pid", required_argument, NULL, 'p' },
		{ "diagram", required_argument, NULL, 'D' },
		{ "capture", no_argument, NULL, 'A' },
		{ "lab", no_argument, NULL, 'L' },
		{ "pids", no_argument, NULL, 'P' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *path = NULL, *chart = NULL;
	char err[256];
	struct trace t;
	FILE *out = stderr;
	char *end;
	long pid = 0;
	int c, notes = 1, step = 0, python = 0, capture = 0, lab = 0, rc;
	int pids = 0;

	optind = 1;
	opterr = 0;
	while (
	    (c = getopt_long(argc, argv, "+o:nsp:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			path = optarg;
			break;
		case 'n':
			notes = 0;
			break;
		case 's':
			step = 1;
			break;
		case 'y':
			python = 1;
			break;
		case 'D':
			chart = optarg;
			break;
		case 'A':
			capture = 1;
			break;
		case 'L':
			lab = 1;
			break;
		case 'P':
			pids = 1;
			break;
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || pid <= 0 ||
			    pid > 0x3fffffff) {
				fprintf(stderr,
				    "sockstep trace: -p takes a process id\n"
				    "Try 'sockstep trace --help'.\n");
				return 2;
			}
			break;
		case 'h':
			trace_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "sockstep trace: %s '%s'\n",
			    optopt && strchr("opD", optopt)
			        ? "option needs an argument"
			        : "unknown option",
			    argv[optind - 1]);
			fputs("Try 'sockstep trace --help'.\n", stderr);
			return 2;
		}
	}
	if ((optind == argc) == (pid == 0)) {
		fputs(pid ? "sockstep trace: -p or a program, not both\n"
		          : "sockstep trace: name a program to run\n",
		    stderr);
		fputs("Try 'sockstep trace --help'.\n", stderr);
		return 2;
	}
	if (lab && pid) {
		fputs("sockstep trace: --lab runs a program in a namespace of "
		      "its own: not with -p\nTry 'sockstep trace --help'.\n",
		    stderr);
		return 2;
	}
	if (lab && lab_enter(err, sizeof(err)) == -1) {
		fprintf(stderr, "sockstep trace: %s\n", err);
		return 2;
	}
	memset(&t, 0, sizeof(t));
	if (step && (t.tty = fopen("/dev/tty", "r+e")) == NULL) {
		fprintf(stderr, "sockstep trace: --step needs a terminal: %s\n",
		    strerror(errno));
		return 2;
	}
	if (path && strcmp(path, "-") == 0)
		path = NULL, out = stdout;
	else if (path && (out = fopen(path, "we")) == NULL) {
		fprintf(stderr, "sockstep trace: %s: %s\n", path,
		    strerror(errno));
		if (t.tty)
			fclose(t.tty);
		return 2;
	}
	shell_init(&t.sh, &sys_real, out, stderr);
	t.sh.notes = notes;
	t.sh.python = python;
	t.sh.others = "another socket (of this program or another)";
	t.step = step;
	t.pids = pids;
	if (t.tty)
		t.sh.ctl = t.tty;
	tracediag_init(&t.diag, &t.sh, chart != NULL);
	if (capture &&
	    capture_start(track_capture(&t.sh), err, sizeof(err)) == -1) {
		fprintf(stderr, "sockstep trace: capture: %s\n", err);
		rc = 2;
	} else if (pid && trace_attach(&t, (pid_t)pid) == -1)
		rc = 2;
	else {
		rc = trace_run(&t, pid ? NULL : argv + optind);
		tracediag_between(&t.diag); /* what came after the last call */
		fflush(t.sh.out);
		if (chart && tracediag_write(&t.diag, chart) == -1 && rc == 0)
			rc = 2;
	}
	tracediag_free(&t.diag);
	shell_free(&t.sh);
	if (path)
		fclose(out);
	if (t.tty)
		fclose(t.tty);
	return rc;
}

#else

/* sockstep trace on an architecture whose system calls it does not decode. */
int
trace_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("sockstep trace: needs x86-64: this build's architecture's "
	      "system calls are not decoded\n",
	    stderr);
	return 2;
}

#endif
