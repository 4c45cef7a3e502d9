#include <errno.h>
#include <limits.h>
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
#include "sym.h"
#include "sys.h"
#include "xalloc.h"

#define RECV_MAX	(1024 * 1024)

/* Explains a zero-byte receive: EOF, an empty datagram, or a zero-size ask. */
static void
recv_zero(struct shell *sh, const struct handle *h, long bufsize)
{
	if (bufsize == 0)
		out_note(sh, "you asked for 0 bytes, so 0 says nothing about EOF");
	else if (h->type != SOCK_STREAM)
		out_meaning(sh, "an empty datagram: a message of 0 bytes, not EOF");
	else if (h->shut & HANDLE_SHUT_RD)
		out_meaning(sh, "EOF: %s shut down its own receiving side, so "
		    "recv returns 0 at once", h->name);
	else
		out_meaning(sh, "EOF: the peer shut down its sending side; %s "
		    "can still send", h->name);
}

/* recv HANDLE [BUFSIZE] [FLAGS]: one recv(2) of at most BUFSIZE bytes. */
static int
cmd_recv_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	long bufsize = 1024, flags = 0, n;
	char emsg[128];
	unsigned char *p;
	struct buf b;
	int err;

	if (a->argc > 1 && parse_long(&a->argv[1], LONG_MIN, LONG_MAX, &bufsize,
	    emsg, sizeof(emsg)) == -1)
		return cmd_usage(sh, cmd, "buffer size: %s", emsg);
	if (bufsize < 0 || bufsize > RECV_MAX)
		return cmd_usage(sh, cmd, "buffer size %s is too large or "
		    "negative (0 to %d bytes)", a->argv[1].text, RECV_MAX);
	if (a->argc > 2 && sym_flags(sym_msg, a->argv[2].text, &flags) == -1)
		return cmd_usage(sh, cmd, "'%.40s' is not a flag (MSG_PEEK, "
		    "MSG_WAITALL, MSG_DONTWAIT, ... joined with |, or 0)",
		    a->argv[2].text);
	p = xmalloc((size_t)bufsize);
	n = (long)sh->sys->recv(a->h->fd, p, (size_t)bufsize, (int)flags);
	err = errno;
	buf_init(&b);
	buf_printf(&b, "recv(%d, ", a->h->fd);
	if (n >= 0)
		fmt_cstring(&b, p, (size_t)(n < bufsize ? n : bufsize),
		    (size_t)sh->strsize);
	else
		buf_puts(&b, "...");
	buf_printf(&b, ", %ld, ", bufsize);
	sym_format_flags(&b, sym_msg, flags);
	buf_addc(&b, ')');
	out_call(sh, buf_str(&b), n, err);
	if (n > 0) {
		size_t got = (size_t)(n < bufsize ? n : bufsize);

		buf_reset(&b);
		fmt_pybytes(&b, p, got);
		out_meaning(sh, "%s", buf_str(&b));
		if (sh->hex) {
			buf_reset(&b);
			fmt_hexdump(&b, p, got, "  ");
			fputs(buf_str(&b), sh->out);
		}
		sh->last.data = p;
		sh->last.len = got;
		p = NULL;
	} else if (n == 0) {
		recv_zero(sh, a->h, bufsize);
	} else {
		note_errno(sh, cmd->name, err, a->h, NULL);
	}
	free(p);
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_recv_entry = {
	.name = "recv",
	.usage = "HANDLE [BUFSIZE] [FLAGS]",
	.args_min = 1,
	.args_max = 3,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_DATA,
	.summary = "receive up to BUFSIZE bytes; waits until some come",
	.help = "Takes up to BUFSIZE bytes (1024 when left out) that have "
	    "arrived, with one recv(2). It blocks until at least one byte is "
	    "there, and may return fewer than asked: TCP is a stream and keeps "
	    "no message boundaries. It returns 0 at EOF, when the peer has "
	    "shut down its sending side (the zero-length message). The data is "
	    "shown as Python shows bytes; set hex on adds a hex dump. FLAGS: "
	    "MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, ... joined with |.",
	.errors = "ECONNRESET: the peer reset the connection. EAGAIN: "
	    "non-blocking, or timed out, with nothing to read. ENOTCONN: not "
	    "connected (a listening socket carries no data). EINTR: "
	    "interrupted by Ctrl-C.",
	.man = "recv(2), tcp(7)",
	.exec = cmd_recv_exec,
};
