#include "arg.h"

#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "addr.h"
#include "buf.h"
#include "cmd.h"
#include "handle.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sys.h"

/*
 * Prints a usage error on one line, "bind: why; usage: bind HANDLE ...",
 * counts it, and returns CMD_ERR so that exec can return its result.
 */
int
cmd_usage(struct shell *sh, const struct cmd_entry *cmd, const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int n;
	char why[512];

	va_start(ap, fmt);
	n = vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	buf_init(&b);
	if (n > 0)
		buf_printf(&b, "%s: %s; ", cmd->name, why);
	buf_printf(&b, "usage: %s%s%s", cmd->name, *cmd->usage ? " " : "",
	    cmd->usage);
	out_error(sh, "%s", buf_str(&b));
	buf_free(&b);
	sh->errors++;
	return CMD_ERR;
}

/*
 * Refuses a command on closed handle h, saying why without a usage line:
 * the number may belong to another socket by now. Returns CMD_ERR.
 */
int
cmd_closed(struct shell *sh, const struct cmd_entry *cmd,
    const struct handle *h)
{
	const struct handle *now = handle_by_fd(&sh->handles, h->old_fd);
	char where[96] = "", taken[64] = "";

	if (sh->src && h->closed_at &&
	    h->closed_at[0]) /* line numbers only in scripts */
		snprintf(where, sizeof(where), " at %s", h->closed_at);
	if (now)
		snprintf(taken, sizeof(taken), "; fd %d is now %s's", now->fd,
		    now->name);
	out_error(sh,
	    "%s: %s was closed%s (it was fd %d): a program that used the "
	    "number after close would get EBADF, or reach whatever socket "
	    "took the number next (the classic reuse bug)%s",
	    cmd->name, h->name, where, h->old_fd, taken);
	sh->errors++;
	return CMD_ERR;
}

/* Returns 1 when a has no address yet: port 0, or an unnamed Unix socket. */
static int
arg_unbound(const struct addr *a)
{
	const struct sockaddr_in *in = (const void *)&a->ss;
	const struct sockaddr_in6 *in6 = (const void *)&a->ss;

	if (a->ss.ss_family == AF_INET)
		return in->sin_port == 0;
	if (a->ss.ss_family == AF_INET6)
		return in6->sin6_port == 0;
	return a->len <= sizeof(sa_family_t);
}

/*
 * Puts into out the address of the handle called name, with a wildcard
 * address turned into loopback so that a client can connect to it.
 * Returns 1 when it did, 0 when name is no handle, or CMD_ERR after a
 * usage error (the handle is closed or has no address).
 */
static int
arg_handle_addr(struct shell *sh, const struct cmd_entry *cmd, const char *name,
    struct addr *out)
{
	const struct handle *h = handle_find(&sh->handles, name);
	struct sockaddr_in *in = (struct sockaddr_in *)&out->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&out->ss;

	memset(out, 0, sizeof(*out));
	out->len = sizeof(out->ss);
	if (h == NULL)
		return 0;
	if (h->fd < 0)
		return cmd_closed(sh, cmd, h);
	if (h->epoll)
		return cmd_usage(sh, cmd,
		    "%s is an epoll instance, not a socket: it has no address",
		    h->name);
	if (sh->sys->getsockname(h->fd, (struct sockaddr *)&out->ss,
	        &out->len) == -1 ||
	    arg_unbound(out))
		return cmd_usage(sh, cmd,
		    "%s has no address yet: bind it (or "
		    "give an ADDRESS and PORT)",
		    h->name);
	if (out->ss.ss_family == AF_INET &&
	    in->sin_addr.s_addr == htonl(INADDR_ANY))
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (out->ss.ss_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
		in6->sin6_addr = in6addr_loopback;
	return 1;
}

/*
 * Turns the host name in out (family and port already set) into the
 * first address getaddrinfo(3) gives for h's family and type, printed
 * as a library call line with each address it returned. Returns 0, or
 * -1 when the lookup failed.
 */
static int
arg_lookup(struct shell *sh, const struct cmd_entry *cmd,
    const struct handle *h, const char *host, struct addr *out)
{
	struct addrinfo hints, *res = NULL, *ai;
	in_port_t port = ((const struct sockaddr_in *)&out->ss)->sin_port;
	struct buf b;
	int rc, k;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = h->family;
	hints.ai_socktype = h->type;
	rc = sh->sys->getaddrinfo(host, NULL, &hints, &res);
	buf_init(&b);
	addr_gai_call(&b, host, NULL, &hints);
	addr_gai_ret(&b, rc);
	out_line(sh, "%s", buf_str(&b));
	for (ai = res, k = 1; ai; ai = ai->ai_next, k++) {
		buf_reset(&b);
		addr_gai_result(&b, ai);
		out_meaning(sh, "%d. %s", k, buf_str(&b));
	}
	if (rc == 0 && res != NULL && res->ai_addrlen <= sizeof(out->ss) &&
	    res->ai_family == h->family) {
		memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
		out->len = res->ai_addrlen;
		/* sin_port and sin6_port are at the same place */
		((struct sockaddr_in *)&out->ss)->sin_port = port;
		buf_reset(&b);
		addr_short(&b, (struct sockaddr *)&out->ss, out->len);
		out_meaning(sh, "%s takes the first: %s", cmd->name,
		    buf_str(&b));
	} else if (rc == 0)
		rc = EAI_NONAME;
	if (res)
		sh->sys->freeaddrinfo(res);
	buf_free(&b);
	return rc == 0 ? 0 : -1;
}

/*
 * Reads the address a command is given for handle h: ADDRESS PORT, or
 * ADDRESS:PORT in one word, a path for a Unix socket, or the name of
 * another handle, meaning the address that handle is bound to.
 * Returns 0, or prints a usage error and returns CMD_ERR.
 */
int
arg_addr(struct shell *sh, const struct cmd_entry *cmd, const struct handle *h,
    const struct token *v, int n, struct addr *out)
{
	char err[256], host[256];
	const char *port = n > 1 ? v[1].text : NULL;
	const char *colon;
	int rc;

	if (n == 1 && v[0].kind == TOK_WORD && v[0].len < HANDLE_NAME_MAX &&
	    (rc = arg_handle_addr(sh, cmd, v[0].text, out)) != 0)
		return rc == 1 ? 0 : CMD_ERR;
	snprintf(host, sizeof(host), "%s", v[0].text);
	if (v[0].len >= sizeof(host))
		return cmd_usage(sh, cmd, "the address is too long");
	if (n == 1 && h->family != AF_UNIX &&
	    (colon = strrchr(v[0].text, ':')) != NULL &&
	    (h->family == AF_INET || v[0].text[0] == '[')) {
		host[colon - v[0].text] = '\0';
		port = colon + 1;
	}
	if (n > 1 && h->family == AF_UNIX)
		return cmd_usage(sh, cmd,
		    "a Unix socket address is a path "
		    "alone, with no port");
	rc = addr_parse(h->family, host, port, out, err, sizeof(err));
	if (rc == -1 ||
	    (rc == ADDR_NAME && arg_lookup(sh, cmd, h, host, out) == -1))
		return cmd_usage(sh, cmd, "%s", err);
	return 0;
}

/* Reads true/false, on/off, yes/no or 1/0. Returns 0, or -1 if t is none of them. */
int
arg_bool(const struct token *t, int *out)
{
	static const char *const yes[] = { "1", "true", "on", "yes", NULL };
	static const char *const no[] = { "0", "false", "off", "no", NULL };
	int i;

	for (i = 0; yes[i]; i++) {
		if (strcasecmp(t->text, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcasecmp(t->text, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}
