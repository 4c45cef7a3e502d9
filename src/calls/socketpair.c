#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

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

/* Reads "SOCK_STREAM" or "SOCK_DGRAM|SOCK_CLOEXEC". Returns 0, or -1. */
static int
socketpair_type(const char *s, long *type)
{
	char base[32];
	size_t n = strcspn(s, "|");
	long flags = 0;

	if (n == 0 || n >= sizeof(base))
		return -1;
	memcpy(base, s, n);
	base[n] = '\0';
	if (sym_value(sym_socktype, base, type) == -1)
		return -1;
	if (s[n] == '|' && sym_flags(sym_sockflag, s + n + 1, &flags) == -1)
		return -1;
	*type |= flags;
	return 0;
}

/* Picks pairN for the second handle: the first free name other than first. */
static void
socketpair_second_name(struct shell *sh, const char *first, char *out)
{
	unsigned long n;

	for (n = 1;; n++) {
		snprintf(out, HANDLE_NAME_MAX, "pair%lu", n);
		if (strcmp(out, first) != 0 &&
		    handle_find(&sh->handles, out) == NULL)
			return;
	}
}

/*
 * socketpair [NAME1 NAME2] [FAMILY] [TYPE]: two sockets connected to each
 * other, as two new handles.
 */
static int
cmd_socketpair_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	char n1[HANDLE_NAME_MAX], n2[HANDLE_NAME_MAX];
	long fam = AF_UNIX, type = SOCK_STREAM, v;
	int i = 0, k, sv[2] = { -1, -1 }, rc, err;
	const char *t;
	struct handle *h1, *h2;
	struct call c;
	struct buf b;

	if (a->argc > 0 && sym_value(sym_family, a->argv[0].text, &v) == -1 &&
	    socketpair_type(a->argv[0].text, &v) == -1)
		i = 2;
	if (i > a->argc)
		return cmd_usage(sh, cmd, "give two names or none");
	for (k = i; k < a->argc; k++) {
		if (sym_value(sym_family, a->argv[k].text, &v) == 0)
			fam = v;
		else if (socketpair_type(a->argv[k].text, &v) == 0)
			type = v;
		else
			return cmd_usage(sh, cmd,
			    "'%.40s' is not a family "
			    "(AF_UNIX) or a type (SOCK_STREAM, SOCK_DGRAM, "
			    "SOCK_SEQPACKET)",
			    a->argv[k].text);
	}
	if (cmd_new_name(sh, cmd, i ? &a->argv[0] : NULL, "pair", n1) ==
	        CMD_ERR ||
	    cmd_new_name(sh, cmd, i ? &a->argv[1] : NULL, "pair", n2) ==
	        CMD_ERR)
		return CMD_ERR;
	if (strcmp(n1, n2) == 0 && i)
		return cmd_usage(sh, cmd, "the two handles need two names");
	if (i == 0)
		socketpair_second_name(sh, n1, n2);
	call_begin(sh, &c, cmd->name, NULL);
	rc = sh->sys->socketpair((int)fam, (int)type, 0, sv);
	err = errno;
	call_end(sh, &c, rc, err);
	buf_init(&b);
	t = sym_name(sym_socktype, type & 0xf);
	buf_printf(&b, "socketpair(%s, ", sym_name(sym_family, fam));
	if (t)
		buf_puts(&b, t);
	else
		buf_printf(&b, "%ld", type & 0xf);
	if (type & ~0xfL) {
		buf_addc(&b, '|');
		sym_format_flags(&b, sym_sockflag, type & ~0xfL);
	}
	if (rc == 0)
		buf_printf(&b, ", 0, [%d, %d])", sv[0], sv[1]);
	else
		buf_puts(&b, ", 0, ...)");
	out_call(sh, buf_str(&b), rc, err);
	buf_free(&b);
	if (rc == -1) {
		note_call(sh, &c);
		return CMD_OK;
	}
	h1 =
	    handle_add(&sh->handles, n1, sv[0], (int)fam, (int)(type & 0xf), 0);
	h2 =
	    handle_add(&sh->handles, n2, sv[1], (int)fam, (int)(type & 0xf), 0);
	h1->connected = h2->connected = 1;
	h1->pair = h2;
	h1->pair_sock = h2->sock;
	h2->pair = h1;
	h2->pair_sock = h1->sock;
	out_meaning(sh, "%s is fd %d and %s is fd %d, connected to each other",
	    n1, sv[0], n2, sv[1]);
	note_say(sh, "socketpair.ok",
	    "no address, no bind, no listen: what one sends the other "
	    "receives (Python: a, b = socket.socketpair())");
	return CMD_OK;
}

const struct cmd_entry cmd_socketpair_entry = {
	.name = "socketpair",
	.usage = "[NAME1 NAME2] [FAMILY] [TYPE]",
	.args_min = 0,
	.args_max = 4,
	.flags = CMD_NEWNAME,
	.group = CMD_GROUP_SETUP,
	.summary = "make two sockets already connected to each other",
	.help =
	    "Makes a pair of connected sockets with socketpair(2) and names "
	    "them NAME1 and NAME2 (pair1, pair2, ... when left out). FAMILY is "
	    "AF_UNIX, the only one Linux allows; TYPE is SOCK_STREAM (the "
	    "default), SOCK_DGRAM or SOCK_SEQPACKET. They need no address: the "
	    "usual way for a process to talk to its child. Python: "
	    "a, b = socket.socketpair().",
	.errors = "EOPNOTSUPP, EAFNOSUPPORT: that family has no socket pairs "
	          "(AF_INET has none). EMFILE: no free file descriptors.",
	.man = "socketpair(2), unix(7)",
	.complete = "sock*",
	.exec = cmd_socketpair_exec,
};
