/*
 * The socket calls sockstep trace stops at (x86-64 numbers), what it
 * reads of their arguments from the program's memory, and their lines as
 * strace prints them. An argument that could not be read, or a buffer
 * nothing was written into, is "..." (README: strace shows its address).
 */
#include "tracefmt.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "addr.h"
#include "buf.h"
#include "epollinfo.h"
#include "fmt.h"
#include "opt.h"
#include "socket.h"
#include "sym.h"

/*
 * Reads len bytes at addr of task tid into dst. Returns the bytes read,
 * or -1 with errno set.
 */
ssize_t
tracefmt_read(pid_t tid, unsigned long long addr, void *dst, size_t len)
{
	struct iovec local = { dst, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	if (addr == 0 || len == 0)
		return 0;
	return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

/* Appends the address s read at entry, or "..." when it could not be read. */
static void
tracefmt_addr(struct buf *b, const struct tracefmt_sys *s)
{
	if (s->addr_len == 0)
		buf_puts(b, "...");
	else
		addr_strace(b, (const struct sockaddr *)&s->addr, s->addr_len);
}

/* Appends an address the kernel wrote at exit, and its in/out length: {...}, [128 => 16]. */
static void
tracefmt_addr_out(struct buf *b, const struct tracefmt_sys *s,
    unsigned long long addr, unsigned long long lenp)
{
	struct sockaddr_storage ss;
	socklen_t out;

	if (addr == 0) {
		buf_puts(b, "NULL, NULL");
		return;
	}
	if (s->ret == -1 ||
	    tracefmt_read(s->tid, lenp, &out, sizeof(out)) != sizeof(out)) {
		buf_printf(b, "..., [%u]", (unsigned)s->len_in);
		return;
	}
	memset(&ss, 0, sizeof(ss));
	if (tracefmt_read(s->tid, addr, &ss,
	        out < sizeof(ss) ? out : sizeof(ss)) < 0)
		buf_puts(b, "...");
	else
		addr_strace(b, (struct sockaddr *)&ss,
		    out < sizeof(ss) ? out : sizeof(ss));
	if (out != s->len_in)
		buf_printf(b, ", [%u => %u]", (unsigned)s->len_in,
		    (unsigned)out);
	else
		buf_printf(b, ", [%u]", (unsigned)out);
}

/* socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, IPPROTO_IP) */
static void
tracefmt_socket(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	(void)strsize;
	socket_format(b, (long)s->a[0], (long)s->a[1], (long)s->a[2]);
}

/* socketpair(AF_UNIX, SOCK_STREAM, 0, [3, 4]) */
static void
tracefmt_socketpair(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	const char *f = sym_name(sym_family, (long)s->a[0]);
	const char *t = sym_name(sym_socktype, (long)(s->a[1] & 0xf));
	int sv[2];

	(void)strsize;
	if (f)
		buf_printf(b, "socketpair(%s, ", f);
	else
		buf_printf(b, "socketpair(%llu, ", s->a[0]);
	if (t)
		buf_puts(b, t);
	else
		buf_printf(b, "%llu", s->a[1] & 0xf);
	if (s->a[1] & ~0xfULL) {
		buf_addc(b, '|');
		sym_format_flags(b, sym_sockflag, (long)(s->a[1] & ~0xfULL));
	}
	if (s->ret == 0 &&
	    tracefmt_read(s->tid, s->a[3], sv, sizeof(sv)) == sizeof(sv))
		buf_printf(b, ", %d, [%d, %d])", (int)s->a[2], sv[0], sv[1]);
	else
		buf_printf(b, ", %d, ...)", (int)s->a[2]);
}

/* bind(3, {...}, 16), connect(3, {...}, 16) */
static void
tracefmt_named(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	(void)strsize;
	buf_printf(b, "%d, ", (int)s->a[0]);
	tracefmt_addr(b, s);
	buf_printf(b, ", %u)", (unsigned)s->a[2]);
}

/* listen(3, 128), shutdown(3, SHUT_WR), close(3) */
static void
tracefmt_fd_int(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	const char *how = sym_name(sym_shut, (long)s->a[1]);

	(void)strsize;
	if (s->nr == SYS_close)
		buf_printf(b, "%d)", (int)s->a[0]);
	else if (s->nr == SYS_shutdown && how)
		buf_printf(b, "%d, %s)", (int)s->a[0], how);
	else
		buf_printf(b, "%d, %d)", (int)s->a[0], (int)s->a[1]);
}

/* accept(3, {...}, [16]), accept4(..., SOCK_CLOEXEC), getsockname(3, {...}, [128 => 16]) */
static void
tracefmt_accept(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	(void)strsize;
	buf_printf(b, "%d, ", (int)s->a[0]);
	tracefmt_addr_out(b, s, s->a[1], s->a[2]);
	if (s->nr == SYS_accept4) {
		buf_puts(b, ", ");
		sym_format_flags(b, sym_sockflag, (long)s->a[3]);
	}
	buf_addc(b, ')');
}

/* sendto(3, "Hello", 5, 0, NULL, 0) */
static void
tracefmt_sendto(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	buf_printf(b, "%d, ", (int)s->a[0]);
	if (s->data_len < s->a[2] && s->data_len < (size_t)strsize)
		buf_puts(b, "...");
	else
		fmt_cstring(b, s->data, (size_t)s->a[2], (size_t)strsize);
	buf_printf(b, ", %llu, ", s->a[2]);
	sym_format_flags(b, sym_msg, (long)s->a[3]);
	if (s->a[4] == 0)
		buf_printf(b, ", NULL, %u)", (unsigned)s->a[5]);
	else {
		buf_puts(b, ", ");
		tracefmt_addr(b, s);
		buf_printf(b, ", %u)", (unsigned)s->a[5]);
	}
}

/* recvfrom(3, "Hello", 1024, 0, NULL, NULL) */
static void
tracefmt_recvfrom(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	unsigned char p[256];
	size_t n = s->ret > 0 ? (size_t)s->ret : 0;
	size_t want = n < (size_t)strsize ? n : (size_t)strsize;
	ssize_t got;

	if (want > sizeof(p))
		want = sizeof(p);
	buf_printf(b, "%d, ", (int)s->a[0]);
	got = s->ret >= 0 ? tracefmt_read(s->tid, s->a[1], p, want) : -1;
	if (got != (ssize_t)want)
		buf_puts(b, "...");
	else
		fmt_cstring(b, p, n, (size_t)strsize);
	buf_printf(b, ", %llu, ", s->a[2]);
	sym_format_flags(b, sym_msg, (long)s->a[3]);
	buf_puts(b, ", ");
	tracefmt_addr_out(b, s, s->a[4], s->a[5]);
	buf_addc(b, ')');
}

/* The MSG_* flags a msghdr's msg_flags can hold, in strace's order (by value). */
static const struct sym tracefmt_msg_flags[] = { { "MSG_OOB", MSG_OOB },
	{ "MSG_PEEK", MSG_PEEK }, { "MSG_DONTROUTE", MSG_DONTROUTE },
	{ "MSG_CTRUNC", MSG_CTRUNC }, { "MSG_TRUNC", MSG_TRUNC },
	{ "MSG_DONTWAIT", MSG_DONTWAIT }, { "MSG_EOR", MSG_EOR },
	{ "MSG_WAITALL", MSG_WAITALL }, { "MSG_CONFIRM", MSG_CONFIRM },
	{ "MSG_ERRQUEUE", MSG_ERRQUEUE }, { "MSG_NOSIGNAL", MSG_NOSIGNAL },
	{ "MSG_MORE", MSG_MORE }, { "MSG_CMSG_CLOEXEC", MSG_CMSG_CLOEXEC },
	{ NULL, 0 } };

/*
 * Appends the n iovecs at addr as strace: [{iov_base="Hello", iov_len=5}],
 * each showing its bytes up to size in all (-1: all of each), as
 * strings strace's limit strsize abbreviates. A part not read is "...".
 */
static void
tracefmt_iov(struct buf *b, pid_t tid, unsigned long long addr, size_t n,
    long size, int strsize)
{
	unsigned char p[256];
	struct iovec v;
	size_t i, shown, want;

	if (addr == 0) {
		buf_puts(b, "NULL");
		return;
	}
	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, ", ");
		if (i >= (size_t)strsize) {
			buf_puts(b, "...");
			break;
		}
		if (tracefmt_read(tid, addr + i * sizeof(v), &v, sizeof(v)) !=
		    sizeof(v)) {
			buf_puts(b, "...");
			break;
		}
		shown = size < 0 || v.iov_len < (size_t)size ? v.iov_len
		                                             : (size_t)size;
		if (size >= 0)
			size -= (long)shown;
		want = shown < (size_t)strsize ? shown : (size_t)strsize;
		if (want > sizeof(p))
			want = sizeof(p);
		buf_puts(b, "{iov_base=");
		if (tracefmt_read(tid, (uintptr_t)v.iov_base, p, want) !=
		    (ssize_t)want)
			buf_puts(b, "...");
		else
			fmt_cstring(b, p, shown, (size_t)strsize);
		buf_printf(b, ", iov_len=%zu}", v.iov_len);
	}
	buf_addc(b, ']');
}

