#include "sym.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "buf.h"

/*
 * Each table lists the C name first, then the short forms a student may
 * type; sym_name() returns the first name with a value, so the C name.
 */
const struct sym sym_family[] = { { "AF_INET", AF_INET },
	{ "AF_INET6", AF_INET6 }, { "AF_UNIX", AF_UNIX },
	{ "AF_UNSPEC", AF_UNSPEC }, { "AF_LOCAL", AF_UNIX },
	{ "PF_INET", AF_INET }, { "PF_INET6", AF_INET6 },
	{ "PF_UNIX", AF_UNIX }, { "inet", AF_INET }, { "ipv4", AF_INET },
	{ "inet6", AF_INET6 }, { "ipv6", AF_INET6 }, { "unix", AF_UNIX },
	{ "local", AF_UNIX }, { NULL, 0 } };

const struct sym sym_socktype[] = { { "SOCK_STREAM", SOCK_STREAM },
	{ "SOCK_DGRAM", SOCK_DGRAM }, { "SOCK_SEQPACKET", SOCK_SEQPACKET },
	{ "SOCK_RAW", SOCK_RAW }, { "stream", SOCK_STREAM },
	{ "tcp", SOCK_STREAM }, { "dgram", SOCK_DGRAM }, { "udp", SOCK_DGRAM },
	{ "seqpacket", SOCK_SEQPACKET }, { NULL, 0 } };

const struct sym sym_sockflag[] = { { "SOCK_CLOEXEC", SOCK_CLOEXEC },
	{ "SOCK_NONBLOCK", SOCK_NONBLOCK }, { "nonblock", SOCK_NONBLOCK },
	{ "cloexec", SOCK_CLOEXEC }, { NULL, 0 } };

/* A descriptor's status flags (fcntl F_GETFL, F_SETFL), the access modes first. */
const struct sym sym_oflag[] = { { "O_RDONLY", O_RDONLY },
	{ "O_WRONLY", O_WRONLY }, { "O_RDWR", O_RDWR },
	{ "O_APPEND", O_APPEND }, { "O_ASYNC", O_ASYNC },
	{ "O_NONBLOCK", O_NONBLOCK }, { "O_DIRECT", O_DIRECT },
	{ "O_NOATIME", O_NOATIME }, { NULL, 0 } };

/* The fcntl commands the shell makes. */
const struct sym sym_fcntl_cmd[] = { { "F_GETFL", F_GETFL },
	{ "F_SETFL", F_SETFL }, { NULL, 0 } };

/* dup3's one flag. */
const struct sym sym_cloexec[] = { { "O_CLOEXEC", O_CLOEXEC }, { NULL, 0 } };

const struct sym sym_proto[] = { { "IPPROTO_IP", IPPROTO_IP },
	{ "IPPROTO_TCP", IPPROTO_TCP }, { "IPPROTO_UDP", IPPROTO_UDP },
	{ "IPPROTO_IPV6", IPPROTO_IPV6 }, { "IPPROTO_ICMP", IPPROTO_ICMP },
	{ "IPPROTO_SCTP", IPPROTO_SCTP }, { NULL, 0 } };

const struct sym sym_level[] = { { "SOL_SOCKET", SOL_SOCKET },
	{ "IPPROTO_TCP", IPPROTO_TCP }, { "IPPROTO_IP", IPPROTO_IP },
	{ "IPPROTO_IPV6", IPPROTO_IPV6 }, { "IPPROTO_UDP", IPPROTO_UDP },
	{ "SOL_TCP", IPPROTO_TCP }, { "SOL_IP", IPPROTO_IP },
	{ "SOL_IPV6", IPPROTO_IPV6 }, { "socket", SOL_SOCKET },
	{ "tcp", IPPROTO_TCP }, { "ip", IPPROTO_IP }, { "ipv6", IPPROTO_IPV6 },
	{ NULL, 0 } };

