/*
 * Waits on a socket pair with epoll the ways C programs do (epoll_create1
 * itself names no socket, and trace lets it by): an instance
 * watching a socket (edge-triggered, then MOD to EPOLLRDHUP, DEL with a
 * NULL event and with a pointer), epoll_wait and epoll_pwait (no mask,
 * an empty mask), among calls that sockstep trace must let by:
 * epoll_ctl of a pipe, waits of an instance that watches only a pipe
 * (one that never had a socket, one whose socket was deleted). Prints
 * "PID 0" first, like the echo programs.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Adds fd to epoll instance ep for events, with fd as its data; returns epoll_ctl's result. */
static int
add(int ep, int op, int fd, unsigned events)
{
	struct epoll_event e = { .events = events, .data.u64 = (unsigned)fd };

	return epoll_ctl(ep, op, fd, &e);
}

/* Runs the calls; exits 1 when one does not return what it should. */
int
main(void)
{
	struct epoll_event out[8], e = { 0 };
	int sv[2], p[2], ep, pipes;
	sigset_t none;

	printf("%d 0\n", (int)getpid());
	fflush(stdout);
	sigemptyset(&none);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 || pipe(p) == -1 ||
	    (ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (pipes = epoll_create1(0)) == -1)
		return 1;
	if (add(ep, EPOLL_CTL_ADD, sv[0], EPOLLIN | EPOLLET) != 0 ||
	    add(ep, EPOLL_CTL_ADD, sv[0], EPOLLIN) != -1 ||
	    add(ep, EPOLL_CTL_ADD, p[0], EPOLLIN) != 0 ||
	    add(pipes, EPOLL_CTL_ADD, p[0], EPOLLIN) != 0)
		return 1;
	if (epoll_wait(ep, out, 8, 0) != 0 ||
	    epoll_wait(pipes, out, 8, 0) != 0 || write(sv[1], "hi", 2) != 2 ||
	    epoll_wait(ep, out, 8, 1000) != 1 ||
	    epoll_pwait(ep, out, 8, 0, NULL) != 0 ||
	    epoll_pwait(ep, out, 8, 0, &none) != 0)
		return 1;
	if (add(ep, EPOLL_CTL_MOD, sv[0], EPOLLIN | EPOLLRDHUP) != 0 ||
	    shutdown(sv[1], SHUT_WR) != 0 || epoll_wait(ep, out, 1, 1000) != 1)
		return 1;
	if (epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL) != 0 ||
	    epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], &e) != -1 ||
	    epoll_wait(ep, out, 8, 0) != 0)
		return 1;
	close(pipes);
	close(ep);
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
	return 0;
}