/* Appends one control message's data as strace: cmsg_data=[5] (SCM_RIGHTS), {pid=1, uid=0, gid=0} (SCM_CREDENTIALS), else "...". */
static void
tracefmt_cmsg_data(struct buf *b, const struct cmsghdr *c, size_t len)
{
	const unsigned char *d = (const unsigned char *)c + CMSG_LEN(0);
	size_t i, n = len > CMSG_LEN(0) ? len - CMSG_LEN(0) : 0;
	struct ucred cr;
	int fd;

	buf_puts(b, ", cmsg_data=");
	if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		buf_addc(b, '[');
		for (i = 0; i + sizeof(fd) <= n; i += sizeof(fd)) {
			memcpy(&fd, d + i, sizeof(fd));
			buf_printf(b, "%s%d", i ? ", " : "", fd);
		}
		buf_addc(b, ']');
	} else if (c->cmsg_level == SOL_SOCKET &&
	    c->cmsg_type == SCM_CREDENTIALS && n >= sizeof(cr)) {
		memcpy(&cr, d, sizeof(cr));
		buf_printf(b, "{pid=%d, uid=%u, gid=%u}", (int)cr.pid,
		    (unsigned)cr.uid, (unsigned)cr.gid);
	} else
		buf_puts(b, "...");
}

