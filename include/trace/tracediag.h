/* A traced program's TCP connections as the shell's diagram draws them, and its segments under capture. */
#ifndef SOCKSTEP_TRACEDIAG_H
#define SOCKSTEP_TRACEDIAG_H

#include <sys/socket.h>
#include <sys/types.h>

struct shell;
struct tracediag_conn;
struct tracediag_end;

/* What the tracer read of one traced call on a TCP socket, for its arrows. */
struct tracediag_call {
	pid_t pid;
	int fd; /* the call's socket; accept's new one */
	long nr; /* the system call */
	long ret;
	int err;
	const char *label; /* "connect(3)" */
	struct sockaddr_storage local; /* its ends, read after (close: before) */
	struct sockaddr_storage peer;
	int before; /* its TCP state just before, -1 unknown */
	int rst; /* a close that sends RST: unread data, or SO_LINGER {1, 0} */
	long how; /* shutdown's */
	const unsigned char *data; /* the first bytes sent or received */
	size_t data_len;
};

/* The arrows and ends of one trace. */
struct tracediag {
	struct shell *sh; /* whose diagram and capture these are */
	int draw; /* --diagram: arrows are kept */
	struct tracediag_conn
	    *conn; /* connections whose handshake or FIN was drawn */
	size_t nconn;
	struct tracediag_end *end; /* the program's own TCP endpoints */
	size_t nend;
};

void tracediag_init(struct tracediag *, struct shell *, int);
void tracediag_free(struct tracediag *);
int tracediag_on(const struct tracediag *);
void tracediag_between(struct tracediag *);
void tracediag_call(struct tracediag *, const struct tracediag_call *);
int tracediag_write(struct tracediag *, const char *);

#endif
