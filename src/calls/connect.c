#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "arg.h"
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
 * connect HANDLE ADDRESS PORT, and connect_ex, which like Python's
 * returns the errno as its value instead of failing.
 */
static int
cmd_connect_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	struct sockaddr_storage local;
	socklen_t llen = sizeof(local);
	struct addr addr;
	struct buf b, where, me;
	struct call c;
	int rc, err, ex = strcmp(cmd->name, "connect_ex") == 0;

	if (arg_addr(sh, cmd, a->h, a->argv + 1, a->argc - 1, &addr) == CMD_ERR)
		return CMD_ERR;
	buf_init(&b);
	buf_init(&where);
	buf_init(&me);
	buf_printf(&b, "connect(%d, ", a->h->fd);
	addr_strace(&b, (struct sockaddr *)&addr.ss, addr.len);
	buf_printf(&b, ", %u", (unsigned)addr.len);
	call_begin(sh, &c, "connect", a->h);
	waitline_begin(sh, buf_str(&b));
	rc = sh->sys->connect(a->h->fd, (struct sockaddr *)&addr.ss, addr.len);
	err = errno;
	waitline_end();
	call_end(sh, &c, rc, err);
	buf_addc(&b, ')');
	out_call(sh, buf_str(&b), rc, err);
	addr_short(&where, (struct sockaddr *)&addr.ss, addr.len);
	if (ex) {
		sh->last.ret = rc == -1 ? err : 0;
		sh->last.err = 0;
		out_meaning(sh, "connect_ex returned %d%s%s%s",
		    rc == -1 ? err : 0, rc == -1 ? " (" : "",
		    rc == -1 ? sym_errno_name(err) : "", rc == -1 ? ")" : "");
	}
	if (rc == 0)
		a->h->connected = 1;
	if (rc == 0 &&
	    sh->sys->getsockname(a->h->fd, (struct sockaddr *)&local, &llen) ==
	        0) {
		handle_set_local(a->h, &local); /* remembered: a TIME_WAIT */
		handle_set_peer(a->h, &addr.ss); /* has no peer to ask */
		addr_short(&me, (struct sockaddr *)&local, llen);
		out_meaning(sh, "%s is connected: %s -> %s", a->h->name,
		    buf_str(&me), buf_str(&where));
	}
	c.addr = buf_str(&where);
	c.to = &addr.ss;
	note_call(sh, &c);
	buf_free(&me);
	buf_free(&where);
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_connect_entry = {
	.name = "connect",
	.usage = "HANDLE ADDRESS PORT",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_BACKGROUND,
	.group = CMD_GROUP_CLIENT,
	.summary = "connect to a server; waits for the handshake",
	.help =
	    "Connects the socket to ADDRESS and PORT with connect(2). For "
	    "TCP this is the three-way handshake, done by the kernel; it "
	    "completes as soon as the server's kernel answers, before the "
	    "server calls accept. If the socket is not bound, the kernel picks "
	    "a local ephemeral port. A UDP socket only records the peer. "
	    "Instead of ADDRESS PORT, the name of a bound handle stands for its "
	    "address (connect cli srv), even when the kernel chose the port. "
	    "Python: cli.connect(('127.0.0.1', 65432)).",
	.errors =
	    "ECONNREFUSED: nothing listens there. EINPROGRESS: "
	    "non-blocking; the handshake goes on (poll, then SO_ERROR). "
	    "EISCONN: already connected. ETIMEDOUT, EHOSTUNREACH: no answer "
	    "or no route.",
	.man = "connect(2), tcp(7)",
	.complete = "handle peer",
	.exec = cmd_connect_exec,
};

const struct cmd_entry cmd_connect_ex_entry = {
	.name = "connect_ex",
	.usage = "HANDLE ADDRESS PORT",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_BACKGROUND,
	.group = CMD_GROUP_CLIENT,
	.summary = "connect, returning the errno as a value (Python's)",
	.help =
	    "The same connect(2) call as connect, reported the way "
	    "Python's sock.connect_ex() reports it: the errno number is the "
	    "value (0 on success), not a failure.",
	.errors = "As for connect: the errno is the value, such as 111 for "
	          "ECONNREFUSED.",
	.man = "connect(2)",
	.complete = "handle peer",
	.exec = cmd_connect_exec,
};