/* Appends the control messages of m (read from task tid) as strace: [{cmsg_len=20, cmsg_level=SOL_SOCKET, ...}]. */
static void
tracefmt_control(struct buf *b, pid_t tid, const struct msghdr *m)
{
	union {
		unsigned char p[1024];
		struct cmsghdr align;
	} u;
	size_t len =
	    m->msg_controllen < sizeof(u.p) ? m->msg_controllen : sizeof(u.p);
	size_t off = 0, clen;
	struct cmsghdr c;

	if (tracefmt_read(tid, (uintptr_t)m->msg_control, u.p, len) !=
	    (ssize_t)len) {
		buf_puts(b, "...");
		return;
	}
	buf_addc(b, '[');
	while (off + sizeof(c) <= len) {
		memcpy(&c, u.p + off, sizeof(c));
		buf_printf(b, "%s{cmsg_len=%zu, cmsg_level=", off ? ", " : "",
		    (size_t)c.cmsg_len);
		if (c.cmsg_level == SOL_SOCKET)
			buf_puts(b, "SOL_SOCKET");
		else
			buf_printf(b, "%d", c.cmsg_level);
		if (c.cmsg_level == SOL_SOCKET && c.cmsg_type == SCM_RIGHTS)
			buf_puts(b, ", cmsg_type=SCM_RIGHTS");
		else if (c.cmsg_level == SOL_SOCKET &&
		    c.cmsg_type == SCM_CREDENTIALS)
			buf_puts(b, ", cmsg_type=SCM_CREDENTIALS");
		else
			buf_printf(b, ", cmsg_type=%#x", (unsigned)c.cmsg_type);
		clen = c.cmsg_len < len - off ? c.cmsg_len : len - off;
		tracefmt_cmsg_data(b, (const struct cmsghdr *)(u.p + off),
		    clen);
		buf_addc(b, '}');
		if (c.cmsg_len < sizeof(c))
			break;
		off += CMSG_ALIGN(c.cmsg_len);
	}
	if (off < len && off + sizeof(c) > len && off > 0 &&
	    off < m->msg_controllen)
		buf_puts(b, ", ...");
	buf_addc(b, ']');
}

/*
 * Appends the msghdr m (read from task tid) as strace: {msg_name=...,
 * msg_namelen=16, msg_iov=[...], msg_iovlen=1, msg_control=[...],
 * msg_controllen=24, msg_flags=0}. namelen_in is recvmsg's msg_namelen
 * at entry (-1 for sendmsg); size the bytes its buffers hold (-1: all).
 */
static void
tracefmt_msghdr(struct buf *b, pid_t tid, const struct msghdr *m,
    long namelen_in, long size, int strsize)
{
	struct sockaddr_storage ss;
	size_t len = m->msg_namelen;

	if (namelen_in >= 0 && (long)len > namelen_in)
		len = (size_t)namelen_in;
	if (len > sizeof(ss))
		len = sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	buf_puts(b, "{msg_name=");
	if (m->msg_name == NULL)
		buf_puts(b, "NULL");
	else if (len == 0)
		buf_printf(b, "%#llx",
		    (unsigned long long)(uintptr_t)m->msg_name);
	else if (tracefmt_read(tid, (uintptr_t)m->msg_name, &ss, len) !=
	    (ssize_t)len)
		buf_puts(b, "...");
	else
		addr_strace(b, (struct sockaddr *)&ss, (socklen_t)len);
	if (namelen_in >= 0 && namelen_in != (long)m->msg_namelen)
		buf_printf(b, ", msg_namelen=%ld => %u", namelen_in,
		    (unsigned)m->msg_namelen);
	else
		buf_printf(b, ", msg_namelen=%u", (unsigned)m->msg_namelen);
	buf_puts(b, ", msg_iov=");
	tracefmt_iov(b, tid, (uintptr_t)m->msg_iov, m->msg_iovlen, size,
	    strsize);
	buf_printf(b, ", msg_iovlen=%zu", (size_t)m->msg_iovlen);
	if (m->msg_controllen) {
		buf_puts(b, ", msg_control=");
		tracefmt_control(b, tid, m);
	}
	buf_printf(b,
	    ", msg_controllen=%zu, msg_flags=", (size_t)m->msg_controllen);
	sym_format_flags(b, tracefmt_msg_flags, m->msg_flags);
	buf_addc(b, '}');
}

/* Reads at entry what a sendmsg or recvmsg line needs: sendmsg's whole message (what it sends), recvmsg's msghdr (its msg_namelen). */
static void
tracefmt_msg_entry(struct tracefmt_sys *s, int strsize)
{
	struct msghdr m;
	struct buf b;

	if (tracefmt_read(s->tid, s->a[1], &m, sizeof(m)) != sizeof(m))
		return;
	memcpy(s->data, &m, sizeof(m));
	s->data_len = sizeof(m);
	if (s->nr != SYS_sendmsg)
		return;
	buf_init(&b);
	tracefmt_msghdr(&b, s->tid, &m, -1, -1, strsize);
	if (strlen(buf_str(&b)) < sizeof(s->msg))
		memcpy(s->msg, buf_str(&b), strlen(buf_str(&b)) + 1);
	buf_free(&b);
}

