#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "buf.h"
#include "cmd.h"
#include "fmt.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"

/* What each error means to a student. */
static const struct {
	int err;
	const char *id;
	const char *text;
} gai_notes[] = {
	{ EAI_AGAIN, "getaddrinfo.again",
	    "no name server answered (none could be reached, or it was "
	    "slow): the same lookup may work later" },
	{ EAI_SERVICE, "getaddrinfo.service",
	    "no such service for that socket type (see "
	    "/etc/services)" },
	{ 0, NULL, NULL }
};

/*
 * getaddrinfo HOST [PORT] [FAMILY] [TYPE]: one getaddrinfo(3), each
 * address it returns shown as a struct sockaddr.
 */
static int
cmd_getaddrinfo_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	struct addrinfo hints, *res = NULL, *ai;
	const char *host = a->argv[0].text, *port = NULL;
	struct buf b;
	int i = 1, rc, k;
	long v;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	if (a->argc > 1 &&
	    (strspn(a->argv[1].text, "0123456789") == a->argv[1].len ||
	        (sym_value(sym_family, a->argv[1].text, &v) == -1 &&
	            sym_value(sym_socktype, a->argv[1].text, &v) == -1)))
		port = a->argv[i++].text;
	for (; i < a->argc; i++) {
		if (sym_value(sym_family, a->argv[i].text, &v) == 0)
			hints.ai_family = (int)v;
		else if (sym_value(sym_socktype, a->argv[i].text, &v) == 0)
			hints.ai_socktype = (int)v;
		else
			return cmd_usage(sh, cmd,
			    "'%.40s' is not a family "
			    "(AF_INET, AF_INET6, AF_UNSPEC) or a type "
			    "(SOCK_STREAM, SOCK_DGRAM)",
			    a->argv[i].text);
	}
	if (a->argv[0].len != strlen(host))
		return cmd_usage(sh, cmd, "a host name has no NUL bytes");
	if (*host == '\0') {
		host = NULL;
		hints.ai_flags = AI_PASSIVE;
	}
	rc = sh->sys->getaddrinfo(host, port, &hints, &res);
	buf_init(&b);
	addr_gai_call(&b, host, port, &hints);
	addr_gai_ret(&b, rc);
	sh->last.made = 1;
	sh->last.ret = rc;
	sh->last.err = 0;
	out_line(sh, "%s", buf_str(&b));
	for (ai = res, k = 1; ai; ai = ai->ai_next, k++) {
		buf_reset(&b);
		addr_gai_result(&b, ai);
		out_meaning(sh, "%d. %s", k, buf_str(&b));
	}
	if (res)
		sh->sys->freeaddrinfo(res);
	for (k = 0; rc && gai_notes[k].text; k++)
		if (gai_notes[k].err == rc)
			note_say(sh, gai_notes[k].id, "%s", gai_notes[k].text);
	if (rc == EAI_NONAME && host == NULL && port == NULL)
		note_say(sh, "getaddrinfo.nothing",
		    "no host and no service: getaddrinfo needs at least one "
		    "of them");
	else if (rc == 0 && host == NULL)
		note_say(sh, "getaddrinfo.passive",
		    "no host with AI_PASSIVE: the wildcard address, "
		    "for a server to bind");
	else if (rc == 0)
		note_say(sh, "getaddrinfo.order",
		    "a client tries these in order until a connect "
		    "succeeds (Python: socket.create_connection does)");
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_getaddrinfo_entry = {
	.name = "getaddrinfo",
	.usage = "HOST [PORT] [FAMILY] [TYPE]",
	.args_min = 1,
	.args_max = 4,
	.flags = 0,
	.group = CMD_GROUP_NAMES,
	.summary = "turn a host name and port into socket addresses",
	.help =
	    "Looks up HOST and PORT with getaddrinfo(3) and shows each "
	    "address it returns as a struct sockaddr, with the family, type "
	    "and protocol to give socket. HOST is a numeric address "
	    "(127.0.0.1, ::1), localhost, this machine's name (gethostname), "
	    "a name in /etc/hosts, or a name glibc asks a DNS server about "
	    "(its sockets are its own: strace shows them, the shell does not); "
	    "'' is the wildcard address (AI_PASSIVE). "
	    "PORT is a number or a service name (http). FAMILY (AF_INET, "
	    "AF_INET6; AF_UNSPEC: both) and TYPE (SOCK_STREAM, SOCK_DGRAM) "
	    "narrow the answer. Python: socket.getaddrinfo('localhost', 65432).",
	.errors =
	    "EAI_NONAME: no such host or service. EAI_SERVICE: no such "
	    "service for that type. EAI_AGAIN: the name server did not answer. "
	    "getaddrinfo returns these codes itself; errno is not used.",
	.man = "getaddrinfo(3)",
	.complete = "addr - sock*",
	.exec = cmd_getaddrinfo_exec,
};