const struct sym sym_shut[] = { { "SHUT_RD", SHUT_RD }, { "SHUT_WR", SHUT_WR },
	{ "SHUT_RDWR", SHUT_RDWR }, { "rd", SHUT_RD }, { "wr", SHUT_WR },
	{ "rdwr", SHUT_RDWR }, { "read", SHUT_RD }, { "write", SHUT_WR },
	{ "both", SHUT_RDWR }, { NULL, 0 } };

/* The events poll waits for and reports, as strace names them, then the shell's short names. */
const struct sym sym_poll[] = { { "POLLIN", POLLIN }, { "POLLPRI", POLLPRI },
	{ "POLLOUT", POLLOUT }, { "POLLERR", POLLERR }, { "POLLHUP", POLLHUP },
	{ "POLLNVAL", POLLNVAL }, { "POLLRDNORM", POLLRDNORM },
	{ "POLLRDBAND", POLLRDBAND }, { "POLLWRNORM", POLLWRNORM },
	{ "POLLWRBAND", POLLWRBAND }, { "POLLRDHUP", POLLRDHUP },
	{ "in", POLLIN }, { "out", POLLOUT }, { "pri", POLLPRI },
	{ "r", POLLIN }, { "w", POLLOUT }, { "x", POLLPRI }, { NULL, 0 } };

/* The events epoll waits for and reports, in strace's order, then the shell's short names. */
const struct sym sym_epoll[] = { { "EPOLLIN", EPOLLIN },
	{ "EPOLLPRI", EPOLLPRI }, { "EPOLLOUT", EPOLLOUT },
	{ "EPOLLERR", EPOLLERR }, { "EPOLLHUP", EPOLLHUP },
	{ "EPOLLRDNORM", EPOLLRDNORM }, { "EPOLLRDBAND", EPOLLRDBAND },
	{ "EPOLLWRNORM", EPOLLWRNORM }, { "EPOLLWRBAND", EPOLLWRBAND },
	{ "EPOLLMSG", EPOLLMSG }, { "EPOLLRDHUP", EPOLLRDHUP },
	{ "EPOLLEXCLUSIVE", EPOLLEXCLUSIVE }, { "EPOLLWAKEUP", EPOLLWAKEUP },
	{ "EPOLLONESHOT", EPOLLONESHOT }, { "EPOLLET", (long)EPOLLET },
	{ "in", EPOLLIN }, { "out", EPOLLOUT }, { "rdhup", EPOLLRDHUP },
	{ "et", (long)EPOLLET }, { "oneshot", EPOLLONESHOT }, { NULL, 0 } };

/* epoll_create1's flag. */
const struct sym sym_epoll_flag[] = { { "EPOLL_CLOEXEC", EPOLL_CLOEXEC },
	{ NULL, 0 } };

/* epoll_ctl's operations, then their short names. */
const struct sym sym_epoll_op[] = { { "EPOLL_CTL_ADD", EPOLL_CTL_ADD },
	{ "EPOLL_CTL_DEL", EPOLL_CTL_DEL }, { "EPOLL_CTL_MOD", EPOLL_CTL_MOD },
	{ "ADD", EPOLL_CTL_ADD }, { "DEL", EPOLL_CTL_DEL },
	{ "MOD", EPOLL_CTL_MOD }, { NULL, 0 } };

const struct sym sym_msg[] = { { "MSG_OOB", MSG_OOB }, { "MSG_PEEK", MSG_PEEK },
	{ "MSG_DONTROUTE", MSG_DONTROUTE }, { "MSG_CTRUNC", MSG_CTRUNC },
	{ "MSG_TRUNC", MSG_TRUNC }, { "MSG_DONTWAIT", MSG_DONTWAIT },
	{ "MSG_EOR", MSG_EOR }, { "MSG_WAITALL", MSG_WAITALL },
	{ "MSG_CONFIRM", MSG_CONFIRM }, { "MSG_NOSIGNAL", MSG_NOSIGNAL },
	{ "MSG_MORE", MSG_MORE }, { "oob", MSG_OOB }, { "peek", MSG_PEEK },
	{ "dontwait", MSG_DONTWAIT }, { "waitall", MSG_WAITALL },
	{ "nosignal", MSG_NOSIGNAL }, { "more", MSG_MORE },
	{ "trunc", MSG_TRUNC }, { NULL, 0 } };