/*
 * sendmsg(3, {msg_name=NULL, ...}, 0) with the message read at entry;
 * recvmsg(4, {...}, 0) with the message read at exit, its buffers up to
 * the length returned, or {msg_namelen=16} when it failed.
 */
static void
tracefmt_msg(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	struct msghdr in, m;

	buf_printf(b, "%d, ", (int)s->a[0]);
	memcpy(&in, s->data, sizeof(in));
	if (s->nr == SYS_sendmsg && s->msg[0])
		buf_puts(b, s->msg);
	else if (s->nr == SYS_sendmsg || s->data_len != sizeof(in))
		buf_puts(b, "...");
	else if (s->ret < 0)
		buf_printf(b, "{msg_namelen=%u}", (unsigned)in.msg_namelen);
	else if (tracefmt_read(s->tid, s->a[1], &m, sizeof(m)) != sizeof(m))
		buf_puts(b, "...");
	else
		tracefmt_msghdr(b, s->tid, &m, (long)in.msg_namelen, s->ret,
		    strsize);
	buf_puts(b, ", ");
	sym_format_flags(b, sym_msg, (long)s->a[2]);
	buf_addc(b, ')');
}

/* sendmmsg(3, ..., 2, 0), recvmmsg(4, ..., 2, MSG_DONTWAIT, NULL): named, their messages not decoded */
static void
tracefmt_mmsg(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	(void)strsize;
	buf_printf(b, "%d, ..., %u, ", (int)s->a[0], (unsigned)s->a[2]);
	sym_format_flags(b, sym_msg, (long)s->a[3]);
	if (s->nr == SYS_recvmmsg)
		buf_puts(b, s->a[4] ? ", ...)" : ", NULL)");
	else
		buf_addc(b, ')');
}

/* Returns the option of level and name this shell knows, or NULL. */
const struct opt *
tracefmt_opt(long level, long name)
{
	const struct opt *o;

	for (o = opt_table; o->name; o++)
		if (o->level == level && o->optname == name)
			return o;
	return NULL;
}

/* setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4), getsockopt(3, SOL_SOCKET, SO_ERROR, [0], [4]) */
static void
tracefmt_sockopt(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	const struct opt *o = tracefmt_opt((long)s->a[1], (long)s->a[2]);
	const char *level = sym_name(sym_level, (long)s->a[1]);
	union opt_value v;
	socklen_t len = (socklen_t)s->a[4];

	(void)strsize;
	buf_printf(b, "%d, ", (int)s->a[0]);
	if (level)
		buf_printf(b, "%s, ", level);
	else
		buf_printf(b, "%d, ", (int)s->a[1]);
	if (o)
		buf_printf(b, "%s, ", o->name);
	else
		buf_printf(b, "%d, ", (int)s->a[2]);
	if (s->nr == SYS_getsockopt &&
	    (s->ret == -1 ||
	        tracefmt_read(s->tid, s->a[4], &len, sizeof(len)) !=
	            sizeof(len)))
		len = 0;
	memset(&v, 0, sizeof(v));
	if (o == NULL || len == 0 || len > sizeof(v) ||
	    tracefmt_read(s->tid, s->a[3], &v, len) != (ssize_t)len)
		buf_puts(b, "...");
	else
		opt_format(b, o, &v, len);
	if (s->nr == SYS_setsockopt)
		buf_printf(b, ", %u)", (unsigned)s->a[4]);
	else if (len != s->len_in && len != 0)
		buf_printf(b, ", [%u => %u])", (unsigned)s->len_in,
		    (unsigned)len);
	else
		buf_printf(b, ", [%u])", (unsigned)s->len_in);
}

/* dup(3), dup2(3, 10), dup3(3, 10, O_CLOEXEC) */
static void
tracefmt_dup(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	(void)strsize;
	if (s->nr == SYS_dup)
		buf_printf(b, "%d)", (int)s->a[0]);
	else if (s->nr == SYS_dup2)
		buf_printf(b, "%d, %d)", (int)s->a[0], (int)s->a[1]);
	else if ((int)s->a[2] == O_CLOEXEC)
		buf_printf(b, "%d, %d, O_CLOEXEC)", (int)s->a[0], (int)s->a[1]);
	else
		buf_printf(b, "%d, %d, %#x)", (int)s->a[0], (int)s->a[1],
		    (unsigned)s->a[2]);
}

/* ioctl(3, FIONBIO, [1]): the only ioctl traced (trace_enter lets the others by) */
static void
tracefmt_ioctl(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	int on;

	(void)strsize;
	if (tracefmt_read(s->tid, s->a[2], &on, sizeof(on)) == sizeof(on))
		buf_printf(b, "%d, FIONBIO, [%d])", (int)s->a[0], on);
	else
		buf_printf(b, "%d, FIONBIO, ...)", (int)s->a[0]);
}

