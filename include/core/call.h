/*
 * The record of one system call: who made it, on which handle, with what
 * result, and what the shell read of the socket just before and just
 * after. The call line and the notes are printed from it.
 */
#ifndef SOCKSTEP_CALL_H
#define SOCKSTEP_CALL_H

#include <sys/socket.h>
#include <sys/types.h>

struct handle;
struct shell;

/* The groups of a view's fields, read together (call_view_read_some). */
#define CALL_VIEW_STATE 0x01 /* state, listening, queued, backlog */
#define CALL_VIEW_QUEUES 0x02 /* unread, unsent (and listening) */
#define CALL_VIEW_LINGER 0x04 /* linger_on, linger_s */
#define CALL_VIEW_REUSE 0x08 /* reuseaddr */
#define CALL_VIEW_MODE 0x10 /* nonblock, timeout */
#define CALL_VIEW_NAMES 0x20 /* local, peer */
#define CALL_VIEW_ALL 0x3f
/* What the notes read of every view before and after a call (note.c reads no other field of after). */
#define CALL_VIEW_BEFORE (CALL_VIEW_STATE | CALL_VIEW_NAMES)
#define CALL_VIEW_AFTER (CALL_VIEW_STATE | CALL_VIEW_NAMES)

/* What the shell read of one socket at one moment (only reads: getsockopt, ioctl, fcntl, names). */
struct call_view {
	int seen; /* the fields below were read */
	int read; /* CALL_VIEW_* groups read; the others keep 0 or -1 */
	int shut; /* HANDLE_SHUT_* bits this shell had asked for */
	int state; /* TCP state (TCP_INFO); -1 when not TCP or unknown */
	int listening; /* SO_ACCEPTCONN */
	int queued; /* a listener's connections waiting for accept; -1 unknown */
	int backlog; /* a listener's backlog as the kernel keeps it; -1 unknown */
	int unread; /* bytes to read (SIOCINQ); -1 unknown */
	int unsent; /* bytes not sent yet (SIOCOUTQNSD); -1 unknown */
	int linger_on; /* SO_LINGER */
	int linger_s;
	int reuseaddr; /* SO_REUSEADDR */
	int nonblock; /* O_NONBLOCK */
	int timeout; /* SO_RCVTIMEO or SO_SNDTIMEO is set */
	struct sockaddr_storage local; /* getsockname; ss_family 0 when none */
	socklen_t local_len;
	struct sockaddr_storage peer; /* getpeername; ss_family 0 when none */
	socklen_t peer_len;
};

/* Who holds an address, as far as the shell can see (its handles, sock_diag). */
struct call_holder {
	int found; /* 0: no socket the shell can see */
	struct handle *h; /* a handle of this shell, live or closed, or NULL */
	int live; /* h holds it through its open fd */
	int state; /* TCP state; -1 unknown */
	int listening;
	int reuseaddr; /* SO_REUSEADDR of a live handle; -1 unknown */
	unsigned long
	    inode; /* sock_diag's inode: 0 when no descriptor holds it */
	unsigned expires_ms; /* time left on a lingering connection's timer */
};

/* One call as made: the record every view reads. */
struct call {
	const char *name; /* the libc call as a student writes it: "recv" */
	const char *cmd; /* the command that made it, when not name: "sendall" */
	pid_t pid;
	pid_t tid;
	struct handle *h; /* the handle it was made on, or NULL */
	int family; /* h's, or 0 */
	int type;
	long arg; /* the argument notes need: backlog, how, bufsize, length */
	long flags; /* MSG_* flags */
	long msg_flags; /* recvmsg: the msg_flags the kernel returned */
	int nfds; /* sendmsg: descriptors passed (fds=) */
	const char *addr; /* the address it named, short form, or NULL */
	const struct sockaddr_storage *want; /* that address (bind), or NULL */
	const struct sockaddr_storage
	    *to; /* the address connect named, or NULL */
	long ret;
	int err; /* errno when ret is -1 */
	int signal; /* a signal that came during the call, or 0 */
	int killed; /* the signal that killed the child that made it, or 0 */
	struct call_view before;
	struct call_view after;
	struct handle
	    *peer; /* the handle of this shell at the other end, if seen */
	struct call_holder
	    holder; /* on EADDRINUSE, and after a listener's close */
	int sharers; /* close: other live handles and processes holding h's socket */
	struct handle *sharer; /* the first other handle (dup), or NULL */
	char sharer_name
	    [64]; /* what holds it too: a handle, or a process; "" none */
};

void call_begin(struct shell *, struct call *, const char *, struct handle *);
void call_end(struct shell *, struct call *, long, int);
void call_view_read(struct shell *, const struct handle *, struct call_view *);
void call_view_read_some(struct shell *, const struct handle *,
    struct call_view *, int);
int call_port(const struct sockaddr_storage *);
int call_is_any(const struct sockaddr_storage *);
void call_holder_find(struct shell *, const struct handle *,
    const struct sockaddr_storage *, int, struct call_holder *);
struct handle *call_peer_find(struct shell *, const struct call *);
struct handle *call_ino_handle(struct shell *, int, unsigned long);
int call_sharers(struct shell *, const struct handle *, struct handle **);
int call_proc_sharers(struct shell *, struct handle *, char *, size_t);
struct handle *call_fd_holder(struct shell *, int);
void call_share(struct shell *, struct handle *, const struct handle *);
void call_shut_shared(struct shell *, struct handle *, int);

#endif
