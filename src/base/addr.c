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

/* Resolves a host name offline through getaddrinfo. Returns 0 or -1. */
static int
addr_lookup(int f, const char *host, struct addr *a)
{
	struct addrinfo hints, *res;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = f;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0)
		return -1;
	memcpy(&a->ss, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	return 0;
}

/* Fills a with an IPv4 address. Returns 0, or -1 with a message. */
static int
addr_parse_in(const char *host, unsigned port, struct addr *a, char *err,
    size_t errlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

	if (*host == '\0' || strcmp(host, "*") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (strcmp(host, "localhost") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1 &&
	    (strspn(host, "0123456789.") == strlen(host) ||
	        addr_lookup(AF_INET, host, a) == -1)) {
		snprintf(err, errlen,
		    "'%.60s' is not an IPv4 address or a "
		    "known host name (try 127.0.0.1, localhost, or '' for any)",
		    host);
		return -1;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons((unsigned short)port);
	a->len = sizeof(*sin);
	return 0;
}

/* Fills a with an IPv6 address. Returns 0, or -1 with a message. */
static int
addr_parse_in6(const char *host, unsigned port, struct addr *a, char *err,
    size_t errlen)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']' && n < sizeof(tmp)) {
		memcpy(tmp, host + 1, n - 2);
		tmp[n - 2] = '\0';
		host = tmp;
	}
	if (*host == '\0' || strcmp(host, "*") == 0)
		sin6->sin6_addr = in6addr_any;
	else if (strcmp(host, "localhost") == 0)
		sin6->sin6_addr = in6addr_loopback;
	else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1 &&
	    (strchr(host, ':') || addr_lookup(AF_INET6, host, a) == -1)) {
		snprintf(err, errlen,
		    "'%.60s' is not an IPv6 address or a "
		    "known host name (try ::1, localhost, or '' for any)",
		    host);
		return -1;
	}
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons((unsigned short)port);
	a->len = sizeof(*sin6);
	return 0;
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
 * them (port is NULL for Unix sockets). Returns 0, or -1 with a message.
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
