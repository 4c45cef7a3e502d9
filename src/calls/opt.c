#include "opt.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arg.h"
#include "buf.h"
#include "fmt.h"
#include "parse.h"
#include "sym.h"

/* Every option the shell knows, by its C name. */
const struct opt opt_table[] = { { "SO_REUSEADDR", SOL_SOCKET, SO_REUSEADDR,
	                             OPT_BOOL, 0 },
	{ "SO_REUSEPORT", SOL_SOCKET, SO_REUSEPORT, OPT_BOOL, 0 },
	{ "SO_KEEPALIVE", SOL_SOCKET, SO_KEEPALIVE, OPT_BOOL, 0 },
	{ "SO_RCVBUF", SOL_SOCKET, SO_RCVBUF, OPT_INT, 0 },
	{ "SO_SNDBUF", SOL_SOCKET, SO_SNDBUF, OPT_INT, 0 },
	{ "SO_LINGER", SOL_SOCKET, SO_LINGER, OPT_LINGER, 0 },
	{ "SO_ERROR", SOL_SOCKET, SO_ERROR, OPT_ERRNO, 1 },
	{ "SO_TYPE", SOL_SOCKET, SO_TYPE, OPT_SOCKTYPE, 1 },
	{ "SO_ACCEPTCONN", SOL_SOCKET, SO_ACCEPTCONN, OPT_BOOL, 1 },
	{ "SO_RCVTIMEO", SOL_SOCKET, SO_RCVTIMEO, OPT_TIMEVAL, 0 },
	{ "SO_SNDTIMEO", SOL_SOCKET, SO_SNDTIMEO, OPT_TIMEVAL, 0 },
	{ "SO_BROADCAST", SOL_SOCKET, SO_BROADCAST, OPT_BOOL, 0 },
	{ "SO_OOBINLINE", SOL_SOCKET, SO_OOBINLINE, OPT_BOOL, 0 },
	{ "SO_RCVLOWAT", SOL_SOCKET, SO_RCVLOWAT, OPT_INT, 0 },
	{ "SO_BINDTODEVICE", SOL_SOCKET, SO_BINDTODEVICE, OPT_STRING, 0 },
	{ "TCP_NODELAY", IPPROTO_TCP, TCP_NODELAY, OPT_BOOL, 0 },
	{ "TCP_MAXSEG", IPPROTO_TCP, TCP_MAXSEG, OPT_INT, 0 },
	{ "TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, OPT_INT, 0 },
	{ "TCP_KEEPINTVL", IPPROTO_TCP, TCP_KEEPINTVL, OPT_INT, 0 },
	{ "TCP_KEEPCNT", IPPROTO_TCP, TCP_KEEPCNT, OPT_INT, 0 },
	{ "TCP_CORK", IPPROTO_TCP, TCP_CORK, OPT_BOOL, 0 },
	{ "TCP_QUICKACK", IPPROTO_TCP, TCP_QUICKACK, OPT_BOOL, 0 },
	{ "IP_TTL", IPPROTO_IP, IP_TTL, OPT_INT, 0 },
	{ "IP_TOS", IPPROTO_IP, IP_TOS, OPT_INT, 0 },
	{ "IPV6_V6ONLY", IPPROTO_IPV6, IPV6_V6ONLY, OPT_BOOL, 0 },
	{ NULL, 0, 0, OPT_INT, 0 } };

/* Returns the option called name (case ignored), or NULL. */
const struct opt *
opt_find(const char *name)
{
	const struct opt *o;

	for (o = opt_table; o->name; o++)
		if (strcasecmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* Reads seconds as a decimal number into a timeval. Returns 0 or -1. */
static int
opt_parse_seconds(const char *s, struct timeval *tv)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || errno || !isfinite(d) || d < 0 ||
	    d > 1e9)
		return -1;
	tv->tv_sec = (time_t)d;
	tv->tv_usec = (suseconds_t)lround((d - (double)tv->tv_sec) * 1e6);
	if (tv->tv_usec >= 1000000) {
		tv->tv_sec++;
		tv->tv_usec -= 1000000;
	}
	return 0;
}

/*
 * Reads the value of option o from n tokens: a number, on/off, "on 5" for
 * SO_LINGER, seconds for a timeout. Returns 0 with the value and its size,
 * or -1 with a message in err.
 */
int
opt_parse(const struct opt *o, const struct token *v, int n,
    union opt_value *val, socklen_t *len, char *err, size_t errlen)
{
	long x;
	int b;

	memset(val, 0, sizeof(*val));
	if (o->readonly) {
		snprintf(err, errlen, "%s can only be read (getsockopt)",
		    o->name);
		return -1;
	}
	if (o->kind == OPT_LINGER) {
		if (n < 1 || n > 2 || arg_bool(&v[0], &b) == -1 ||
		    (n == 2 &&
		        parse_long(&v[1], 0, 1000000, &x, err, errlen) == -1) ||
		    (b && n != 2)) {
			snprintf(err, errlen,
			    "SO_LINGER takes on SECONDS or off "
			    "(on 0 makes close send RST)");
			return -1;
		}
		val->l.l_onoff = b;
		val->l.l_linger = n == 2 ? (int)x : 0;
		*len = sizeof(val->l);
		return 0;
	}
	if (n != 1) {
		snprintf(err, errlen, "%s takes one value", o->name);
		return -1;
	}
	if (o->kind == OPT_STRING) {
		if (v[0].len >= sizeof(val->raw) ||
		    memchr(v[0].text, '\0', v[0].len)) {
			snprintf(err, errlen,
			    "%s takes a name of at most %zu "
			    "bytes, like lo",
			    o->name, sizeof(val->raw) - 1);
			return -1;
		}
		memcpy(val->raw, v[0].text, v[0].len);
		*len = (socklen_t)v[0].len;
		return 0;
	}
	if (o->kind == OPT_TIMEVAL) {
		if (opt_parse_seconds(v[0].text, &val->tv) == -1) {
			snprintf(err, errlen,
			    "%s takes seconds, like 2.5 (0 "
			    "means no timeout)",
			    o->name);
			return -1;
		}
		*len = sizeof(val->tv);
		return 0;
	}
	if (arg_bool(&v[0], &b) == 0)
		x = b;
	else if (parse_long(&v[0], -2147483647L - 1, 2147483647L, &x, err,
	             errlen) == -1)
		return -1;
	val->i = (int)x;
	*len = sizeof(val->i);
	return 0;
}

/* Appends an option value as strace shows it: [1], {l_onoff=1, l_linger=0}, ... */
void
opt_format(struct buf *b, const struct opt *o, const union opt_value *val,
    socklen_t len)
{
	const char *name;

	if (o->kind == OPT_STRING) {
		/* every byte, as strace shows it: "lo\0" from getsockopt */
		fmt_cstring(b, val->raw,
		    len < sizeof(val->raw) ? len : sizeof(val->raw),
		    sizeof(val->raw));
	} else if (o->kind == OPT_LINGER && len >= sizeof(val->l)) {
		buf_printf(b, "{l_onoff=%d, l_linger=%d}", val->l.l_onoff,
		    val->l.l_linger);
	} else if (o->kind == OPT_TIMEVAL && len >= sizeof(val->tv)) {
		buf_printf(b, "{tv_sec=%ld, tv_usec=%ld}", (long)val->tv.tv_sec,
		    (long)val->tv.tv_usec);
	} else if (len >= sizeof(int)) {
		/* strace names an errno; a socket type is a number to it */
		name = o->kind == OPT_ERRNO && val->i ? sym_errno_name(val->i)
		                                      : NULL;
		if (name)
			buf_printf(b, "[%s]", name);
		else
			buf_printf(b, "[%d]", val->i);
	} else
		buf_puts(b, "\"\"");
}
