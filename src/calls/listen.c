#include <errno.h>
#include <stdio.h>

#include "call.h"
#include "cmd.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sys.h"

/* listen HANDLE [BACKLOG]: turns a bound socket into a listening one. */
static int
cmd_listen_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	char line[64], err[128];
	long backlog = 128;
	struct call c;
	int rc;

	if (a->argc > 1 &&
	    parse_long(&a->argv[1], -1, 1000000, &backlog, err, sizeof(err)) ==
	        -1)
		return cmd_usage(sh, cmd, "backlog: %s", err);
	call_begin(sh, &c, cmd->name, a->h);
	c.arg = backlog;
	rc = sh->sys->listen(a->h->fd, (int)backlog);
	call_end(sh, &c, rc, errno);
	snprintf(line, sizeof(line), "listen(%d, %ld)", a->h->fd, backlog);
	out_call(sh, line, c.ret, c.err);
	note_call(sh, &c);
	return CMD_OK;
}

const struct cmd_entry cmd_listen_entry = {
	.name = "listen",
	.usage = "HANDLE [BACKLOG]",
	.args_min = 1,
	.args_max = 2,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_SERVER,
	.summary = "start accepting connections (a server socket)",
	.help =
	    "Marks the socket as listening with listen(2): from now on the "
	    "kernel completes the handshakes of connecting clients and keeps "
	    "up to BACKLOG of them (one more, on Linux) in a queue until accept takes them. BACKLOG "
	    "defaults to 128, what Python's listen() uses. A listening socket "
	    "never carries data itself.",
	.errors =
	    "EADDRINUSE: another socket listens on the same port. "
	    "EINVAL: the socket is connected. EOPNOTSUPP: a UDP socket has no "
	    "connections to listen for.",
	.man = "listen(2), tcp(7)",
	.complete = "handle -",
	.exec = cmd_listen_exec,
};
