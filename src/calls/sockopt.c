#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "call.h"
#include "cmd.h"
#include "handle.h"
#include "note.h"
#include "opt.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"

/* Returns the level's name as strace prints it (SOL_TCP, not IPPROTO_TCP). */
static const char *
sockopt_level_name(int level)
{
	switch (level) {
	case SOL_SOCKET:
		return "SOL_SOCKET";
	case IPPROTO_TCP:
		return "SOL_TCP";
	case IPPROTO_IP:
		return "SOL_IP";
	case IPPROTO_IPV6:
		return "SOL_IPV6";
	}
	return "SOL_?";
}

/*
 * Finds the option among the arguments after the handle, with an optional
 * level before it. Returns the index of the first value token, or CMD_ERR.
 */
static int
sockopt_find(struct shell *sh, const struct cmd_entry *cmd,
    const struct cmd_args *a, const struct opt **o)
{
	int i = 1;
	long level = 0;

	if (a->argc > 2 && opt_find(a->argv[1].text) == NULL &&
	    sym_value(sym_level, a->argv[1].text, &level) == 0)
		i = 2;
	else if (a->argc < 2)
		return cmd_usage(sh, cmd, "which option?");
	*o = opt_find(a->argv[i].text);
	if (*o == NULL)
		return cmd_usage(sh, cmd,
		    "'%.40s' is not an option this shell "
		    "knows (SO_REUSEADDR, SO_RCVBUF, SO_LINGER, SO_ERROR, "
		    "TCP_NODELAY, ...; help %s lists them)",
		    a->argv[i].text, cmd->name);
	if (i == 2 && level != (*o)->level)
		return cmd_usage(sh, cmd, "%s is at level %s, not %s",
		    (*o)->name, sockopt_level_name((*o)->level),
		    a->argv[1].text);
	return i + 1;
}

/* Makes getsockopt(2) for o, printing it when show is set. Returns its result. */
static int
sockopt_get(struct shell *sh, struct handle *h, const struct opt *o,
    union opt_value *val, int show)
{
	socklen_t len = sizeof(*val), in;
	struct buf b;
	struct call c;
	int rc, err;

	memset(val, 0, sizeof(*val));
	if (o->kind == OPT_LINGER)
		len = sizeof(val->l);
	else if (o->kind == OPT_TIMEVAL)
		len = sizeof(val->tv);
	else if (o->kind == OPT_STRING)
		len = sizeof(val->raw) - 1;
	else
		len = sizeof(val->i);
	if (!show)
		return sh->sys->getsockopt(h->fd, o->level, o->optname, val,
		    &len);
	in = len;
	call_begin(sh, &c, "getsockopt", h);
	rc = sh->sys->getsockopt(h->fd, o->level, o->optname, val, &len);
	err = errno;
	call_end(sh, &c, rc, err);
	buf_init(&b);
	buf_printf(&b, "getsockopt(%d, %s, %s, ", h->fd,
	    sockopt_level_name(o->level), o->name);
	if (rc == 0 && len > 0)
		opt_format(&b, o, val, len);
	else
		buf_puts(&b, "..."); /* strace shows the buffer's address */
	if (rc == 0 && len != in)
		buf_printf(&b, ", [%u => %u])", (unsigned)in, (unsigned)len);
	else
		buf_printf(&b, ", [%u])", (unsigned)in);
	out_call(sh, buf_str(&b), rc, err);
	buf_free(&b);
	note_call(sh, &c);
	if (rc == -1)
		;
	else if (o->kind == OPT_SOCKTYPE && sym_name(sym_socktype, val->i))
		out_meaning(sh, "%s", sym_name(sym_socktype, val->i));
	else if (o->kind == OPT_ERRNO && val->i)
		out_meaning(sh, "pending error %s (%s); reading it cleared it",
		    sym_errno_name(val->i), strerror(val->i));
	else if (o->kind == OPT_ERRNO)
		out_meaning(sh, "no pending error");
	return rc;
}

/* Says what the kernel kept when it differs from what was set. */
static void
sockopt_readback(struct shell *sh, struct handle *h, const struct opt *o,
    const union opt_value *set, socklen_t len)
{
	union opt_value got;
	struct buf b;

	if (sockopt_get(sh, h, o, &got, 0) == -1 || memcmp(&got, set, len) == 0)
		return;
	if (o->kind == OPT_BOOL && (got.i != 0) == (set->i != 0))
		return;
	buf_init(&b);
	opt_format(&b, o, &got, len);
	out_meaning(sh, "the kernel keeps %s%s", buf_str(&b),
	    o->optname == SO_RCVBUF || o->optname == SO_SNDBUF
	        ? ": it doubles a buffer size to allow for its own bookkeeping"
	        : "");
	buf_free(&b);
}

