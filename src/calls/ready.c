#include "ready.h"

#include <poll.h>
#include <sys/socket.h>

#include "handle.h"
#include "out.h"
#include "shell.h"
#include "sys.h"

/* What a returned event means for the next call on that handle (epoll's bits are poll's). */
static const struct {
	unsigned ev;
	const char *listening; /* said of a listening socket, or NULL */
	const char *text;
} ready_meanings[] = { { POLLIN, "a connection waits: accept will not block",
	                   "readable: recv will not block (data, or EOF)" },
	{ POLLOUT, NULL, "writable: send will not block" },
	{ POLLPRI, NULL, "urgent (out-of-band) data waits: recv MSG_OOB" },
	{ POLLRDHUP, NULL,
	    "its receiving side is shut down (the peer shut down its "
	    "sending side or reset, or SHUT_RD here): recv will not wait" },
	{ POLLHUP, NULL, "hung up: both directions are shut down" },
	{ POLLERR, NULL, "an error waits: getsockopt SO_ERROR takes it" },
	{ POLLNVAL, NULL, "not an open fd" }, { 0, NULL, NULL } };

/* Says under a call what h, ready for revents, may now do without waiting. */
void
ready_explain(struct shell *sh, const struct handle *h, unsigned revents)
{
	int k, listening = 0;
	socklen_t len = sizeof(listening);

	if (revents & POLLIN)
		sh->sys->getsockopt(h->fd, SOL_SOCKET, SO_ACCEPTCONN,
		    &listening, &len);
	for (k = 0; ready_meanings[k].ev; k++)
		if (revents & ready_meanings[k].ev)
			out_meaning(sh, "%s: %s", h->name,
			    listening && ready_meanings[k].listening
			        ? ready_meanings[k].listening
			        : ready_meanings[k].text);
}
