/*
 * Unit tests of command dispatch (src/calls/cmd.c and the commands) through a
 * fake struct sys_ops: each call returns what the test chose, so errno
 * paths that loopback cannot produce on demand are checked line by line.
 * No socket is made.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "cmd.h"
#include "handle.h"
#include "shell.h"
#include "run.h"
#include "sig.h"
#include "sys.h"

/* What the fake calls return, and which were made. */
struct fake {
	int next_fd; /* what socket and accept return */
	int socket_err; /* errno to fail with, 0 to succeed */
	int bind_err;
	int listen_err;
	int accept_err;
	int connect_err;
	int send_err;
	int send_sigpipe; /* the failing send also raises SIGPIPE */
	size_t send_max; /* bytes one send takes, 0 for all */
	int recv_err;
	const char *recv_data;
	size_t recv_len;
	int shutdown_err;
	int close_err;
	int dup_err;
	int unread; /* SIOCINQ */
	int fl; /* fcntl(F_GETFL) */
	int state; /* TCP_INFO's state: the evidence notes read */
	int listening; /* SO_ACCEPTCONN */
	int timeout; /* SO_RCVTIMEO, in seconds */
	int peer; /* getpeername succeeds (else ENOTCONN) */
	char log[1024]; /* calls that change state, space-separated */
};

static struct fake fk;

/*
 * Records that call name was made. Only calls that change socket state are
 * logged: inspection (getsockname, getsockopt, ioctl, ...) may come and go.
 */
static void
fake_log(const char *name)
{
	size_t n = strlen(fk.log);

	snprintf(fk.log + n, sizeof(fk.log) - n, "%s%s", n ? " " : "", name);
}

/* Fails with err when it is set. Returns -1, or 0 when err is 0. */
static int
fake_result(int err)
{
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

/* Fills ss with 127.0.0.1:port. */
static void
fake_addr(struct sockaddr *sa, socklen_t *len, unsigned port)
{
	struct sockaddr_in in;

	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = htons((unsigned short)port);
	in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	memcpy(sa, &in, *len < sizeof(in) ? *len : sizeof(in));
	*len = sizeof(in);
}

static int
fake_socket(int d, int t, int p)
{
	(void)d;
	(void)t;
	(void)p;
	fake_log("socket");
	return fake_result(fk.socket_err) ? -1 : fk.next_fd++;
}

static int
fake_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)fd;
	(void)sa;
	(void)len;
	fake_log("bind");
	return fake_result(fk.bind_err);
}

static int
fake_listen(int fd, int backlog)
{
	(void)fd;
	(void)backlog;
	fake_log("listen");
	return fake_result(fk.listen_err);
}

static int
fake_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	(void)fd;
	fake_log("accept");
	if (fake_result(fk.accept_err))
		return -1;
	fake_addr(sa, len, 51234);
	return fk.next_fd++;
}

static int
fake_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	(void)fd;
	(void)sa;
	(void)len;
	fake_log("connect");
	return fake_result(fk.connect_err);
}

static ssize_t
fake_send(int fd, const void *p, size_t len, int flags)
{
	(void)fd;
	(void)p;
	(void)flags;
	fake_log("send");
	if (fk.send_err && fk.send_sigpipe)
		sig_pipe = 1;
	if (fake_result(fk.send_err))
		return -1;
	return (ssize_t)(fk.send_max && len > fk.send_max ? fk.send_max : len);
}

static ssize_t
fake_recv(int fd, void *p, size_t len, int flags)
{
	size_t n = fk.recv_len < len ? fk.recv_len : len;

	(void)fd;
	(void)flags;
	fake_log("recv");
	if (fake_result(fk.recv_err))
		return -1;
	if (n)
		memcpy(p, fk.recv_data, n);
	return (ssize_t)n;
}

static int
fake_shutdown(int fd, int how)
{
	(void)fd;
	(void)how;
	fake_log("shutdown");
	return fake_result(fk.shutdown_err);
}

static int
fake_close(int fd)
{
	(void)fd;
	fake_log("close");
	return fake_result(fk.close_err);
}

static int
fake_dup(int fd)
{
	(void)fd;
	fake_log("dup");
	return fake_result(fk.dup_err) ? -1 : fk.next_fd++;
}

/* fstat(2): every fd is a socket of its own (inode = fd). */
static int
fake_fstat(int fd, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_mode = S_IFSOCK;
	st->st_ino = (ino_t)fd;
	return 0;
}

static int
fake_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	(void)fd;
	fake_addr(sa, len, 40000);
	return 0;
}

static int
fake_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	(void)fd;
	if (fake_result(fk.peer ? 0 : ENOTCONN))
		return -1;
	fake_addr(sa, len, 65432);
	return 0;
}

static int
fake_setsockopt(int fd, int level, int name, const void *v, socklen_t len)
{
	(void)fd;
	(void)level;
	(void)name;
	(void)v;
	(void)len;
	return 0;
}

static int
fake_getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	(void)fd;
	memset(v, 0, *len);
	if (level == IPPROTO_TCP && name == TCP_INFO)
		*(unsigned char *)v = (unsigned char)fk.state;
	else if (name == SO_ACCEPTCONN)
		*(int *)v = fk.listening;
	else if (name == SO_RCVTIMEO)
		((struct timeval *)v)->tv_sec = fk.timeout;
	return 0;
}

static int
fake_ioctl_int(int fd, unsigned long req, int *arg)
{
	(void)fd;
	(void)req;
	*arg = fk.unread;
	return 0;
}

static int
fake_fcntl_getfl(int fd)
{
	(void)fd;
	return fk.fl;
}

static int
fake_gethostname(char *name, size_t len)
{
	snprintf(name, len, "testhost");
	return 0;
}

