#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "arg.h"
#include "buf.h"
#include "call.h"
#include "cmd.h"
#include "fmt.h"
#include "handle.h"
#include "job.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sig.h"
#include "sym.h"
#include "sys.h"
#include "waitline.h"

/* Makes the send or sendto itself. Returns what it returned; errno as it left it. */
static ssize_t
send_call(struct shell *sh, int fd, const char *p, size_t len, int flags,
    const struct addr *to)
{
	if (to)
		return sh->sys->sendto(fd, p, len, flags,
		    (const struct sockaddr *)&to->ss, to->len);
	return sh->sys->send(fd, p, len, flags);
}

/*
 * Makes the call in a child process whose SIGPIPE has its default
 * action, as in a program that does not handle it; the shell survives.
 * Returns what the call returned, or -2 when the child was killed by a
 * signal (*err is then the signal number, *child its pid).
 */
static ssize_t
send_in_child(struct shell *sh, int fd, const char *p, size_t len, int flags,
    const struct addr *to, int *err, long *child)
{
	struct {
		ssize_t n;
		int err;
	} r = { -1, 0 };
	int pfd[2], status;
	pid_t pid;

	if (pipe(pfd) == -1 || (pid = fork()) == -1) {
		*err = errno;
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		signal(SIGPIPE, SIG_DFL);
		r.n = send_call(sh, fd, p, len, flags, to);
		r.err = errno;
		if (write(pfd[1], &r, sizeof(r)) != (ssize_t)sizeof(r))
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &r, sizeof(r)) != (ssize_t)sizeof(r))
		r.n = -2;
	close(pfd[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (WIFSIGNALED(status)) {
		*err = WTERMSIG(status);
		*child = (long)pid;
		return -2;
	}
	*err = r.err;
	return r.n;
}

/*
 * Makes one send(2), or sendto(2) when to is not NULL, for command cmd,
 * and prints it with its notes. Returns what the call returned; *err
 * gets errno.
 */
static long
send_once(struct shell *sh, const char *cmd, struct handle *h, const char *p,
    size_t len, long flags, const struct addr *to, int *err)
{
	struct buf b, where;
	struct call c;
	ssize_t n;
	long child = 0;

	call_begin(sh, &c, to ? "sendto" : "send", h);
	c.cmd = cmd;
	c.arg = (long)len;
	c.flags = flags;
	sig_pipe = 0;
	sig_pipe_ignore(sh->sigpipe == SHELL_SIGPIPE_IGNORE);
	buf_init(&b);
	buf_printf(&b, "%s(%d, ", to ? "sendto" : "send", h->fd);
	fmt_cstring(&b, (const unsigned char *)p, len, (size_t)sh->strsize);
	buf_printf(&b, ", %zu, ", len);
	sym_format_flags(&b, sym_msg, flags);
	if (to) {
		buf_puts(&b, ", ");
		addr_strace(&b, (const struct sockaddr *)&to->ss, to->len);
		buf_printf(&b, ", %u", (unsigned)to->len);
	}
	waitline_begin(sh, buf_str(&b));
	if (sh->sigpipe == SHELL_SIGPIPE_DEFAULT)
		n = send_in_child(sh, h->fd, p, len, (int)flags, to, err,
		    &child);
	else {
		n = send_call(sh, h->fd, p, len, (int)flags, to);
		*err = errno;
	}
	waitline_end();
	buf_addc(&b, ')');
	if (n == -2) { /* the child died: what it returned is Linux's EPIPE */
		c.killed = *err;
		*err = EPIPE;
		n = -1;
	}
	call_end(sh, &c, (long)n, *err);
	c.signal = sig_pipe ? SIGPIPE : 0;
	buf_init(&where);
	if (to)
		addr_short(&where, (const struct sockaddr *)&to->ss, to->len);
	c.addr = to ? buf_str(&where) : NULL;
	if (c.killed) {
		/*
		 * SIGPIPE is sent only as the call fails with EPIPE, and the
		 * child dies as it returns: strace shows "= -1 EPIPE", then the
		 * death. Of another signal the result is unknown: "= ?".
		 */
		if (c.killed == SIGPIPE)
			out_call(sh, buf_str(&b), -1, EPIPE);
		else
			fprintf(sh->out, "%s = ?\n", buf_str(&b));
		fprintf(sh->out, "+++ killed by %s +++\n",
		    c.killed == SIGPIPE ? "SIGPIPE" : strsignal(c.killed));
		out_meaning(sh,
		    "the send was made in child process %ld, with "
		    "SIGPIPE's default action: it was killed by signal %d; a "
		    "shell reports its exit status as %d",
		    child, c.killed, 128 + c.killed);
		sh->last.made = 1;
		sh->last.ret = -1;
		sh->last.err = EPIPE;
	} else
		out_call(sh, buf_str(&b), c.ret, c.err);
	note_call(sh, &c);
	buf_free(&where);
	buf_free(&b);
	return (long)n;
}

/* Returns 1 when t is a port number, so that it belongs to the address. */
static int
send_is_port(const struct token *t)
{
	return t->kind == TOK_WORD && *t->text &&
	    strspn(t->text, "0123456789") == t->len;
}

/*
 * send HANDLE DATA [FLAGS]: one send(2); sendall: send until all of DATA
 * has gone or a send fails, printing every send it makes; sendto HANDLE
 * DATA ADDRESS [PORT] [FLAGS]: one sendto(2), a datagram to ADDRESS.
 */
static int
cmd_send_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	int all = strcmp(cmd->name, "sendall") == 0, err = 0, calls = 0;
	int to = strcmp(cmd->name, "sendto") == 0, nto = 0, fl = 2;
	char emsg[256], *data;
	size_t len, done = 0;
	long flags = 0, n;
	struct addr dst;

	if (to) {
		nto = a->argc > 3 && send_is_port(&a->argv[3]) ? 2 : 1;
		fl = 2 + nto;
		if (a->argc > fl + 1)
			return cmd_usage(sh, cmd, "too many arguments");
		if (arg_addr(sh, cmd, a->h, a->argv + 2, nto, &dst) == CMD_ERR)
			return CMD_ERR;
	}
	if (a->argc > fl &&
	    sym_flags(sym_msg, a->argv[fl].text, &flags) == -1 && fl == 2 &&
	    a->argv[1].kind == TOK_WORD && a->argv[2].kind == TOK_WORD &&
	    strncmp(a->argv[2].text, "MSG_", 4) != 0) {
		out_error(sh,
		    "%s: '%.40s' is not a flag: to send words with a space "
		    "between them, quote the data: %s %s \"%.40s %.40s\"",
		    cmd->name, a->argv[2].text, cmd->name, a->h->name,
		    a->argv[1].text, a->argv[2].text);
		sh->errors++;
		return CMD_ERR; /* send conn Hello, world */
	}
	if (a->argc > fl && sym_flags(sym_msg, a->argv[fl].text, &flags) == -1)
		return cmd_usage(sh, cmd,
		    "'%.40s' is not a flag (MSG_PEEK, "
		    "MSG_DONTWAIT, MSG_NOSIGNAL, ... joined with |, or 0)",
		    a->argv[fl].text);
	if (parse_data(&a->argv[1], &data, &len, emsg, sizeof(emsg)) == -1)
		return cmd_usage(sh, cmd, "%s", emsg);
	do {
		n = send_once(sh, cmd->name, a->h, data + done, len - done,
		    flags, to ? &dst : NULL, &err);
		calls++;
		if (n > 0)
			done += (size_t)n;
	} while (all && n > 0 && done < len && !job_stopping());
	if (all && n >= 0)
		sh->last.ret = (long)done;
	if (all && done == len)
		out_meaning(sh, "sendall sent %zu bytes in %d send%s", len,
		    calls, calls == 1 ? "" : "s");
	else if (all)
		out_meaning(sh,
		    "sendall stopped after %zu of %zu bytes (Python "
		    "raises an exception here)",
		    done, len);
	free(data);
	return CMD_OK;
}

