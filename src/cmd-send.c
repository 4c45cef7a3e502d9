#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "cmd.h"
#include "fmt.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sig.h"
#include "sym.h"
#include "sys.h"

/* Makes one send(2) and prints it. Returns what send returned; *err gets errno. */
static long
send_once(struct shell *sh, const struct handle *h, const char *p, size_t len,
    long flags, int *err)
{
	struct buf b;
	ssize_t n;

	sig_pipe = 0;
	n = sh->sys->send(h->fd, p, len, (int)flags);
	*err = errno;
	buf_init(&b);
	buf_printf(&b, "send(%d, ", h->fd);
	fmt_cstring(&b, (const unsigned char *)p, len, (size_t)sh->strsize);
	buf_printf(&b, ", %zu, ", len);
	sym_format_flags(&b, sym_msg, flags);
	buf_addc(&b, ')');
	out_call(sh, buf_str(&b), (long)n, *err);
	buf_free(&b);
	if (n == -1) {
		note_errno(sh, "send", *err, h, NULL);
		if (sig_pipe)
			out_note(sh, "SIGPIPE came too: a program that does not "
			    "handle it is killed here (exit status 141); Python "
			    "ignores it and raises BrokenPipeError");
	}
	return (long)n;
}

/*
 * send HANDLE DATA [FLAGS]: one send(2); sendall: send until all of DATA
 * has gone or a send fails, printing every send it makes.
 */
static int
cmd_send_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int all = strcmp(cmd->name, "sendall") == 0, err = 0, calls = 0;
	char emsg[256], *data;
	size_t len, done = 0;
	long flags = 0, n;

	if (a->argc > 2 && sym_flags(sym_msg, a->argv[2].text, &flags) == -1)
		return cmd_usage(sh, cmd, "'%.40s' is not a flag (MSG_PEEK, "
		    "MSG_DONTWAIT, MSG_NOSIGNAL, ... joined with |, or 0)",
		    a->argv[2].text);
	if (parse_data(&a->argv[1], &data, &len, emsg, sizeof(emsg)) == -1)
		return cmd_usage(sh, cmd, "%s", emsg);
	do {
		n = send_once(sh, a->h, data + done, len - done, flags, &err);
		calls++;
		if (n > 0)
			done += (size_t)n;
	} while (all && n > 0 && done < len && !sig_int);
	if (!all && n >= 0 && (size_t)n < len)
		out_note(sh, "only %ld of %zu bytes went: send may send less "
		    "than asked; send the rest again (sendall does that)", n,
		    len);
	if (!all && len == 0 && n == 0 && a->h->type == SOCK_STREAM)
		out_note(sh, "a TCP send of 0 bytes sends nothing: it is not the "
		    "zero-length message (that is shutdown's FIN)");
	if (all && n >= 0)
		sh->last.ret = (long)done;
	if (all && done == len)
		out_meaning(sh, "sendall sent %zu bytes in %d send%s", len,
		    calls, calls == 1 ? "" : "s");
	else if (all)
		out_meaning(sh, "sendall stopped after %zu of %zu bytes (Python "
		    "raises an exception here)", done, len);
	free(data);
	return CMD_OK;
}

const struct cmd_entry cmd_send_entry = {
	.name = "send",
	.usage = "HANDLE DATA [FLAGS]",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_DATA,
	.summary = "send bytes once; may send fewer than given",
	.help = "Hands DATA to the kernel with one send(2). It returns how "
	    "many bytes the kernel took, which may be fewer than given. DATA "
	    "is a C string \"Hello, world\\n\", a Python bytes literal "
	    "b'Hello', 0x-prefixed hex (0x48656c6c6f), or a bare word. FLAGS: "
	    "MSG_DONTWAIT, MSG_NOSIGNAL, MSG_OOB, ... joined with |.",
	.errors = "EPIPE: this side shut down writing, or the peer closed "
	    "(SIGPIPE comes too). ECONNRESET: the peer reset the connection. "
	    "EAGAIN: non-blocking and the send buffer is full. ENOTCONN: not "
	    "connected.",
	.man = "send(2), tcp(7)",
	.exec = cmd_send_exec,
};

const struct cmd_entry cmd_sendall_entry = {
	.name = "sendall",
	.usage = "HANDLE DATA [FLAGS]",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_DATA,
	.summary = "send all the bytes, calling send as often as needed",
	.help = "Python's sock.sendall(): calls send(2) again and again until "
	    "all of DATA has gone or a send fails. Every send it makes is "
	    "printed. DATA is written as for send.",
	.errors = "As for send; sendall stops at the first failing send.",
	.man = "send(2)",
	.exec = cmd_send_exec,
};