static const struct sys_ops fake_sys = {
	.socket = fake_socket,
	.bind = fake_bind,
	.listen = fake_listen,
	.accept = fake_accept,
	.connect = fake_connect,
	.send = fake_send,
	.recv = fake_recv,
	.shutdown = fake_shutdown,
	.close = fake_close,
	.dup = fake_dup,
	.fstat = fake_fstat,
	.getsockname = fake_getsockname,
	.getpeername = fake_getpeername,
	.setsockopt = fake_setsockopt,
	.getsockopt = fake_getsockopt,
	.ioctl_int = fake_ioctl_int,
	.fcntl_getfl = fake_fcntl_getfl,
	.gethostname = fake_gethostname,
};

/* A shell on the fake, printing into memory. */
struct ctx {
	struct shell sh;
	char *obuf, *ebuf;
	size_t olen, elen;
	const char *out; /* what the last run printed on sh.out */
	const char *err; /* and on sh.err */
};

static struct ctx cx;

static int
setup(void **state)
{
	memset(&fk, 0, sizeof(fk));
	fk.next_fd = 3;
	memset(&cx, 0, sizeof(cx));
	shell_init(&cx.sh, &fake_sys, open_memstream(&cx.obuf, &cx.olen),
	    open_memstream(&cx.ebuf, &cx.elen));
	if (cx.sh.out == NULL || cx.sh.err == NULL)
		return -1;
	sig_pipe = 0;
	sig_int = 0;
	*state = &cx;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	shell_free(&cx.sh);
	fclose(cx.sh.out);
	fclose(cx.sh.err);
	free(cx.obuf);
	free(cx.ebuf);
	return 0;
}

/* Runs one line; its output goes to cx.out and cx.err. Returns its result. */
static int
run(const char *line)
{
	size_t o, e;
	int rc;

	fflush(cx.sh.out);
	fflush(cx.sh.err);
	o = cx.olen;
	e = cx.elen;
	fk.log[0] = '\0';
	rc = shell_run_line(&cx.sh, line, strlen(line));
	fflush(cx.sh.out);
	fflush(cx.sh.err);
	cx.out = cx.obuf + o;
	cx.err = cx.ebuf + e;
	return rc;
}

/* Runs a line that must print want and nothing on stderr. */
static void
run_ok(const char *line, const char *want)
{
	assert_int_equal(run(line), 0);
	assert_string_equal(cx.err, "");
	assert_string_equal(cx.out, want);
}

/*
 * Runs a line that must be a usage error printing want (after the
 * program's name, as a shell not at a prompt prints), and call nothing.
 */
static void
run_usage(const char *line, const char *want)
{
	int errors = cx.sh.errors;
	char full[2048];

	snprintf(full, sizeof(full), "sockstep:%s%s", cx.sh.src ? "" : " ",
	    want);
	assert_int_equal(run(line), -1);
	assert_string_equal(cx.out, "");
	assert_string_equal(cx.err, full);
	assert_string_equal(fk.log, "");
	assert_int_equal(cx.sh.errors, errors + 1);
}

/* Checks that name is a live handle on fd. */
static void
live(const char *name, int fd)
{
	const struct handle *h = handle_find(&cx.sh.handles, name);

	if (h == NULL)
		fail_msg("no handle %s", name);
	assert_int_equal(h->fd, fd);
	assert_ptr_equal(handle_by_fd(&cx.sh.handles, fd), h);
}

/* Makes a handle name on the next fd, as the fake hands them out. */
static void
make(const char *name)
{
	char line[64];

	snprintf(line, sizeof(line), "socket %s", name);
	assert_int_equal(run(line), 0);
	live(name, fk.next_fd - 1);
}

static void
test_socket(void **state)
{
	(void)state;
	run_ok("socket srv",
	    "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
	    "  srv is fd 3\n"
	    "  a TCP socket: bind and listen for a server, or connect for a "
	    "client\n");
	assert_string_equal(fk.log, "socket");
	live("srv", 3);
	assert_int_equal(cx.sh.last.made, 1);
	assert_int_equal(cx.sh.last.ret, 3);
	assert_int_equal(cx.sh.last.err, 0);
	run_ok("socket",
	    "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 4\n"
	    "  sock1 is fd 4\n"
	    "  a TCP socket: bind and listen for a server, or connect for a "
	    "client\n");
	live("sock1", 4);
	run_ok("socket u unix dgram",
	    "socket(AF_UNIX, SOCK_DGRAM, 0) = 5\n"
	    "  u is fd 5\n"
	    "  a Unix datagram socket: like UDP, but addressed by a path on "
	    "this machine\n");
	run_ok("socket n AF_INET6 SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC",
	    "socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, "
	    "IPPROTO_IP) = 6\n"
	    "  n is fd 6\n"
	    "  a TCP socket: bind and listen for a server, or connect for a "
	    "client\n");
	run_ok("socket d udp",
	    "socket(AF_INET, SOCK_DGRAM, IPPROTO_IP) = 7\n"
	    "  d is fd 7\n"
	    "  a UDP socket: datagrams, no connection; sendto an address, or "
	    "bind and recvfrom\n");
	assert_int_equal(handle_find(&cx.sh.handles, "d")->type, SOCK_DGRAM);
	assert_int_equal(cx.sh.handles.live, 5);
}

static void
test_socket_emfile(void **state)
{
	(void)state;
	fk.socket_err = EMFILE;
	run_ok("socket srv",
	    "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = -1 "
	    "EMFILE (Too many open files)\n"
	    "  the process has no free file descriptors left (ulimit -n): "
	    "close some handles\n");
	assert_null(handle_find(&cx.sh.handles, "srv"));
	assert_int_equal(cx.sh.handles.live, 0);
	assert_int_equal(cx.sh.last.made, 1);
	assert_int_equal(cx.sh.last.ret, -1);
	assert_int_equal(cx.sh.last.err, EMFILE);
	/* A failed call is not an error of the shell. */
	assert_int_equal(cx.sh.errors, 0);
	/* The name is still free once the process has fds again. */
	fk.socket_err = 0;
	make("srv");
}

