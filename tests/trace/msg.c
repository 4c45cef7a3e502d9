/*
 * sendmsg and recvmsg for the trace tests: on a Unix socket pair, a
 * message in two pieces, one longer than strace's string limit, one
 * passing a pipe's descriptor (SCM_RIGHTS) and one with credentials
 * (SCM_CREDENTIALS, which the receiver without SO_PASSCRED does not
 * get); on a UDP socket bound to 127.0.0.1 port 0, a
 * datagram to itself with its address (msg_name); a recvmsg that finds
 * nothing (EAGAIN); then sendmmsg and recvmmsg. Prints "PID 0" first.
 */
#define _GNU_SOURCE /* sendmmsg, recvmmsg, struct ucred */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Sends the bytes of text on fd in two pieces, with control data ctl (len bytes) when ctl is not NULL. */
static void
send_two(int fd, const char *text, size_t cut, void *ctl, size_t len)
{
	struct iovec iov[2] = { { (void *)text, cut },
		{ (void *)(text + cut), strlen(text) - cut } };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	m.msg_control = ctl;
	m.msg_controllen = len;
	sendmsg(fd, &m, 0);
}

/* Receives on fd into two buffers (8 and 1024 bytes), with room for control data and the sender's address. */
static void
recv_two(int fd, int flags)
{
	char a[8], b[1024], ctl[64];
	struct sockaddr_in sa;
	struct iovec iov[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct msghdr m;

	memset(&m, 0, sizeof(m));
	m.msg_name = &sa;
	m.msg_namelen = sizeof(sa);
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	m.msg_control = ctl;
	m.msg_controllen = sizeof(ctl);
	recvmsg(fd, &m, flags);
}

/* Passes fd on s in an SCM_RIGHTS message. */
static void
send_fd(int s, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct cmsghdr *c = (struct cmsghdr *)u.buf;

	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	send_two(s, "here is a pipe", 4, u.buf, sizeof(u.buf));
}

/* A UDP socket on 127.0.0.1 sends itself a datagram with sendmsg and msg_name, and reads it with recvmsg. */
static void
udp_self(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	struct iovec iov = { (void *)"ping", 4 };
	struct msghdr m;
	int u = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(u, (struct sockaddr *)&sa, sizeof(sa));
	getsockname(u, (struct sockaddr *)&sa, &len);
	memset(&m, 0, sizeof(m));
	m.msg_name = &sa;
	m.msg_namelen = sizeof(sa);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	sendmsg(u, &m, 0);
	recv_two(u, 0);
	close(u);
}

/* sendmmsg of two messages and recvmmsg of them: named by the trace, not decoded. */
static void
mmsg(int a, int b)
{
	char x[16], y[16];
	struct iovec out[2] = { { (void *)"one", 3 }, { (void *)"two", 3 } };
	struct iovec in[2] = { { x, sizeof(x) }, { y, sizeof(y) } };
	struct mmsghdr m[2];
	int i;

	memset(m, 0, sizeof(m));
	for (i = 0; i < 2; i++) {
		m[i].msg_hdr.msg_iov = &out[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	sendmmsg(a, m, 2, 0);
	for (i = 0; i < 2; i++)
		m[i].msg_hdr.msg_iov = &in[i];
	recvmmsg(b, m, 2, MSG_DONTWAIT, NULL);
}

int
main(void)
{
	struct ucred cred = { getpid(), getuid(), getgid() };
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct cmsghdr *c = (struct cmsghdr *)u.buf;
	int sv[2], p[2];

	printf("%d 0\n", (int)getpid());
	fflush(stdout);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == -1 || pipe(p) == -1)
		return 1;
	send_two(sv[0], "Hello, world", 7, NULL, 0);
	recv_two(sv[1], 0);
	send_two(sv[0], "a message longer than strace's string limit", 20, NULL,
	    0);
	recv_two(sv[1], 0);
	send_fd(sv[0], p[1]);
	recv_two(sv[1], 0);
	memset(&u, 0, sizeof(u));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(cred));
	memcpy(CMSG_DATA(c), &cred, sizeof(cred));
	send_two(sv[0], "who am I", 3, u.buf, sizeof(u.buf));
	recv_two(sv[1], 0);
	recv_two(sv[1], MSG_DONTWAIT);
	udp_self();
	mmsg(sv[0], sv[1]);
	close(sv[0]);
	close(sv[1]);
	return 0;
}
