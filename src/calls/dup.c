#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>

#include "call.h"
#include "cmd.h"
#include "diag.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sys.h"

/* dup HANDLE NAME: a second descriptor, NAME, for HANDLE's socket. */
static int
cmd_dup_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	char name[HANDLE_NAME_MAX], line[64];
	struct handle *h;
	struct call c;
	int fd;

	if (cmd_new_name(sh, cmd, &a->argv[1], "dup", name) == CMD_ERR)
		return CMD_ERR;
	call_begin(sh, &c, cmd->name, a->h);
	fd = sh->sys->dup(a->h->fd);
	call_end(sh, &c, fd, errno);
	snprintf(line, sizeof(line), "dup(%d)", a->h->fd);
	out_call(sh, line, c.ret, c.err);
	if (fd != -1) {
		h = handle_add(&sh->handles, name, fd, a->h->family, a->h->type,
		    a->h->protocol);
		h->sock = a->h->sock; /* one socket, two descriptors */
		h->host = a->h->host;
		sh->handles.dups++;
		h->connected = a->h->connected;
		h->shut = a->h->shut;
		h->pair = a->h->pair;
		h->pair_sock = a->h->pair_sock;
		diag_remember(sh->sys, h);
		out_meaning(sh,
		    "%s is fd %d, another descriptor for %s's socket: it stays "
		    "open until every descriptor for it is closed",
		    name, fd, a->h->name);
	}
	note_call(sh, &c);
	return CMD_OK;
}

const struct cmd_entry cmd_dup_entry = {
	.name = "dup",
	.usage = "HANDLE NAME",
	.args_min = 2,
	.args_max = 2,
	.flags = CMD_HANDLE | CMD_NEWNAME,
	.group = CMD_GROUP_CLOSING,
	.summary = "a second descriptor, NAME, for the same socket",
	.help =
	    "Makes a second fd for HANDLE's socket with dup(2) and names it "
	    "NAME. Both fds hold one socket: shutdown through either "
	    "acts on the socket at once, while close drops only that fd, and the socket "
	    "(with its connection, or its port) lives until the last fd for "
	    "it is closed: no FIN, no RST before then. handles shows which "
	    "handles share a socket. Python: conn2 = conn.dup().",
	.errors = "EMFILE: the process has no free file descriptors left.",
	.man = "dup(2), close(2)",
	.complete = "handle -",
	.exec = cmd_dup_exec,
};