static void
test_socket_usage(void **state)
{
	(void)state;
	run_usage("socket x AF_INET AF_INET6",
	    "socket: 'AF_INET6': the family "
	    "is already given; usage: socket [NAME] [FAMILY] [TYPE] "
	    "[PROTOCOL] [@HOST]\n");
	run_usage("socket x bogus",
	    "socket: 'bogus' is not a family (AF_INET, "
	    "AF_INET6, AF_UNIX), a type (SOCK_STREAM, SOCK_DGRAM) or a "
	    "protocol; usage: socket [NAME] [FAMILY] [TYPE] [PROTOCOL] [@HOST]\n");
	run_usage("socket a b c d e f",
	    "socket: too many arguments (6 given, at "
	    "most 5); usage: socket [NAME] [FAMILY] [TYPE] [PROTOCOL] [@HOST]\n");
	run_usage("socket listen",
	    "socket: 'listen' is a command; name the "
	    "handle something else (like srv, cli, conn); usage: socket [NAME] "
	    "[FAMILY] [TYPE] [PROTOCOL] [@HOST]\n");
	run_usage("socket 'srv'",
	    "socket: a handle name is a bare word, not a "
	    "quoted string; usage: socket [NAME] [FAMILY] [TYPE] "
	    "[PROTOCOL] [@HOST]\n");
	run_usage("socket x @beta",
	    "socket: @beta: hosts are a lab's; start sockstep --lab; usage: "
	    "socket [NAME] [FAMILY] [TYPE] [PROTOCOL] [@HOST]\n");
	make("srv");
	run_usage("socket srv",
	    "socket: srv is already a live handle (fd 3); "
	    "close it or choose another name; usage: socket [NAME] [FAMILY] "
	    "[TYPE] [PROTOCOL] [@HOST]\n");
	live("srv", 3);
	assert_int_equal(cx.sh.errors, 7);
}

static void
test_connect_refused(void **state)
{
	(void)state;
	make("cli");
	fk.connect_err = ECONNREFUSED;
	run_ok("connect cli 127.0.0.1 1",
	    "connect(3, {sa_family=AF_INET, "
	    "sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 "
	    "ECONNREFUSED (Connection refused)\n"
	    "  nothing listens on 127.0.0.1:1 \xe2\x80\x94 start the server "
	    "(bind, listen) first\n");
	assert_string_equal(fk.log, "connect");
	assert_int_equal(cx.sh.last.made, 1);
	assert_int_equal(cx.sh.last.ret, -1);
	assert_int_equal(cx.sh.last.err, ECONNREFUSED);
	assert_int_equal(cx.sh.errors, 0);
	live("cli", 3);
	/* ADDRESS:PORT in one word is the same address. */
	run_ok("connect cli localhost:1",
	    "connect(3, {sa_family=AF_INET, "
	    "sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 "
	    "ECONNREFUSED (Connection refused)\n"
	    "  nothing listens on 127.0.0.1:1 \xe2\x80\x94 start the server "
	    "(bind, listen) first\n");
	/* Notes can be switched off; the call line stays. */
	run_ok("set notes off", "");
	run_ok("connect cli 127.0.0.1 1",
	    "connect(3, {sa_family=AF_INET, "
	    "sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 "
	    "ECONNREFUSED (Connection refused)\n");
}

static void
test_connect_ex(void **state)
{
	(void)state;
	make("cli");
	fk.connect_err = ECONNREFUSED;
	run_ok("connect_ex cli 127.0.0.1 1",
	    "connect(3, {sa_family=AF_INET, "
	    "sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = -1 "
	    "ECONNREFUSED (Connection refused)\n"
	    "  connect_ex returned 111 (ECONNREFUSED)\n"
	    "  nothing listens on 127.0.0.1:1 \xe2\x80\x94 start the server "
	    "(bind, listen) first\n");
	assert_int_equal(cx.sh.last.ret, ECONNREFUSED);
	assert_int_equal(cx.sh.last.err, 0);
	fk.connect_err = 0;
	fk.state = 1; /* ESTABLISHED: the evidence of the handshake */
	run_ok("connect_ex cli 127.0.0.1 65432",
	    "connect(3, "
	    "{sa_family=AF_INET, sin_port=htons(65432), "
	    "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0\n"
	    "  connect_ex returned 0\n"
	    "  cli is connected: 127.0.0.1:40000 -> 127.0.0.1:65432\n"
	    "  the handshake is done (ESTABLISHED): the server's kernel "
	    "completed it, before any accept\n");
	assert_int_equal(cx.sh.last.ret, 0);
}

static void
test_connect_ok_and_bad_address(void **state)
{
	(void)state;
	make("cli");
	fk.state = 1;
	run_ok("connect cli 127.0.0.1 65432",
	    "connect(3, {sa_family=AF_INET, "
	    "sin_port=htons(65432), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = "
	    "0\n"
	    "  cli is connected: 127.0.0.1:40000 -> 127.0.0.1:65432\n"
	    "  the handshake is done (ESTABLISHED): the server's kernel "
	    "completed it, before any accept\n");
	assert_string_equal(fk.log, "connect");
	run_usage("connect cli 127.0.0.1 65536",
	    "connect: port 65536 is out "
	    "of range (0-65535); usage: connect HANDLE ADDRESS PORT\n");
	run_usage("connect cli 300.0.0.1 80",
	    "connect: '300.0.0.1' is not an "
	    "IPv4 address or a known host name (try 127.0.0.1, localhost, or "
	    "'' for any); usage: connect HANDLE ADDRESS PORT\n");
	run_usage("connect cli 127.0.0.1",
	    "connect: an address needs a port; "
	    "usage: connect HANDLE ADDRESS PORT\n");
	run_usage("connect cli",
	    "connect: missing argument; usage: connect "
	    "HANDLE ADDRESS PORT\n");
}

