#include "handle.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

/* Returns the FNV-1a hash of a name. */
static size_t
handle_hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* Makes t an empty table. */
void
handle_table_init(struct handle_table *t)
{
	memset(t, 0, sizeof(*t));
}

/* Frees every handle record; closes no socket. */
void
handle_table_free(struct handle_table *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->v[i]->watch);
		free(t->v[i]->closed_at);
		free(t->v[i]->addr);
		free(t->v[i]);
	}
	free(t->v);
	free(t->slot);
	free(t->byfd);
	handle_table_init(t);
}

/* Returns the slot where name is, or the empty slot where it would go. */
static size_t
handle_slot(const struct handle_table *t, const char *name)
{
	size_t i = handle_hash(name) & (t->nslot - 1);

	while (t->slot[i] && strcmp(t->slot[i]->name, name) != 0)
		i = (i + 1) & (t->nslot - 1);
	return i;
}

/* Doubles the name index and puts every handle back in it. */
static void
handle_rehash(struct handle_table *t)
{
	size_t i;

	free(t->slot);
	t->nslot = t->nslot ? t->nslot * 2 : 64;
	t->slot = xcalloc(t->nslot, sizeof(*t->slot));
	for (i = 0; i < t->n; i++)
		t->slot[handle_slot(t, t->v[i]->name)] = t->v[i];
}

/* Records that fd now belongs to h (NULL to forget it). */
static void
handle_set_fd(struct handle_table *t, int fd, struct handle *h)
{
	size_t n;

	if (fd < 0)
		return;
	if ((size_t)fd >= t->nbyfd) {
		n = t->nbyfd ? t->nbyfd : 64;
		while (n <= (size_t)fd)
			n *= 2;
		t->byfd = xrealloc(t->byfd, n * sizeof(*t->byfd));
		memset(t->byfd + t->nbyfd, 0,
		    (n - t->nbyfd) * sizeof(*t->byfd));
		t->nbyfd = n;
	}
	t->byfd[fd] = h;
}

/*
 * Adds a live handle for fd under name, replacing a closed handle of the
 * same name. The caller has checked the name. Returns the handle.
 */
struct handle *
handle_add(struct handle_table *t, const char *name, int fd, int family,
    int type, int protocol)
{
	struct handle *h = handle_find(t, name);

	if (h == NULL) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 16;
			t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
		}
		h = xcalloc(1, sizeof(*h));
		snprintf(h->name, sizeof(h->name), "%s", name);
		t->v[t->n++] = h;
		if (t->n * 2 > t->nslot)
			handle_rehash(t);
		else
			t->slot[handle_slot(t, name)] = h;
	}
	h->fd = fd;
	h->old_fd = fd;
	h->host = -1; /* the caller sets it in a lab */
	h->family = family;
	h->type = type;
	h->protocol = protocol;
	h->shut = 0;
	h->connected = 0;
	h->pair = NULL;
	h->pair_sock = 0;
	free(h->closed_at);
	h->closed_at = NULL;
	free(h->addr); /* a name used again: the old socket's are not its */
	h->addr = NULL;
	h->epoll = 0;
	h->sock = ++t->socks; /* a socket of its own, unless dup says not */
	handle_set_fd(t, fd, h);
	t->live++;
	return h;
}

/* Returns the handle called name, live or closed, or NULL. */
struct handle *
handle_find(const struct handle_table *t, const char *name)
{
	if (t->nslot == 0)
		return NULL;
	return t->slot[handle_slot(t, name)];
}

/* Returns the live handle holding fd, or NULL. */
struct handle *
handle_by_fd(const struct handle_table *t, int fd)
{
	if (fd < 0 || (size_t)fd >= t->nbyfd)
		return NULL;
	return t->byfd[fd];
}

/* Returns what epoll handle ep was told of h, or NULL when h is not in it. */
struct handle_watch *
handle_watch_find(const struct handle *ep, const struct handle *h)
{
	size_t i;

	for (i = 0; i < ep->nwatch; i++)
		if (ep->watch[i].h == h)
			return &ep->watch[i];
	return NULL;
}

/* Remembers that epoll handle ep watches h for events (an ADD or MOD). */
void
handle_watch_set(struct handle *ep, const struct handle *h, unsigned events)
{
	struct handle_watch *w = handle_watch_find(ep, h);

	if (w == NULL) {
		ep->watch =
		    xrealloc(ep->watch, (ep->nwatch + 1) * sizeof(*ep->watch));
		w = &ep->watch[ep->nwatch++];
		w->h = h;
	}
	w->events = events;
}

/* Forgets that epoll handle ep watches h (a DEL, or h closed). */
void
handle_watch_del(struct handle *ep, const struct handle *h)
{
	struct handle_watch *w = handle_watch_find(ep, h);

	if (w)
		*w = ep->watch[--ep->nwatch];
}

/*
 * Marks h closed, remembering where, and frees its fd number. Every epoll
 * handle forgets h (the kernel drops it when its last descriptor closes;
 * after a dup the notes just say less), and a closed epoll handle forgets
 * what it watched.
 */
