#include "fake_sys.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Each fake socket lives in this table, indexed by fd - FAKE_FD0. The
 * fds are numbers only: no call here touches a real descriptor, every
 * call returns at once, and errors come from fixed rules (port 1 is
 * refused, a port ending in 7 is in use), so that error paths are fuzzed
 * as well as success.
 */
#define FAKE_FD0 3
#define FAKE_MAX 64

struct fake_sock {
	int used;
	int domain;
	int type;
	int state; /* TCP_* of netinet/tcp.h, 0 when new */
	int bound;
	int shut; /* SHUT_RD + 1 | SHUT_WR + 1 bits */
	int recvs; /* recv calls so far */
	int nonblock;
	struct sockaddr_storage local;
	socklen_t locallen;
	struct sockaddr_storage peer;
	socklen_t peerlen;
};

static struct fake_sock fake_socks[FAKE_MAX];
static int fake_next_port = 40000;

/* Forgets every fake socket: the start of a fresh input. */
void
fake_sys_reset(void)
{
	memset(fake_socks, 0, sizeof(fake_socks));
	fake_next_port = 40000;
}

/* Returns the fake socket fd stands for, or NULL with errno EBADF. */
static struct fake_sock *
fake_get(int fd)
{
	if (fd < FAKE_FD0 || fd >= FAKE_FD0 + FAKE_MAX ||
	    !fake_socks[fd - FAKE_FD0].used) {
		errno = EBADF;
		return NULL;
	}
	return &fake_socks[fd - FAKE_FD0];
}

/* Returns a free fd with its socket cleared, or -1 with errno EMFILE. */
static int
fake_alloc(int domain, int type)
{
	int i;

	for (i = 0; i < FAKE_MAX; i++) {
		if (!fake_socks[i].used) {
			memset(&fake_socks[i], 0, sizeof(fake_socks[i]));
			fake_socks[i].used = 1;
			fake_socks[i].domain = domain;
			fake_socks[i].type = type;
			return FAKE_FD0 + i;
		}
	}
	errno = EMFILE;
	return -1;
}

/* Returns the port of an AF_INET or AF_INET6 address, else 0. */
static int
fake_port(const struct sockaddr *sa, socklen_t len)
{
	if (sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

/* Fills ss with 127.0.0.1:port. Returns its length. */
static socklen_t
fake_loopback(struct sockaddr_storage *ss, int port)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*sin);
}

/* Copies an address out as the kernel does: truncated to *len, full length back. */
static void
fake_copyout(const struct sockaddr_storage *ss, socklen_t sslen,
    struct sockaddr *sa, socklen_t *len)
{
	if (sa && len)
		memcpy(sa, ss, *len < sslen ? *len : sslen);
	if (len)
		*len = sslen;
}

/* socket(2): a new fake socket, or EAFNOSUPPORT for a family it does not know. */
static int
fake_socket(int domain, int type, int proto)
{
	(void)proto;
	if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return fake_alloc(domain, type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC));
}

/* bind(2): EADDRINUSE for ports ending in 7, EINVAL when bound twice. */
static int
fake_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct fake_sock *s = fake_get(fd);
	int port;

	if (s == NULL)
		return -1;
	if (s->bound || len > sizeof(s->local)) {
		errno = EINVAL;
		return -1;
	}
	port = fake_port(sa, len);
	if (port % 10 == 7) {
		errno = EADDRINUSE;
		return -1;
	}
	memcpy(&s->local, sa, len);
	s->locallen = len;
	if (port == 0 && sa->sa_family == AF_INET)
		((struct sockaddr_in *)&s->local)->sin_port =
		    htons((uint16_t)fake_next_port++);
	s->bound = 1;
	return 0;
}

/* listen(2): LISTEN, or EOPNOTSUPP on a datagram socket. */
static int
fake_listen(int fd, int backlog)
{
	struct fake_sock *s = fake_get(fd);

	(void)backlog;
	if (s == NULL)
		return -1;
	if (s->type != SOCK_STREAM) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (!s->bound)
		s->locallen = fake_loopback(&s->local, fake_next_port++);
	s->bound = 1;
	s->state = TCP_LISTEN;
	return 0;
}

/* accept(2): a connected socket at once, or EINVAL when not listening. */
static int
fake_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct fake_sock *s = fake_get(fd), *c;
	int nfd;

	if (s == NULL)
		return -1;
	if (s->state != TCP_LISTEN) {
		errno = EINVAL;
		return -1;
	}
	if (s->nonblock && s->recvs++ % 2) {
		errno = EAGAIN;
		return -1;
	}
	if ((nfd = fake_alloc(s->domain, s->type)) == -1)
		return -1;
	c = &fake_socks[nfd - FAKE_FD0];
	c->state = TCP_ESTABLISHED;
	c->bound = 1;
	c->local = s->local;
	c->locallen = s->locallen;
	c->peerlen = fake_loopback(&c->peer, 51234);
	fake_copyout(&c->peer, c->peerlen, sa, len);
	return nfd;
}

