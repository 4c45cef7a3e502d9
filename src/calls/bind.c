#include <errno.h>
#include <netinet/in.h>
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
#include "sys.h"

/* bind HANDLE ADDRESS [PORT]: gives the socket its local address. */
static int
cmd_bind_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	struct addr addr, got;
	struct buf b, where;
	struct call c;
	int rc;

	if (arg_addr(sh, cmd, a->h, a->argv + 1, a->argc - 1, &addr) == CMD_ERR)
		return CMD_ERR;
	call_begin(sh, &c, cmd->name, a->h);
	c.want = &addr.ss;
	rc = sh->sys->bind(a->h->fd, (struct sockaddr *)&addr.ss, addr.len);
	call_end(sh, &c, rc, errno);
	buf_init(&b);
	buf_init(&where);
	buf_printf(&b, "bind(%d, ", a->h->fd);
	addr_strace(&b, (struct sockaddr *)&addr.ss, addr.len);
	buf_printf(&b, ", %u)", (unsigned)addr.len);
	out_call(sh, buf_str(&b), c.ret, c.err);
	addr_short(&where, (struct sockaddr *)&addr.ss, addr.len);
	got.len = sizeof(got.ss);
	if (rc == 0 && call_port(&addr.ss) == 0 &&
	    sh->sys->getsockname(a->h->fd, (struct sockaddr *)&got.ss,
	        &got.len) == 0)
		out_meaning(sh, "port 0: the kernel chose port %d",
		    call_port(&got.ss));
	c.addr = buf_str(&where);
	note_call(sh, &c);
	buf_free(&where);
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_bind_entry = {
	.name = "bind",
	.usage = "HANDLE ADDRESS PORT",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_SERVER,
	.summary = "give the socket a local address and port",
	.help =
	    "Binds the socket to ADDRESS and PORT with bind(2). ADDRESS is "
	    "an IP address such as 127.0.0.1, localhost, a host name, or '' "
	    "for every address of this machine (INADDR_ANY); PORT 0 lets the "
	    "kernel choose. A Unix socket takes a path instead (or @name for "
	    "an abstract name). Python: srv.bind(('127.0.0.1', 65432)).",
	.errors =
	    "EADDRINUSE: another socket holds that port (perhaps a "
	    "connection in TIME_WAIT; SO_REUSEADDR before bind helps). "
	    "EADDRNOTAVAIL: the address is not one of this machine's. "
	    "EACCES: ports below 1024 need privileges. EINVAL: the socket is "
	    "already bound.",
	.man = "bind(2), ip(7)",
	.complete = "handle addr",
	.exec = cmd_bind_exec,
};
