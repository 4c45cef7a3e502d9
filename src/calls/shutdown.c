#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "call.h"
#include "cmd.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"

/* shutdown HANDLE HOW: ends one or both directions of the connection. */
static int
cmd_shutdown_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	char line[64];
	long how;
	struct call c;
	int rc;

	if (sym_value(sym_shut, a->argv[1].text, &how) == -1 || how < 0 ||
	    how > 2)
		return cmd_usage(sh, cmd,
		    "'%.40s' is not a direction (SHUT_RD, "
		    "SHUT_WR, SHUT_RDWR; or rd, wr, rdwr; or 0, 1, 2)",
		    a->argv[1].text);
	call_begin(sh, &c, cmd->name, a->h);
	c.arg = how;
	rc = sh->sys->shutdown(a->h->fd, (int)how);
	call_end(sh, &c, rc, errno);
	snprintf(line, sizeof(line), "shutdown(%d, %s)", a->h->fd,
	    sym_name(sym_shut, how));
	out_call(sh, line, c.ret, c.err);
	if (rc == 0) /* on the socket: every handle of it (dup) */
		call_shut_shared(sh, a->h,
		    (how == SHUT_WR ? 0 : HANDLE_SHUT_RD) |
		        (how == SHUT_RD ? 0 : HANDLE_SHUT_WR));
	note_call(sh, &c);
	return CMD_OK;
}

const struct cmd_entry cmd_shutdown_entry = {
	.name = "shutdown",
	.usage = "HANDLE SHUT_RD|SHUT_WR|SHUT_RDWR",
	.args_min = 2,
	.args_max = 2,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_CLOSING,
	.summary = "end sending (FIN), receiving, or both; keeps the fd",
	.help =
	    "Ends one direction of the connection, or both, with "
	    "shutdown(2), without closing the fd. SHUT_WR (wr, 1) sends FIN: "
	    "the peer's recv returns 0, the zero-length message, while this "
	    "side can still receive (a half-close). SHUT_RD (rd, 0) makes this "
	    "side's recv return 0; the peer is not told. SHUT_RDWR (rdwr, 2) "
	    "does both. The HOWTO's shutdown(1) is SHUT_WR.",
	.errors = "ENOTCONN: the socket is not connected.",
	.man = "shutdown(2), tcp(7)",
	.complete = "handle shut",
	.exec = cmd_shutdown_exec,
};