/* A file's status flags as strace shows them: the access mode first, O_RDWR|O_NONBLOCK. */
static void
tracefmt_flags(struct buf *b, long flags)
{
	static const struct sym status[] = { { "O_APPEND", O_APPEND },
		{ "O_ASYNC", O_ASYNC }, { "O_NONBLOCK", O_NONBLOCK },
		{ "O_DIRECT", O_DIRECT }, { "O_NOATIME", O_NOATIME },
		{ NULL, 0 } };
	static const char *const mode[] = { "O_RDONLY", "O_WRONLY", "O_RDWR",
		"O_ACCMODE" };

	buf_puts(b, mode[flags & O_ACCMODE]);
	if (flags & ~(long)O_ACCMODE) {
		buf_addc(b, '|');
		sym_format_flags(b, status, flags & ~(long)O_ACCMODE);
	}
}

/* fcntl(3, F_GETFL), fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK): the two traced (trace_enter lets the others by) */
static void
tracefmt_fcntl(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	(void)strsize;
	if (s->a[1] == F_GETFL) {
		buf_printf(b, "%d, F_GETFL)", (int)s->a[0]);
		return;
	}
	buf_printf(b, "%d, F_SETFL, ", (int)s->a[0]);
	tracefmt_flags(b, (long)s->a[2]);
	buf_addc(b, ')');
}

/* Returns 1 when trace stops at this call of number nr with arguments a (an ioctl or fcntl it shows). */
int
tracefmt_wanted(long nr, const unsigned long long *a)
{
	if (nr == SYS_ioctl)
		return (unsigned int)a[1] == FIONBIO;
	if (nr == SYS_fcntl)
		return (int)a[1] == F_GETFL || (int)a[1] == F_SETFL;
	return 1;
}

/* Appends a timeout read at entry: {tv_sec=1, tv_nsec=0}, a timeval's {tv_sec=0, tv_usec=500000}, NULL. */
static void
tracefmt_timeout(struct buf *b, const struct timespec *ts, int has, int usec)
{
	if (has == 0)
		buf_puts(b, "NULL");
	else if (has == -1)
		buf_puts(b, "...");
	else
		buf_printf(b, "{tv_sec=%ld, %s=%ld}", (long)ts->tv_sec,
		    usec ? "tv_usec" : "tv_nsec", (long)ts->tv_nsec);
}

/* Appends poll's fds as strace shows them: [{fd=3, events=POLLIN}], or with revents those that have some. */
static void
tracefmt_pollfds(struct buf *b, const struct pollfd *p, unsigned n, int out)
{
	unsigned i;
	int any = 0;

	buf_addc(b, '[');
	for (i = 0; i < n; i++) {
		if (out && p[i].revents == 0)
			continue;
		buf_printf(b, "%s{fd=%d, %s=", any++ ? ", " : "", p[i].fd,
		    out ? "revents" : "events");
		sym_format_flags(b, sym_poll, out ? p[i].revents : p[i].events);
		buf_addc(b, '}');
	}
	buf_addc(b, ']');
}

/* Appends a signal mask argument and its size, as strace: ", NULL, 8", ", [], 8", or ", ..., 8" for any other. */
static void
tracefmt_sigmask(struct buf *b, const struct tracefmt_sys *s,
    unsigned long long addr, unsigned long long size)
{
	sigset_t mask;

	sigemptyset(&mask);
	if (addr == 0)
		buf_puts(b, ", NULL");
	else if (size <= sizeof(mask) &&
	    tracefmt_read(s->tid, addr, &mask, size) == (ssize_t)size &&
	    sigisemptyset(&mask))
		buf_puts(b, ", []");
	else
		buf_puts(b, ", ...");
	buf_printf(b, ", %u)", (unsigned)size);
}

/* poll([{fd=3, events=POLLIN}], 1, 1000), ppoll([...], 1, {tv_sec=1, tv_nsec=0}, NULL, 8) */
static void
tracefmt_poll(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	(void)strsize;
	buf_puts(b, s->nr == SYS_poll ? "poll(" : "ppoll(");
	if (s->npfd == s->a[1])
		tracefmt_pollfds(b, s->pfd, s->npfd, 0);
	else
		buf_puts(b, "...");
	buf_printf(b, ", %u, ", (unsigned)s->a[1]);
	if (s->nr == SYS_poll) {
		buf_printf(b, "%d)", (int)s->a[2]);
		return;
	}
	tracefmt_timeout(b, &s->tmo, s->has_tmo, 0);
	tracefmt_sigmask(b, s, s->a[3], s->a[4]);
}

/* epoll_ctl(5, EPOLL_CTL_ADD, 3, {events=EPOLLIN, data={u32=3, u64=3}}): the event read at entry */
static void
tracefmt_epoll_ctl(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	const char *op = sym_name(sym_epoll_op, (long)s->a[1]);
	struct epoll_event ev;

	(void)strsize;
	buf_printf(b, "%d, ", (int)s->a[0]);
	if (op)
		buf_printf(b, "%s, ", op);
	else
		buf_printf(b, "%#x /* EPOLL_CTL_??? */, ", (unsigned)s->a[1]);
	buf_printf(b, "%d, ", (int)s->a[2]);
	if (s->a[3] == 0)
		buf_puts(b, "NULL");
	else if (s->a[1] == EPOLL_CTL_DEL || s->data_len != sizeof(ev))
		buf_puts(b, "...");
	else {
		memcpy(&ev, s->data, sizeof(ev));
		fmt_epoll_events(b, &ev, -1);
	}
	buf_addc(b, ')');
}