static void
test_bind_listen(void **state)
{
	(void)state;
	make("srv");
	run_ok("bind srv 127.0.0.1 65432",
	    "bind(3, {sa_family=AF_INET, "
	    "sin_port=htons(65432), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = "
	    "0\n");
	run_ok("bind srv '' 0",
	    "bind(3, {sa_family=AF_INET, "
	    "sin_port=htons(0), sin_addr=inet_addr(\"0.0.0.0\")}, 16) = 0\n"
	    "  port 0: the kernel chose port 40000\n");
	fk.bind_err = EADDRINUSE;
	/* Nobody the shell can see holds it: no note guesses who. */
	run_ok("bind srv 127.0.0.1 1",
	    "bind(3, {sa_family=AF_INET, "
	    "sin_port=htons(1), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = "
	    "-1 EADDRINUSE (Address already in use)\n");
	run_ok("listen srv",
	    "listen(3, 128) = 0\n"
	    "  srv is listening: the kernel completes handshakes and lets up "
	    "to 129 connections wait for accept (the backlog, plus one on "
	    "Linux)\n");
	run_ok("listen 3 0",
	    "listen(3, 0) = 0\n"
	    "  srv is listening: the kernel completes handshakes and lets up "
	    "to 1 connection wait for accept (the backlog, plus one on "
	    "Linux)\n");
	run_usage("listen srv many",
	    "listen: backlog: 'many' is not a number; "
	    "usage: listen HANDLE [BACKLOG]\n");
	run_usage("bind",
	    "bind: missing arguments; usage: bind HANDLE "
	    "ADDRESS PORT\n");
}

static void
test_accept_eintr(void **state)
{
	(void)state;
	make("srv");
	fk.accept_err = EINTR;
	sig_last = SIGINT; /* the fake's EINTR, as Ctrl-C makes one */
	run_ok("accept srv conn",
	    "accept(3, ..., [16]) = -1 EINTR "
	    "(Interrupted system call)\n"
	    "  Ctrl-C interrupted accept; srv is as it was before the call\n");
	sig_last = SIGPIPE; /* the signal named is the one that came */
	run_ok("accept srv conn",
	    "accept(3, ..., [16]) = -1 EINTR "
	    "(Interrupted system call)\n"
	    "  SIGPIPE interrupted accept; srv is as it was before the "
	    "call\n");
	sig_last = 0;
	assert_string_equal(fk.log, "accept");
	assert_null(handle_find(&cx.sh.handles, "conn"));
	live("srv", 3);
	assert_int_equal(cx.sh.handles.live, 1);
	assert_int_equal(cx.sh.last.ret, -1);
	assert_int_equal(cx.sh.last.err, EINTR);
	/* The next accept works, and the name is free. */
	fk.accept_err = 0;
	fk.listening = 1;
	run_ok("accept srv conn",
	    "accept(3, {sa_family=AF_INET, "
	    "sin_port=htons(51234), sin_addr=inet_addr(\"127.0.0.1\")}, [16]) "
	    "= 4\n"
	    "  conn is fd 4, connected by 127.0.0.1:51234\n"
	    "  a new socket for this one connection; srv keeps listening\n");
	live("conn", 4);
	assert_int_equal(handle_find(&cx.sh.handles, "conn")->type,
	    SOCK_STREAM);
	run_ok("accept 3",
	    "accept(3, {sa_family=AF_INET, "
	    "sin_port=htons(51234), sin_addr=inet_addr(\"127.0.0.1\")}, [16]) "
	    "= 5\n"
	    "  conn1 is fd 5, connected by 127.0.0.1:51234\n"
	    "  a new socket for this one connection; srv keeps listening\n");
	fk.accept_err = EINVAL;
	fk.listening = 0;
	run_ok("accept srv",
	    "accept(3, ..., [16]) = -1 EINVAL (Invalid "
	    "argument)\n"
	    "  srv is not listening: listen srv first (bound first, so clients "
	    "know its address)\n");
	run_usage("accept srv conn",
	    "accept: conn is already a live handle "
	    "(fd 4); close it or choose another name; usage: accept HANDLE "
	    "[NAME]\n");
	run_usage("close srv &",
	    "close: runs in the foreground only; these run in the background "
	    "with '&': accept, accept4, connect, connect_ex, send, sendall, "
	    "recv, sendto, recvfrom, poll, select, epoll_wait, and a program "
	    "run with trace; usage: close HANDLE\n");
}