void
handle_close(struct handle_table *t, struct handle *h, const char *where)
{
	size_t i;

	if (h->fd < 0)
		return;
	/* the live epoll handles forget it: by fd, and only when there are
	 * any, so that a close costs the same however many were closed */
	for (i = 0; t->epolls > 0 && i < t->nbyfd; i++)
		if (t->byfd[i] && t->byfd[i]->epoll)
			handle_watch_del(t->byfd[i], h);
	if (h->epoll)
		t->epolls--;
	free(h->watch);
	h->watch = NULL;
	h->nwatch = 0;
	handle_set_fd(t, h->fd, NULL);
	h->fd = -1;
	h->closed_seq = ++t->closes;
	h->closed_at = xstrdup(where);
	t->live--;
}

/* Makes live handle h an epoll instance's, which handle_close keeps up to date. */
void
handle_set_epoll(struct handle_table *t, struct handle *h)
{
	if (!h->epoll && h->fd >= 0) {
		h->epoll = 1;
		t->epolls++;
	}
}

/*
 * Checks that name can name a new handle: a letter or '_' first, then
 * letters, digits, '_' or '-', and not the name of a live handle.
 * Returns 0, or -1 with a message in err.
 */
int
handle_name_check(const struct handle_table *t, const char *name, char *err,
    size_t errlen)
{
	const struct handle *h;
	const char *p;

	if (!isalpha((unsigned char)name[0]) && name[0] != '_') {
		snprintf(err, errlen,
		    "a handle name starts with a letter "
		    "(like srv, cli, conn)");
		return -1;
	}
	for (p = name; *p; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
			snprintf(err, errlen,
			    "a handle name has only letters, "
			    "digits, '_' and '-'");
			return -1;
		}
	}
	if (strlen(name) >= HANDLE_NAME_MAX) {
		snprintf(err, errlen, "a handle name has at most %d characters",
		    HANDLE_NAME_MAX - 1);
		return -1;
	}
	h = handle_find(t, name);
	if (h && h->fd >= 0) {
		snprintf(err, errlen,
		    "%s is already a live handle (fd %d); "
		    "close it or choose another name",
		    name, h->fd);
		return -1;
	}
	return 0;
}

/*
 * Returns where the next number to try for prefix is remembered, or NULL
 * when it is not (a long prefix, or too many prefixes): names never leave
 * the table, so numbers found taken once stay taken.
 */
static struct handle_auto *
handle_auto_memo(struct handle_table *t, const char *prefix)
{
	struct handle_auto *m;
	size_t i;

	if (strlen(prefix) + 20 >= sizeof(m->prefix))
		return NULL; /* prefix and number might not fit */
	for (i = 0; i < HANDLE_AUTO_MAX; i++) {
		m = &t->auto_next[i];
		if (m->next == 0) {
			snprintf(m->prefix, sizeof(m->prefix), "%s", prefix);
			m->next = 1;
			return m;
		}
		if (strcmp(m->prefix, prefix) == 0)
			return m;
	}
	return NULL;
}

/*
 * Writes into out the first unused name prefix1, prefix2, ... (closed names
 * stay taken), starting from the first number not known to be taken.
 */
void
handle_auto_name(struct handle_table *t, const char *prefix, char *out,
    size_t outlen)
{
	struct handle_auto *m = NULL;
	unsigned long i;

	if (outlen >= HANDLE_NAME_MAX)
		m = handle_auto_memo(t, prefix);
	for (i = m ? m->next : 1;; i++) {
		snprintf(out, outlen, "%s%lu", prefix, i);
		if (handle_find(t, out) == NULL)
			break;
	}
	if (m)
		m->next = i;
}

/* Returns the local address h remembers; one of family 0 when none. */
const struct sockaddr_storage *
handle_local(const struct handle *h)
{
	static const struct sockaddr_storage none;

	return h->addr ? &h->addr->local : &none;
}

/* Returns the peer address h remembers; one of family 0 when none. */
const struct sockaddr_storage *
handle_peer(const struct handle *h)
{
	static const struct sockaddr_storage none;

	return h->addr ? &h->addr->peer : &none;
}

/* Returns h's remembered addresses, made (empty) on first use. */
static struct handle_addr *
handle_addr(struct handle *h)
{
	if (h->addr == NULL)
		h->addr = xcalloc(1, sizeof(*h->addr));
	return h->addr;
}

/* Returns the inode of h's socket as remembered (handle_set_ino), or 0. */
unsigned long
handle_ino(const struct handle *h)
{
	return h->addr ? h->addr->ino : 0;
}

/* Remembers ino as the inode of h's socket, for after its close. */
void
handle_set_ino(struct handle *h, unsigned long ino)
{
	if (ino != 0 || h->addr != NULL)
		handle_addr(h)->ino = ino;
}

/* Remembers ss as h's local address. */
void
handle_set_local(struct handle *h, const struct sockaddr_storage *ss)
{
	handle_addr(h)->local = *ss;
}

/* Remembers ss as h's peer's address. */
void
handle_set_peer(struct handle *h, const struct sockaddr_storage *ss)
{
	handle_addr(h)->peer = *ss;
}
