#include <errno.h>
#include <fcntl.h>
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
#include "sym.h"
#include "sys.h"
#include "waitline.h"

/*
 * Says what accept4's flags did to the new socket fd, as read back from
 * the kernel (fcntl F_GETFL and F_GETFD, which only read).
 */
static void
accept_say_flags(struct shell *sh, const char *name, int fd, long flags)
{
	int fl = sh->sys->fcntl_getfl(fd), fdfl = sh->sys->fcntl_getfd(fd);

	if ((flags & SOCK_NONBLOCK) && fl != -1 && (fl & O_NONBLOCK))
		out_meaning(sh,
		    "%s is non-blocking (O_NONBLOCK, read back with fcntl "
		    "F_GETFL): no setblocking or fcntl F_SETFL needed",
		    name);
	else if (fl != -1 && !(fl & O_NONBLOCK))
		out_meaning(sh,
		    "%s is blocking (fcntl F_GETFL shows no O_NONBLOCK): "
		    "accept4 gave it SOCK_NONBLOCK only when asked, whatever "
		    "the listener's mode",
		    name);
	if ((flags & SOCK_CLOEXEC) && fdfl != -1 && (fdfl & FD_CLOEXEC))
		out_meaning(sh,
		    "fd %d is close-on-exec (FD_CLOEXEC, read back with "
		    "fcntl F_GETFD): a program this process execs does not "
		    "inherit it",
		    fd);
}

/*
 * accept HANDLE [NAME] and accept4 HANDLE NAME [FLAGS]: takes the next
 * connection from the queue as a new handle; accept4 sets its flags
 * (SOCK_NONBLOCK, SOCK_CLOEXEC) in the same call.
 */
static int
cmd_accept_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int four = cmd->name[6] == '4'; /* accept4 */
	char name[HANDLE_NAME_MAX];
	struct sockaddr_storage ss;
	socklen_t in, len;
	struct buf b, peer;
	struct handle *h;
	struct call c;
	long flags = 0;
	int fd;

	if (four && a->argc > 2 &&
	    (sym_flags(sym_sockflag, a->argv[2].text, &flags) == -1 ||
	        flags < 0 || flags > 0x7fffffff))
		return cmd_usage(sh, cmd,
		    "'%.40s' is not flags such as "
		    "SOCK_NONBLOCK|SOCK_CLOEXEC (or 0)",
		    a->argv[2].text);
	if (a->argc > 1 &&
	    cmd_new_name(sh, cmd, &a->argv[1], "conn", name) == CMD_ERR)
		return CMD_ERR;
	in = len = addr_size(a->h->family);
	buf_init(&b);
	buf_init(&peer);
	buf_printf(&b, "%s(%d, ", cmd->name, a->h->fd);
	call_begin(sh, &c, cmd->name, a->h);
	waitline_begin(sh, buf_str(&b));
	if (four)
		fd = sh->sys->accept4(a->h->fd, (struct sockaddr *)&ss, &len,
		    (int)flags);
	else
		fd = sh->sys->accept(a->h->fd, (struct sockaddr *)&ss, &len);
	waitline_end();
	call_end(sh, &c, fd, errno);
	if (fd == -1)
		buf_printf(&b, "...");
	else
		addr_strace(&b, (struct sockaddr *)&ss, len);
	if (fd != -1 && len != in)
		buf_printf(&b, ", [%u => %u]", (unsigned)in, (unsigned)len);
	else
		buf_printf(&b, ", [%u]", (unsigned)in);
	if (four) {
		buf_puts(&b, ", ");
		sym_format_flags(&b, sym_sockflag, flags);
	}
	buf_addc(&b, ')');
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
		if (four)
			accept_say_flags(sh, name, fd, flags);
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

const struct cmd_entry cmd_accept4_entry = {
	.name = "accept4",
	.usage = "HANDLE NAME [FLAGS]",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_NEWNAME | CMD_BACKGROUND,
	.group = CMD_GROUP_SERVER,
	.summary = "accept, with SOCK_NONBLOCK and SOCK_CLOEXEC in one call",
	.help =
	    "accept with flags, with accept4(2): FLAGS (SOCK_NONBLOCK, "
	    "SOCK_CLOEXEC, or SOCK_NONBLOCK|SOCK_CLOEXEC; 0 for none) are set "
	    "on the new socket NAME as it is made, saving a fcntl F_SETFL "
	    "(SOCK_NONBLOCK) and closing the gap where another thread's exec "
	    "could inherit the fd (SOCK_CLOEXEC). On Linux the new socket "
	    "never takes the listener's O_NONBLOCK: only FLAGS decide. The "
	    "shell reads the new fd's flags back and says what they are. "
	    "Python's accept() is accept4 with SOCK_CLOEXEC; Python: conn, "
	    "addr = srv.accept(); conn.setblocking(False).",
	.errors =
	    "EINVAL: the socket is not listening, or FLAGS has an unknown "
	    "bit. EAGAIN: non-blocking, or timed out, and no connection is "
	    "waiting. EINTR: interrupted by Ctrl-C.",
	.man = "accept4(2), fcntl(2)",
	.complete = "listener - sockflag",
	.exec = cmd_accept_exec,
};