/* epoll_wait(5, [{events=EPOLLIN, data={u32=3, u64=3}}], 8, 1000), epoll_pwait(..., NULL, 8): the events read at exit */
static void
tracefmt_epoll_wait(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	struct epoll_event ev[TRACEFMT_POLL_MAX];
	size_t len = sizeof(ev[0]) * (size_t)(s->ret > 0 ? s->ret : 0);

	(void)strsize;
	buf_printf(b, "%s(%d, ",
	    s->nr == SYS_epoll_wait ? "epoll_wait" : "epoll_pwait",
	    (int)s->a[0]);
	if (s->ret < 0 || s->ret > TRACEFMT_POLL_MAX ||
	    tracefmt_read(s->tid, s->a[1], ev, len) != (ssize_t)len)
		buf_puts(b, "...");
	else
		fmt_epoll_events(b, ev, (int)s->ret);
	buf_printf(b, ", %d, %d", (int)s->a[2], (int)s->a[3]);
	if (s->nr == SYS_epoll_pwait)
		tracefmt_sigmask(b, s, s->a[4], s->a[5]);
	else
		buf_addc(b, ')');
}

/* select(4, [3], NULL, NULL, {tv_sec=1, tv_usec=0}), pselect6(4, [3], NULL, NULL, {...}, NULL) */
static void
tracefmt_select(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	int k, nfds = (int)s->a[0];

	(void)strsize;
	buf_printf(b, "%s(%d, ", s->nr == SYS_select ? "select" : "pselect6",
	    nfds);
	for (k = 0; k < 3; k++) {
		fmt_fdset(b, &s->set[k], s->a[k + 1] != 0, nfds);
		buf_puts(b, ", ");
	}
	tracefmt_timeout(b, &s->tmo, s->has_tmo, s->nr == SYS_select);
	if (s->nr == SYS_pselect6)
		buf_puts(b, s->a[5] ? ", ...)" : ", NULL)");
	else
		buf_addc(b, ')');
}

/* Reads at entry the fds of a poll (n of them at addr): all or none. */
static void
tracefmt_poll_entry(struct tracefmt_sys *s)
{
	size_t len = sizeof(struct pollfd) * (size_t)s->a[1];

	s->npfd = 0;
	if (s->a[1] <= TRACEFMT_POLL_MAX &&
	    tracefmt_read(s->tid, s->a[0], s->pfd, len) == (ssize_t)len)
		s->npfd = (unsigned)s->a[1];
}

/* Reads a timeout at addr: a timespec, or a timeval (usec) kept in tv_nsec. Returns has_tmo's value. */
static int
tracefmt_read_timeout(pid_t tid, unsigned long long addr, int usec,
    struct timespec *ts)
{
	struct timeval tv;

	if (addr == 0)
		return 0;
	if (!usec)
		return tracefmt_read(tid, addr, ts, sizeof(*ts)) == sizeof(*ts)
		    ? 1
		    : -1;
	if (tracefmt_read(tid, addr, &tv, sizeof(tv)) != sizeof(tv))
		return -1;
	ts->tv_sec = tv.tv_sec;
	ts->tv_nsec = tv.tv_usec;
	return 1;
}

/* Reads at entry select's three sets (the bytes nfds covers) and its timeout. */
static void
tracefmt_select_entry(struct tracefmt_sys *s)
{
	size_t len = ((size_t)s->a[0] + 63) / 64 * 8;
	int k;

	if (len > sizeof(fd_set))
		len = sizeof(fd_set);
	for (k = 0; k < 3; k++) {
		FD_ZERO(&s->set[k]);
		if (s->a[k + 1])
			tracefmt_read(s->tid, s->a[k + 1], &s->set[k], len);
	}
	s->has_tmo = tracefmt_read_timeout(s->tid, s->a[4], s->nr == SYS_select,
	    &s->tmo);
}

/* Returns 1 when set holds an fd below nfds. */
static int
tracefmt_any(const fd_set *set, int nfds)
{
	int fd;

	for (fd = 0; fd < nfds && fd < FD_SETSIZE; fd++)
		if (FD_ISSET(fd, set))
			return 1;
	return 0;
}

/*
 * Appends what poll or select returned, read at exit, as strace does:
 * " = 1 ([{fd=3, revents=POLLIN}], left {...})", " = 2 (in [3], out [4])".
 */