const struct sym sym_errno[] = { { "EPERM", EPERM }, { "ENOENT", ENOENT },
	{ "EINTR", EINTR }, { "EIO", EIO }, { "EBADF", EBADF },
	{ "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EACCES", EACCES },
	{ "EFAULT", EFAULT }, { "EBUSY", EBUSY }, { "EEXIST", EEXIST },
	{ "ENOTDIR", ENOTDIR }, { "EISDIR", EISDIR }, { "EINVAL", EINVAL },
	{ "ENFILE", ENFILE }, { "EMFILE", EMFILE }, { "ENOSPC", ENOSPC },
	{ "EROFS", EROFS }, { "EPIPE", EPIPE }, { "ERANGE", ERANGE },
	{ "ENAMETOOLONG", ENAMETOOLONG }, { "ENOSYS", ENOSYS },
	{ "ELOOP", ELOOP }, { "ENOTSOCK", ENOTSOCK },
	{ "EDESTADDRREQ", EDESTADDRREQ }, { "EMSGSIZE", EMSGSIZE },
	{ "EPROTOTYPE", EPROTOTYPE }, { "ENOPROTOOPT", ENOPROTOOPT },
	{ "EPROTONOSUPPORT", EPROTONOSUPPORT },
	{ "ESOCKTNOSUPPORT", ESOCKTNOSUPPORT }, { "EOPNOTSUPP", EOPNOTSUPP },
	{ "EPFNOSUPPORT", EPFNOSUPPORT }, { "EAFNOSUPPORT", EAFNOSUPPORT },
	{ "EADDRINUSE", EADDRINUSE }, { "EADDRNOTAVAIL", EADDRNOTAVAIL },
	{ "ENETDOWN", ENETDOWN }, { "ENETUNREACH", ENETUNREACH },
	{ "ENETRESET", ENETRESET }, { "ECONNABORTED", ECONNABORTED },
	{ "ECONNRESET", ECONNRESET }, { "ENOBUFS", ENOBUFS },
	{ "EISCONN", EISCONN }, { "ENOTCONN", ENOTCONN },
	{ "ESHUTDOWN", ESHUTDOWN }, { "ETIMEDOUT", ETIMEDOUT },
	{ "ECONNREFUSED", ECONNREFUSED }, { "EHOSTDOWN", EHOSTDOWN },
	{ "EHOSTUNREACH", EHOSTUNREACH }, { "EALREADY", EALREADY },
	{ "EINPROGRESS", EINPROGRESS }, { "ENODEV", ENODEV },
	{ "EILSEQ", EILSEQ }, { "ENOTEMPTY", ENOTEMPTY }, { "ESRCH", ESRCH },
	{ "ENXIO", ENXIO }, { "E2BIG", E2BIG }, { "ECHILD", ECHILD },
	{ "ENOTTY", ENOTTY }, { "EXDEV", EXDEV }, { "ENOTBLK", ENOTBLK },
	{ "ETXTBSY", ETXTBSY }, { "EFBIG", EFBIG }, { "ESPIPE", ESPIPE },
	{ "EMLINK", EMLINK }, { "EDOM", EDOM }, { "EDEADLK", EDEADLK },
	{ "ENOLCK", ENOLCK }, { "ENODATA", ENODATA }, { "ETIME", ETIME },
	{ "EPROTO", EPROTO }, { "EBADMSG", EBADMSG },
	{ "EOVERFLOW", EOVERFLOW }, { "ECANCELED", ECANCELED },
	{ "EOWNERDEAD", EOWNERDEAD }, { "ENOTRECOVERABLE", ENOTRECOVERABLE },
	{ "EWOULDBLOCK", EWOULDBLOCK }, { NULL, 0 } };

