/*
 * The send/recv loop of the trace benchmark (issue 15): a TCP connection
 * on 127.0.0.1 (port 0), then N times a 64-byte send one way and its
 * recv on the other end: 2N socket calls. Usage: bench_loop [N].
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	char buf[64];
	long i, n = argc > 1 ? atol(argv[1]) : 10000;
	int s, c, a;

	memset(&sa, 0, sizeof(sa));
	memset(buf, 'x', sizeof(buf));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	c = socket(AF_INET, SOCK_STREAM, 0);
	if (s == -1 || c == -1 ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 1) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) == -1 ||
	    connect(c, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    (a = accept(s, NULL, NULL)) == -1) {
		perror("bench_loop");
		return 1;
	}
	for (i = 0; i < n; i++)
		if (send(c, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf) ||
		    recv(a, buf, sizeof(buf), MSG_WAITALL) !=
		        (ssize_t)sizeof(buf)) {
			perror("bench_loop: send/recv");
			return 1;
		}
	close(a);
	close(c);
	close(s);
	return 0;
}