static void
tracefmt_ready(struct buf *b, const struct tracefmt_sys *s)
{
	static const char *const word[3] = { "in", "out", "except" };
	struct pollfd p[TRACEFMT_POLL_MAX];
	struct timespec left;
	fd_set set;
	int k, any = 0, sel = s->nr == SYS_select || s->nr == SYS_pselect6;
	size_t len = sel ? ((size_t)s->a[0] + 63) / 64 * 8
	                 : sizeof(struct pollfd) * s->npfd;

	buf_printf(b, " = %ld (", s->ret);
	if (!sel) {
		if (tracefmt_read(s->tid, s->a[0], p, len) == (ssize_t)len)
			tracefmt_pollfds(b, p, s->npfd, 1);
		else
			buf_puts(b, "...");
		any = 1;
	}
	for (k = 0; sel && k < 3; k++) {
		FD_ZERO(&set);
		if (s->a[k + 1] == 0 ||
		    tracefmt_read(s->tid, s->a[k + 1], &set,
		        len > sizeof(set) ? sizeof(set) : len) <= 0)
			continue;
		if (!tracefmt_any(&set, (int)s->a[0]))
			continue;
		buf_printf(b, "%s%s ", any++ ? ", " : "", word[k]);
		fmt_fdset(b, &set, 1, (int)s->a[0]);
	}
	if (s->has_tmo == 1 && s->nr != SYS_poll &&
	    tracefmt_read_timeout(s->tid, s->a[s->nr == SYS_ppoll ? 2 : 4],
	        s->nr == SYS_select, &left) == 1) {
		buf_printf(b, "%sleft ", any ? ", " : "");
		tracefmt_timeout(b, &left, 1, s->nr == SYS_select);
	}
	buf_addc(b, ')');
}

/* Returns the fds a poll or select names, or an epoll_wait's instance watches (at most max of them, in fds). */
size_t
tracefmt_fds(const struct tracefmt_sys *s, int *fds, size_t max)
{
	struct epollinfo ep[TRACEFMT_POLL_MAX];
	size_t n = 0;
	int fd, k;

	if (s->nr == SYS_poll || s->nr == SYS_ppoll) {
		for (; n < s->npfd && n < max; n++)
			fds[n] = s->pfd[n].fd;
		return n;
	}
	if (s->nr == SYS_epoll_wait || s->nr == SYS_epoll_pwait) {
		k = epollinfo_read(s->tid, (int)s->a[0], ep,
		    max < TRACEFMT_POLL_MAX ? (int)max : TRACEFMT_POLL_MAX);
		for (; (int)n < k; n++)
			fds[n] = ep[n].fd;
		return n;
	}
	for (fd = 0; fd < (int)s->a[0] && fd < FD_SETSIZE && n < max; fd++)
		for (k = 0; k < 3; k++)
			if (s->a[k + 1] && FD_ISSET(fd, &s->set[k])) {
				fds[n++] = fd;
				break;
			}
	return n;
}

/*
 * Appends a result strace shows with more than the number, as fcntl
 * F_GETFL's " = 0x802 (flags O_RDWR|O_NONBLOCK)". Returns 0 for others.
 */
int
tracefmt_result(struct buf *b, const struct tracefmt_sys *s)
{
	int waits = s->nr == SYS_poll || s->nr == SYS_ppoll ||
	    s->nr == SYS_select || s->nr == SYS_pselect6;

	if (waits && s->ret == 0)
		buf_puts(b, " = 0 (Timeout)");
	else if (waits && s->ret > 0)
		tracefmt_ready(b, s);
	if (waits)
		return s->ret >= 0;
	if (s->nr != SYS_fcntl || s->a[1] != F_GETFL || s->ret < 0)
		return 0;
	buf_printf(b, " = %#lx (flags ", s->ret);
	tracefmt_flags(b, s->ret);
	buf_addc(b, ')');
	return 1;
}

/* The calls traced, in the order of the seccomp filter. */
static const struct tracefmt_call tracefmt_calls[] = {
	{ SYS_socket, "socket", -1, tracefmt_socket, 0, 0 },
	{ SYS_socketpair, "socketpair", -1, tracefmt_socketpair, 0, 0 },
	{ SYS_bind, "bind", 0, tracefmt_named, 0, 0 },
	{ SYS_connect, "connect", 0, tracefmt_named, 1, 0 },
	{ SYS_listen, "listen", 0, tracefmt_fd_int, 0, 0 },
	{ SYS_accept, "accept", 0, tracefmt_accept, 1, 0 },
	{ SYS_accept4, "accept4", 0, tracefmt_accept, 1, 0 },
	{ SYS_getsockname, "getsockname", 0, tracefmt_accept, 0, 0 },
	{ SYS_getpeername, "getpeername", 0, tracefmt_accept, 0, 0 },
	{ SYS_sendto, "sendto", 0, tracefmt_sendto, 1, 0 },
	{ SYS_recvfrom, "recvfrom", 0, tracefmt_recvfrom, 1, 0 },
	{ SYS_sendmsg, "sendmsg", 0, tracefmt_msg, 1, 0 },
	{ SYS_recvmsg, "recvmsg", 0, tracefmt_msg, 1, 0 },
	{ SYS_sendmmsg, "sendmmsg", 0, tracefmt_mmsg, 1, 0 },
	{ SYS_recvmmsg, "recvmmsg", 0, tracefmt_mmsg, 1, 0 },
	{ SYS_shutdown, "shutdown", 0, tracefmt_fd_int, 0, 0 },
	{ SYS_setsockopt, "setsockopt", 0, tracefmt_sockopt, 0, 0 },
	{ SYS_getsockopt, "getsockopt", 0, tracefmt_sockopt, 0, 0 },
	{ SYS_close, "close", 0, tracefmt_fd_int, 0, 1 },
	{ SYS_ioctl, "ioctl", 0, tracefmt_ioctl, 0, 1 },
	{ SYS_fcntl, "fcntl", 0, tracefmt_fcntl, 0, 1 },
	{ SYS_dup, "dup", 0, tracefmt_dup, 0, 1 },
	{ SYS_dup2, "dup2", 0, tracefmt_dup, 0, 1 },
	{ SYS_dup3, "dup3", 0, tracefmt_dup, 0, 1 },
	{ SYS_poll, "poll", -1, tracefmt_poll, 1, 0 },
	{ SYS_ppoll, "ppoll", -1, tracefmt_poll, 1, 0 },
	{ SYS_select, "select", -1, tracefmt_select, 1, 0 },
	{ SYS_pselect6, "pselect6", -1, tracefmt_select, 1, 0 },
	{ SYS_epoll_ctl, "epoll_ctl", 2, tracefmt_epoll_ctl, 0, 1 },
	{ SYS_epoll_wait, "epoll_wait", -1, tracefmt_epoll_wait, 1, 0 },
	{ SYS_epoll_pwait, "epoll_pwait", -1, tracefmt_epoll_wait, 1, 0 },
	{ 0, NULL, -1, NULL, 0, 0 },
};

