/*
 * A small echo server for the trace tests: binds 127.0.0.1 port 0, prints
 * "PID PORT" on stdout, accepts connections and echoes each until EOF.
 * With -f N it serves N connections, each in a child of its own (the
 * forking server of the socket HOWTO), then waits for them; else one.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Echoes what comes on fd until EOF, then closes it. */
static void
echo(int fd)
{
	char buf[1024];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
		if (send(fd, buf, (size_t)n, 0) != n)
			break;
	close(fd);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int s, c, i, n = 1, forking = 0, one = 1;

	if (argc == 3 && strcmp(argv[1], "-f") == 0) {
		forking = 1;
		n = atoi(argv[2]);
	}
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s == -1 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(s, 5) == -1 ||
	    getsockname(s, (struct sockaddr *)&sa, &len) == -1) {
		perror("echo_server");
		return 1;
	}
	printf("%d %d\n", (int)getpid(), ntohs(sa.sin_port));
	fflush(stdout);
	for (i = 0; i < n; i++) {
		if ((c = accept(s, NULL, NULL)) == -1) {
			perror("accept");
			return 1;
		}
		if (!forking) {
			echo(c);
			continue;
		}
		if (fork() == 0) {
			close(s);
			echo(c);
			_exit(0);
		}
		close(c);
	}
	close(s);
	while (wait(NULL) > 0)
		;
	return 0;
}
