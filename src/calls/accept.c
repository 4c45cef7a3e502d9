#include <errno.h>
#include <sys/socket.h>

#include "addr.h"
#include "buf.h"
#include "call.h"
#include "cmd.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sys.h"
#include "waitline.h"

/* accept HANDLE [NAME]: takes the next connection from the queue as a new handle. */
static int
cmd_accept_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	char name[HANDLE_NAME_MAX];
	struct sockaddr_storage ss;
	socklen_t in, len;
	struct buf b, peer;
	struct handle *h;
	struct call c;
	int fd;

	if (a->argc > 1 &&
	    cmd_new_name(sh, cmd, &a->argv[1], "conn", name) == CMD_ERR)
		return CMD_ERR;
	in = len = addr_size(a->h->family);
	buf_init(&b);
	buf_init(&peer);
	buf_printf(&b, "accept(%d, ", a->h->fd);
	call_begin(sh, &c, cmd->name, a->h);
	waitline_begin(sh, buf_str(&b));
	fd = sh->sys->accept(a->h->fd, (struct sockaddr *)&ss, &len);
	waitline_end();
	call_end(sh, &c, fd, errno);
	if (fd == -1)
		buf_printf(&b, "...");
	else
		addr_strace(&b, (struct sockaddr *)&ss, len);
	if (fd != -1 && len != in)
		buf_printf(&b, ", [%u => %u])", (unsigned)in, (unsigned)len);
	else
		buf_printf(&b, ", [%u])", (unsigned)in);
	out_call(sh, buf_str(&b), c.ret, c.err);
	if (fd != -1) {
		if (a->argc == 1) /* named now: a job returns long after */
			cmd_new_name(sh, cmd, NULL, "conn", name);
		h = handle_add(&sh->handles, name, fd, a->h->family, a->h->type,
		    a->h->protocol);
		h->connected = 1;
		h->host = a->h->host; /* on the listener's host */
		handle_set_peer(h,
		    &ss); /* remembered: a TIME_WAIT has no peer */
		addr_short(&peer, (struct sockaddr *)&ss, len);
		out_meaning(sh, "%s is fd %d, connected by %s", name, fd,
		    buf_str(&peer));
	}
	note_call(sh, &c);
	buf_free(&peer);
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_accept_entry = {
	.name = "accept",
	.usage = "HANDLE [NAME]",
	.args_min = 1,
	.args_max = 2,
	.flags = CMD_HANDLE | CMD_NEWNAME | CMD_BACKGROUND,
	.group = CMD_GROUP_SERVER,
	.summary = "take the next connection; waits until one comes",
	.help =
	    "Takes the next completed connection from the listening "
	    "socket's queue with accept(2) and names the new socket NAME "
	    "(conn1, conn2, ... when left out). The new socket carries the "
	    "data of that one connection; the listening socket keeps "
	    "listening. With nothing in the queue, accept blocks until a client "
	    "connects (Ctrl-C interrupts it). Python: conn, addr = "
	    "srv.accept().",
	.errors =
	    "EINVAL: the socket is not listening (call listen first). "
	    "EAGAIN: non-blocking, or timed out, and no connection is waiting. "
	    "EINTR: interrupted by Ctrl-C.",
	.man = "accept(2), tcp(7)",
	.complete = "listener -",
	.exec = cmd_accept_exec,
};
