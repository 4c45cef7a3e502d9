/* Unit tests of sym.c: names to values and back, short forms, flags. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "sym.h"

/* Checks that name reads as value in table t. */
static void
val(const struct sym *t, const char *name, long want)
{
	long v = -12345;

	if (sym_value(t, name, &v) != 0)
		fail_msg("sym_value(\"%s\") failed", name);
	assert_int_equal(v, want);
}

/* Checks that name is not in table t and leaves the output alone. */
static void
unknown(const struct sym *t, const char *name)
{
	long v = -12345;

	assert_int_equal(sym_value(t, name, &v), -1);
	assert_int_equal(v, -12345);
}

static void
test_family(void **state)
{
	(void)state;
	val(sym_family, "AF_INET", AF_INET);
	val(sym_family, "AF_INET6", AF_INET6);
	val(sym_family, "AF_UNIX", AF_UNIX);
	val(sym_family, "AF_LOCAL", AF_UNIX);
	val(sym_family, "PF_INET", AF_INET);
	val(sym_family, "inet", AF_INET);
	val(sym_family, "ipv4", AF_INET);
	val(sym_family, "inet6", AF_INET6);
	val(sym_family, "ipv6", AF_INET6);
	val(sym_family, "unix", AF_UNIX);
	val(sym_family, "local", AF_UNIX);
	assert_string_equal(sym_name(sym_family, AF_INET), "AF_INET");
	assert_string_equal(sym_name(sym_family, AF_INET6), "AF_INET6");
	/* The C name comes first, so AF_UNIX and not AF_LOCAL or unix. */
	assert_string_equal(sym_name(sym_family, AF_UNIX), "AF_UNIX");
	assert_string_equal(sym_name(sym_family, AF_UNSPEC), "AF_UNSPEC");
	assert_null(sym_name(sym_family, AF_PACKET));
}

static void
test_case(void **state)
{
	(void)state;
	val(sym_family, "af_inet", AF_INET);
	val(sym_family, "Inet6", AF_INET6);
	val(sym_socktype, "sock_dgram", SOCK_DGRAM);
	val(sym_socktype, "TCP", SOCK_STREAM);
	val(sym_shut, "Shut_Wr", SHUT_WR);
	val(sym_msg, "msg_peek", MSG_PEEK);
}

static void
test_socktype_and_proto(void **state)
{
	(void)state;
	val(sym_socktype, "SOCK_STREAM", SOCK_STREAM);
	val(sym_socktype, "stream", SOCK_STREAM);
	val(sym_socktype, "tcp", SOCK_STREAM);
	val(sym_socktype, "dgram", SOCK_DGRAM);
	val(sym_socktype, "udp", SOCK_DGRAM);
	val(sym_socktype, "seqpacket", SOCK_SEQPACKET);
	val(sym_socktype, "SOCK_RAW", SOCK_RAW);
	assert_string_equal(sym_name(sym_socktype, SOCK_STREAM), "SOCK_STREAM");
	assert_string_equal(sym_name(sym_socktype, SOCK_DGRAM), "SOCK_DGRAM");
	val(sym_sockflag, "SOCK_NONBLOCK", SOCK_NONBLOCK);
	val(sym_sockflag, "cloexec", SOCK_CLOEXEC);
	val(sym_proto, "IPPROTO_TCP", IPPROTO_TCP);
	assert_string_equal(sym_name(sym_proto, 0), "IPPROTO_IP");
	assert_string_equal(sym_name(sym_proto, IPPROTO_UDP), "IPPROTO_UDP");
	val(sym_level, "SOL_SOCKET", SOL_SOCKET);
	val(sym_level, "socket", SOL_SOCKET);
	val(sym_level, "tcp", IPPROTO_TCP);
	val(sym_level, "SOL_TCP", IPPROTO_TCP);
	assert_string_equal(sym_name(sym_level, SOL_SOCKET), "SOL_SOCKET");
	assert_string_equal(sym_name(sym_level, IPPROTO_TCP), "IPPROTO_TCP");
}

static void
test_shut(void **state)
{
	(void)state;
	val(sym_shut, "SHUT_RD", SHUT_RD);
	val(sym_shut, "SHUT_WR", SHUT_WR);
	val(sym_shut, "SHUT_RDWR", SHUT_RDWR);
	val(sym_shut, "rd", SHUT_RD);
	val(sym_shut, "wr", SHUT_WR);
	val(sym_shut, "rdwr", SHUT_RDWR);
	val(sym_shut, "both", SHUT_RDWR);
	/* The HOWTO's shutdown(1). */
	val(sym_shut, "1", SHUT_WR);
	val(sym_shut, "0", SHUT_RD);
	assert_string_equal(sym_name(sym_shut, SHUT_RD), "SHUT_RD");
	assert_string_equal(sym_name(sym_shut, SHUT_WR), "SHUT_WR");
	assert_string_equal(sym_name(sym_shut, SHUT_RDWR), "SHUT_RDWR");
	assert_null(sym_name(sym_shut, 3));
}

static void
test_numbers(void **state)
{
	(void)state;
	val(sym_family, "2", 2);
	val(sym_family, "10", 10);
	val(sym_family, "007", 7);
	val(sym_family, "999999999", 999999999);
	/* Ten digits or more, signs and hex are not numbers here. */
	unknown(sym_family, "1234567890");
	unknown(sym_family, "-1");
	unknown(sym_family, "+2");
	unknown(sym_family, "0x2");
	unknown(sym_family, "");
	unknown(sym_family, "2a");
}