static void
test_send_epipe(void **state)
{
	(void)state;
	make("cli");
	fk.send_err = EPIPE;
	fk.state = 7; /* CLOSE */
	/* Never connected. */
	run_ok("send cli \"hi\\n\"",
	    "send(3, \"hi\\n\", 3, 0) = -1 EPIPE "
	    "(Broken pipe)\n"
	    "  cli is not connected: TCP sends only on a connected socket "
	    "(connect it, or use the socket accept returns)\n");
	assert_int_equal(cx.sh.last.made, 1);
	assert_int_equal(cx.sh.last.ret, -1);
	assert_int_equal(cx.sh.last.err, EPIPE);
	/* Connected: the peer is gone, and SIGPIPE came. */
	assert_int_equal(run("connect cli 127.0.0.1 65432"), 0);
	fk.send_sigpipe = 1;
	run_ok("send cli b'hi' MSG_DONTWAIT",
	    "send(3, \"hi\", 2, "
	    "MSG_DONTWAIT) = -1 EPIPE (Broken pipe)\n"
	    "  cli's connection is over (its state is CLOSE): nothing more can "
	    "be sent on it\n"
	    "  SIGPIPE came too: a program that does not handle it is killed "
	    "by it (exit status 141); Python ignores it and raises "
	    "BrokenPipeError\n");
	/* This side shut down writing. */
	assert_int_equal(run("shutdown cli wr"), 0);
	fk.send_sigpipe = 0;
	run_ok("send cli x MSG_NOSIGNAL",
	    "send(3, \"x\", 1, MSG_NOSIGNAL) = "
	    "-1 EPIPE (Broken pipe)\n"
	    "  cli shut down its sending side (SHUT_WR): it can send no more, "
	    "though it can still receive\n");
	live("cli", 3);
	fk.send_err = ECONNRESET;
	fk.send_sigpipe = 0;
	run_ok("sendall cli 0x4869",
	    "send(3, \"Hi\", 2, 0) = -1 ECONNRESET "
	    "(Connection reset by peer)\n"
	    "  the peer's kernel reset the connection (RST)\n"
	    "  sendall stopped after 0 of 2 bytes (Python raises an exception "
	    "here)\n");
}

static void
test_send_partial(void **state)
{
	(void)state;
	make("cli");
	fk.send_max = 5;
	run_ok("send cli \"Hello, world\"",
	    "send(3, \"Hello, world\", 12, 0) "
	    "= 5\n"
	    "  only 5 of 12 bytes went: send may send less than asked; send "
	    "the rest again (sendall does that)\n");
	assert_int_equal(cx.sh.last.ret, 5);
	run_ok("sendall cli \"Hello, world\"",
	    "send(3, \"Hello, world\", 12, "
	    "0) = 5\n"
	    "send(3, \", world\", 7, 0) = 5\n"
	    "send(3, \"ld\", 2, 0) = 2\n"
	    "  sendall sent 12 bytes in 3 sends\n");
	assert_string_equal(fk.log, "send send send");
	/* sendall's result is every byte it sent, for expectations. */
	assert_int_equal(cx.sh.last.ret, 12);
	fk.send_max = 0;
	run_ok("send cli ''",
	    "send(3, \"\", 0, 0) = 0\n"
	    "  a send of 0 bytes on a stream sends nothing: it is not the "
	    "zero-length message, which shutdown SHUT_WR makes\n");
	run_usage("send cli x MSG_BOGUS",
	    "send: 'MSG_BOGUS' is not a flag "
	    "(MSG_PEEK, MSG_DONTWAIT, MSG_NOSIGNAL, ... joined with |, or 0); "
	    "usage: send HANDLE DATA [FLAGS]\n");
	run_usage("send cli 0x123",
	    "send: hex data needs two digits a byte "
	    "(0x48656c6c6f); usage: send HANDLE DATA [FLAGS]\n");
	run_usage("send cli",
	    "send: missing argument; usage: send HANDLE DATA "
	    "[FLAGS]\n");
}

static void
test_send_long_data(void **state)
{
	char line[128];

	(void)state;
	make("cli");
	snprintf(line, sizeof(line), "send cli \"%s\"",
	    "0123456789012345678901234567890123456789");
	run_ok(line,
	    "send(3, \"01234567890123456789012345678901\"..., 40, 0) "
	    "= 40\n");
	run_ok("set strsize 4", "");
	run_ok(line, "send(3, \"0123\"..., 40, 0) = 40\n");
}

static void
test_recv_reset(void **state)
{
	(void)state;
	make("conn");
	fk.recv_err = ECONNRESET;
	run_ok("recv conn 1024",
	    "recv(3, ..., 1024, 0) = -1 ECONNRESET "
	    "(Connection reset by peer)\n"
	    "  the peer's kernel reset the connection (RST)\n");
	assert_string_equal(fk.log, "recv");
	assert_int_equal(cx.sh.last.made, 1);
	assert_int_equal(cx.sh.last.ret, -1);
	assert_int_equal(cx.sh.last.err, ECONNRESET);
	assert_null(cx.sh.last.data);
	live("conn", 3);
}

static void
test_recv_eof(void **state)
{
	(void)state;
	make("conn");
	fk.state = 8; /* CLOSE_WAIT: the peer's FIN came */
	run_ok("recv conn 1024",
	    "recv(3, \"\", 1024, 0) = 0\n"
	    "  EOF: nothing more will come from the peer\n"
	    "  the peer sent FIN: it shut down its sending side, or closed; "
	    "conn stays in CLOSE_WAIT until it closes too\n");
	assert_int_equal(cx.sh.last.made, 1);
	assert_int_equal(cx.sh.last.ret, 0);
	assert_int_equal(cx.sh.last.err, 0);
	assert_null(cx.sh.last.data);
	assert_int_equal(cx.sh.last.len, 0);
	run_ok("recv conn 0",
	    "recv(3, \"\", 0, 0) = 0\n"
	    "  you asked for 0 bytes: recv returns 0 once data (or EOF) is "
	    "there, and takes none, so 0 says nothing about EOF; Python's "
	    "recv(0) returns b'' without calling recv\n");
	run_ok("shutdown conn SHUT_RD",
	    "shutdown(3, SHUT_RD) = 0\n"
	    "  conn's recv now returns 0 when nothing is queued, instead of "
	    "waiting; the peer is not told, and on Linux data it sends later is "
	    "still delivered\n");
	run_ok("recv conn",
	    "recv(3, \"\", 1024, 0) = 0\n"
	    "  0: conn shut down its receiving side (SHUT_RD) and nothing is "
	    "queued, so recv returns 0 at once\n");
	assert_int_equal(run("socket u udp"), 0);
	live("u", 4);
	run_ok("recv u",
	    "recv(4, \"\", 1024, 0) = 0\n"
	    "  an empty datagram: a message of 0 bytes, not EOF\n");
}

