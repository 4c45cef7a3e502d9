/*
 * The echo lesson's floor: exactly the socket calls lessons/echo.lesson
 * makes, in its order, with no output. Usage: bench_echo PORT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Dies with the name of the call that failed. */
static void
fail(const char *what)
{
	perror(what);
	exit(1);
}

/* Runs the echo exchange on 127.0.0.1:PORT. Returns 0, or exits 1. */
int
main(int argc, char *argv[])
{
	struct sockaddr_in sin;
	socklen_t len;
	char buf[1024];
	int srv, cli, conn;

	if (argc != 2) {
		fprintf(stderr, "usage: bench_echo PORT\n");
		return 2;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(argv[1]));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((srv = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fail("socket");
	if (bind(srv, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		fail("bind");
	if (listen(srv, 128) == -1)
		fail("listen");
	if ((cli = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fail("socket");
	if (connect(cli, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		fail("connect");
	len = sizeof(sin);
	if ((conn = accept(srv, (struct sockaddr *)&sin, &len)) == -1)
		fail("accept");
	if (send(cli, "Hello, world", 12, 0) != 12)
		fail("send");
	if (recv(conn, buf, sizeof(buf), 0) != 12)
		fail("recv");
	if (send(conn, "Hello, world", 12, 0) != 12)
		fail("send");
	if (recv(cli, buf, sizeof(buf), 0) != 12)
		fail("recv");
	if (close(cli) == -1)
		fail("close");
	if (recv(conn, buf, sizeof(buf), 0) != 0)
		fail("recv");
	if (close(conn) == -1 || close(srv) == -1)
		fail("close");
	return 0;
}
