#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

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

#define MSG_FDS_MAX 16 /* descriptors one command passes or names */
#define MSG_RECV_SIZE 1024 /* recvmsg's data buffer, as recv's default */

/* A control buffer for MSG_FDS_MAX descriptors, aligned as a cmsghdr. */
union msg_control {
	struct cmsghdr align;
	char buf[CMSG_SPACE(MSG_FDS_MAX * sizeof(int))];
};

/*
 * Appends a message header as strace shows it, from what the kernel left
 * in it after the call: "{msg_name=NULL, ..., msg_flags=0}". The iov's
 * data is shown for shown bytes of it.
 */
static void
msg_format(struct shell *sh, struct buf *b, const struct msghdr *m,
    size_t shown)
{
	const struct iovec *iov = m->msg_iov;
	struct cmsghdr *c;
	const int *fds;
	size_t i, n;

	buf_puts(b, "{msg_name=NULL, msg_namelen=0, msg_iov=[{iov_base=");
	fmt_cstring(b, iov->iov_base, shown, (size_t)sh->strsize);
	buf_printf(b, ", iov_len=%zu}], msg_iovlen=1, ", iov->iov_len);
	c = m->msg_controllen ? CMSG_FIRSTHDR(m) : NULL;
	if (c != NULL) {
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		fds = (const int *)(void *)CMSG_DATA(c);
		buf_printf(b,
		    "msg_control=[{cmsg_len=%zu, cmsg_level=SOL_SOCKET, "
		    "cmsg_type=SCM_RIGHTS, cmsg_data=[",
		    (size_t)c->cmsg_len);
		for (i = 0; i < n; i++)
			buf_printf(b, "%s%d", i ? ", " : "", fds[i]);
		buf_puts(b, "]}], ");
	}
	buf_printf(b,
	    "msg_controllen=%zu, msg_flags=", (size_t)m->msg_controllen);
	sym_format_flags(b, sym_msg, m->msg_flags);
	buf_addc(b, '}');
}

/*
 * Reads sendmsg's fds=H1,H2,... into fds (at most MSG_FDS_MAX live socket
 * handles). Returns their number, or CMD_ERR with a usage error printed.
 */
static int
msg_fds_arg(struct shell *sh, const struct cmd_entry *cmd,
    const struct token *t, int *fds)
{
	struct token part = *t;
	const char *p = t->text + 4; /* after "fds=" */
	char name[HANDLE_NAME_MAX];
	struct handle *h;
	size_t len;
	int n = 0;

	for (;;) {
		len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(name))
			return cmd_usage(sh, cmd,
			    "fds= takes handle names joined with commas "
			    "(fds=conn or fds=conn,srv)");
		if (n == MSG_FDS_MAX)
			return cmd_usage(sh, cmd,
			    "at most %d descriptors in one sendmsg here",
			    MSG_FDS_MAX);
		memcpy(name, p, len);
		name[len] = '\0';
		part.text = name;
		part.len = len;
		if (cmd_handle_arg(sh, cmd, &part, &h) == CMD_ERR)
			return CMD_ERR;
		fds[n++] = h->fd;
		if (p[len] == '\0')
			return n;
		p += len + 1;
	}
}

/* Returns 1 when t is sendmsg's fds=... argument. */
static int
msg_is_fds(const struct token *t)
{
	return t->kind == TOK_WORD && strncmp(t->text, "fds=", 4) == 0;
}

/*
 * sendmsg HANDLE [DATA] [fds=H1,H2,...]: one sendmsg(2) of DATA, passing
 * the descriptors of the handles named with SCM_RIGHTS.
 */