/* accept4(2): accept, with SOCK_NONBLOCK set on the new socket. */
static int
fake_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	int nfd = fake_accept(fd, sa, len);

	if (nfd != -1 && (flags & SOCK_NONBLOCK))
		fake_socks[nfd - FAKE_FD0].nonblock = 1;
	return nfd;
}

/* connect(2): ECONNREFUSED for port 1, EISCONN when connected, else ESTABLISHED. */
static int
fake_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	struct fake_sock *s = fake_get(fd);

	if (s == NULL)
		return -1;
	if (len > sizeof(s->peer)) {
		errno = EINVAL;
		return -1;
	}
	if (s->state == TCP_ESTABLISHED) {
		errno = EISCONN;
		return -1;
	}
	if (fake_port(sa, len) == 1) {
		errno = ECONNREFUSED;
		return -1;
	}
	if (s->nonblock) {
		s->state = TCP_SYN_SENT;
		errno = EINPROGRESS;
		return -1;
	}
	memcpy(&s->peer, sa, len);
	s->peerlen = len;
	if (!s->bound)
		s->locallen = fake_loopback(&s->local, fake_next_port++);
	s->bound = 1;
	s->state = TCP_ESTABLISHED;
	return 0;
}

/* send(2): at most 64 KiB a call; EPIPE after SHUT_WR, ENOTCONN when not connected. */
static ssize_t
fake_send(int fd, const void *p, size_t len, int flags)
{
	struct fake_sock *s = fake_get(fd);

	(void)p;
	(void)flags;
	if (s == NULL)
		return -1;
	if (s->type == SOCK_STREAM && s->state != TCP_ESTABLISHED &&
	    s->state != TCP_CLOSE_WAIT) {
		errno = ENOTCONN;
		return -1;
	}
	if (s->shut & (SHUT_WR + 1)) {
		errno = EPIPE;
		return -1;
	}
	return (ssize_t)(len < 65536 ? len : 65536);
}

/* recv(2): "Hello, world" first, then EOF (0), then ECONNRESET; EAGAIN when non-blocking. */
static ssize_t
fake_recv(int fd, void *p, size_t len, int flags)
{
	static const char hello[] = "Hello, world";
	struct fake_sock *s = fake_get(fd);
	size_t n;

	(void)flags;
	if (s == NULL)
		return -1;
	switch (s->recvs++ % 4) {
	case 0:
		n = len < sizeof(hello) - 1 ? len : sizeof(hello) - 1;
		memcpy(p, hello, n);
		return (ssize_t)n;
	case 1:
		if (len > 0)
			memset(p, 0xff, 1);
		return len > 0 ? 1 : 0;
	case 2:
		if (s->state == TCP_ESTABLISHED)
			s->state = TCP_CLOSE_WAIT;
		return 0;
	default:
		errno = s->nonblock ? EAGAIN : ECONNRESET;
		return -1;
	}
}

/* shutdown(2): ENOTCONN unless connected, EINVAL for a bad how. */
static int
fake_shutdown(int fd, int how)
{
	struct fake_sock *s = fake_get(fd);

	if (s == NULL)
		return -1;
	if (how < SHUT_RD || how > SHUT_RDWR) {
		errno = EINVAL;
		return -1;
	}
	if (s->state != TCP_ESTABLISHED && s->state != TCP_CLOSE_WAIT &&
	    s->state != TCP_FIN_WAIT2) {
		errno = ENOTCONN;
		return -1;
	}
	s->shut |= how == SHUT_RDWR ? 3 : how + 1;
	if (how != SHUT_RD)
		s->state =
		    s->state == TCP_CLOSE_WAIT ? TCP_LAST_ACK : TCP_FIN_WAIT2;
	return 0;
}

/* close(2): frees the fake socket, or EBADF. */
static int
fake_close(int fd)
{
	struct fake_sock *s = fake_get(fd);

	if (s == NULL)
		return -1;
	s->used = 0;
	return 0;
}

/* dup(2): refused, so that no two fake fds share a socket. */
static int
fake_dup(int fd)
{
	if (fake_get(fd) == NULL)
		return -1;
	errno = EMFILE;
	return -1;
}