/* Returns the traced call of number nr, or NULL. */
const struct tracefmt_call *
tracefmt_find(long nr)
{
	const struct tracefmt_call *t;

	for (t = tracefmt_calls; t->name; t++)
		if (t->nr == nr)
			return t;
	return NULL;
}

/* Returns the numbers of the traced calls (n of them), for the filter. */
const long *
tracefmt_numbers(size_t *n)
{
	static long v[sizeof(tracefmt_calls) / sizeof(tracefmt_calls[0])];
	size_t i;

	for (i = 0; tracefmt_calls[i].name; i++)
		v[i] = tracefmt_calls[i].nr;
	*n = i;
	return v;
}

/* Reads at the call's entry what its line needs and its exit may change: data, address, lengths. */
void
tracefmt_entry(struct tracefmt_sys *s, int strsize)
{
	unsigned long long addr = 0, len = 0, lenp = 0;
	size_t n;
	ssize_t got;

	s->data_len = s->addr_len = s->len_in = 0;
	switch (s->nr) {
	case SYS_bind:
	case SYS_connect:
		addr = s->a[1];
		len = s->a[2];
		break;
	case SYS_sendto:
		addr = s->a[4];
		len = s->a[5];
		n = s->a[2] < (size_t)strsize ? (size_t)s->a[2]
		                              : (size_t)strsize;
		if (n > sizeof(s->data))
			n = sizeof(s->data);
		got = tracefmt_read(s->tid, s->a[1], s->data, n);
		s->data_len = got > 0 ? (size_t)got : 0;
		break;
	case SYS_accept:
	case SYS_accept4:
	case SYS_getsockname:
	case SYS_getpeername:
		lenp = s->a[2];
		break;
	case SYS_recvfrom:
		lenp = s->a[5];
		break;
	case SYS_getsockopt:
		lenp = s->a[4];
		break;
	case SYS_poll:
	case SYS_ppoll:
		tracefmt_poll_entry(s);
		if (s->nr == SYS_ppoll)
			s->has_tmo =
			    tracefmt_read_timeout(s->tid, s->a[2], 0, &s->tmo);
		break;
	case SYS_select:
	case SYS_pselect6:
		tracefmt_select_entry(s);
		break;
	case SYS_sendmsg:
	case SYS_recvmsg:
		tracefmt_msg_entry(s, strsize);
		break;
	case SYS_epoll_ctl:
		got = tracefmt_read(s->tid, s->a[3], s->data,
		    sizeof(struct epoll_event));
		s->data_len = got > 0 ? (size_t)got : 0;
		break;
	default:
		break;
	}
	if (lenp &&
	    tracefmt_read(s->tid, lenp, &s->len_in, sizeof(s->len_in)) !=
	        sizeof(s->len_in))
		s->len_in = 0;
	memset(&s->addr, 0, sizeof(s->addr));
	if (len > sizeof(s->addr))
		len = sizeof(s->addr);
	if (addr &&
	    tracefmt_read(s->tid, addr, &s->addr, (size_t)len) == (ssize_t)len)
		s->addr_len = (socklen_t)len;
}

/* Appends the whole call line without its result: "accept4(3, {...}, [16], SOCK_CLOEXEC)". */
void
tracefmt_line(struct buf *b, const struct tracefmt_sys *s, int strsize)
{
	const struct tracefmt_call *t = tracefmt_find(s->nr);

	if (t == NULL) {
		buf_printf(b, "syscall_%ld(...)", s->nr);
		return;
	}
	if (t->fd_arg >= 0) /* the others write their own name */
		buf_printf(b, "%s(", t->name);
	t->format(b, s, strsize);
}