static void
test_recv_data(void **state)
{
	(void)state;
	make("conn");
	fk.recv_data = "Hello, world";
	fk.recv_len = 12;
	run_ok("recv conn 1024",
	    "recv(3, \"Hello, world\", 1024, 0) = 12\n"
	    "  b'Hello, world'\n");
	assert_int_equal(cx.sh.last.ret, 12);
	assert_int_equal(cx.sh.last.len, 12);
	assert_memory_equal(cx.sh.last.data, "Hello, world", 12);
	run_ok("recv conn 5 MSG_PEEK|MSG_WAITALL",
	    "recv(3, \"Hello\", 5, "
	    "MSG_PEEK|MSG_WAITALL) = 5\n"
	    "  b'Hello'\n");
	assert_int_equal(cx.sh.last.len, 5);
	fk.recv_data = "it's\0\n";
	fk.recv_len = 6;
	run_ok("set hex on", "");
	run_ok("recv conn",
	    "recv(3, \"it's\\0\\n\", 1024, 0) = 6\n"
	    "  b\"it's\\x00\\n\"\n"
	    "  0000  69 74 27 73 00 0a                                "
	    "|it's..|\n");
	assert_int_equal(cx.sh.last.made, 1);
	assert_int_equal(cx.sh.last.len, 6);
	/* A usage error inside the command records that no call was made. */
	run_usage("recv conn 2000000",
	    "recv: buffer size 2000000 is too large "
	    "or negative (0 to 1048576 bytes); usage: recv HANDLE [BUFSIZE] "
	    "[FLAGS]\n");
	assert_int_equal(cx.sh.last.made, 0);
	assert_null(cx.sh.last.data);
	assert_int_equal(cx.sh.last.len, 0);
	run_usage("recv conn -1",
	    "recv: buffer size -1 is too large or "
	    "negative (0 to 1048576 bytes); usage: recv HANDLE [BUFSIZE] "
	    "[FLAGS]\n");
	run_usage("recv conn abc",
	    "recv: buffer size: 'abc' is not a number; "
	    "usage: recv HANDLE [BUFSIZE] [FLAGS]\n");
	run_usage("recv conn 10 peek|",
	    "recv: 'peek|' is not a flag "
	    "(MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, ... joined with |, or 0); "
	    "usage: recv HANDLE [BUFSIZE] [FLAGS]\n");
}

static void
test_recv_eagain(void **state)
{
	(void)state;
	make("conn");
	fk.recv_err = EAGAIN;
	/* Neither non-blocking nor a timeout: no note guesses why. */
	run_ok("recv conn",
	    "recv(3, ..., 1024, 0) = -1 EAGAIN (Resource "
	    "temporarily unavailable)\n");
	fk.timeout = 5;
	run_ok("recv conn",
	    "recv(3, ..., 1024, 0) = -1 EAGAIN (Resource "
	    "temporarily unavailable)\n"
	    "  recv waited as long as conn's timeout (SO_RCVTIMEO, SO_SNDTIMEO) "
	    "allows, and gave up; Python raises TimeoutError here\n");
	fk.fl = O_RDWR | O_NONBLOCK;
	run_ok("recv conn",
	    "recv(3, ..., 1024, 0) = -1 EAGAIN (Resource "
	    "temporarily unavailable)\n"
	    "  recv would have to wait, and conn is non-blocking: it returns "
	    "at once instead\n");
	assert_string_equal(fk.log, "recv");
}

static void
test_shutdown(void **state)
{
	const struct handle *h;

	(void)state;
	make("cli");
	h = handle_find(&cx.sh.handles, "cli");
	fk.shutdown_err = ENOTCONN;
	run_ok("shutdown cli wr",
	    "shutdown(3, SHUT_WR) = -1 ENOTCONN "
	    "(Transport endpoint is not connected)\n"
	    "  cli is not connected: connect it (client), or use the socket "
	    "accept returns (server)\n");
	assert_int_equal(h->shut, 0);
	fk.shutdown_err = 0;
	fk.state = 1;
	run_ok("shutdown cli 1",
	    "shutdown(3, SHUT_WR) = 0\n"
	    "  cli sent FIN: the zero-length message; the peer's recv returns 0 "
	    "once it has read what came before, and cli can still receive\n");
	assert_int_equal(h->shut, HANDLE_SHUT_WR);
	run_ok("shutdown cli SHUT_RDWR",
	    "shutdown(3, SHUT_RDWR) = 0\n"
	    "  cli sent FIN and reads no more: data the peer still sends is "
	    "answered with RST by cli's own kernel; the fd stays open until "
	    "close\n");
	assert_int_equal(h->shut, HANDLE_SHUT_WR | HANDLE_SHUT_RD);
	run_usage("shutdown cli 5",
	    "shutdown: '5' is not a direction "
	    "(SHUT_RD, SHUT_WR, SHUT_RDWR; or rd, wr, rdwr; or 0, 1, 2); "
	    "usage: shutdown HANDLE SHUT_RD|SHUT_WR|SHUT_RDWR\n");
	run_usage("shutdown cli",
	    "shutdown: missing argument; usage: shutdown "
	    "HANDLE SHUT_RD|SHUT_WR|SHUT_RDWR\n");
}

