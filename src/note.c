#include "note.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "handle.h"
#include "job.h"
#include "out.h"
#include "shell.h"
#include "sys.h"

/*
 * What an errno means after a call: the first entry whose call (NULL for
 * any) and errno match. In the text, {a} stands for the address the call
 * named, {h} for the handle's name and {i} for what interrupted it.
 */
struct note {
	const char *call;
	int err;
	const char *text;
};

/* Notes for one family only, looked at before the others. */
struct note_family {
	int family;
	struct note note;
};

static const struct note_family note_family_table[] = {
	{ AF_UNIX,
	    { "bind", EADDRINUSE,
	        "{a} is taken: the file exists (a "
	        "Unix socket's file stays after the socket is closed; an @name "
	        "goes with it). If no one uses it, remove it yourself (unlink {a}) "
	        "and bind again: this shell removes no file it did not create" } },
	{ 0, { NULL, 0, NULL } }
};

static const struct note note_table[] = {
	{ "connect", ECONNREFUSED,
	    "nothing listens on {a} — start the server "
	    "(bind, listen) first" },
	{ "connect", EINPROGRESS,
	    "the handshake goes on in the kernel: poll "
	    "for writable, then getsockopt {h} SO_ERROR says how it ended" },
	{ "connect", EALREADY,
	    "a connect of {h} is still in progress: wait "
	    "for it (poll), do not connect again" },
	{ "connect", EISCONN,
	    "{h} is already connected; a TCP socket "
	    "connects once" },
	{ "connect", EINTR,
	    "{i} interrupted connect, but the handshake "
	    "goes on in the kernel ({h} stays in SYN_SENT until it ends)" },
	{ "connect", EADDRNOTAVAIL,
	    "no local address or port is free to "
	    "reach {a}" },
	{ "connect", ETIMEDOUT, "no answer from {a}" },
	{ "connect", EAFNOSUPPORT, "the address is not of {h}'s family" },
	{ "bind", EADDRINUSE,
	    "another socket holds {a} — perhaps a "
	    "connection in TIME_WAIT after a close; setsockopt {h} "
	    "SO_REUSEADDR 1 before bind lets a server rebind at once" },
	{ "bind", EADDRNOTAVAIL, "{a} is not an address of this machine" },
	{ "bind", EACCES,
	    "ports below 1024 are for privileged programs; pick "
	    "one above 1023, or 0" },
	{ "bind", EINVAL, "{h} already has an address: a socket binds once" },
	{ "listen", EADDRINUSE, "another socket already listens on that port" },
	{ "listen", EINVAL, "listen needs a socket that is not connected" },
	{ "listen", EOPNOTSUPP,
	    "only connection sockets (TCP, Unix stream) "
	    "listen; a datagram socket just receives" },
	{ "accept", EINVAL, "{h} is not listening: bind and listen first" },
	{ "accept", EOPNOTSUPP,
	    "only connection sockets (TCP, Unix stream) "
	    "accept" },
	{ "accept", EMFILE,
	    "the process has no free fd for the new socket; "
	    "the connection stays in the queue — close a handle and accept "
	    "again" },
	{ "socketpair", EOPNOTSUPP,
	    "only AF_UNIX makes socket pairs; for "
	    "TCP, connect a client to a listening socket and accept" },
	{ NULL, ENOTCONN,
	    "{h} is not connected: connect it (client) or use "
	    "the socket accept returns (server); a listening socket never "
	    "carries data" },
	{ NULL, ECONNREFUSED,
	    "an earlier datagram from {h} came back as ICMP "
	    "port unreachable: nothing listens at the peer's port (a connected "
	    "UDP socket hears of it on its next call)" },
	{ NULL, ECONNRESET,
	    "the peer reset the connection (RST): it closed "
	    "with unread data, or aborted with SO_LINGER 0" },
	{ "poll", EINTR,
	    "{i} interrupted the call before a handle was "
	    "ready; every handle is as it was" },
	{ "select", EINTR,
	    "{i} interrupted the call before a handle was "
	    "ready; every handle is as it was" },
	{ NULL, EINTR, "{i} interrupted the call; {h} is as it was" },
	{ NULL, EDESTADDRREQ, "{h} has no peer: connect it first" },
	{ NULL, EBADF, "{h} is not an open fd" },
	{ NULL, ENOTSOCK, "{h} is not a socket" },
	{ NULL, EMFILE,
	    "the process has no free file descriptors left "
	    "(ulimit -n): close some handles" },
	{ NULL, ENFILE, "the system has no free file descriptors left" },
	{ NULL, ENOPROTOOPT, "{h} has no such option (wrong kind of socket)" },
	{ NULL, EAFNOSUPPORT, "this machine does not support that family" },
	{ NULL, EPROTONOSUPPORT, "no such protocol for that family and type" },
	{ NULL, EOPNOTSUPP, "this kind of socket does not do that" },
	{ NULL, EMSGSIZE, "the message is too large for one datagram" },
	{ NULL, ETIMEDOUT,
	    "the connection timed out: the peer stopped "
	    "answering" },
	{ NULL, 0, NULL }
};