static int
cmd_sendmsg_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int fds[MSG_FDS_MAX], nfds = 0, err, has_fds;
	union msg_control ctl;
	char emsg[128], *data = NULL;
	struct msghdr m;
	struct iovec iov;
	struct cmsghdr *c;
	size_t len = 0;
	struct buf b;
	struct call call;
	ssize_t n;

	has_fds = a->argc > 1 && msg_is_fds(&a->argv[a->argc - 1]);
	if (a->argc == 3 && !has_fds)
		return cmd_usage(sh, cmd,
		    "the last argument is the descriptors, fds=H1,H2,...");
	if (has_fds && a->h->family != AF_UNIX)
		return cmd_usage(sh, cmd,
		    "only a Unix socket carries descriptors: on %s, not a "
		    "Unix socket, the kernel ignores SCM_RIGHTS and sends "
		    "the data alone",
		    a->h->name);
	if (has_fds &&
	    (nfds = msg_fds_arg(sh, cmd, &a->argv[a->argc - 1], fds)) ==
	        CMD_ERR)
		return CMD_ERR;
	if (a->argc - has_fds > 1 &&
	    parse_data(&a->argv[1], &data, &len, emsg, sizeof(emsg)) == -1)
		return cmd_usage(sh, cmd, "%s", emsg);
	memset(&m, 0, sizeof(m));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = data ? data : (char *)"";
	iov.iov_len = len;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (nfds > 0) {
		m.msg_control = ctl.buf;
		m.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	buf_init(&b);
	buf_printf(&b, "sendmsg(%d, ", a->h->fd);
	msg_format(sh, &b, &m, len);
	buf_puts(&b, ", 0)");
	call_begin(sh, &call, "sendmsg", a->h);
	call.arg = (long)len;
	call.nfds = nfds;
	waitline_begin(sh, buf_str(&b));
	n = sh->sys->sendmsg(a->h->fd, &m, 0);
	err = errno;
	waitline_end();
	call_end(sh, &call, (long)n, err);
	out_call(sh, buf_str(&b), call.ret, call.err);
	if (n > 0 && nfds > 0)
		out_meaning(sh,
		    "%d descriptor%s in flight: the receiver's recvmsg gets a "
		    "new fd for each, for the same socket; the fds here stay "
		    "open",
		    nfds, nfds == 1 ? "" : "s");
	note_call(sh, &call);
	buf_free(&b);
	free(data);
	return CMD_OK;
}

/*
 * Makes a handle of fd, received by recvmsg, named name: another
 * descriptor for the socket a live handle holds (found by inode), or a
 * socket of its own when none does. Says which.
 */
static void
msg_adopt(struct shell *sh, int fd, const char *name)
{
	struct handle *from = call_fd_holder(sh, fd), *h;
	int v[3] = { 0, 0, 0 }, i;
	static const int opt[3] = { SO_DOMAIN, SO_TYPE, SO_PROTOCOL };
	struct sockaddr_storage peer;
	socklen_t len;

	for (i = 0; i < 3; i++) {
		len = sizeof(v[i]);
		if (sh->sys->getsockopt(fd, SOL_SOCKET, opt[i], &v[i], &len) ==
		    -1) {
			out_meaning(sh,
			    "fd %d is not a socket: the shell keeps no handle "
			    "for it",
			    fd);
			return;
		}
	}
	h = handle_add(&sh->handles, name, fd, v[0], v[1], v[2]);
	if (from != NULL) {
		call_share(sh, h, from);
		out_meaning(sh,
		    "%s is fd %d, a new descriptor for %s's socket (fd %d, the "
		    "same inode): it stays open until every descriptor for it "
		    "is closed",
		    name, fd, from->name, from->fd);
		return;
	}
	len = sizeof(peer);
	memset(&peer, 0, sizeof(peer));
	h->connected =
	    sh->sys->getpeername(fd, (struct sockaddr *)&peer, &len) == 0;
	if (h->connected)
		handle_set_peer(h, &peer);
	out_meaning(sh,
	    "%s is fd %d, a socket no other handle of this shell holds", name,
	    fd);
}

/*
 * recvmsg HANDLE [NAME...]: one recvmsg(2) of up to 1024 bytes, with
 * room for one descriptor per NAME; those received become handles.
 */