/* dup: a second handle for the socket, and its usage errors and EMFILE. */
static void
test_dup(void **state)
{
	(void)state;
	make("conn");
	run_usage("dup nope conn2",
	    "dup: no handle named 'nope' (handles lists them); usage: dup "
	    "HANDLE NAME\n");
	run_usage("dup conn",
	    "dup: missing argument; usage: dup HANDLE NAME\n");
	run_usage("dup conn conn",
	    "dup: conn is already a live handle (fd 3); close it or choose "
	    "another name; usage: dup HANDLE NAME\n");
	run_usage("dup conn socket",
	    "dup: 'socket' is a command; name the handle something else "
	    "(like srv, cli, conn); usage: dup HANDLE NAME\n");
	fk.dup_err = EMFILE;
	run_ok("dup conn conn2",
	    "dup(3) = -1 EMFILE (Too many open files)\n"
	    "  the process has no free file descriptors left (ulimit -n) for "
	    "a second one: close a handle, or go on using conn\n");
	assert_string_equal(fk.log, "dup");
	assert_null(handle_find(&cx.sh.handles, "conn2"));
	fk.dup_err = 0;
	run("dup conn conn2");
	assert_string_equal(cx.err, "");
	assert_non_null(strstr(cx.out,
	    "dup(3) = 4\n"
	    "  conn2 is fd 4, another descriptor for conn's socket"));
	live("conn", 3);
	live("conn2", 4);
}

static void
test_close_and_closed_names(void **state)
{
	(void)state;
	make("cli");
	make("conn");
	cx.sh.line = 14;
	run_ok("close cli",
	    "close(3) = 0\n"
	    "  cli is closed; fd 3 is free for the next socket\n");
	assert_string_equal(fk.log, "close");
	assert_int_equal(handle_find(&cx.sh.handles, "cli")->fd, -1);
	assert_null(handle_by_fd(&cx.sh.handles, 3));
	/* At the prompt no line number, and no usage line: the reason. */
	run_usage("send cli x",
	    "send: cli was closed (it was fd 3)"
	    ": a program that used the number after close would get EBADF, or "
	    "reach whatever socket took the number next (the classic reuse "
	    "bug)\n");
	run_usage("close cli",
	    "close: cli was closed (it was fd 3)"
	    ": a program that used the number after close would get EBADF, or "
	    "reach whatever socket took the number next (the classic reuse "
	    "bug)\n");
	run_usage("close 3",
	    "close: no handle has fd 3 (handles lists them); "
	    "usage: close HANDLE\n");
	run_usage("recv nope",
	    "recv: no handle named 'nope' (handles lists "
	    "them); usage: recv HANDLE [BUFSIZE] [FLAGS]\n");
	run_usage("recv \"a\\tb\"",
	    "recv: no handle named 'a\\tb' (handles "
	    "lists them); usage: recv HANDLE [BUFSIZE] [FLAGS]\n");
	run_usage("close 99",
	    "close: no handle has fd 99 (handles lists "
	    "them); usage: close HANDLE\n");
	/* In a script, errors carry file:line:. */
	cx.sh.src = "echo.sockstep";
	cx.sh.line = 20;
	run_usage("close cli",
	    "echo.sockstep:20: close: cli was closed at "
	    "line 14 (it was fd 3)"
	    ": a program that used the number after close would get EBADF, or "
	    "reach whatever socket took the number next (the classic reuse "
	    "bug)\n");
	cx.sh.src = NULL;
	/* The name can be used again, for a new socket. */
	run_ok("socket cli",
	    "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 5\n"
	    "  cli is fd 5\n"
	    "  a TCP socket: bind and listen for a server, or connect for a "
	    "client\n");
	live("cli", 5);
	live("conn", 4);
	/* Unread data: close sends RST. */
	fk.unread = 5;
	fk.state = 1;
	run_ok("close conn",
	    "close(4) = 0\n"
	    "  conn is closed; fd 4 is free for the next socket\n"
	    "  it had 5 unread bytes: the kernel sends RST instead of FIN, and "
	    "the peer learns of it as ECONNRESET\n"
	    "  conn ESTABLISHED -> CLOSE (closed)\n");
	fk.close_err = EBADF;
	run_ok("close cli", "close(5) = -1 EBADF (Bad file descriptor)\n");
	live("cli", 5);
}

static void
test_unknown_command(void **state)
{
	(void)state;
	run_usage("sokcet srv",
	    "unknown command 'sokcet'; did you mean "
	    "socket? (help lists commands)\n");
	run_usage("lisen srv",
	    "unknown command 'lisen'; did you mean listen? "
	    "(help lists commands)\n");
	run_usage("conect cli",
	    "unknown command 'conect'; did you mean "
	    "connect? (help lists commands)\n");
	run_usage("xyzzy", "unknown command 'xyzzy' (help lists commands)\n");
	run_usage("s",
	    "unknown command 's'; did you mean set? (help lists "
	    "commands)\n");
	run_usage("qwertyuiop",
	    "unknown command 'qwertyuiop' (help lists "
	    "commands)\n");
	run_usage("\x01\x02",
	    "unknown command '\\1\\2' (help lists "
	    "commands)\n");
}

static void
test_usage_counts(void **state)
{
	(void)state;
	run_usage("close", "close: missing argument; usage: close HANDLE\n");
	run_usage("close a b",
	    "close: too many arguments (2 given, at most "
	    "1); usage: close HANDLE\n");
	run_usage("quit now",
	    "quit: STATUS is for a child (@child exit 3); the shell's own "
	    "exit status says how the session went; usage: quit [STATUS]\n");
	assert_int_equal(cx.sh.errors, 3);
	assert_int_equal(cx.sh.quit, 0);
	run_ok("exit", "");
	assert_int_equal(cx.sh.quit, 1);
}

/* Appends " x" n times to line. */
static void
add_args(char *line, size_t len, int n)
{
	while (n-- > 0)
		strncat(line, " x", len - strlen(line) - 1);
}