static void
test_unknown(void **state)
{
	(void)state;
	unknown(sym_family, "AF_INETX");
	unknown(sym_family, "AF_");
	unknown(sym_family, "inet ");
	unknown(sym_socktype, "SOCK_STREAMS");
	unknown(sym_shut, "SHUT_WRITE");
	/* A table's names do not leak into another. */
	unknown(sym_socktype, "AF_INET");
	unknown(sym_shut, "SOCK_STREAM");
}

static void
test_errno(void **state)
{
	(void)state;
	assert_string_equal(sym_errno_name(ECONNREFUSED), "ECONNREFUSED");
	assert_string_equal(sym_errno_name(EPIPE), "EPIPE");
	assert_string_equal(sym_errno_name(EINTR), "EINTR");
	assert_string_equal(sym_errno_name(EINPROGRESS), "EINPROGRESS");
	assert_string_equal(sym_errno_name(EADDRINUSE), "EADDRINUSE");
	/* EWOULDBLOCK is EAGAIN on Linux; strace says EAGAIN. */
	assert_string_equal(sym_errno_name(EWOULDBLOCK), "EAGAIN");
	assert_string_equal(sym_errno_name(9999), "E?");
	val(sym_errno, "econnreset", ECONNRESET);
	val(sym_errno, "EWOULDBLOCK", EAGAIN);
}

static void
test_tcp_state(void **state)
{
	(void)state;
	assert_string_equal(sym_name(sym_tcp_state, 1), "ESTABLISHED");
	assert_string_equal(sym_name(sym_tcp_state, 5), "FIN_WAIT2");
	assert_string_equal(sym_name(sym_tcp_state, 7), "CLOSE");
	assert_string_equal(sym_name(sym_tcp_state, 8), "CLOSE_WAIT");
	assert_string_equal(sym_name(sym_tcp_state, 10), "LISTEN");
	val(sym_tcp_state, "CLOSED", 7);
	val(sym_tcp_state, "estab", 1);
	val(sym_tcp_state, "time_wait", 6);
}

/* Checks that s reads as flags value want. */
static void
flags(const struct sym *t, const char *s, long want)
{
	long v = -12345;

	if (sym_flags(t, s, &v) != 0)
		fail_msg("sym_flags(\"%s\") failed", s);
	assert_int_equal(v, want);
}

/* Checks that s is not a flags value. */
static void
bad_flags(const struct sym *t, const char *s)
{
	long v = -12345;

	assert_int_equal(sym_flags(t, s, &v), -1);
	assert_int_equal(v, -12345);
}

static void
test_flags(void **state)
{
	(void)state;
	flags(sym_msg, "0", 0);
	flags(sym_msg, "MSG_PEEK", MSG_PEEK);
	flags(sym_msg, "MSG_PEEK|MSG_DONTWAIT", MSG_PEEK | MSG_DONTWAIT);
	flags(sym_msg, "peek|waitall|nosignal",
	    MSG_PEEK | MSG_WAITALL | MSG_NOSIGNAL);
	flags(sym_msg, "MSG_PEEK|MSG_PEEK", MSG_PEEK);
	flags(sym_msg, "msg_oob|64", MSG_OOB | 64);
	bad_flags(sym_msg, "MSG_PEEK|");
	bad_flags(sym_msg, "|MSG_PEEK");
	bad_flags(sym_msg, "MSG_PEEK||MSG_OOB");
	bad_flags(sym_msg, "MSG_PEEK|MSG_BOGUS");
	bad_flags(sym_msg, "|");
	bad_flags(sym_msg, "MSG_PEEK MSG_OOB");
	/* A part longer than 63 bytes is refused, not cut. */
	bad_flags(sym_msg,
	    "MSG_PEEK|MSG_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAA");
}

/* Checks what sym_format_flags prints for v. */
static void
fmtflags(const struct sym *t, long v, const char *want)
{
	struct buf b;

	buf_init(&b);
	sym_format_flags(&b, t, v);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void
test_format_flags(void **state)
{
	(void)state;
	fmtflags(sym_msg, 0, "0");
	fmtflags(sym_msg, MSG_PEEK, "MSG_PEEK");
	/* In strace's order, which is the order of the bits. */
	fmtflags(sym_msg, MSG_DONTWAIT | MSG_PEEK, "MSG_PEEK|MSG_DONTWAIT");
	fmtflags(sym_msg, MSG_NOSIGNAL | MSG_OOB | MSG_WAITALL,
	    "MSG_OOB|MSG_WAITALL|MSG_NOSIGNAL");
	/* Bits without a name follow in hex, as strace prints them. */
	fmtflags(sym_msg, MSG_PEEK | 0x1000000, "MSG_PEEK|0x1000000");
	fmtflags(sym_msg, 0x1000000, "0x1000000 /* MSG_??? */");
	/* strace: SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK. */
	fmtflags(sym_sockflag, SOCK_NONBLOCK | SOCK_CLOEXEC,
	    "SOCK_CLOEXEC|SOCK_NONBLOCK");
	fmtflags(sym_sockflag, SOCK_NONBLOCK, "SOCK_NONBLOCK");
	fmtflags(sym_sockflag, 0x40, "0x40 /* SOCK_??? */");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_socktype_and_proto),
		cmocka_unit_test(test_shut),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_errno),
		cmocka_unit_test(test_tcp_state),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_format_flags),
	};

	return cmocka_run_group_tests_name("sym", tests, NULL, NULL);
}
