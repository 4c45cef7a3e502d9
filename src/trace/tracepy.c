/*
 * sockstep trace --python: under each traced call, the line of Python's
 * socket module that makes the same call, each socket named by its fd
 * (fd3), an epoll instance too (fd5.register(fd3, select.EPOLLIN)). Calls
 * Python has no line for (F_GETFL, sendmsg, epoll_pwait, a call whose
 * data was not all read) get none.
 */
#include "tracepy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "buf.h"
#include "fmt.h"
#include "opt.h"
#include "sym.h"
#include "tracefmt.h"

/* Appends "socket.NAME" for value v of table t, or the number. */
static void
tracepy_const(struct buf *b, const struct sym *t, long v)
{
	const char *name = sym_name(t, v);

	if (name)
		buf_printf(b, "socket.%s", name);
	else
		buf_printf(b, "%ld", v);
}

/* Appends flags v as socket.A | socket.B, bits of table t; a bit it has no name for as a number. */
static void
tracepy_flags(struct buf *b, const struct sym *t, unsigned long v)
{
	unsigned long bit;
	int first = 1;

	for (bit = 1; v && bit; bit <<= 1)
		if (v & bit) {
			buf_puts(b, first ? "" : " | ");
			tracepy_const(b, t, (long)bit);
			first = 0;
			v &= ~bit;
		}
}

/* Appends a socket call's family and type, "socket.AF_INET, socket.SOCK_STREAM". */
static void
tracepy_kind(struct buf *b, const struct tracefmt_sys *s)
{
	tracepy_const(b, sym_family, (long)s->a[0]);
	buf_puts(b, ", ");
	tracepy_const(b, sym_socktype, (long)(s->a[1] & 0xf));
}

/* Appends an address as Python writes it: ('127.0.0.1', 65432), a path. Returns -1 for one it cannot. */
static int
tracepy_addr(struct buf *b, const struct sockaddr_storage *ss, socklen_t len)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET && len >= sizeof(*in) &&
	    inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host)))
		buf_printf(b, "('%s', %u)", host, ntohs(in->sin_port));
	else if (ss->ss_family == AF_INET6 && len >= sizeof(*in6) &&
	    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host)))
		buf_printf(b, "('%s', %u, %u, %u)", host, ntohs(in6->sin6_port),
		    (unsigned)ntohl(in6->sin6_flowinfo),
		    (unsigned)in6->sin6_scope_id);
	else if (ss->ss_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path) && un->sun_path[0])
		fmt_pybytes(b, (const unsigned char *)un->sun_path,
		    strnlen(un->sun_path,
		        len - offsetof(struct sockaddr_un, sun_path)));
	else
		return -1;
	return 0;
}

/* Appends fd's send or sendto of the data read at entry. Returns -1 when not all of it was read. */
static int
tracepy_send(struct buf *b, const struct tracefmt_sys *s)
{
	if (s->data_len != (size_t)s->a[2])
		return -1;
	buf_printf(b, "fd%d.%s(", (int)s->a[0],
	    s->addr_len ? "sendto" : "send");
	fmt_pybytes(b, s->data, s->data_len);
	if (s->a[3]) {
		buf_puts(b, ", ");
		tracepy_flags(b, sym_msg, (unsigned long)s->a[3]);
	}
	if (s->addr_len) {
		buf_puts(b, ", ");
		if (tracepy_addr(b, &s->addr, s->addr_len) == -1)
			return -1;
	}
	buf_puts(b, ")");
	return 0;
}

/* Appends a setsockopt of an integer option, its value read from the program. Returns -1 for others. */
static int
tracepy_sockopt(struct buf *b, const struct tracefmt_sys *s)
{
	const struct opt *o = tracefmt_opt((long)s->a[1], (long)s->a[2]);
	int v;

	if (o == NULL || (o->kind != OPT_INT && o->kind != OPT_BOOL))
		return -1;
	buf_printf(b, "fd%d.%ssockopt(", (int)s->a[0],
	    s->nr == SYS_setsockopt ? "set" : "get");
	tracepy_const(b, sym_level, (long)s->a[1]);
	buf_printf(b, ", socket.%s", o->name);
	if (s->nr == SYS_setsockopt) {
		if (s->a[4] != sizeof(v) ||
		    tracefmt_read(s->tid, s->a[3], &v, sizeof(v)) != sizeof(v))
			return -1;
		buf_printf(b, ", %d", v);
	}
	buf_puts(b, ")");
	return 0;
}

