/*
 * The per-command floor: the calls a sockstep script makes, made directly,
 * each printed as a strace-style call line through stdio.
 * Usage: bench_calls sockclose|sendrecv COMMANDS HANDLES
 * First HANDLES idle sockets are made (and, for sendrecv, a connected pair
 * over a listener on a kernel-chosen loopback port), then COMMANDS calls:
 * socket/close pairs, or send/recv pairs of 2 bytes.
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

/* Makes a TCP socket and prints its call line. Returns the fd. */
static int
make_socket(void)
{
	int fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		fail("socket");
	printf("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = %d\n", fd);
	return fd;
}

/* Connects cli to a listener srv on a kernel-chosen port; *conn gets the accepted fd. */
static void
make_pair(int *srv, int *cli, int *conn)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	*srv = make_socket();
	if (bind(*srv, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    getsockname(*srv, (struct sockaddr *)&sin, &len) == -1 ||
	    listen(*srv, 128) == -1)
		fail("bind");
	*cli = make_socket();
	if (connect(*cli, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		fail("connect");
	len = sizeof(sin);
	if ((*conn = accept(*srv, (struct sockaddr *)&sin, &len)) == -1)
		fail("accept");
	printf("accept(%d, ...) = %d\n", *srv, *conn);
}

/* Runs the calls. Returns 0, or exits 1 when a call fails. */
int
main(int argc, char *argv[])
{
	char buf[2];
	long i, n, handles;
	int fd, rc, srv, cli, conn, sendrecv;

	if (argc != 4) {
		fprintf(stderr,
		    "usage: bench_calls sockclose|sendrecv "
		    "COMMANDS HANDLES\n");
		return 2;
	}
	sendrecv = strcmp(argv[1], "sendrecv") == 0;
	n = atol(argv[2]);
	handles = atol(argv[3]);
	for (i = 0; i < handles; i++)
		make_socket();
	if (sendrecv)
		make_pair(&srv, &cli, &conn);
	for (i = 0; i < n / 2; i++) {
		if (sendrecv) {
			if ((rc = send(cli, "hi", 2, 0)) != 2)
				fail("send");
			printf("send(%d, \"hi\", 2, 0) = %d\n", cli, rc);
			if ((rc = recv(conn, buf, sizeof(buf), 0)) != 2)
				fail("recv");
			printf("recv(%d, \"%.2s\", 2, 0) = %d\n", conn, buf,
			    rc);
		} else {
			fd = make_socket();
			if ((rc = close(fd)) == -1)
				fail("close");
			printf("close(%d) = %d\n", fd, rc);
		}
	}
	return 0;
}
