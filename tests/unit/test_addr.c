/* Unit tests of addr.c: addresses as typed, and as strace prints them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "addr.h"
#include "buf.h"

/* Parses host and port of family f, which must succeed. */
static void
ok(int f, const char *host, const char *port, struct addr *a)
{
	char err[256] = "";

	if (addr_parse(f, host, port, a, err, sizeof(err)) != 0)
		fail_msg("addr_parse(%d, \"%s\", \"%s\"): %s", f, host,
		    port ? port : "(null)", err);
	assert_int_equal(a->ss.ss_family, f);
}

/* Parses host and port of family f, which must fail with want. */
static void
bad(int f, const char *host, const char *port, const char *want)
{
	struct addr a;
	char err[256] = "";

	assert_int_equal(addr_parse(f, host, port, &a, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

/* Returns the strace form of a, in b (freed by the caller). */
static const char *
strace_of(struct buf *b, const struct addr *a)
{
	buf_init(b);
	addr_strace(b, (const struct sockaddr *)&a->ss, a->len);
	return buf_str(b);
}

/* Returns the short form of a, in b (freed by the caller). */
static const char *
short_of(struct buf *b, const struct addr *a)
{
	buf_init(b);
	addr_short(b, (const struct sockaddr *)&a->ss, a->len);
	return buf_str(b);
}

static void
test_ipv4(void **state)
{
	const struct sockaddr_in *in;
	struct addr a;
	struct buf b;

	(void)state;
	ok(AF_INET, "127.0.0.1", "65432", &a);
	in = (const struct sockaddr_in *)&a.ss;
	assert_int_equal(a.len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(in->sin_port), 65432);
	assert_int_equal(ntohl(in->sin_addr.s_addr), INADDR_LOOPBACK);
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_INET, "
	    "sin_port=htons(65432), sin_addr=inet_addr(\"127.0.0.1\")}");
	buf_free(&b);
	assert_string_equal(short_of(&b, &a), "127.0.0.1:65432");
	buf_free(&b);

	ok(AF_INET, "10.1.2.3", "0", &a);
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_INET, "
	    "sin_port=htons(0), sin_addr=inet_addr(\"10.1.2.3\")}");
	buf_free(&b);
}

static void
test_ipv4_any_and_localhost(void **state)
{
	const struct sockaddr_in *in;
	struct addr a;
	struct buf b;

	(void)state;
	ok(AF_INET, "", "80", &a);
	in = (const struct sockaddr_in *)&a.ss;
	assert_int_equal(in->sin_addr.s_addr, htonl(INADDR_ANY));
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_INET, "
	    "sin_port=htons(80), sin_addr=inet_addr(\"0.0.0.0\")}");
	buf_free(&b);
	assert_string_equal(short_of(&b, &a), "0.0.0.0:80");
	buf_free(&b);
	ok(AF_INET, "*", "80", &a);
	assert_int_equal(in->sin_addr.s_addr, htonl(INADDR_ANY));
	ok(AF_INET, "localhost", "65432", &a);
	assert_int_equal(in->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(ntohs(in->sin_port), 65432);
}

/* A host name is left to a lookup (getaddrinfo): family and port are set. */
static void
test_names(void **state)
{
	struct addr a;
	char err[256] = "", big[300];
	const struct sockaddr_in6 *in6 = (const void *)&a.ss;

	(void)state;
	assert_int_equal(addr_parse(AF_INET, "myhost", "80", &a, err,
	                     sizeof(err)),
	    ADDR_NAME);
	assert_int_equal(a.ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&a.ss)->sin_port), 80);
	assert_string_equal(err,
	    "'myhost' is not an IPv4 address or a known host name (try "
	    "127.0.0.1, localhost, or '' for any)");
	assert_int_equal(addr_parse(AF_INET6, "my-host.example_1", "9", &a, err,
	                     sizeof(err)),
	    ADDR_NAME);
	assert_int_equal(ntohs(in6->sin6_port), 9);
	/* localhost, numbers and '' need no lookup */
	assert_int_equal(addr_parse(AF_INET, "localhost", "80", &a, err,
	                     sizeof(err)),
	    0);
	/* what cannot be a host name is never looked up */
	bad(AF_INET, "::::zz", "80",
	    "'::::zz' is not an IPv4 address or a known host name (try "
	    "127.0.0.1, localhost, or '' for any)");
	bad(AF_INET, "a b", "80",
	    "'a b' is not an IPv4 address or a known host name (try "
	    "127.0.0.1, localhost, or '' for any)");
	bad(AF_INET6, "a/b", "80",
	    "'a/b' is not an IPv6 address or a known host name (try ::1, "
	    "localhost, or '' for any)");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(addr_parse(AF_INET, big, "80", &a, err, sizeof(err)),
	    -1);
}