/* Appends Python's select.select of the sets read at entry; -1 when its timeout was not read. */
static int
tracepy_select(struct buf *b, const struct tracefmt_sys *s)
{
	int i, fd, first;

	if (s->has_tmo == -1)
		return -1;
	buf_puts(b, "select.select(");
	for (i = 0; i < 3; i++) {
		buf_puts(b, i ? ", [" : "[");
		for (fd = 0, first = 1; fd < (int)s->a[0] && fd < FD_SETSIZE;
		     fd++)
			if (s->a[i + 1] && FD_ISSET(fd, &s->set[i])) {
				buf_printf(b, "%sfd%d", first ? "" : ", ", fd);
				first = 0;
			}
		buf_puts(b, "]");
	}
	if (s->has_tmo == 0)
		buf_puts(b, ")");
	else
		buf_printf(b, ", %g)",
		    (double)s->tmo.tv_sec +
		        (double)s->tmo.tv_nsec /
		            (s->nr == SYS_select ? 1e6 : 1e9));
	return 0;
}

/* Appends Python's select.poll for the fds read at entry: a poll object, each fd registered, then poll. */
static int
tracepy_poll(struct buf *b, const struct tracefmt_sys *s)
{
	unsigned i, bit;
	int first;

	if (s->npfd == 0 || s->npfd != (unsigned)s->a[1] ||
	    (s->nr == SYS_ppoll && s->has_tmo == -1))
		return -1;
	buf_puts(b, "p = select.poll(); ");
	for (i = 0; i < s->npfd; i++) {
		buf_printf(b, "p.register(fd%d, ", s->pfd[i].fd);
		for (bit = 1, first = 1; bit <= 0x8000; bit <<= 1)
			if ((unsigned)s->pfd[i].events & bit) {
				buf_printf(b, "%sselect.%s", first ? "" : " | ",
				    sym_name(sym_poll, (long)bit)
				        ? sym_name(sym_poll, (long)bit)
				        : "POLLIN");
				first = 0;
			}
		buf_puts(b, first ? "0); " : "); ");
	}
	if (s->nr == SYS_poll)
		buf_printf(b, "p.poll(%d)", (int)s->a[2]);
	else if (s->has_tmo == 0)
		buf_puts(b, "p.poll()");
	else
		buf_printf(b, "p.poll(%ld)",
		    (long)s->tmo.tv_sec * 1000 + s->tmo.tv_nsec / 1000000);
	return 0;
}

/*
 * Appends Python's select.epoll method for an epoll_ctl (register, modify,
 * unregister) or epoll_wait (poll, seconds and maxevents), the instance
 * named by its fd as sockets are. Returns -1 for an operation or event it
 * has no name for, or an event that was not read.
 */
static int
tracepy_epoll(struct buf *b, const struct tracefmt_sys *s)
{
	static const char *const method[] = { [EPOLL_CTL_ADD] = "register",
		[EPOLL_CTL_DEL] = "unregister",
		[EPOLL_CTL_MOD] = "modify" };
	struct epoll_event ev;
	const char *name;
	unsigned bit;
	int first = 1;

	if (s->nr == SYS_epoll_wait) {
		buf_printf(b, "fd%d.poll(", (int)s->a[0]);
		if ((int)s->a[3] < 0)
			buf_printf(b, "-1, %d)", (int)s->a[2]);
		else
			buf_printf(b, "%g, %d)", (int)s->a[3] / 1000.0,
			    (int)s->a[2]);
		return 0;
	}
	if (s->nr != SYS_epoll_ctl || s->a[1] < EPOLL_CTL_ADD ||
	    s->a[1] > EPOLL_CTL_MOD)
		return -1;
	buf_printf(b, "fd%d.%s(fd%d", (int)s->a[0], method[s->a[1]],
	    (int)s->a[2]);
	if (s->a[1] != EPOLL_CTL_DEL) {
		if (s->data_len != sizeof(ev))
			return -1;
		memcpy(&ev, s->data, sizeof(ev));
		buf_puts(b, ", ");
		for (bit = 1; bit; bit <<= 1) {
			if (!(ev.events & bit))
				continue;
			if ((name = sym_name(sym_epoll, (long)bit)) == NULL)
				return -1;
			buf_printf(b, "%sselect.%s", first ? "" : " | ", name);
			first = 0;
		}
		buf_puts(b, first ? "0" : "");
	}
	buf_addc(b, ')');
	return 0;
}

