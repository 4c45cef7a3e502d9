#include "addr.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "buf.h"
#include "fmt.h"
#include "sym.h"

/* Returns the size of the address structure a C program uses for family f. */
socklen_t
addr_size(int f)
{
	switch (f) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	case AF_UNIX:
		return sizeof(struct sockaddr_un);
	}
	return sizeof(struct sockaddr_storage);
}

/* Reads a port 0-65535. Returns 0, or -1 with a message in err. */
int
addr_parse_port(const char *s, unsigned *port, char *err, size_t errlen)
{
	char *end;
	long v;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s)) {
		snprintf(err, errlen, "'%.40s' is not a port number (0-65535)",
		    s);
		return -1;
	}
	v = strlen(s + strspn(s, "0")) > 6 ? 100000 : strtol(s, &end, 10);
	if (v > 65535) {
		snprintf(err, errlen, "port %.40s is out of range (0-65535)",
		    s);
		return -1;
	}
	*port = (unsigned)v;
	return 0;
}

/* The errors getaddrinfo returns instead of setting errno. */
static const struct sym addr_gai_errors[] = {
	{ "EAI_ADDRFAMILY", EAI_ADDRFAMILY }, { "EAI_AGAIN", EAI_AGAIN },
	{ "EAI_BADFLAGS", EAI_BADFLAGS }, { "EAI_FAIL", EAI_FAIL },
	{ "EAI_FAMILY", EAI_FAMILY }, { "EAI_MEMORY", EAI_MEMORY },
	{ "EAI_NODATA", EAI_NODATA }, { "EAI_NONAME", EAI_NONAME },
	{ "EAI_SERVICE", EAI_SERVICE }, { "EAI_SOCKTYPE", EAI_SOCKTYPE },
	{ "EAI_SYSTEM", EAI_SYSTEM }, { NULL, 0 }
};

/*
 * Returns 1 when s can be a host name to look up: letters, digits, '-',
 * '_' and '.', at most 253 of them (RFC 1123, and what glibc accepts).
 */
static int
addr_is_name(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 253 &&
	    strspn(s,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789-_.") == n &&
	    strspn(s, "0123456789.") != n;
}

/*
 * Fills a with an IPv4 address. Returns 0; ADDR_NAME when host is a name
 * to look up, with the message to give if the lookup fails; or -1 with a
 * message.
 */
static int
addr_parse_in(const char *host, unsigned port, struct addr *a, char *err,
    size_t errlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
	int name = 0;

	if (*host == '\0' || strcmp(host, "*") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (strcmp(host, "localhost") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
		snprintf(err, errlen,
		    "'%.60s' is not an IPv4 address or a "
		    "known host name (try 127.0.0.1, localhost, or '' for any)",
		    host);
		if (!addr_is_name(host))
			return -1;
		name = 1;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	a->len = sizeof(*sin);
	return name ? ADDR_NAME : 0;
}

/* Fills a with an IPv6 address. Returns as addr_parse_in does. */
static int
addr_parse_in6(const char *host, unsigned port, struct addr *a, char *err,
    size_t errlen)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);
	int name = 0;

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n < sizeof(tmp)) {
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		host = tmp;
	}
	if (*host == '\0' || strcmp(host, "*") == 0)
		sin6->sin6_addr = in6addr_any;
	else if (strcmp(host, "localhost") == 0)
		sin6->sin6_addr = in6addr_loopback;
	else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
		snprintf(err, errlen,
		    "'%.60s' is not an IPv6 address or a "
		    "known host name (try ::1, localhost, or '' for any)",
		    host);
		if (!addr_is_name(host))
			return -1;
		name = 1;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short)port);
	a->len = sizeof(*sin6);
	return name ? ADDR_NAME : 0;
}

/* Fills a with a Unix socket path, or an abstract name after '@'. */
static int
addr_parse_un(const char *path, struct addr *a, char *err, size_t errlen)
{
	struct sockaddr_un *sun = (struct sockaddr_un *)&a->ss;
	size_t n = strlen(path);

	if (n == 0 || n >= sizeof(sun->sun_path)) {
		snprintf(err, errlen, "a Unix socket path has 1 to %zu bytes",
		    sizeof(sun->sun_path) - 1);
		return -1;
	}
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, n);
	if (path[0] == '@') {
		sun->sun_path[0] = '\0';
		a->len =
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	} else
		a->len = sizeof(*sun);
	return 0;
}

/*
 * Builds the address of family f from host and port as a student writes
 * them (port is NULL for Unix sockets), without looking anything up.
 * Returns 0; ADDR_NAME when host is a host name, which only a lookup
 * (getaddrinfo) can turn into an address: a has the family and port, and
 * err the message for a name nobody knows; or -1 with a message.
 */
int
addr_parse(int f, const char *host, const char *port, struct addr *a, char *err,
    size_t errlen)
{
	unsigned p = 0;

	memset(a, 0, sizeof(*a));
	if (f == AF_UNIX) {
		if (port != NULL) {
			snprintf(err, errlen,
			    "a Unix socket address is a path "
			    "alone, with no port");
			return -1;
		}
		return addr_parse_un(host, a, err, errlen);
	}
	if (port == NULL) {
		snprintf(err, errlen, "an address needs a port");
		return -1;
	}
	if (addr_parse_port(port, &p, err, errlen) == -1)
		return -1;
	if (f == AF_INET)
		return addr_parse_in(host, p, a, err, errlen);
	if (f == AF_INET6)
		return addr_parse_in6(host, p, a, err, errlen);
	snprintf(err, errlen, "this shell cannot write addresses of family %d",
	    f);
	return -1;
}

