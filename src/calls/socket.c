#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "cmd.h"
#include "handle.h"
#include "labhost.h"
#include "call.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "socket.h"
#include "sym.h"
#include "sys.h"

/* Reads a type with optional flags, "SOCK_STREAM|SOCK_NONBLOCK". Returns 0 or -1. */
static int
socket_parse_type(const char *s, long *type)
{
	char base[64];
	size_t n = strcspn(s, "|");
	long v, flags = 0;

	if (n == 0 || n >= sizeof(base))
		return -1;
	memcpy(base, s, n);
	base[n] = '\0';
	if (sym_value(sym_socktype, base, &v) == -1)
		return -1;
	if (s[n] == '|' && sym_flags(sym_sockflag, s + n + 1, &flags) == -1)
		return -1;
	*type = v | flags;
	return 0;
}

/* Appends the call as strace shows it: socket(AF_INET, SOCK_STREAM, IPPROTO_IP). */
void
socket_format(struct buf *b, long fam, long type, long proto)
{
	const char *f = sym_name(sym_family, fam);
	const char *t = sym_name(sym_socktype, type & 0xf);
	const char *p = sym_name(sym_proto, proto);

	buf_puts(b, "socket(");
	if (f) {
		buf_puts(b, f);
		buf_puts(b, ", ");
	} else
		buf_printf(b, "%ld, ", fam);
	if (t)
		buf_puts(b, t);
	else
		buf_printf(b, "%ld", type & 0xf);
	if (type & ~0xfL) {
		buf_addc(b, '|');
		sym_format_flags(b, sym_sockflag, type & ~0xfL);
	}
	if ((fam == AF_INET || fam == AF_INET6) && p) {
		buf_puts(b, ", ");
		buf_puts(b, p);
		buf_addc(b, ')');
	} else
		buf_printf(b, ", %ld)", proto);
}

/*
 * Reads HOST of @HOST, a host of the lab, into *host. Returns CMD_OK, or
 * a usage error outside a lab or for a host the lab does not have.
 */
static int
socket_host(struct shell *sh, const struct cmd_entry *cmd, const char *name,
    int *host)
{
	if (labhost_here() == -1)
		return cmd_usage(sh, cmd,
		    "@%.40s: hosts are a lab's; start sockstep --lab", name);
	if ((*host = labhost_find(name)) == -1)
		return cmd_usage(sh, cmd,
		    "@%.40s: the lab's hosts are @alpha and @beta", name);
	return CMD_OK;
}

/* socket [NAME] [FAMILY] [TYPE] [PROTOCOL] [@HOST]: makes a socket and names it. */
static int
cmd_socket_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	long v, slot[3] = { AF_INET, SOCK_STREAM, 0 };
	int set[3] = { 0, 0, 0 }, i = 0, k, fd, host = -1, save;
	struct call c;
	const struct token *name = NULL;
	char hname[HANDLE_NAME_MAX];
	struct buf b;

	if (a->argc > 0 && a->argv[0].text[0] != '@' &&
	    sym_value(sym_family, a->argv[0].text, &v) == -1 &&
	    socket_parse_type(a->argv[0].text, &v) == -1 &&
	    sym_value(sym_proto, a->argv[0].text, &v) == -1)
		name = &a->argv[i++];
	for (; i < a->argc; i++) {
		const char *s = a->argv[i].text;

		if (*s == '@') {
			if (host != -1)
				return cmd_usage(sh, cmd,
				    "'%.40s': the host is already given", s);
			if (socket_host(sh, cmd, s + 1, &host) == CMD_ERR)
				return CMD_ERR;
			continue;
		}
		if (strspn(s, "0123456789") == strlen(s) && *s) {
			for (k = 0; k < 3 && set[k]; k++)
				;
			if (k == 3 || sym_value(sym_family, s, &v) == -1)
				return cmd_usage(sh, cmd, "too many numbers");
		} else if (sym_value(sym_family, s, &v) == 0)
			k = 0;
		else if (socket_parse_type(s, &v) == 0)
			k = 1;
		else if (sym_value(sym_proto, s, &v) == 0)
			k = 2;
		else
			return cmd_usage(sh, cmd,
			    "'%.40s' is not a family "
			    "(AF_INET, AF_INET6, AF_UNIX), a type (SOCK_STREAM, "
			    "SOCK_DGRAM) or a protocol",
			    s);
		if (set[k])
			return cmd_usage(sh, cmd,
			    "'%.40s': the %s is already "
			    "given",
			    s,
			    k == 0       ? "family"
			        : k == 1 ? "type"
			                 : "protocol");
		slot[k] = v;
		set[k] = 1;
	}
	if (cmd_new_name(sh, cmd, name, "sock", hname) == CMD_ERR)
		return CMD_ERR;
	if (host != -1 && labhost_net(host) == -1)
		return cmd_usage(sh, cmd, "cannot enter %s: setns: %s",
		    labhost_name(host), strerror(errno));
	call_begin(sh, &c, "socket", NULL);
	fd = sh->sys->socket((int)slot[0], (int)slot[1], (int)slot[2]);
	save = errno;
	if (host != -1) /* back home: the socket stays on host */
		labhost_net(labhost_here());
	call_end(sh, &c, fd, save);
	buf_init(&b);
	socket_format(&b, slot[0], slot[1], slot[2]);
	out_call(sh, buf_str(&b), c.ret, c.err);
	buf_free(&b);
	if (fd != -1) {
		c.h = handle_add(&sh->handles, hname, fd, (int)slot[0],
		    (int)(slot[1] & 0xf), (int)slot[2]);
		c.h->fresh = 1;
		c.h->host = host != -1 ? host : labhost_here();
		c.family = c.h->family;
		c.type = c.h->type;
		if (host != -1 && slot[0] == AF_INET)
			out_meaning(sh, "%s is fd %d, on %s (%s)", hname, fd,
			    labhost_name(host), labhost_addr(host));
		else if (host != -1)
			out_meaning(sh, "%s is fd %d, on %s", hname, fd,
			    labhost_name(host));
		else
			out_meaning(sh, "%s is fd %d", hname, fd);
	}
	note_call(sh, &c);
	return CMD_OK;
}

const struct cmd_entry cmd_socket_entry = {
	.name = "socket",
	.usage = "[NAME] [FAMILY] [TYPE] [PROTOCOL] [@HOST]",
	.args_min = 0,
	.args_max = 5,
	.flags = CMD_NEWNAME,
	.group = CMD_GROUP_SETUP,
	.summary = "make a socket and give it a name",
	.help =
	    "Makes a new socket with socket(2) and names it NAME (sock1, "
	    "sock2, ... when left out). FAMILY is AF_INET (inet, the default), "
	    "AF_INET6 (inet6) or AF_UNIX (unix); TYPE is SOCK_STREAM (stream, "
	    "tcp, the default) or SOCK_DGRAM (dgram, udp), optionally with "
	    "|SOCK_NONBLOCK or |SOCK_CLOEXEC. Like Python's "
	    "socket.socket(socket.AF_INET, socket.SOCK_STREAM). In a lab "
	    "(sockstep --lab), @HOST makes it on host alpha or beta: the "
	    "shell enters that host's network namespace (setns(2)) for the "
	    "call and comes back; the socket stays on HOST, with HOST's "
	    "addresses and loopback.",
	.errors = "EAFNOSUPPORT, EPROTONOSUPPORT: that family or protocol "
	          "does not exist here. EMFILE: the process has no free file "
	          "descriptors.",
	.man = "socket(2), socket(7), ip(7), tcp(7)",
	.complete = "sock*",
	.exec = cmd_socket_exec,
};