const struct cmd_entry cmd_send_entry = {
	.name = "send",
	.usage = "HANDLE DATA [FLAGS]",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_BACKGROUND,
	.group = CMD_GROUP_DATA,
	.summary = "send bytes once; may send fewer than given",
	.help =
	    "Hands DATA to the kernel with one send(2). It returns how "
	    "many bytes the kernel took, which may be fewer than given. DATA "
	    "is a C string \"Hello, world\\n\", a Python bytes literal "
	    "b'Hello', 0x-prefixed hex (0x48656c6c6f), or a bare word. FLAGS: "
	    "MSG_DONTWAIT, MSG_NOSIGNAL, MSG_OOB, ... joined with |.",
	.errors =
	    "EPIPE: this side shut down writing, or the peer closed "
	    "(SIGPIPE comes too). ECONNRESET: the peer reset the connection. "
	    "EAGAIN: non-blocking and the send buffer is full. ENOTCONN: not "
	    "connected.",
	.man = "send(2), tcp(7)",
	.complete = "handle - msg",
	.exec = cmd_send_exec,
};

const struct cmd_entry cmd_sendall_entry = {
	.name = "sendall",
	.usage = "HANDLE DATA [FLAGS]",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_BACKGROUND,
	.group = CMD_GROUP_DATA,
	.summary = "send all the bytes, calling send as often as needed",
	.help = "Python's sock.sendall(): calls send(2) again and again until "
	        "all of DATA has gone or a send fails. Every send it makes is "
	        "printed. DATA is written as for send.",
	.errors = "As for send; sendall stops at the first failing send.",
	.man = "send(2)",
	.complete = "handle - msg",
	.exec = cmd_send_exec,
};

const struct cmd_entry cmd_sendto_entry = {
	.name = "sendto",
	.usage = "HANDLE DATA ADDRESS [PORT] [FLAGS]",
	.args_min = 3,
	.args_max = 5,
	.flags = CMD_HANDLE | CMD_BACKGROUND,
	.group = CMD_GROUP_DATA,
	.summary = "send one datagram to an address (UDP, Unix datagram)",
	.help =
	    "Sends DATA as one datagram to ADDRESS PORT with sendto(2); "
	    "the socket need not be connected. The name of a bound handle "
	    "stands for its address (sendto cli b'hi' srv), and a Unix "
	    "datagram socket takes a path or @name. A datagram of 0 bytes is "
	    "a real message. DATA and FLAGS are written as for send. Python: "
	    "sock.sendto(b'hi', ('127.0.0.1', 5000)).",
	.errors =
	    "EMSGSIZE: too large for one datagram (65507 bytes for UDP "
	    "over IPv4). EISCONN: a connected TCP socket takes no address. "
	    "ECONNREFUSED: an earlier datagram was refused (ICMP port "
	    "unreachable). EACCES: a broadcast address without SO_BROADCAST.",
	.man = "sendto(2), udp(7), unix(7)",
	.complete = "handle - peer - msg",
	.exec = cmd_send_exec,
};
