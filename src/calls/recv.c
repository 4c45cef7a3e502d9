#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "buf.h"
#include "call.h"
#include "cmd.h"
#include "fmt.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"
#include "waitline.h"
#include "xalloc.h"

#define RECV_MAX (1024 * 1024)

/*
 * Appends ", ADDRESS, [IN => OUT]" of a recvfrom as strace shows it. The
 * address buffer is always passed: where the kernel wrote no address into
 * it (a failed call; a sender with no name, len 0) strace shows the
 * buffer's address, which is "..." here.
 */
static void
recv_from_format(struct buf *b, long n, const struct sockaddr_storage *ss,
    socklen_t in, socklen_t len)
{
	buf_puts(b, ", ");
	if (n >= 0 && len > 0)
		addr_strace(b, (const struct sockaddr *)ss, len);
	else
		buf_puts(b, "...");
	if (n >= 0 && in != len)
		buf_printf(b, ", [%u => %u]", (unsigned)in, (unsigned)len);
	else
		buf_printf(b, ", [%u]", (unsigned)in);
}

/*
 * recv HANDLE [BUFSIZE] [FLAGS]: one recv(2) of at most BUFSIZE bytes;
 * recvfrom the same with recvfrom(2), which also tells who sent them.
 */
static int
cmd_recv_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	long bufsize = 1024, flags = 0, n;
	char emsg[128];
	unsigned char *p;
	int from = strcmp(cmd->name, "recvfrom") == 0;
	struct call c;
	struct sockaddr_storage ss;
	socklen_t in = addr_size(a->h->family), len = in;
	struct buf b;

	if (a->argc > 1 &&
	    parse_long(&a->argv[1], LONG_MIN, LONG_MAX, &bufsize, emsg,
	        sizeof(emsg)) == -1)
		return cmd_usage(sh, cmd, "buffer size: %s", emsg);
	if (bufsize < 0 || bufsize > RECV_MAX)
		return cmd_usage(sh, cmd,
		    "buffer size %s is too large or "
		    "negative (0 to %d bytes)",
		    a->argv[1].text, RECV_MAX);
	if (a->argc > 2 && sym_flags(sym_msg, a->argv[2].text, &flags) == -1)
		return cmd_usage(sh, cmd,
		    "'%.40s' is not a flag (MSG_PEEK, "
		    "MSG_WAITALL, MSG_DONTWAIT, ... joined with |, or 0)",
		    a->argv[2].text);
	p = xmalloc((size_t)bufsize);
	memset(&ss, 0, sizeof(ss));
	buf_init(&b);
	buf_printf(&b, "%s(%d, ", cmd->name, a->h->fd);
	call_begin(sh, &c, cmd->name, a->h);
	c.arg = bufsize;
	c.flags = flags;
	waitline_begin(sh, buf_str(&b));
	if (from)
		n = (long)sh->sys->recvfrom(a->h->fd, p, (size_t)bufsize,
		    (int)flags, (struct sockaddr *)&ss, &len);
	else
		n = (long)sh->sys->recv(a->h->fd, p, (size_t)bufsize,
		    (int)flags);
	waitline_end();
	call_end(sh, &c, n, errno);
	if (n >= 0)
		fmt_cstring(&b, p, (size_t)(n < bufsize ? n : bufsize),
		    (size_t)sh->strsize);
	else
		buf_puts(&b, "...");
	buf_printf(&b, ", %ld, ", bufsize);
	sym_format_flags(&b, sym_msg, flags);
	if (from)
		recv_from_format(&b, n, &ss, in, len);
	buf_addc(&b, ')');
	out_call(sh, buf_str(&b), c.ret, c.err);
	if (n >= 0 && from && len > 0) {
		memcpy(&sh->last.from, &ss, sizeof(ss));
		sh->last.fromlen = len;
		buf_reset(&b);
		addr_short(&b, (const struct sockaddr *)&ss, len);
		out_meaning(sh, "from %s", buf_str(&b));
	}
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
	}
	note_call(sh, &c);
	free(p);
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_recv_entry = {
	.name = "recv",
	.usage = "HANDLE [BUFSIZE] [FLAGS]",
	.args_min = 1,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_BACKGROUND,
	.group = CMD_GROUP_DATA,
	.summary = "receive up to BUFSIZE bytes; waits until some come",
	.help =
	    "Takes up to BUFSIZE bytes (1024 when left out) that have "
	    "arrived, with one recv(2). It blocks until at least one byte is "
	    "there, and may return fewer than asked: TCP is a stream and keeps "
	    "no message boundaries. It returns 0 at EOF, when the peer has "
	    "shut down its sending side (the zero-length message). The data is "
	    "shown as Python shows bytes; set hex on adds a hex dump. FLAGS: "
	    "MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT, ... joined with |.",
	.errors =
	    "ECONNRESET: the peer reset the connection. EAGAIN: "
	    "non-blocking, or timed out, with nothing to read. ENOTCONN: not "
	    "connected (a listening socket carries no data). EINTR: "
	    "interrupted by Ctrl-C.",
	.man = "recv(2), tcp(7)",
	.complete = "handle - msg",
	.exec = cmd_recv_exec,
};

const struct cmd_entry cmd_recvfrom_entry = {
	.name = "recvfrom",
	.usage = "HANDLE [BUFSIZE] [FLAGS]",
	.args_min = 1,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_BACKGROUND,
	.group = CMD_GROUP_DATA,
	.summary = "receive one datagram and the address it came from",
	.help =
	    "Takes the next datagram with recvfrom(2): up to BUFSIZE bytes "
	    "(1024 when left out) and the sender's address. One call takes one "
	    "whole datagram; what does not fit in BUFSIZE is discarded "
	    "(MSG_TRUNC in FLAGS returns the real length). A datagram of 0 "
	    "bytes returns 0, and that is not EOF: UDP has no connection to "
	    "end. Python: data, addr = sock.recvfrom(1024).",
	.errors =
	    "EAGAIN: non-blocking, or timed out, with no datagram "
	    "waiting. ECONNREFUSED: a connected UDP socket's earlier datagram "
	    "was refused (ICMP port unreachable). EINTR: interrupted by "
	    "Ctrl-C.",
	.man = "recvfrom(2), udp(7), unix(7)",
	.complete = "handle - msg",
	.exec = cmd_recv_exec,
};
