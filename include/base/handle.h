/* The table of named handles: names and fd numbers to the sockets they hold. */
#ifndef SOCKSTEP_HANDLE_H
#define SOCKSTEP_HANDLE_H

#include <stddef.h>
#include <sys/socket.h>

#define HANDLE_NAME_MAX 32
#define HANDLE_SHUT_RD 1
#define HANDLE_SHUT_WR 2
#define HANDLE_AUTO_MAX 4 /* prefixes remembered: sock, conn, pair */

/* A handle an epoll handle watches, with the events this shell asked for. */
struct handle_watch {
	const struct handle *h;
	unsigned events; /* EPOLLIN, EPOLLET, ... as epoll_ctl was given them */
};

struct handle {
	char name[HANDLE_NAME_MAX];
	int fd; /* -1 once closed */
	int old_fd; /* the fd it had, kept after close */
	char pair[HANDLE_NAME_MAX]; /* the other end of a socketpair, or "" */
	int family;
	int type; /* SOCK_STREAM, SOCK_DGRAM, ... without flags */
	int protocol;
	int shut; /* HANDLE_SHUT_* bits this shell asked for */
	char closed_at[64]; /* where it was closed, once closed */
	unsigned long closed_seq; /* order of closing, for listing */
	int connected; /* a connect or accept gave it a peer */
	int fresh; /* made by socket and named by no command since: unbound */
	unsigned long sock; /* its socket: a dup's is its original's */
	struct sockaddr_storage local; /* remembered addresses (diag_remember), */
	struct sockaddr_storage peer; /* kept after close for sock_diag */
	int close_rst; /* closed with unread data or SO_LINGER {1, 0}: RST, not FIN */
	int close_state; /* its TCP state as close read it just before; -1 none */
	int tcp_state; /* last TCP state track saw; -1 none yet */
	unsigned long track_seq; /* closed_seq when track last saw it */
	unsigned segs_in; /* TCP_INFO counters when track last saw it */
	unsigned segs_out;
	int epoll; /* an epoll instance (epoll_create1), not a socket */
	int host; /* the lab host it is on (labhost.h), -1 outside a lab */
	struct handle_watch *watch; /* what this shell added to it, live only */
	size_t nwatch;
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
void handle_auto_name(struct handle_table *, const char *, char *, size_t);

#endif