static void
test_ipv4_bad(void **state)
{
	(void)state;
	/* Numeric-looking addresses fail without any name lookup. */
	bad(AF_INET, "256.1.1.1", "80",
	    "'256.1.1.1' is not an IPv4 address "
	    "or a known host name (try 127.0.0.1, localhost, or '' for any)");
	bad(AF_INET, "1.2.3", "80",
	    "'1.2.3' is not an IPv4 address or a "
	    "known host name (try 127.0.0.1, localhost, or '' for any)");
	bad(AF_INET, "127.0.0.1.", "80",
	    "'127.0.0.1.' is not an IPv4 "
	    "address or a known host name (try 127.0.0.1, localhost, or '' "
	    "for any)");
	bad(AF_INET, "127.0.0.1", NULL, "an address needs a port");
	bad(AF_UNSPEC, "127.0.0.1", "80",
	    "this shell cannot write addresses "
	    "of family 0");
}

static void
test_ports(void **state)
{
	unsigned p = 7;
	char err[128];
	struct addr a;

	(void)state;
	assert_int_equal(addr_parse_port("0", &p, err, sizeof(err)), 0);
	assert_int_equal(p, 0);
	assert_int_equal(addr_parse_port("65535", &p, err, sizeof(err)), 0);
	assert_int_equal(p, 65535);
	assert_int_equal(addr_parse_port("080", &p, err, sizeof(err)), 0);
	assert_int_equal(p, 80);
	p = 7;
	assert_int_equal(addr_parse_port("65536", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "port 65536 is out of range (0-65535)");
	assert_int_equal(p, 7);
	assert_int_equal(addr_parse_port("99999999999999999999999", &p, err,
	                     sizeof(err)),
	    -1);
	assert_string_equal(err,
	    "port 99999999999999999999999 is out of "
	    "range (0-65535)");
	assert_int_equal(addr_parse_port("-1", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'-1' is not a port number (0-65535)");
	assert_int_equal(addr_parse_port("", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'' is not a port number (0-65535)");
	assert_int_equal(addr_parse_port("http", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'http' is not a port number (0-65535)");
	assert_int_equal(addr_parse_port("80 ", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'80 ' is not a port number (0-65535)");
	assert_int_equal(addr_parse_port("0x50", &p, err, sizeof(err)), -1);
	assert_string_equal(err, "'0x50' is not a port number (0-65535)");
	assert_int_equal(p, 7);
	bad(AF_INET, "127.0.0.1", "70000",
	    "port 70000 is out of range "
	    "(0-65535)");
	bad(AF_INET6, "::1", "-5", "'-5' is not a port number (0-65535)");
	/* A bad port leaves no half-made address behind. */
	memset(&a, 0xaa, sizeof(a));
	assert_int_equal(addr_parse(AF_INET, "127.0.0.1", "x", &a, err,
	                     sizeof(err)),
	    -1);
}

static void
test_ipv6(void **state)
{
	const struct sockaddr_in6 *in6;
	struct addr a;
	struct buf b;

	(void)state;
	ok(AF_INET6, "::1", "8080", &a);
	in6 = (const struct sockaddr_in6 *)&a.ss;
	assert_int_equal(a.len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(in6->sin6_port), 8080);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	/* As strace 6.1 prints it. */
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_INET6, "
	    "sin6_port=htons(8080), sin6_flowinfo=htonl(0), "
	    "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}");
	buf_free(&b);
	assert_string_equal(short_of(&b, &a), "[::1]:8080");
	buf_free(&b);

	ok(AF_INET6, "[::1]", "80", &a);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	ok(AF_INET6, "", "80", &a);
	assert_true(IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr));
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_INET6, "
	    "sin6_port=htons(80), sin6_flowinfo=htonl(0), "
	    "inet_pton(AF_INET6, \"::\", &sin6_addr), sin6_scope_id=0}");
	buf_free(&b);
	ok(AF_INET6, "localhost", "80", &a);
	assert_true(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	ok(AF_INET6, "fe80::1:2", "1", &a);
	assert_string_equal(short_of(&b, &a), "[fe80::1:2]:1");
	buf_free(&b);
	ok(AF_INET6, "::ffff:127.0.0.1", "1", &a);
	assert_string_equal(short_of(&b, &a), "[::ffff:127.0.0.1]:1");
	buf_free(&b);

	bad(AF_INET6, "::g", "80",
	    "'::g' is not an IPv6 address or a known "
	    "host name (try ::1, localhost, or '' for any)");
	bad(AF_INET6, "1:2:3:4:5:6:7:8:9", "80",
	    "'1:2:3:4:5:6:7:8:9' is not "
	    "an IPv6 address or a known host name (try ::1, localhost, or '' "
	    "for any)");
	bad(AF_INET6, "::1", NULL, "an address needs a port");
}

static void
test_unix(void **state)
{
	const struct sockaddr_un *un;
	struct addr a;
	struct buf b;

	(void)state;
	ok(AF_UNIX, "/tmp/echo.sock", NULL, &a);
	un = (const struct sockaddr_un *)&a.ss;
	assert_int_equal(a.len, sizeof(struct sockaddr_un));
	assert_string_equal(un->sun_path, "/tmp/echo.sock");
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_UNIX, "
	    "sun_path=\"/tmp/echo.sock\"}");
	buf_free(&b);
	assert_string_equal(short_of(&b, &a), "/tmp/echo.sock");
	buf_free(&b);
	ok(AF_UNIX, "rel", NULL, &a);
	assert_string_equal(un->sun_path, "rel");
}

static void
test_unix_abstract(void **state)
{
	const struct sockaddr_un *un;
	struct addr a;
	struct buf b;

	(void)state;
	ok(AF_UNIX, "@echo", NULL, &a);
	un = (const struct sockaddr_un *)&a.ss;
	assert_int_equal(a.len, offsetof(struct sockaddr_un, sun_path) + 5);
	assert_int_equal(un->sun_path[0], '\0');
	assert_memory_equal(un->sun_path + 1, "echo", 4);
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_UNIX, "
	    "sun_path=@\"echo\"}");
	buf_free(&b);
	assert_string_equal(short_of(&b, &a), "@echo");
	buf_free(&b);
	/* strace escapes the name as it escapes data: sun_path=@"a\"x\n". */
	ok(AF_UNIX, "@a\"x\n", NULL, &a);
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_UNIX, "
	    "sun_path=@\"a\\\"x\\n\"}");
	buf_free(&b);
	ok(AF_UNIX, "/tmp/a\"b", NULL, &a);
	assert_string_equal(strace_of(&b, &a),
	    "{sa_family=AF_UNIX, "
	    "sun_path=\"/tmp/a\\\"b\"}");
	buf_free(&b);
}

static void
test_unix_bad(void **state)
{
	char path[200];

	(void)state;
	bad(AF_UNIX, "", NULL, "a Unix socket path has 1 to 107 bytes");
	memset(path, 'p', sizeof(path));
	path[108] = '\0';
	bad(AF_UNIX, path, NULL, "a Unix socket path has 1 to 107 bytes");
	path[107] = '\0';
	{
		struct addr a;

		ok(AF_UNIX, path, NULL, &a);
	}
	bad(AF_UNIX, "/tmp/x", "80",
	    "a Unix socket address is a path alone, "
	    "with no port");
}

static void
test_strace_odd(void **state)
{
	struct sockaddr_storage ss;
	struct buf b;

	(void)state;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_UNIX;
	/* An unnamed Unix socket: only the family, as accept returns it. */
	buf_init(&b);
	addr_strace(&b, (struct sockaddr *)&ss, sizeof(sa_family_t));
	assert_string_equal(buf_str(&b), "{sa_family=AF_UNIX}");
	buf_reset(&b);
	addr_short(&b, (struct sockaddr *)&ss, sizeof(sa_family_t));
	assert_string_equal(buf_str(&b), "(unnamed)");
	buf_reset(&b);
	addr_strace(&b, (struct sockaddr *)&ss, 0);
	assert_string_equal(buf_str(&b), "{}");
	buf_reset(&b);
	addr_short(&b, (struct sockaddr *)&ss, 0);
	assert_string_equal(buf_str(&b), "-");
	buf_reset(&b);
	ss.ss_family = AF_UNSPEC;
	addr_strace(&b, (struct sockaddr *)&ss, sizeof(ss));
	assert_string_equal(buf_str(&b), "{sa_family=AF_UNSPEC}");
	buf_reset(&b);
	addr_short(&b, (struct sockaddr *)&ss, sizeof(ss));
	assert_string_equal(buf_str(&b), "?");
	buf_reset(&b);
	ss.ss_family = 200;
	addr_strace(&b, (struct sockaddr *)&ss, sizeof(ss));
	assert_string_equal(buf_str(&b), "{sa_family=200}");
	buf_free(&b);
}

static void
test_size(void **state)
{
	(void)state;
	assert_int_equal(addr_size(AF_INET), 16);
	assert_int_equal(addr_size(AF_INET6), 28);
	assert_int_equal(addr_size(AF_UNIX), 110);
	assert_int_equal(addr_size(AF_UNSPEC), sizeof(struct sockaddr_storage));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv4_any_and_localhost),
		cmocka_unit_test(test_ipv4_bad),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_unix_abstract),
		cmocka_unit_test(test_unix_bad),
		cmocka_unit_test(test_strace_odd),
		cmocka_unit_test(test_size),
	};

	return cmocka_run_group_tests_name("addr", tests, NULL, NULL);
}
