#include <errno.h>
#include <stdio.h>

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
	int rc, e;

	if (a->argc > 1 &&
	    parse_long(&a->argv[1], -1, 1000000, &backlog, err, sizeof(err)) ==
	        -1)
		return cmd_usage(sh, cmd, "backlog: %s", err);
	rc = sh->sys->listen(a->h->fd, (int)backlog);
	e = errno;
	snprintf(line, sizeof(line), "listen(%d, %ld)", a->h->fd, backlog);
	out_call(sh, line, rc, e);
	if (rc == -1)
		note_errno(sh, cmd->name, e, a->h, NULL);
	else if (backlog < 0)
		out_note(sh,
		    "%s is listening: a negative backlog means the system's "
		    "maximum (net.core.somaxconn)",
		    a->h->name);
	else
		out_note(sh,
		    "%s is listening: the kernel completes handshakes and lets "
		    "up to %ld connection%s wait for accept (the backlog, plus "
		    "one on Linux)",
		    a->h->name, backlog + 1, backlog > 0 ? "s" : "");
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