const struct sym sym_tcp_state[] = { { "ESTABLISHED", 1 }, { "SYN_SENT", 2 },
	{ "SYN_RECV", 3 }, { "FIN_WAIT1", 4 }, { "FIN_WAIT2", 5 },
	{ "TIME_WAIT", 6 }, { "CLOSE", 7 }, { "CLOSE_WAIT", 8 },
	{ "LAST_ACK", 9 }, { "LISTEN", 10 }, { "CLOSING", 11 },
	{ "NEW_SYN_RECV", 12 }, { "CLOSED", 7 }, { "ESTAB", 1 }, { NULL, 0 } };

/* Returns 1 when s is a plain decimal number, 0 otherwise. */
static int
sym_is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * Looks name up in t, ignoring case, or reads it as a decimal number.
 * Returns 0 and sets *out, or -1 when the name is unknown.
 */
int
sym_value(const struct sym *t, const char *name, long *out)
{
	int first = tolower((unsigned char)name[0]);

	for (; t->name; t++) { /* the first letter first: few strcasecmp */
		if (tolower((unsigned char)t->name[0]) == first &&
		    strcasecmp(t->name, name) == 0) {
			*out = t->value;
			return 0;
		}
	}
	if (sym_is_number(name) && strlen(name) < 10) {
		*out = strtol(name, NULL, 10);
		return 0;
	}
	return -1;
}

/*
 * Reads flags written as NAME|NAME|... or a number (0 for none).
 * Returns 0 and sets *out, or -1 when a part is unknown.
 */
int
sym_flags(const struct sym *t, const char *s, long *out)
{
	char part[64];
	long v, all = 0;
	size_t n;

	while (*s) {
		n = strcspn(s, "|");
		if (n == 0 || n >= sizeof(part))
			return -1;
		memcpy(part, s, n);
		part[n] = '\0';
		if (sym_value(t, part, &v) == -1)
			return -1;
		all |= v;
		s += n;
		if (*s == '|' && *++s == '\0')
			return -1;
	}
	*out = all;
	return 0;
}

/* Returns the C name of value v in t, or NULL when t has none. */
const char *
sym_name(const struct sym *t, long v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return NULL;
}

/*
 * Appends flags as strace shows them: NAME|NAME, leftover bits in hex, or
 * 0; when no bit has a name, strace's comment follows the hex (MSG_???).
 */
void
sym_format_flags(struct buf *b, const struct sym *t, long v)
{
	const struct sym *s;
	const char *us;
	long left = v;
	int any = 0;

	if (v == 0) {
		buf_puts(b, "0");
		return;
	}
	for (s = t; s->name; s++) {
		if (s->value == 0 || (left & s->value) != s->value)
			continue;
		if (sym_name(t, s->value) != s->name)
			continue;
		buf_printf(b, "%s%s", any ? "|" : "", s->name);
		left &= ~s->value;
		any = 1;
	}
	if (left)
		buf_printf(b, "%s%#lx", any ? "|" : "", left);
	if (left && !any && t->name && (us = strchr(t->name, '_')) != NULL)
		buf_printf(b, " /* %.*s??? */", (int)(us - t->name + 1),
		    t->name);
}

/* Appends a descriptor's status flags as strace shows them: the access mode first, O_RDWR|O_NONBLOCK. */
void
sym_format_oflags(struct buf *b, long flags)
{
	long mode = flags & O_ACCMODE;

	buf_puts(b, mode == O_ACCMODE ? "O_ACCMODE" : sym_oflag[mode].name);
	if (flags & ~(long)O_ACCMODE) {
		buf_addc(b, '|');
		sym_format_flags(b, sym_oflag, flags & ~(long)O_ACCMODE);
	}
}

/* Returns the name of errno value e, such as "ECONNREFUSED". */
const char *
sym_errno_name(int e)
{
	const char *n = sym_name(sym_errno, e);

	return n ? n : "E?";
}