/* setsockopt HANDLE [LEVEL] OPTION VALUE and getsockopt HANDLE [LEVEL] OPTION. */
static int
cmd_sockopt_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const struct opt *o = NULL;
	union opt_value val;
	socklen_t len;
	char emsg[256];
	struct buf b;
	struct call c;
	int i, rc, err;

	if ((i = sockopt_find(sh, cmd, a, &o)) == CMD_ERR)
		return CMD_ERR;
	if (strcmp(cmd->name, "getsockopt") == 0) {
		if (i != a->argc)
			return cmd_usage(sh, cmd, "getsockopt takes no value");
		sockopt_get(sh, a->h, o, &val, 1);
		return CMD_OK;
	}
	if (opt_parse(o, a->argv + i, a->argc - i, &val, &len, emsg,
	        sizeof(emsg)) == -1)
		return cmd_usage(sh, cmd, "%s", emsg);
	call_begin(sh, &c, cmd->name, a->h);
	rc = sh->sys->setsockopt(a->h->fd, o->level, o->optname, &val, len);
	err = errno;
	call_end(sh, &c, rc, err);
	buf_init(&b);
	buf_printf(&b, "setsockopt(%d, %s, %s, ", a->h->fd,
	    sockopt_level_name(o->level), o->name);
	opt_format(&b, o, &val, len);
	buf_printf(&b, ", %u)", (unsigned)len);
	out_call(sh, buf_str(&b), rc, err);
	buf_free(&b);
	note_call(sh, &c);
	if (rc == 0)
		sockopt_readback(sh, a->h, o, &val, len);
	return CMD_OK;
}

const struct cmd_entry cmd_setsockopt_entry = {
	.name = "setsockopt",
	.usage = "HANDLE [LEVEL] OPTION VALUE",
	.args_min = 3,
	.args_max = 5,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_OPTIONS,
	.summary = "set a socket option (SO_REUSEADDR, SO_LINGER, ...)",
	.help =
	    "Sets an option with setsockopt(2); LEVEL (SOL_SOCKET, "
	    "IPPROTO_TCP, ...) may be left out. VALUE is a number, on/off, "
	    "\"on SECONDS\" or off for SO_LINGER, or seconds for SO_RCVTIMEO "
	    "and SO_SNDTIMEO. Options: SO_REUSEADDR, SO_REUSEPORT, "
	    "SO_KEEPALIVE, SO_RCVBUF, SO_SNDBUF, SO_LINGER, SO_RCVTIMEO, "
	    "SO_SNDTIMEO, SO_BROADCAST, SO_OOBINLINE, SO_RCVLOWAT, SO_BINDTODEVICE (an interface name), "
	    "TCP_NODELAY, TCP_MAXSEG, TCP_KEEPIDLE, TCP_KEEPINTVL, "
	    "TCP_KEEPCNT, TCP_CORK, TCP_QUICKACK, IP_TTL, IP_TOS, IPV6_V6ONLY. "
	    "When the kernel keeps another value than the one set, it says so.",
	.errors = "ENOPROTOOPT: this kind of socket has no such option. "
	          "EINVAL: the value is out of range.",
	.man = "setsockopt(2), socket(7), tcp(7), ip(7)",
	.complete = "handle sockopt*",
	.exec = cmd_sockopt_exec,
};

const struct cmd_entry cmd_getsockopt_entry = {
	.name = "getsockopt",
	.usage = "HANDLE [LEVEL] OPTION",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_READS,
	.group = CMD_GROUP_OPTIONS,
	.summary = "read a socket option (SO_ERROR, SO_RCVBUF, ...)",
	.help =
	    "Reads an option with getsockopt(2). Besides the options "
	    "setsockopt takes: SO_ERROR (the pending error of a non-blocking "
	    "connect, cleared by reading it), SO_TYPE, SO_ACCEPTCONN.",
	.errors = "ENOPROTOOPT: this kind of socket has no such option.",
	.man = "getsockopt(2), socket(7)",
	.complete = "handle sockopt*",
	.exec = cmd_sockopt_exec,
};
