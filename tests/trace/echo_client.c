/*
 * A small echo client for the trace tests: connects to 127.0.0.1 PORT,
 * sends MESSAGE, prints what comes back, shuts down its sending side,
 * reads to EOF and closes.
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
	char buf[1024];
	size_t len;
	ssize_t n;
	int s;

	if (argc != 3) {
		fputs("usage: echo_client PORT MESSAGE\n", stderr);
		return 2;
	}
	len = strlen(argv[2]);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s == -1 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    send(s, argv[2], len, 0) != (ssize_t)len) {
		perror("echo_client");
		return 1;
	}
	n = recv(s, buf, len < sizeof(buf) ? len : sizeof(buf), MSG_WAITALL);
	printf("received %.*s\n", (int)(n > 0 ? n : 0), buf);
	shutdown(s, SHUT_WR);
	while (recv(s, buf, sizeof(buf), 0) > 0)
		;
	close(s);
	return n == (ssize_t)len ? 0 : 1;
}