/* dup2(2) and dup3(2): refused, as dup is. */
static int
fake_dup3(int fd, int to, int flags)
{
	(void)to;
	(void)flags;
	return fake_dup(fd);
}

/* dup2(2): refused, as dup is. */
static int
fake_dup2(int fd, int to)
{
	return fake_dup3(fd, to, 0);
}

/* fstat(2): a fake socket's inode is its fd. */
static int
fake_fstat(int fd, struct stat *st)
{
	if (fake_get(fd) == NULL)
		return -1;
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFSOCK;
	st->st_ino = (ino_t)fd;
	return 0;
}

/* getsockname(2): the bound address, or 0.0.0.0:0. */
static int
fake_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct fake_sock *s = fake_get(fd);
	struct sockaddr_storage any;
	socklen_t anylen;

	if (s == NULL)
		return -1;
	if (s->bound) {
		fake_copyout(&s->local, s->locallen, sa, len);
		return 0;
	}
	anylen = fake_loopback(&any, 0);
	((struct sockaddr_in *)&any)->sin_addr.s_addr = htonl(INADDR_ANY);
	fake_copyout(&any, anylen, sa, len);
	return 0;
}

/* getpeername(2): the peer, or ENOTCONN. */
static int
fake_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	struct fake_sock *s = fake_get(fd);

	if (s == NULL)
		return -1;
	if (s->peerlen == 0) {
		errno = ENOTCONN;
		return -1;
	}
	fake_copyout(&s->peer, s->peerlen, sa, len);
	return 0;
}

/* setsockopt(2): accepts anything of at least an int, like most options. */
static int
fake_setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	(void)level;
	(void)name;
	(void)v;
	if (fake_get(fd) == NULL)
		return -1;
	if (len < sizeof(int)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* getsockopt(2): TCP_INFO's state, SO_ACCEPTCONN, SO_TYPE; zeros for the rest. */
static int
fake_getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	struct fake_sock *s = fake_get(fd);
	struct tcp_info ti;
	int iv = 0;

	if (s == NULL)
		return -1;
	if (level == IPPROTO_TCP && name == TCP_INFO) {
		memset(&ti, 0, sizeof(ti));
		ti.tcpi_state = (uint8_t)(s->state ? s->state : TCP_CLOSE);
		if (*len > sizeof(ti))
			*len = sizeof(ti);
		memcpy(v, &ti, *len);
		return 0;
	}
	if (level == SOL_SOCKET && name == SO_ACCEPTCONN)
		iv = s->state == TCP_LISTEN;
	else if (level == SOL_SOCKET && name == SO_TYPE)
		iv = s->type;
	else if (level == SOL_SOCKET && name == SO_DOMAIN)
		iv = s->domain;
	memset(v, 0, *len);
	if (*len > sizeof(iv))
		*len = sizeof(iv);
	memcpy(v, &iv, *len);
	return 0;
}

/* ioctl(2) with an int: FIONBIO sets non-blocking mode; queues are empty. */
static int
fake_ioctl_int(int fd, unsigned long req, int *arg)
{
	struct fake_sock *s = fake_get(fd);

	if (s == NULL)
		return -1;
	if (req == FIONBIO)
		s->nonblock = *arg != 0;
	else
		*arg = 0;
	return 0;
}

/* fcntl(F_GETFL): O_RDWR, with O_NONBLOCK when set. */
static int
fake_fcntl_getfl(int fd)
{
	struct fake_sock *s = fake_get(fd);

	if (s == NULL)
		return -1;
	return O_RDWR | (s->nonblock ? O_NONBLOCK : 0);
}

/* fcntl(F_SETFL): sets or clears O_NONBLOCK. */
static int
fake_fcntl_setfl(int fd, int flags)
{
	struct fake_sock *s = fake_get(fd);

	if (s == NULL)
		return -1;
	s->nonblock = (flags & O_NONBLOCK) != 0;
	return 0;
}

/* fcntl(F_GETFD): 0 for a fake socket, EBADF for any other fd. */
static int
fake_fcntl_getfd(int fd)
{
	return fake_get(fd) ? 0 : -1;
}

/* sendmsg(2) and recvmsg(2): a fake socket has no ancillary data to pass. */
static ssize_t
fake_sendmsg(int fd, const struct msghdr *m, int flags)
{
	(void)m;
	(void)flags;
	if (fake_get(fd) == NULL)
		return -1;
	errno = EOPNOTSUPP;
	return -1;
}

/* recvmsg(2): refused, as sendmsg is. */
static ssize_t
fake_recvmsg(int fd, struct msghdr *m, int flags)
{
	return fake_sendmsg(fd, m, flags);
}