/* Appends text to b with {a}, {h} and {i} (what interrupted a call) replaced. */
static void
note_expand(struct buf *b, const char *text, const char *h, const char *a)
{
	for (; *text; text++) {
		if (text[0] == '{' && text[1] && text[2] == '}' &&
		    strchr("ahi", text[1])) {
			buf_puts(b,
			    text[1] == 'a'       ? a
			        : text[1] == 'h' ? h
			        : job_current()  ? "cancel"
			                         : "Ctrl-C");
			text += 2;
		} else
			buf_addc(b, *text);
	}
}

/* Explains EAGAIN: a non-blocking socket, or a timeout running out. */
static void
note_eagain(struct shell *sh, const char *call, const struct handle *h)
{
	int fl = h ? sh->sys->fcntl_getfl(h->fd) : -1;

	if (fl != -1 && (fl & O_NONBLOCK))
		out_note(sh,
		    "%s would have to wait, and %s is non-blocking: "
		    "it returns at once instead",
		    call, h->name);
	else
		out_note(sh,
		    "%s timed out (SO_RCVTIMEO/SO_SNDTIMEO); Python "
		    "raises TimeoutError here",
		    call);
}

/* Explains EPIPE: shut down for writing, never connected, or the peer gone. */
static void
note_epipe(struct shell *sh, const struct handle *h)
{
	if (h == NULL)
		return;
	if (h->shut & HANDLE_SHUT_WR)
		out_note(sh,
		    "%s shut down its sending side (SHUT_WR): it can "
		    "send no more, though it can still receive",
		    h->name);
	else if (!h->connected)
		out_note(sh,
		    "%s is not connected: TCP sends only on a connected "
		    "socket (connect it, or use the socket accept returns)",
		    h->name);
	else
		out_note(sh,
		    "the peer closed the connection: its kernel answered "
		    "the last send with RST, so this one fails");
}

/* Prints the plain-language note for errno err after call, if there is one. */
void
note_errno(struct shell *sh, const char *call, int err, const struct handle *h,
    const char *addr)
{
	const struct note_family *f;
	const struct note *n;
	struct buf b;

	if (err == EAGAIN) {
		note_eagain(sh, call, h);
		return;
	}
	if (err == EPIPE) {
		note_epipe(sh, h);
		return;
	}
	for (n = note_table; n->text; n++)
		if (n->err == err &&
		    (n->call == NULL || strcmp(n->call, call) == 0))
			break;
	for (f = note_family_table; h && f->note.text; f++)
		if (f->family == h->family && f->note.err == err &&
		    strcmp(f->note.call, call) == 0)
			n = &f->note;
	if (n->text == NULL)
		return;
	buf_init(&b);
	note_expand(&b, n->text, h ? h->name : "the socket",
	    addr ? addr : "that address");
	out_note(sh, "%s", buf_str(&b));
	buf_free(&b);
}
