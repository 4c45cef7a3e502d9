/*
 * Sets a socket non-blocking both ways C programs do (fcntl, as most C
 * code; ioctl FIONBIO, as Python's setblocking), among calls on other
 * descriptors that sockstep trace must let by: fcntl and ioctl of a pipe,
 * F_GETFD of the socket. Prints "PID 0" first, like the echo programs.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Runs the calls; exits 1 when one fails. */
int
main(void)
{
	int s, p[2], on = 1, flags;

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
	close(p[0]);
	close(p[1]);
	close(s);
	return 0;
}