/* Appends the address as strace decodes a struct sockaddr. */
void
addr_strace(struct buf *b, const struct sockaddr *sa, socklen_t len)
{
	char s[INET6_ADDRSTRLEN];
	const char *fam = sym_name(sym_family, sa->sa_family);

	if (len < sizeof(sa_family_t)) {
		buf_puts(b, "{}");
		return;
	}
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, s, sizeof(s));
		buf_printf(b,
		    "{sa_family=AF_INET, sin_port=htons(%u), "
		    "sin_addr=inet_addr(\"%s\")}",
		    ntohs(in->sin_port), s);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, s, sizeof(s));
		buf_printf(b,
		    "{sa_family=AF_INET6, sin6_port=htons(%u), "
		    "sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, \"%s\", "
		    "&sin6_addr), sin6_scope_id=%u}",
		    ntohs(in6->sin6_port), ntohl(in6->sin6_flowinfo), s,
		    in6->sin6_scope_id);
	} else if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)sa;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (len <= offsetof(struct sockaddr_un, sun_path))
			buf_puts(b, "{sa_family=AF_UNIX}");
		else {
			const char *p = un->sun_path;
			size_t k = p[0] == '\0' ? n - 1 : strnlen(p, n);

			buf_puts(b,
			    p[0] == '\0' ? "{sa_family=AF_UNIX, "
			                   "sun_path=@"
			                 : "{sa_family=AF_UNIX, sun_path=");
			p += p[0] == '\0';
			fmt_cstring(b, (const unsigned char *)p, k, k);
			buf_addc(b, '}');
		}
	} else if (fam)
		buf_printf(b, "{sa_family=%s}", fam);
	else
		buf_printf(b, "{sa_family=%u}", sa->sa_family);
}

/* Appends the address the short way: 127.0.0.1:65432, [::1]:80, /path. */
void
addr_short(struct buf *b, const struct sockaddr *sa, socklen_t len)
{
	char s[INET6_ADDRSTRLEN];

	if (len < sizeof(sa_family_t)) {
		buf_puts(b, "-");
	} else if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, s, sizeof(s));
		buf_printf(b, "%s:%u", s, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, s, sizeof(s));
		buf_printf(b, "[%s]:%u", s, ntohs(in6->sin6_port));
	} else if (sa->sa_family == AF_UNIX) {
		const struct sockaddr_un *un = (const void *)sa;
		size_t n = len - offsetof(struct sockaddr_un, sun_path);

		if (len <= offsetof(struct sockaddr_un, sun_path))
			buf_puts(b, "(unnamed)");
		else if (un->sun_path[0] == '\0')
			buf_printf(b, "@%.*s", (int)n - 1, un->sun_path + 1);
		else
			buf_printf(b, "%.*s", (int)strnlen(un->sun_path, n),
			    un->sun_path);
	} else
		buf_puts(b, "?");
}

/* Appends the head of a getaddrinfo(3) call line: hosts, service, hints. */
void
addr_gai_call(struct buf *b, const char *host, const char *port,
    const struct addrinfo *hints)
{
	const char *name = sym_name(sym_family, hints->ai_family);
	const char *const args[] = { host, port };
	size_t i;

	buf_puts(b, "getaddrinfo(");
	for (i = 0; i < 2; i++) {
		if (args[i] == NULL)
			buf_puts(b, "NULL");
		else
			fmt_cstring(b, (const unsigned char *)args[i],
			    strlen(args[i]), 256);
		buf_puts(b, ", ");
	}
	buf_printf(b, "{ai_flags=%s, ai_family=%s, ai_socktype=",
	    hints->ai_flags & AI_PASSIVE ? "AI_PASSIVE" : "0",
	    name ? name : "?");
	if (hints->ai_socktype)
		sym_format_flags(b, sym_socktype, hints->ai_socktype);
	else
		buf_addc(b, '0');
	buf_puts(b, "}, [...])");
}

/* Appends the result of getaddrinfo: " = 0", or " = EAI_NONAME (text)". */
void
addr_gai_ret(struct buf *b, int rc)
{
	const char *name = sym_name(addr_gai_errors, rc);

	if (rc == 0)
		buf_puts(b, " = 0");
	else
		buf_printf(b, " = %s (%s)", name ? name : "?",
		    gai_strerror(rc));
}

/* Appends one address getaddrinfo returned, as a struct addrinfo. */
void
addr_gai_result(struct buf *b, const struct addrinfo *ai)
{
	const char *f = sym_name(sym_family, ai->ai_family);
	const char *t = sym_name(sym_socktype, ai->ai_socktype);
	const char *p = sym_name(sym_proto, ai->ai_protocol);

	buf_printf(b,
	    "{ai_family=%s, ai_socktype=%s, ai_protocol=", f ? f : "?",
	    t ? t : "0");
	if (p)
		buf_puts(b, p);
	else
		buf_printf(b, "%d", ai->ai_protocol);
	buf_puts(b, ", ai_addr=");
	addr_strace(b, ai->ai_addr, ai->ai_addrlen);
	buf_printf(b, ", ai_addrlen=%u}", (unsigned)ai->ai_addrlen);
}
