/* A traced program's socket calls: which ones, and their lines as strace prints them. */
#ifndef SOCKSTEP_TRACEFMT_H
#define SOCKSTEP_TRACEFMT_H

#include <poll.h>
#include <stddef.h>
#include <sys/select.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/types.h>

struct buf;
struct opt;

/* The fds of a poll that trace shows; one with more is let by. */
#define TRACEFMT_POLL_MAX 64

/* One traced system call: number, arguments, what was read at entry, result. */
struct tracefmt_sys {
	pid_t tid;
	long nr;
	unsigned long long a[6];
	long ret; /* -1 on error */
	int err; /* errno, or the kernel's ERESTART* number */
	unsigned char data[256]; /* bytes sent, read at entry */
	size_t data_len;
	char msg[2048]; /* sendmsg's message as strace shows it, read at entry */
	socklen_t len_in; /* an in/out length argument's value at entry */
	struct sockaddr_storage addr; /* an address argument, read at entry */
	socklen_t addr_len; /* 0 when there is none */
	struct pollfd pfd[TRACEFMT_POLL_MAX]; /* poll's fds, read at entry */
	unsigned npfd; /* how many were read: 0 when they could not be */
	fd_set set[3]; /* select's in, out and except sets, read at entry */
	struct timespec tmo; /* the timeout at entry, timeval's in tv_nsec */
	int has_tmo; /* 0: NULL; -1: not read */
};

/* Who a traced call is about: its name and the argument holding its fd. */
struct tracefmt_call {
	long nr;
	const char *name;
	int fd_arg; /* index of the fd argument, -1 for none */
	void (*format)(struct buf *, const struct tracefmt_sys *, int);
	int blocks; /* it can wait: shown as waiting when the program sleeps in it */
	int any_fd; /* made on any fd: shown only when its fd is a socket */
};

const struct tracefmt_call *tracefmt_find(long);
const long *tracefmt_numbers(size_t *);
void tracefmt_entry(struct tracefmt_sys *, int);
void tracefmt_line(struct buf *, const struct tracefmt_sys *, int);
int tracefmt_wanted(long, const unsigned long long *);
int tracefmt_result(struct buf *, const struct tracefmt_sys *);
size_t tracefmt_fds(const struct tracefmt_sys *, int *, size_t);
ssize_t tracefmt_read(pid_t, unsigned long long, void *, size_t);
const struct opt *tracefmt_opt(long, long);

#endif
