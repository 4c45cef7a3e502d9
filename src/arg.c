#include "arg.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "addr.h"
#include "cmd.h"
#include "handle.h"
#include "parse.h"

/*
 * Reads the address a command is given for handle h: ADDRESS PORT, or
 * ADDRESS:PORT in one word, or a path for a Unix socket.
 * Returns 0, or prints a usage error and returns CMD_ERR.
 */
int
arg_addr(struct shell *sh, const struct cmd_entry *cmd, const struct handle *h,
    const struct token *v, int n, struct addr *out)
{
	char err[256], host[256];
	const char *port = n > 1 ? v[1].text : NULL;
	const char *colon;

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
		return cmd_usage(sh, cmd, "a Unix socket address is a path "
		    "alone, with no port");
	if (addr_parse(h->family, host, port, out, err, sizeof(err)) == -1)
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