/* gethostname(2): a fixed name, ENAMETOOLONG when it does not fit. */
static int
fake_gethostname(char *name, size_t len)
{
	if (len < sizeof("fuzzhost")) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(name, "fuzzhost", sizeof("fuzzhost"));
	return 0;
}

/* sendto(2) on a fake socket: takes every byte, like send. */
static ssize_t
fake_sendto(int fd, const void *p, size_t len, int flags,
    const struct sockaddr *sa, socklen_t salen)
{
	(void)sa;
	(void)salen;
	return fake_send(fd, p, len, flags);
}

/* recvfrom(2) on a fake socket: as recv, with no address. */
static ssize_t
fake_recvfrom(int fd, void *p, size_t len, int flags, struct sockaddr *sa,
    socklen_t *salen)
{
	(void)sa;
	if (salen)
		*salen = 0;
	return fake_recv(fd, p, len, flags);
}

/* socketpair(2): refused, so that no fake fds leak from it. */
static int
fake_socketpair(int domain, int type, int proto, int *sv)
{
	(void)domain;
	(void)type;
	(void)proto;
	(void)sv;
	errno = EMFILE;
	return -1;
}

/* poll(2): nothing is ever ready, and it never waits. */
static int
fake_poll(struct pollfd *fds, unsigned long n, int timeout)
{
	(void)fds;
	(void)n;
	(void)timeout;
	return 0;
}

/* select(2): nothing is ever ready, and it never waits. */
static int
fake_select(int n, fd_set *r, fd_set *w, fd_set *x, struct timeval *tv)
{
	(void)n;
	(void)tv;
	if (r)
		FD_ZERO(r);
	if (w)
		FD_ZERO(w);
	if (x)
		FD_ZERO(x);
	return 0;
}

/* getaddrinfo(3): never resolves, never touches the network. */
static int
fake_getaddrinfo(const char *host, const char *serv,
    const struct addrinfo *hints, struct addrinfo **res)
{
	(void)host;
	(void)serv;
	(void)hints;
	*res = NULL;
	return EAI_NONAME;
}

/* freeaddrinfo(3): there is never anything to free. */
static void
fake_freeaddrinfo(struct addrinfo *res)
{
	(void)res;
}

/* unlink(2): never removes a real file. */
static int
fake_unlink(const char *path)
{
	(void)path;
	errno = ENOENT;
	return -1;
}

/* epoll_create1(2): a fake fd of no family, like an epoll instance. */
static int
fake_epoll_create1(int flags)
{
	if (flags & ~EPOLL_CLOEXEC) {
		errno = EINVAL;
		return -1;
	}
	return fake_alloc(0, 0);
}

/* epoll_ctl(2): both fds must be open; nothing is remembered. */
static int
fake_epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	(void)op;
	(void)ev;
	if (fake_get(epfd) == NULL || fake_get(fd) == NULL)
		return -1;
	if (epfd == fd) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* epoll_wait(2): nothing is ever ready, and it never waits. */
static int
fake_epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	(void)ev;
	(void)timeout;
	if (fake_get(epfd) == NULL)
		return -1;
	if (max <= 0) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

const struct sys_ops fake_sys = {
	.socket = fake_socket,
	.bind = fake_bind,
	.listen = fake_listen,
	.accept = fake_accept,
	.accept4 = fake_accept4,
	.connect = fake_connect,
	.send = fake_send,
	.recv = fake_recv,
	.shutdown = fake_shutdown,
	.close = fake_close,
	.dup = fake_dup,
	.dup2 = fake_dup2,
	.dup3 = fake_dup3,
	.fstat = fake_fstat,
	.getsockname = fake_getsockname,
	.getpeername = fake_getpeername,
	.setsockopt = fake_setsockopt,
	.getsockopt = fake_getsockopt,
	.ioctl_int = fake_ioctl_int,
	.fcntl_getfl = fake_fcntl_getfl,
	.fcntl_setfl = fake_fcntl_setfl,
	.fcntl_getfd = fake_fcntl_getfd,
	.gethostname = fake_gethostname,
	.sendto = fake_sendto,
	.recvfrom = fake_recvfrom,
	.socketpair = fake_socketpair,
	.sendmsg = fake_sendmsg,
	.recvmsg = fake_recvmsg,
	.poll = fake_poll,
	.select = fake_select,
	.getaddrinfo = fake_getaddrinfo,
	.freeaddrinfo = fake_freeaddrinfo,
	.unlink = fake_unlink,
	.epoll_create1 = fake_epoll_create1,
	.epoll_ctl = fake_epoll_ctl,
	.epoll_wait = fake_epoll_wait,
};
