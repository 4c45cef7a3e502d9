#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

/*
 * Reads dup2's and dup3's target FD (the word after HANDLE) into *to and refuses one
 * the shell holds: dup2 would close it without a word (a handle's socket,
 * or a file of the shell's own, seen open by fcntl F_GETFD, which only
 * reads). Returns CMD_OK, or CMD_ERR with the reason printed.
 */
static int
dup_target(struct shell *sh, const struct cmd_entry *cmd,
    const struct cmd_args *a, int *to)
{
	const struct handle *held;
	char err[128];
	long v;

	if (parse_long(&a->argv[1], 0, INT_MAX, &v, err, sizeof(err)) == -1)
		return cmd_usage(sh, cmd, "FD: %s", err);
	*to = (int)v;
	if ((held = handle_by_fd(&sh->handles, *to)) != NULL)
		return cmd_usage(sh, cmd,
		    "fd %d is %s's: %s would close %s's socket first, "
		    "silently; close %s first, or choose a free fd",
		    *to, held->name, cmd->name, held->name, held->name);
	if (sh->sys->fcntl_getfd(*to) != -1)
		return cmd_usage(sh, cmd,
		    "fd %d is open in the shell itself (not a handle): %s "
		    "would close it; choose a free fd",
		    *to, cmd->name);
	return CMD_OK;
}

/*
 * dup HANDLE NAME, dup2 HANDLE FD NAME, dup3 HANDLE FD NAME [O_CLOEXEC]:
 * a second descriptor, NAME, for HANDLE's socket; dup2 and dup3 at fd FD.
 */
static int
cmd_dup_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	int at = cmd->name[3] != '\0', three = cmd->name[3] == '3';
	char name[HANDLE_NAME_MAX], line[96];
	int fd, to = -1, fdfl;
	struct handle *h;
	struct call c;
	long flags = 0;

	if (three && a->argc > 3 &&
	    sym_flags(sym_cloexec, a->argv[3].text, &flags) == -1)
		return cmd_usage(sh, cmd, "'%.40s' is not O_CLOEXEC (or 0)",
		    a->argv[3].text);
	if ((at && dup_target(sh, cmd, a, &to) == CMD_ERR) ||
	    cmd_new_name(sh, cmd, &a->argv[at ? 2 : 1], "dup", name) == CMD_ERR)
		return CMD_ERR;
	call_begin(sh, &c, cmd->name, a->h);
	if (three)
		fd = sh->sys->dup3(a->h->fd, to, (int)flags);
	else if (at)
		fd = sh->sys->dup2(a->h->fd, to);
	else
		fd = sh->sys->dup(a->h->fd);
	call_end(sh, &c, fd, errno);
	if (three)
		snprintf(line, sizeof(line), "dup3(%d, %d, %s)", a->h->fd, to,
		    flags ? "O_CLOEXEC" : "0");
	else if (at)
		snprintf(line, sizeof(line), "dup2(%d, %d)", a->h->fd, to);
	else
		snprintf(line, sizeof(line), "dup(%d)", a->h->fd);
	out_call(sh, line, c.ret, c.err);
	if (fd != -1) {
		h = handle_add(&sh->handles, name, fd, a->h->family, a->h->type,
		    a->h->protocol);
		call_share(sh, h, a->h);
		out_meaning(sh,
		    "%s is fd %d, another descriptor for %s's socket: it stays "
		    "open until every descriptor for it is closed",
		    name, fd, a->h->name);
		fdfl = three && flags ? sh->sys->fcntl_getfd(fd) : -1;
		if (fdfl != -1 && (fdfl & FD_CLOEXEC))
			out_meaning(sh,
			    "fd %d is close-on-exec (FD_CLOEXEC, read back "
			    "with fcntl F_GETFD): a program this process execs "
			    "does not inherit it",
			    fd);
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
	.group = CMD_GROUP_PROCS,
	.summary = "a second descriptor, NAME, for the same socket",
	.help =
	    "Makes a second fd for HANDLE's socket with dup(2) and names it "
	    "NAME. Both fds hold one socket: shutdown through either "
	    "acts on the socket at once, while close drops only that fd, and the socket "
	    "(with its connection, or its port) lives until the last fd for "
	    "it is closed: no FIN, no RST before then. handles shows which "
	    "handles share a socket. dup2 and dup3 choose the new fd's "
	    "number. Python: conn2 = conn.dup().",
	.errors = "EMFILE: the process has no free file descriptors left.",
	.man = "dup(2), close(2)",
	.complete = "handle -",
	.exec = cmd_dup_exec,
};

const struct cmd_entry cmd_dup2_entry = {
	.name = "dup2",
	.usage = "HANDLE FD NAME",
	.args_min = 3,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_NEWNAME,
	.group = CMD_GROUP_PROCS,
	.summary = "dup, at the fd number FD",
	.help =
	    "dup with dup2(2): the new descriptor, NAME, for HANDLE's socket "
	    "has the number FD. dup2 closes whatever FD held first, without "
	    "a word, so the shell refuses an FD that one of its handles holds "
	    "(close that handle first) or that the shell itself holds open "
	    "(its terminal, files): choose a free fd. Python: os.dup2(fd, "
	    "FD), then socket.socket(fileno=FD).",
	.errors = "EBADF: FD is out of the process's range (RLIMIT_NOFILE).",
	.man = "dup2(2), close(2)",
	.complete = "handle - -",
	.exec = cmd_dup_exec,
};

const struct cmd_entry cmd_dup3_entry = {
	.name = "dup3",
	.usage = "HANDLE FD NAME [O_CLOEXEC]",
	.args_min = 3,
	.args_max = 4,
	.flags = CMD_HANDLE | CMD_NEWNAME,
	.group = CMD_GROUP_PROCS,
	.summary = "dup2, with O_CLOEXEC set on the new fd in the same call",
	.help =
	    "dup2 with dup3(2): the new descriptor NAME at FD, close-on-exec "
	    "when O_CLOEXEC is given (the shell reads it back with fcntl "
	    "F_GETFD). The same FD rules as dup2: one the shell holds is "
	    "refused. Python: os.dup2(fd, FD, inheritable=False).",
	.errors = "EBADF: FD is out of the process's range (RLIMIT_NOFILE).",
	.man = "dup3(2), close(2)",
	.complete = "handle - - cloexec",
	.exec = cmd_dup_exec,
};