/*
 * Appends to b the Python line that makes the traced call s, as it was
 * made (the result read: an accept's new fd names its socket). Returns 0,
 * or -1 when Python has no such line or not all was read.
 */
int
tracepy_line(struct buf *b, const struct tracefmt_sys *s)
{
	int fd = (int)s->a[0], on, sv[2];

	switch (s->nr) {
	case SYS_socket:
		if (s->ret < 0)
			return -1;
		buf_printf(b, "fd%ld = socket.socket(", s->ret);
		tracepy_kind(b, s);
		if (s->a[1] & SOCK_NONBLOCK)
			buf_puts(b, " | socket.SOCK_NONBLOCK");
		if (s->a[2])
			buf_printf(b, ", %d", (int)s->a[2]);
		buf_puts(b, ")");
		return 0;
	case SYS_bind:
	case SYS_connect:
		buf_printf(b, "fd%d.%s(", fd,
		    s->nr == SYS_bind ? "bind"
		        : s->ret == 0 ? "connect"
		                      : "connect_ex");
		if (tracepy_addr(b, &s->addr, s->addr_len) == -1)
			return -1;
		buf_puts(b, ")");
		return 0;
	case SYS_listen:
		buf_printf(b, "fd%d.listen(%d)", fd, (int)s->a[1]);
		return 0;
	case SYS_accept:
	case SYS_accept4:
		if (s->ret < 0)
			buf_printf(b, "fd%d.accept()", fd);
		else
			buf_printf(b, "fd%ld, address = fd%d.accept()", s->ret,
			    fd);
		return 0;
	case SYS_sendto:
		return tracepy_send(b, s);
	case SYS_recvfrom:
		buf_printf(b, "fd%d.%s(%lu", fd, s->a[4] ? "recvfrom" : "recv",
		    (unsigned long)s->a[2]);
		if (s->a[3]) {
			buf_puts(b, ", ");
			tracepy_flags(b, sym_msg, (unsigned long)s->a[3]);
		}
		buf_puts(b, ")");
		return 0;
	case SYS_shutdown:
		buf_printf(b, "fd%d.shutdown(", fd);
		tracepy_const(b, sym_shut, (long)s->a[1]);
		buf_puts(b, ")");
		return 0;
	case SYS_setsockopt:
	case SYS_getsockopt:
		return tracepy_sockopt(b, s);
	case SYS_getsockname:
	case SYS_getpeername:
		buf_printf(b, "fd%d.%s()", fd,
		    s->nr == SYS_getsockname ? "getsockname" : "getpeername");
		return 0;
	case SYS_close:
		buf_printf(b, "fd%d.close()", fd);
		return 0;
	case SYS_fcntl:
	case SYS_ioctl:
		if (s->nr == SYS_fcntl && (int)s->a[1] != F_SETFL)
			return -1; /* F_GETFL: Python reads no flags */
		if (s->nr == SYS_ioctl &&
		    tracefmt_read(s->tid, s->a[2], &on, sizeof(on)) !=
		        sizeof(on))
			return -1;
		if (s->nr == SYS_fcntl)
			on = (s->a[2] & O_NONBLOCK) != 0;
		buf_printf(b, "fd%d.setblocking(%s)", fd,
		    on ? "False" : "True");
		return 0;
	case SYS_socketpair:
		if (s->ret < 0 ||
		    tracefmt_read(s->tid, s->a[3], sv, sizeof(sv)) !=
		        sizeof(sv))
			return -1;
		buf_printf(b, "fd%d, fd%d = socket.socketpair(", sv[0], sv[1]);
		tracepy_kind(b, s);
		buf_puts(b, ")");
		return 0;
	case SYS_select:
	case SYS_pselect6:
		return tracepy_select(b, s);
	case SYS_poll:
	case SYS_ppoll:
		return tracepy_poll(b, s);
	case SYS_epoll_ctl:
	case SYS_epoll_wait:
		return tracepy_epoll(b, s);
	case SYS_dup:
		if (s->ret < 0)
			return -1;
		buf_printf(b, "fd%ld = fd%d.dup()", s->ret, fd);
		return 0;
	}
	return -1;
}
