#include <errno.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "call.h"
#include "cmd.h"
#include "diag.h"
#include "text.h"
#include "handle.h"
#include "job.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sys.h"

/* close HANDLE: closes the fd; the handle's name is remembered. */
static int
cmd_close_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	char line[64], where[64], n[TEXT_LONG_MAX];
	int rc, err, fd = a->h->fd;
	struct call c;
	int job = job_using(sh, a->h);

	if (job)
		return cmd_usage(sh, cmd,
		    "job [%d] waits in a call on %s: cancel %d first, or "
		    "shutdown %s to wake it (closing an fd does not wake a "
		    "thread blocked on it: it would wait on)",
		    job, a->h->name, job, a->h->name);
	call_begin(sh, &c, cmd->name, a->h->epoll ? NULL : a->h);
	/*
	 * The addresses its lingering connection is found by (none when
	 * it was never bound: no call named it since socket); without
	 * notes, only what close_rst and the diagram need, of a connection.
	 */
	if (!a->h->fresh && diag_remember(sh->sys, a->h) && !sh->notes &&
	    a->h->type == SOCK_STREAM)
		call_view_read_some(sh, a->h, &c.before,
		    CALL_VIEW_STATE | CALL_VIEW_QUEUES | CALL_VIEW_LINGER);
	rc = sh->sys->close(fd);
	err = errno;
	if (rc == 0 || err != EBADF) { /* the fd is gone either way */
		shell_where(sh, where, sizeof(where));
		handle_close(&sh->handles, a->h, where);
		a->h->close_state =
		    c.before.read & CALL_VIEW_STATE && !c.sharers
		    ? c.before.state
		    : -1; /* shared: nothing sent, no FIN to draw */
		a->h->close_rst = a->h->family != AF_UNIX && !c.sharers &&
		    (c.before.unread > 0 ||
		        (c.before.linger_on && c.before.linger_s == 0));
		if (c.sharers) /* the socket lives on in another handle: */
			a->h->tcp_state = -1; /* followed there, not here */
	}
	call_end(sh, &c, rc, err);
	text_copy(line, sizeof(line), "close("); /* no printf: a hot line */
	strcat(strcat(line, text_long(n, fd)), ")");
	out_call(sh, line, c.ret, c.err);
	if (a->h->fd < 0)
		out_meaning(sh,
		    "%s is closed; fd %d is free for the next socket",
		    a->h->name, fd);
	note_call(sh, &c);
	return CMD_OK;
}

const struct cmd_entry cmd_close_entry = {
	.name = "close",
	.usage = "HANDLE",
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_HANDLE | CMD_ANYFD,
	.group = CMD_GROUP_CLOSING,
	.summary = "close the socket and free its fd",
	.help =
	    "Closes the fd with close(2). When it was the last fd for its "
	    "socket (see dup), for a connected TCP socket the kernel sends FIN (or RST, when unread data is left) and finishes "
	    "the connection on its own, perhaps in TIME_WAIT; while "
	    "another fd holds the socket, nothing is sent and the socket "
	    "stays as it is. The fd number is free at once. The name is remembered, so using it later says "
	    "when it was closed.",
	.errors = "EBADF: the fd was not open.",
	.man = "close(2), socket(7)",
	.complete = "handle",
	.exec = cmd_close_exec,
};
