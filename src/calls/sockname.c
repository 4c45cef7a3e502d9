#include <errno.h>
#include <string.h>
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

/* getsockname HANDLE and getpeername HANDLE: this end's or the peer's address. */
static int
cmd_sockname_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int peer = strcmp(cmd->name, "getpeername") == 0, rc, err;
	struct sockaddr_storage ss;
	socklen_t in, len;
	struct buf b, where;
	struct call c;

	in = len = addr_size(a->h->family);
	call_begin(sh, &c, cmd->name, a->h);
	if (peer)
		rc = sh->sys->getpeername(a->h->fd, (struct sockaddr *)&ss,
		    &len);
	else
		rc = sh->sys->getsockname(a->h->fd, (struct sockaddr *)&ss,
		    &len);
	err = errno;
	call_end(sh, &c, rc, err);
	buf_init(&b);
	buf_init(&where);
	buf_printf(&b, "%s(%d, ", cmd->name, a->h->fd);
	if (rc == -1)
		buf_puts(&b, "...");
	else
		addr_strace(&b, (struct sockaddr *)&ss, len);
	if (rc == 0 && len != in)
		buf_printf(&b, ", [%u => %u])", (unsigned)in, (unsigned)len);
	else
		buf_printf(&b, ", [%u])", (unsigned)in);
	out_call(sh, buf_str(&b), rc, err);
	note_call(sh, &c);
	if (rc == 0) {
		addr_short(&where, (struct sockaddr *)&ss, len);
		out_meaning(sh, "%s%s is %s", peer ? "the peer of " : "",
		    a->h->name, buf_str(&where));
	}
	buf_free(&where);
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_getsockname_entry = {
	.name = "getsockname",
	.usage = "HANDLE",
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_HANDLE | CMD_READS,
	.group = CMD_GROUP_NAMES,
	.summary = "show this end's address and port",
	.help =
	    "Asks the kernel for the socket's own address with "
	    "getsockname(2): the one bind gave it, or the one the kernel "
	    "picked (an ephemeral port after connect, or after bind to port "
	    "0). Python: sock.getsockname().",
	.errors = "EBADF, ENOTSOCK: not an open socket.",
	.man = "getsockname(2)",
	.complete = "handle",
	.exec = cmd_sockname_exec,
};

const struct cmd_entry cmd_getpeername_entry = {
	.name = "getpeername",
	.usage = "HANDLE",
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_HANDLE | CMD_READS,
	.group = CMD_GROUP_NAMES,
	.summary = "show the address of the other end",
	.help = "Asks the kernel for the address of the connected peer with "
	        "getpeername(2). Python: sock.getpeername().",
	.errors = "ENOTCONN: the socket is not connected (a listening socket "
	          "has no peer).",
	.man = "getpeername(2)",
	.complete = "handle",
	.exec = cmd_sockname_exec,
};
