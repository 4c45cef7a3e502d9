#include <errno.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <stdio.h>
#include <sys/socket.h>

#include "cmd.h"
#include "diag.h"
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
	char line[64], where[64];
	int rc, err, unread = 0, listening = 0, abort = 0, fd = a->h->fd;
	struct linger lg;
	socklen_t len = sizeof(listening);
	int job = job_using(sh, a->h);

	if (job)
		return cmd_usage(sh, cmd,
		    "job [%d] waits in a call on %s: cancel %d first, or "
		    "shutdown %s to wake it (closing an fd does not wake a "
		    "thread blocked on it: it would wait on)",
		    job, a->h->name, job, a->h->name);
	if (a->h->type == SOCK_STREAM) { /* for the notes and the diagram */
		sh->sys->getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening,
		    &len);
		if (!listening &&
		    sh->sys->ioctl_int(fd, SIOCINQ, &unread) == -1)
			unread = 0;
		len = sizeof(lg);
		if (!listening &&
		    sh->sys->getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) ==
		        0 &&
		    lg.l_onoff && lg.l_linger == 0)
			abort = 1;
	}
	diag_remember(sh->sys, a->h);
	rc = sh->sys->close(fd);
	err = errno;
	snprintf(line, sizeof(line), "close(%d)", fd);
	out_call(sh, line, rc, err);
	if (rc == -1 && err == EBADF) {
		note_errno(sh, cmd->name, err, a->h, NULL);
		return CMD_OK;
	}
	shell_where(sh, where, sizeof(where));
	handle_close(&sh->handles, a->h, where);
	a->h->close_rst = unread > 0 || abort;
	out_meaning(sh, "%s is closed; fd %d is free for the next socket",
	    a->h->name, fd);
	if (listening)
		out_note(sh,
		    "the port is free again; connections still waiting "
		    "in the queue are reset");
	else if (abort && a->h->connected)
		out_note(sh,
		    "SO_LINGER {1, 0}: the kernel aborts the connection "
		    "with RST at once, and it leaves no TIME_WAIT behind");
	else if (unread > 0)
		out_note(sh,
		    "it had %d unread byte%s: the kernel sends RST "
		    "instead of FIN, and the peer's next call fails with "
		    "ECONNRESET",
		    unread, unread == 1 ? "" : "s");
	return CMD_OK;
}

const struct cmd_entry cmd_close_entry = {
	.name = "close",
	.usage = "HANDLE",
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_CLOSING,
	.summary = "close the socket and free its fd",
	.help =
	    "Closes the fd with close(2). For a connected TCP socket the "
	    "kernel sends FIN (or RST, when unread data is left) and finishes "
	    "the connection on its own, perhaps in TIME_WAIT; the fd number is "
	    "free at once. The name is remembered, so using it later says "
	    "when it was closed.",
	.errors = "EBADF: the fd was not open.",
	.man = "close(2), socket(7)",
	.complete = "handle",
	.exec = cmd_close_exec,
};
