/* The table of named handles: names and fd numbers to the sockets they hold. */
#ifndef SOCKSTEP_HANDLE_H
#define SOCKSTEP_HANDLE_H

#include <stddef.h>
#include <sys/socket.h>

#define HANDLE_NAME_MAX 32
#define HANDLE_SHUT_RD 1
#define HANDLE_SHUT_WR 2
#define HANDLE_AUTO_MAX 4 /* prefixes remembered: sock, conn, pair */

/*
 * The addresses a handle remembers (diag_remember, connect, accept), kept
 * after close for sock_diag. Apart from the handle: most never need them.
 */
struct handle_addr {
	struct sockaddr_storage local;
	struct sockaddr_storage peer;
	unsigned long
	    ino; /* its socket's inode, read while the shell has children; 0 */
};

/* A handle an epoll handle watches, with the events this shell asked for. */
struct handle_watch {
	const struct handle *h;
	unsigned events; /* EPOLLIN, EPOLLET, ... as epoll_ctl was given them */
};

struct handle {
	char name[HANDLE_NAME_MAX];
	int fd; /* -1 once closed */
	int old_fd; /* the fd it had, kept after close */
	struct handle *pair; /* the other end of a socketpair, or NULL; */
	unsigned long pair_sock; /* its socket (sock), lest its name be reused */
	int family;
	int type; /* SOCK_STREAM, SOCK_DGRAM, ... without flags */
	int protocol;
	int close_state; /* its TCP state as close read it just before; -1 none */
	char *closed_at; /* where it was closed, once closed; else NULL */
	unsigned long closed_seq; /* order of closing, for listing */
	unsigned long sock; /* its socket: a dup's is its original's */
	struct handle_addr *addr; /* remembered addresses, or NULL: none yet */
	unsigned long track_seq; /* closed_seq when track last saw it */
	int tcp_state; /* last TCP state track saw; -1 none yet */
	unsigned segs_in; /* TCP_INFO counters when track last saw it */
	unsigned segs_out;
	unsigned nwatch;
	struct handle_watch *watch; /* what this shell added to it, live only */
	/* small flags last, packed: 10,000 handles are a benchmark's figure */
	unsigned char shut; /* HANDLE_SHUT_* bits this shell asked for */
	unsigned char connected; /* a connect or accept gave it a peer */
	unsigned char fresh; /* made by socket, named by no command since */
	unsigned char close_rst; /* closed with unread data or SO_LINGER
	                            {1, 0}: RST, not FIN */
	unsigned char epoll; /* an epoll instance (epoll_create1), no socket */
	signed char host; /* the lab host it is on (labhost.h), -1 outside one */
};

/* An auto-name prefix and the first number not known to be taken. */
struct handle_auto {
	char prefix[HANDLE_NAME_MAX];
	unsigned long next; /* prefix1 .. prefix<next - 1> are all taken */
};

struct handle_table {
	struct handle **v; /* every handle, in order of creation */
	size_t n;
	size_t cap;
	struct handle **slot; /* open-addressing index by name */
	size_t nslot;
	struct handle **byfd; /* live handles by fd number */
	size_t nbyfd;
	size_t live;
	size_t epolls; /* live epoll handles (handle_set_epoll) */
	unsigned long socks; /* sockets numbered so far (handle->sock) */
	size_t dups; /* handles dup made: while 0, every socket has one */
	struct handle_auto auto_next[HANDLE_AUTO_MAX]; /* per auto prefix */
	unsigned long closes; /* handles closed so far */
};

void handle_table_init(struct handle_table *);
void handle_table_free(struct handle_table *);
struct handle *handle_add(struct handle_table *, const char *, int, int, int,
    int);
struct handle *handle_find(const struct handle_table *, const char *);
struct handle *handle_by_fd(const struct handle_table *, int);
void handle_close(struct handle_table *, struct handle *, const char *);
void handle_set_epoll(struct handle_table *, struct handle *);
int handle_name_check(const struct handle_table *, const char *, char *,
    size_t);
struct handle_watch *handle_watch_find(const struct handle *,
    const struct handle *);
void handle_watch_set(struct handle *, const struct handle *, unsigned);
void handle_watch_del(struct handle *, const struct handle *);
const struct sockaddr_storage *handle_local(const struct handle *);
const struct sockaddr_storage *handle_peer(const struct handle *);
unsigned long handle_ino(const struct handle *);
void handle_set_ino(struct handle *, unsigned long);
void handle_set_local(struct handle *, const struct sockaddr_storage *);
void handle_set_peer(struct handle *, const struct sockaddr_storage *);
void handle_auto_name(struct handle_table *, const char *, char *, size_t);

#endif
