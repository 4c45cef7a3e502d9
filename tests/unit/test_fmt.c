/* Unit tests of fmt.c: bytes as strace, Python and a hex dump show them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fmt.h"
#include "text.h"

/* Checks fmt_cstring of n bytes at p, cut at max. */
static void
cstr(const char *p, size_t n, size_t max, const char *want)
{
	struct buf b;

	buf_init(&b);
	fmt_cstring(&b, (const unsigned char *)p, n, max);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

/* Checks fmt_pybytes of n bytes at p. */
static void
py(const char *p, size_t n, const char *want)
{
	struct buf b;

	buf_init(&b);
	fmt_pybytes(&b, (const unsigned char *)p, n);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void
test_cstring_plain(void **state)
{
	(void)state;
	cstr("Hello, world", 12, 32, "\"Hello, world\"");
	cstr("", 0, 32, "\"\"");
	cstr("'single' ok", 11, 32, "\"'single' ok\"");
	cstr("~ !", 3, 32, "\"~ !\"");
}

static void
test_cstring_escapes(void **state)
{
	(void)state;
	cstr("\"\\", 2, 32, "\"\\\"\\\\\"");
	cstr("\t\n\r\v\f", 5, 32, "\"\\t\\n\\r\\v\\f\"");
	/* \a, \b and ESC are octal in strace, not \a \b \e. */
	cstr("\a\b\033", 3, 32, "\"\\7\\10\\33\"");
	cstr("\x7f\x80\xff", 3, 32, "\"\\177\\200\\377\"");
}

static void
test_cstring_octal_rules(void **state)
{
	(void)state;
	/*
	 * strace writes the shortest octal, but three digits when an octal
	 * digit follows, so that the escape cannot swallow it. Checked with
	 * strace 6.1: "\0\0017\0a\177\377\"\\\t\n\r\v\f\33".
	 */
	cstr("\0\001"
	     "7\0a\177\377\"\\\t\n\r\v\f\033",
	    15, 32, "\"\\0\\0017\\0a\\177\\377\\\"\\\\\\t\\n\\r\\v\\f\\33\"");
	cstr("\0"
	     "0",
	    2, 32, "\"\\0000\"");
	cstr("\0"
	     "8",
	    2, 32, "\"\\08\"");
	cstr("\001"
	     "9",
	    2, 32, "\"\\19\"");
	cstr("\n"
	     "1",
	    2, 32, "\"\\n1\"");
	cstr("\033"
	     "7",
	    2, 32, "\"\\0337\"");
	cstr("\0", 1, 32, "\"\\0\"");
	/* The byte after the cut does not count as following. */
	cstr("\0"
	     "1",
	    2, 1, "\"\\0\"...");
}

static void
test_cstring_truncation(void **state)
{
	char s[40];

	(void)state;
	memset(s, 'A', sizeof(s));
	cstr(s, 40, 32, "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"...");
	cstr(s, 32, 32, "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"");
	cstr(s, 33, 32, "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"...");
	cstr(s, 5, 0, "\"\"...");
	memset(s, 1, sizeof(s));
	s[32] = '0';
	cstr(s, 33, 32,
	    "\"\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1"
	    "\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\\1\"...");
}

static void
test_pybytes(void **state)
{
	(void)state;
	py("Hello, world", 12, "b'Hello, world'");
	py("", 0, "b''");
	py("Hello, world\n", 13, "b'Hello, world\\n'");
	py("\t\r\n", 3, "b'\\t\\r\\n'");
	py("\0\x01\x7f\x80\xff", 5, "b'\\x00\\x01\\x7f\\x80\\xff'");
	/* \a \b \f \v and ESC are \x escapes in Python's repr. */
	py("\a\b\f\v\033", 5, "b'\\x07\\x08\\x0c\\x0b\\x1b'");
	py("a\\b", 3, "b'a\\\\b'");
}

static void
test_pybytes_quotes(void **state)
{
	(void)state;
	/* Python: repr(b"it's") == "b\"it's\"". */
	py("it's", 4, "b\"it's\"");
	/* repr(b'say "hi"') == "b'say \"hi\"'". */
	py("say \"hi\"", 8, "b'say \"hi\"'");
	/* With both quotes, single quotes and \' inside. */
	py("'\"", 2, "b'\\'\"'");
}

/* Checks fmt_hexdump of n bytes at p. */
static void
hex(const char *p, size_t n, const char *indent, const char *want)
{
	struct buf b;

	buf_init(&b);
	fmt_hexdump(&b, (const unsigned char *)p, n, indent);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void
test_hexdump(void **state)
{
	(void)state;
	hex("", 0, "  ", "");
	hex("Hello, world", 12, "  ",
	    "  0000  48 65 6c 6c 6f 2c 20 77 6f 72 6c 64"
	    "              |Hello, world|\n");
	hex("0123456789abcdef\n\0\xff", 19, "",
	    "0000  30 31 32 33 34 35 36 37 38 39 61 62 63 64 65 66"
	    "  |0123456789abcdef|\n"
	    "0010  0a 00 ff"
	    "                                         |...|\n");
}

/* Checks fmt_visible of n bytes at s. */
static void
vis(const char *s, size_t n, const char *want)
{
	struct buf b;

	buf_init(&b);
	fmt_visible(&b, s, n);
	assert_string_equal(buf_str(&b), want);
	buf_free(&b);
}

static void
test_visible(void **state)
{
	char s[50];

	(void)state;
	vis("srv", 3, "srv");
	vis("a\tb\x01", 4, "a\\tb\\1");
	vis("say \"x\"", 7, "say \"x\"");
	memset(s, 'z', sizeof(s));
	vis(s, 50, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz...");
	vis(s, 40, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
}

/* text_long: every long, the ends included; text_copy cuts to fit. */
static void
test_long_and_copy(void **state)
{
	static const long v[] = { 0, 7, -1, 10, 65432, -2147483648L,
		9223372036854775807L, -9223372036854775807L - 1 };
	char out[TEXT_LONG_MAX], want[64], small[4];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(want, sizeof(want), "%ld", v[i]);
		assert_string_equal(text_long(out, v[i]), want);
	}
	text_copy(small, sizeof(small), "srv");
	assert_string_equal(small, "srv");
	text_copy(small, sizeof(small), "conn");
	assert_string_equal(small, "con");
}

/* Formats with text_vplain into cap bytes: its result, and out. */
static int __attribute__((format(printf, 3, 4)))
plain(char *out, size_t cap, const char *fmt, ...)
{
	va_list ap;
	size_t len = 0;
	int rc;

	va_start(ap, fmt);
	rc = text_vplain(out, cap, &len, fmt, ap);
	va_end(ap);
	out[rc == 0 ? len : 0] = '\0';
	return rc;
}

/* text_vplain: as printf for its conversions, -1 for others or no room. */
static void
test_plain(void **state)
{
	const char *volatile none = NULL; /* unseen by -Wformat-overflow */
	char out[64], want[64];

	(void)state;
	assert_int_equal(plain(out, sizeof(out),
	                     "%s is fd %d, %u%% of %ld %lu %zu", "srv", -3, 7U,
	                     -9L, 10UL, (size_t)11),
	    0);
	snprintf(want, sizeof(want), "%s is fd %d, %u%% of %ld %lu %zu", "srv",
	    -3, 7U, -9L, 10UL, (size_t)11);
	assert_string_equal(out, want);
	assert_int_equal(plain(out, sizeof(out), "no conversion"), 0);
	assert_string_equal(out, "no conversion");
	assert_int_equal(plain(out, sizeof(out), "%s", none), 0);
	assert_string_equal(out, "(null)");
	assert_int_equal(plain(out, sizeof(out), "%x", 255U), -1);
	assert_int_equal(plain(out, sizeof(out), "%5d", 1), -1);
	assert_int_equal(plain(out, 8, "%s", "12345678"), -1); /* no room */
	assert_int_equal(plain(out, 9, "%s", "12345678"), 0);
	assert_string_equal(out, "12345678");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cstring_plain),
		cmocka_unit_test(test_cstring_escapes),
		cmocka_unit_test(test_cstring_octal_rules),
		cmocka_unit_test(test_cstring_truncation),
		cmocka_unit_test(test_pybytes),
		cmocka_unit_test(test_pybytes_quotes),
		cmocka_unit_test(test_hexdump),
		cmocka_unit_test(test_visible),
		cmocka_unit_test(test_long_and_copy),
		cmocka_unit_test(test_plain),
	};

	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}