static int
cmd_recvmsg_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	char names[MSG_FDS_MAX][HANDLE_NAME_MAX];
	int nnames = a->argc - 1, i, j, nfds = 0, err;
	unsigned char data[MSG_RECV_SIZE];
	const int *fds = NULL;
	union msg_control ctl;
	struct cmsghdr *c;
	struct iovec iov;
	struct msghdr m;
	struct call call;
	struct buf b;
	ssize_t n;

	for (i = 0; i < nnames; i++) {
		if (cmd_new_name(sh, cmd, &a->argv[i + 1], "fd", names[i]) ==
		    CMD_ERR)
			return CMD_ERR;
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return cmd_usage(sh, cmd, "%s is named twice",
				    names[i]);
	}
	memset(&m, 0, sizeof(m));
	memset(&ctl, 0, sizeof(ctl));
	iov.iov_base = data;
	iov.iov_len = sizeof(data);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (nnames > 0) { /* room for exactly one descriptor per name */
		m.msg_control = ctl.buf;
		m.msg_controllen = CMSG_LEN((size_t)nnames * sizeof(int));
	}
	buf_init(&b);
	buf_printf(&b, "recvmsg(%d, ", a->h->fd);
	call_begin(sh, &call, "recvmsg", a->h);
	call.arg = (long)sizeof(data);
	waitline_begin(sh, buf_str(&b));
	n = sh->sys->recvmsg(a->h->fd, &m, 0);
	err = errno;
	waitline_end();
	call_end(sh, &call, (long)n, err);
	if (n >= 0) {
		msg_format(sh, &b, &m, (size_t)n);
		call.msg_flags = m.msg_flags;
	} else
		buf_puts(&b, "{msg_namelen=0}");
	buf_puts(&b, ", 0)");
	out_call(sh, buf_str(&b), call.ret, call.err);
	c = n >= 0 && m.msg_controllen ? CMSG_FIRSTHDR(&m) : NULL;
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		nfds = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		fds = (const int *)(void *)CMSG_DATA(c);
	}
	if (n > 0) {
		buf_reset(&b);
		fmt_pybytes(&b, data, (size_t)n);
		out_meaning(sh, "%s", buf_str(&b));
		sh->last.data = (unsigned char *)xmemdup(data, (size_t)n);
		sh->last.len = (size_t)n;
	}
	for (i = 0; i < nfds && i < nnames; i++)
		msg_adopt(sh, fds[i], names[i]);
	for (i = nfds; n >= 0 && i < nnames; i++)
		out_meaning(sh, "no descriptor came for %s", names[i]);
	note_call(sh, &call);
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_sendmsg_entry = {
	.name = "sendmsg",
	.usage = "HANDLE [DATA] [fds=H1,H2,...]",
	.args_min = 1,
	.args_max = 3,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_DATA,
	.summary = "send DATA, and pass descriptors over a Unix socket",
	.help =
	    "Sends DATA with one sendmsg(2) and, with fds=, passes the "
	    "descriptors of the handles named as SCM_RIGHTS ancillary data "
	    "(a Unix socket only: TCP and UDP ignore it). The receiver's "
	    "recvmsg gets new descriptors, with numbers of its own, for the "
	    "same sockets; the sender's stay open, so the socket now has "
	    "one more descriptor. On a stream socket the descriptors ride "
	    "with the data: send at least one byte. Python: "
	    "socket.send_fds(sock, [b'x'], [conn.fileno()]).",
	.errors =
	    "EPIPE: the peer's end is closed (the shell catches the SIGPIPE "
	    "that comes with it, whatever set sigpipe says). EBADF: a "
	    "descriptor passed is "
	    "not open. ETOOMANYREFS: too many descriptors in flight.",
	.man = "sendmsg(2), unix(7), cmsg(3)",
	.complete = "handle - -",
	.exec = cmd_sendmsg_exec,
};

const struct cmd_entry cmd_recvmsg_entry = {
	.name = "recvmsg",
	.usage = "HANDLE [NAME...]",
	.args_min = 1,
	.args_max = 1 + MSG_FDS_MAX,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_DATA,
	.summary = "receive data, and descriptors as new handles NAME...",
	.help =
	    "Receives up to 1024 bytes with one recvmsg(2), with room in "
	    "its control buffer for exactly one descriptor per NAME. Each "
	    "descriptor received is a new fd for a socket another process "
	    "(or this one) passed with sendmsg, named NAME; the shell tells "
	    "by inode whether one of its handles already holds that socket. "
	    "When more descriptors came than there are NAMEs, msg_flags has "
	    "MSG_CTRUNC and the kernel closed the ones that did not fit. "
	    "Python: data, fds, flags, addr = socket.recv_fds(sock, 1024, "
	    "1).",
	.errors = "EAGAIN: non-blocking, or timed out, with nothing to read. "
	          "EINTR: interrupted by Ctrl-C.",
	.man = "recvmsg(2), unix(7), cmsg(3)",
	.complete = "handle",
	.exec = cmd_recvmsg_exec,
};
