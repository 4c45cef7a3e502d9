/*
 * Sets a socket non-blocking both ways C programs do (fcntl, as most C
 * code; ioctl FIONBIO, as Python's setblocking), then waits on sockets
 * with poll, ppoll and select (ready, timed out, with and without a
 * timeout or mask), among calls that sockstep trace must let by: fcntl,
 * ioctl and poll of a pipe only, F_GETFD of the socket; dup, dup2 and
 * dup3 of the socket (traced) and of a pipe (let by), closing the socket
 * while a dup still holds it. Prints "PID 0" first, like the echo
 * programs.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

/* Waits on the pair sv (sv[0] has a byte to read) and on the pipe end p; returns -1 when a call fails. */
static int
waits(const int sv[2], int p)
{
	struct pollfd pf[2] = { { sv[1], POLLIN | POLLOUT, 0 },
		{ sv[0], POLLIN, 0 } };
	struct pollfd pipe_only = { p, POLLIN, 0 };
	struct timespec ts = { 1, 0 };
	struct timeval tv = { 0, 500000 };
	sigset_t none;
	fd_set r, w;

	sigemptyset(&none);
	FD_ZERO(&r);
	FD_ZERO(&w);
	FD_SET(sv[0], &r);
	FD_SET(sv[1], &w);
	if (poll(pf, 2, 100) != 1 || poll(pf + 1, 1, 10) != 0 ||
	    poll(&pipe_only, 1, 0) != 0 || ppoll(pf, 2, &ts, NULL) != 1 ||
	    ppoll(pf, 1, NULL, &none) != 1 ||
	    select(sv[1] + 1, &r, &w, NULL, &tv) != 1)
		return -1;
	FD_ZERO(&r);
	FD_SET(sv[0], &r);
	tv.tv_sec = 0;
	tv.tv_usec = 1000;
	return select(sv[0] + 1, &r, NULL, NULL, &tv) == 0 ? 0 : -1;
}

/* Copies the socket s and the pipe end p three ways, closes s while its copies hold it, then the copies; returns -1 when a call fails. */
static int
dups(int s, int p)
{
	int a, b, c, q;

	if ((a = dup(s)) == -1 || (b = dup2(s, 20)) != 20 ||
	    (c = dup3(s, 21, O_CLOEXEC)) != 21 || (q = dup(p)) == -1 ||
	    dup2(p, 22) != 22)
		return -1;
	close(s);
	close(q);
	close(22);
	close(a);
	close(b);
	close(c);
	return 0;
}

/* Runs the calls; exits 1 when one fails. */
int
main(void)
{
	int s, p[2], sv[2], on = 1, flags;

	printf("%d 0\n", (int)getpid());
	fflush(stdout);
	if ((s = socket(AF_INET, SOCK_STREAM, 0)) == -1 || pipe(p) == -1)
		return 1;
	if ((flags = fcntl(s, F_GETFL)) == -1 ||
	    fcntl(s, F_SETFL, flags | O_NONBLOCK) == -1 ||
	    fcntl(s, F_GETFL) == -1 || fcntl(p[0], F_GETFL) == -1 ||
	    fcntl(p[0], F_SETFL, O_NONBLOCK) == -1 || fcntl(s, F_GETFD) == -1 ||
	    ioctl(p[1], FIONBIO, &on) == -1)
		return 1;
	on = 0;
	if (ioctl(s, FIONBIO, &on) == -1 || fcntl(s, F_GETFL) == -1)
		return 1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    write(sv[0], "x", 1) != 1 || waits(sv, p[0]) == -1)
		return 1;
	close(sv[0]);
	close(sv[1]);
	if (dups(s, p[0]) == -1)
		return 1;
	close(p[0]);
	close(p[1]);
	return 0;
}