static void
test_usage_every_command(void **state)
{
	const struct cmd_entry *const *c;
	char line[256], want[512];
	int n;

	(void)state;
	/* Every command in the table gets the same checks from cmd_run. */
	for (c = cmd_table; *c; c++) {
		for (n = 0; n < (*c)->args_min; n++) {
			snprintf(line, sizeof(line), "%s", (*c)->name);
			add_args(line, sizeof(line), n);
			snprintf(want, sizeof(want),
			    "%s: missing argument%s; "
			    "usage: %s %s\n",
			    (*c)->name, (*c)->args_min - n > 1 ? "s" : "",
			    (*c)->name, (*c)->usage);
			run_usage(line, want);
		}
		n = (*c)->args_max + 1;
		if ((*c)->args_max >= 0 && n < 60) {
			snprintf(line, sizeof(line), "%s", (*c)->name);
			add_args(line, sizeof(line), n);
			snprintf(want, sizeof(want),
			    "%s: too many arguments (%d "
			    "given, at most %d); usage: %s%s%s\n",
			    (*c)->name, n, n - 1, (*c)->name,
			    *(*c)->usage ? " " : "", (*c)->usage);
			run_usage(line, want);
		}
	}
	assert_int_equal(cx.sh.handles.n, 0);
	assert_int_equal(cx.sh.quit, 0);
}

static void
test_statements(void **state)
{
	(void)state;
	/* Each statement runs; an error in one does not stop the next. */
	assert_int_equal(run("socket a; close nope; socket b"), -1);
	assert_string_equal(cx.err,
	    "sockstep: close: no handle named 'nope' (handles "
	    "lists them); usage: close HANDLE\n");
	assert_string_equal(fk.log, "socket socket");
	live("a", 3);
	live("b", 4);
	/* quit stops the rest of the line. */
	assert_int_equal(run("quit; socket c"), 0);
	assert_string_equal(fk.log, "");
	assert_null(handle_find(&cx.sh.handles, "c"));
}

static void
test_table_intact_after_errors(void **state)
{
	static const char *const lines[] = {
		"bind srv 999.1.1.1 80",
		"bind srv 127.0.0.1 70000",
		"bind srv 127.0.0.1 -1",
		"connect cli",
		"send cli \"unterminated",
		"send cli \"\\q\"",
		"accept srv cli",
		"accept srv 9lives",
		"accept srv & conn",
		"= 0",
		"recv conn 1099511627777",
		"shutdown conn sideways",
		"listen srv 1 2",
		"close srv cli",
		"help nothing",
		"set strsize 0",
		"socket x y z w v",
		"\x7f\x80\xff",
		"'' ''",
		"b'' 1",
		"socket srv",
		"close 0",
		"close -1",
		"close 99999999999",
		"recv conn 1024 MSG_PEEK|MSG_NOTHING",
	};
	char *big;
	size_t i;

	(void)state;
	make("srv");
	make("cli");
	make("conn");
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (run(lines[i]) != -1)
			fail_msg("'%s' was not an error", lines[i]);
		if (*cx.err == '\0' ||
		    strchr(cx.err, '\n') != cx.err + strlen(cx.err) - 1)
			fail_msg("'%s' did not print one line: '%s'", lines[i],
			    cx.err);
		if (fk.log[0] != '\0')
			fail_msg("'%s' made calls: %s", lines[i], fk.log);
	}
	assert_int_equal(shell_run_line(&cx.sh, "send cli a\0b", 12), -1);
	big = malloc(1 << 20);
	assert_non_null(big);
	memset(big, 'x', 1 << 20);
	assert_int_equal(shell_run_line(&cx.sh, big, 1 << 20), -1);
	free(big);
	live("srv", 3);
	live("cli", 4);
	live("conn", 5);
	assert_int_equal(cx.sh.handles.live, 3);
	assert_int_equal(cx.sh.handles.n, 3);
	assert_int_equal(cx.sh.quit, 0);
}

static void
test_names_and_host(void **state)
{
	(void)state;
	make("cli");
	run_ok("getsockname cli",
	    "getsockname(3, {sa_family=AF_INET, "
	    "sin_port=htons(40000), sin_addr=inet_addr(\"127.0.0.1\")}, [16]) "
	    "= 0\n"
	    "  cli is 127.0.0.1:40000\n");
	fk.peer = 1;
	run_ok("getpeername cli",
	    "getpeername(3, {sa_family=AF_INET, "
	    "sin_port=htons(65432), sin_addr=inet_addr(\"127.0.0.1\")}, [16]) "
	    "= 0\n"
	    "  the peer of cli is 127.0.0.1:65432\n");
	/* A bound handle's name stands for its address (wildcard: loopback). */
	make("srv");
	run_ok("connect cli srv",
	    "connect(3, {sa_family=AF_INET, "
	    "sin_port=htons(40000), sin_addr=inet_addr(\"127.0.0.1\")}, 16) = "
	    "0\n"
	    "  cli is connected: 127.0.0.1:40000 -> 127.0.0.1:40000\n");
	assert_string_equal(fk.log, "connect");
}

/* cmd_find finds every command of the table by its name and its alias. */
static void
test_find_every_command(void **state)
{
	const struct cmd_entry *const *c;

	(void)state;
	for (c = cmd_table; *c; c++) {
		assert_ptr_equal(cmd_find((*c)->name), *c);
		if ((*c)->alias)
			assert_non_null(cmd_find((*c)->alias));
	}
	assert_null(cmd_find("nosuch"));
	assert_null(cmd_find(""));
	assert_null(cmd_find("sock")); /* no prefixes */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_every_command),
		cmocka_unit_test_setup_teardown(test_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_emfile, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_socket_usage, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_connect_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_connect_ex, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_connect_ok_and_bad_address,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_bind_listen, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_accept_eintr, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_send_epipe, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_send_partial, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_send_long_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recv_reset, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recv_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recv_data, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_recv_eagain, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_shutdown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_and_closed_names,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_command, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_usage_counts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_usage_every_command, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statements, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_table_intact_after_errors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_host, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("cmd", tests, NULL, NULL);
}
