/* Unit tests of parse.c: tokens, quotes, escapes, statements, numbers, data. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "parse.h"

/* Parses s, which must succeed, into p. */
static void
ok(const char *s, struct parsed *p)
{
	char err[256] = "";

	if (parse_line(s, strlen(s), p, err, sizeof(err)) != 0)
		fail_msg("parse_line(\"%s\") failed: %s", s, err);
}

/* Parses n bytes at s, which must fail with exactly the message want. */
static void
bad_n(const char *s, size_t n, const char *want)
{
	struct parsed p;
	char err[256] = "";

	assert_int_equal(parse_line(s, n, &p, err, sizeof(err)), -1);
	assert_string_equal(err, want);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
}

/* Parses the string s, which must fail with exactly the message want. */
static void
bad(const char *s, const char *want)
{
	bad_n(s, strlen(s), want);
}

/* Checks token t: its kind and its bytes. */
static void
tok(const struct token *t, enum tok_kind kind, const char *text, size_t len)
{
	assert_int_equal(t->kind, kind);
	assert_int_equal(t->len, len);
	assert_memory_equal(t->text, text, len);
	assert_int_equal(t->text[len], '\0');
}

static void
test_words(void **state)
{
	struct parsed p;

	(void)state;
	ok("  bind\tsrv 127.0.0.1   65432 \r\n", &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].argc, 4);
	tok(&p.v[0].argv[0], TOK_WORD, "bind", 4);
	tok(&p.v[0].argv[1], TOK_WORD, "srv", 3);
	tok(&p.v[0].argv[2], TOK_WORD, "127.0.0.1", 9);
	tok(&p.v[0].argv[3], TOK_WORD, "65432", 5);
	assert_int_equal(p.v[0].argv[0].col, 3);
	assert_int_equal(p.v[0].argv[1].col, 8);
	assert_int_equal(p.v[0].argv[3].col, 24);
	assert_int_equal(p.v[0].has_expect, 0);
	assert_int_equal(p.v[0].nexpect, 0);
	assert_null(p.v[0].expect);
	assert_int_equal(p.v[0].background, 0);
	parse_free(&p);
	assert_int_equal(p.n, 0);
	assert_null(p.v);
}

static void
test_empty_and_blank(void **state)
{
	struct parsed p;

	(void)state;
	ok("", &p);
	assert_int_equal(p.n, 0);
	parse_free(&p);
	ok("   \t ", &p);
	assert_int_equal(p.n, 0);
	parse_free(&p);
	ok(";;  ; ", &p);
	assert_int_equal(p.n, 0);
	parse_free(&p);
}

static void
test_quotes(void **state)
{
	struct parsed p;

	(void)state;
	ok("send cli \"Hello, world\\n\" 'a \"b\" \\n'", &p);
	assert_int_equal(p.v[0].argc, 4);
	tok(&p.v[0].argv[2], TOK_STRING, "Hello, world\n", 13);
	tok(&p.v[0].argv[3], TOK_RAW, "a \"b\" \\n", 8);
	assert_int_equal(p.v[0].argv[2].col, 10);
	parse_free(&p);
}

static void
test_c_escapes(void **state)
{
	struct parsed p;

	(void)state;
	ok("\"\\t\\r\\0\\a\\b\\f\\v\\\\\\\"\\'\\e\\x41\\x4a4\\101\\7\\0007\"",
	    &p);
	tok(&p.v[0].argv[0], TOK_STRING,
	    "\t\r\0\a\b\f\v\\\"'\033AJ4A\a\0"
	    "7",
	    18);
	parse_free(&p);
	/* \x takes at most two digits, so \x414 is "A4". */
	ok("\"\\x414\"", &p);
	tok(&p.v[0].argv[0], TOK_STRING, "A4", 2);
	parse_free(&p);
	/* A ';' or '#' inside quotes is data. */
	ok("\"a;b#c\"", &p);
	assert_int_equal(p.n, 1);
	tok(&p.v[0].argv[0], TOK_STRING, "a;b#c", 5);
	parse_free(&p);
}

static void
test_python_bytes(void **state)
{
	struct parsed p;

	(void)state;
	ok("send cli b'Hello, world' B\"it's\" b'\\x00\\xff\\n\\''", &p);
	assert_int_equal(p.v[0].argc, 5);
	tok(&p.v[0].argv[2], TOK_BYTES, "Hello, world", 12);
	assert_int_equal(p.v[0].argv[2].col, 10);
	tok(&p.v[0].argv[3], TOK_BYTES, "it's", 4);
	tok(&p.v[0].argv[4], TOK_BYTES, "\0\xff\n'", 4);
	parse_free(&p);
	/* A bare b, or a word starting with b, is a word. */
	ok("b bx", &p);
	tok(&p.v[0].argv[0], TOK_WORD, "b", 1);
	tok(&p.v[0].argv[1], TOK_WORD, "bx", 2);
	parse_free(&p);
	ok("b''", &p);
	tok(&p.v[0].argv[0], TOK_BYTES, "", 0);
	parse_free(&p);
}

static void
test_empty_string(void **state)
{
	struct parsed p;

	(void)state;
	ok("bind srv '' 80", &p);
	assert_int_equal(p.v[0].argc, 4);
	tok(&p.v[0].argv[2], TOK_RAW, "", 0);
	tok(&p.v[0].argv[3], TOK_WORD, "80", 2);
	parse_free(&p);
	ok("\"\"", &p);
	tok(&p.v[0].argv[0], TOK_STRING, "", 0);
	parse_free(&p);
}

static void
test_statements(void **state)
{
	struct parsed p;

	(void)state;
	ok("socket a; socket b ;listen a;", &p);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0].argc, 2);
	tok(&p.v[0].argv[1], TOK_WORD, "a", 1);
	assert_int_equal(p.v[1].argc, 2);
	tok(&p.v[1].argv[1], TOK_WORD, "b", 1);
	assert_int_equal(p.v[2].argc, 2);
	tok(&p.v[2].argv[0], TOK_WORD, "listen", 6);
	assert_int_equal(p.v[2].argv[0].col, 21);
	parse_free(&p);
}

static void
test_comments(void **state)
{
	struct parsed p;

	(void)state;
	ok("# only a comment", &p);
	assert_int_equal(p.n, 0);
	parse_free(&p);
	ok("listen srv 5 # the backlog; not a statement", &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].argc, 3);
	parse_free(&p);
	/* '#' inside a word is part of it. */
	ok("send a#b", &p);
	tok(&p.v[0].argv[1], TOK_WORD, "a#b", 3);
	parse_free(&p);
}

static void
test_expectation(void **state)
{
	struct parsed p;

	(void)state;
	ok("recv conn 1024 = 12 \"Hello, world\"", &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].argc, 3);
	assert_int_equal(p.v[0].has_expect, 1);
	assert_int_equal(p.v[0].nexpect, 2);
	assert_ptr_equal(p.v[0].expect, p.v[0].argv + 3);
	tok(&p.v[0].expect[0], TOK_WORD, "12", 2);
	tok(&p.v[0].expect[1], TOK_STRING, "Hello, world", 12);
	parse_free(&p);

	ok("connect cli 127.0.0.1 1 = -1 ECONNREFUSED; close cli", &p);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].argc, 4);
	assert_int_equal(p.v[0].nexpect, 2);
	tok(&p.v[0].expect[0], TOK_WORD, "-1", 2);
	tok(&p.v[0].expect[1], TOK_WORD, "ECONNREFUSED", 12);
	assert_int_equal(p.v[1].has_expect, 0);
	assert_int_equal(p.v[1].argc, 2);
	parse_free(&p);

	/* An '=' with nothing after it expects nothing in particular. */
	ok("listen srv =", &p);
	assert_int_equal(p.v[0].argc, 2);
	assert_int_equal(p.v[0].has_expect, 1);
	assert_int_equal(p.v[0].nexpect, 0);
	parse_free(&p);

	/* '=' glued to a word or quoted is not the split. */
	ok("set x=1 '='", &p);
	assert_int_equal(p.v[0].argc, 3);
	assert_int_equal(p.v[0].has_expect, 0);
	tok(&p.v[0].argv[2], TOK_RAW, "=", 1);
	parse_free(&p);

	/* A second '=' belongs to the expectation. */
	ok("a = b = c", &p);
	assert_int_equal(p.v[0].argc, 1);
	assert_int_equal(p.v[0].nexpect, 3);
	tok(&p.v[0].expect[1], TOK_WORD, "=", 1);
	parse_free(&p);

	bad("= 3", "'=' at column 1 has no call before it");
	bad("listen srv; = 0", "'=' at column 13 has no call before it");
}

static void
test_background(void **state)
{
	struct parsed p;

	(void)state;
	ok("accept srv conn &", &p);
	assert_int_equal(p.v[0].argc, 3);
	assert_int_equal(p.v[0].background, 1);
	parse_free(&p);
	ok("accept srv &; connect cli srv", &p);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].background, 1);
	assert_int_equal(p.v[0].argc, 2);
	assert_int_equal(p.v[1].background, 0);
	parse_free(&p);
	ok("send a&b", &p);
	assert_int_equal(p.v[0].background, 0);
	tok(&p.v[0].argv[1], TOK_WORD, "a&b", 3);
	parse_free(&p);
	bad("accept srv & conn", "'&' must end the command (column 12)");
	bad("&", "'&' at column 1 has no call before it");
	bad("listen srv; &", "'&' at column 13 has no call before it");
	bad("accept srv &   conn", "'&' must end the command (column 12)");
	bad("accept srv\t&\tconn", "'&' must end the command (column 12)");
}

static void
test_nul_byte(void **state)
{
	(void)state;
	bad_n("send a\0b", 8,
	    "line has a NUL byte at column 7: binary data "
	    "is not a command (write \"\\0\" in a string)");
	bad_n("\0", 1,
	    "line has a NUL byte at column 1: binary data is not "
	    "a command (write \"\\0\" in a string)");
}

static void
test_long_line(void **state)
{
	struct parsed p;
	char err[256] = "";
	char *s;
	size_t n = PARSE_MAX_LINE;

	(void)state;
	s = malloc(n + 2);
	assert_non_null(s);
	memset(s, 'x', n + 1);
	s[n + 1] = '\0';
	/* Exactly the limit is accepted: one word of 65536 bytes. */
	assert_int_equal(parse_line(s, n, &p, err, sizeof(err)), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].argv[0].len, n);
	parse_free(&p);
	bad_n(s, n + 1, "line too long (65537 bytes; at most 65536)");
	free(s);

	/* A 1 MB line gets the same one line. */
	s = malloc(1 << 20);
	assert_non_null(s);
	memset(s, 'a', 1 << 20);
	bad_n(s, 1 << 20, "line too long (1048576 bytes; at most 65536)");
	free(s);
}

static void
test_unterminated(void **state)
{
	(void)state;
	bad("send cli \"Hello",
	    "unterminated string: the \" opened at column "
	    "10 is never closed");
	bad("bind srv '127.0.0.1 80",
	    "unterminated string: the ' opened at "
	    "column 10 is never closed");
	bad("send x b'abc",
	    "unterminated string: the ' opened at column 9 is "
	    "never closed");
	/* A backslash just before the end is not a closing quote. */
	bad("\"abc\\\"",
	    "unterminated string: the \" opened at column 1 is "
	    "never closed");
	bad("\"abc\\",
	    "invalid escape '\\?' at column 5 (write \\\\ for a "
	    "backslash, \\n, \\t, \\xHH or \\ooo)");
}

static void
test_invalid_escapes(void **state)
{
	(void)state;
	bad("send x \"\\q\"",
	    "invalid escape '\\q' at column 9 (write \\\\ "
	    "for a backslash, \\n, \\t, \\xHH or \\ooo)");
	bad("\"\\xg\"",
	    "invalid escape '\\x' at column 2 (write \\\\ for a "
	    "backslash, \\n, \\t, \\xHH or \\ooo)");
	/* Python's \x needs exactly two digits; C's takes one. */
	bad("b'\\x4'",
	    "invalid escape '\\x' at column 3 (write \\\\ for a "
	    "backslash, \\n, \\t, \\xHH or \\ooo)");
	/* An octal escape above \377 does not fit a byte. */
	bad("\"\\777\"",
	    "invalid escape '\\7' at column 2 (write \\\\ for a "
	    "backslash, \\n, \\t, \\xHH or \\ooo)");
	/* \e is C (GNU), not Python. */
	bad("b'\\e'",
	    "invalid escape '\\e' at column 3 (write \\\\ for a "
	    "backslash, \\n, \\t, \\xHH or \\ooo)");
}

static void
test_stray_quotes(void **state)
{
	(void)state;
	bad("send ab\"c\"", "stray \" at column 8: quote the whole argument");
	bad("send \"ab\"c",
	    "text right after the closing quote at column 10: "
	    "put a space between arguments");
	bad("send 'a''b'",
	    "text right after the closing quote at column 9: "
	    "put a space between arguments");
}

static void
test_statements_free_on_error(void **state)
{
	/* Statements parsed before the error are dropped, not leaked. */
	(void)state;
	bad("socket a; socket b; send a \"x",
	    "unterminated string: the \" "
	    "opened at column 28 is never closed");
}

/* Makes a word token for s. */
static struct token
word(const char *s)
{
	struct token t;

	t.kind = TOK_WORD;
	t.text = (char *)s;
	t.len = strlen(s);
	t.col = 1;
	return t;
}

static void
test_parse_long(void **state)
{
	struct token t;
	char err[128];
	long v = -7;

	(void)state;
	t = word("1024");
	assert_int_equal(parse_long(&t, 0, 65535, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 1024);
	t = word("0x10");
	assert_int_equal(parse_long(&t, 0, 65535, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 16);
	t = word("-1");
	assert_int_equal(parse_long(&t, -1, 10, &v, err, sizeof(err)), 0);
	assert_int_equal(v, -1);
	/* A leading 0 is decimal, not octal: 010 is ten. */
	t = word("010");
	assert_int_equal(parse_long(&t, 0, 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 10);
	t = word("0");
	assert_int_equal(parse_long(&t, 0, 0, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0);
	t = word("65535");
	assert_int_equal(parse_long(&t, 0, 65535, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 65535);

	v = 99;
	t = word("65536");
	assert_int_equal(parse_long(&t, 0, 65535, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "65536 is out of range (0 to 65535)");
	assert_int_equal(v, 99);
	t = word("-2");
	assert_int_equal(parse_long(&t, -1, 10, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "-2 is out of range (-1 to 10)");
	t = word("99999999999999999999");
	assert_int_equal(parse_long(&t, 0, 100, &v, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "99999999999999999999 is out of range (0 to "
	    "100)");
	t = word("abc");
	assert_int_equal(parse_long(&t, 0, 100, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'abc' is not a number");
	t = word("12x");
	assert_int_equal(parse_long(&t, 0, 100, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'12x' is not a number");
	t = word("1e3");
	assert_int_equal(parse_long(&t, 0, 10000, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'1e3' is not a number");
	t = word("");
	assert_int_equal(parse_long(&t, 0, 100, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'' is not a number");
	t = word(" 5");
	assert_int_equal(parse_long(&t, 0, 100, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "' 5' is not a number");
	/* A NUL inside the token is not a number, and shows as \0. */
	t.kind = TOK_STRING;
	t.text = (char *)"5\0"
	                 "6";
	t.len = 3;
	assert_int_equal(parse_long(&t, 0, 100, &v, err, sizeof(err)), -1);
	assert_string_equal(err, "'5\\0006' is not a number");
	assert_int_equal(v, 99);
}

static void
test_parse_data(void **state)
{
	struct token t;
	char err[128], *d = NULL;
	size_t n = 0;

	(void)state;
	t = word("0x48656C6c6f");
	assert_int_equal(parse_data(&t, &d, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(d, "Hello", 5);
	free(d);
	t = word("0x00ff");
	assert_int_equal(parse_data(&t, &d, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(d, "\0\xff", 2);
	free(d);
	/* 0x alone, or a quoted 0x..., is the text itself. */
	t = word("0x");
	assert_int_equal(parse_data(&t, &d, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(d, "0x", 2);
	free(d);
	t = word("0x41");
	t.kind = TOK_STRING;
	assert_int_equal(parse_data(&t, &d, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(d, "0x41", 4);
	free(d);
	t = word("hello");
	assert_int_equal(parse_data(&t, &d, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(d, "hello", 5);
	free(d);
	t.kind = TOK_BYTES;
	t.text = (char *)"a\0b";
	t.len = 3;
	assert_int_equal(parse_data(&t, &d, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(d, "a\0b", 3);
	free(d);

	d = NULL;
	t = word("0x414");
	assert_int_equal(parse_data(&t, &d, &n, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "hex data needs two digits a byte "
	    "(0x48656c6c6f)");
	assert_null(d);
	t = word("0x4g");
	assert_int_equal(parse_data(&t, &d, &n, err, sizeof(err)), -1);
	assert_string_equal(err,
	    "'0x4g' is not hex data (0x then digits "
	    "0-9a-f)");
	assert_null(d);
}

static void
test_is_word(void **state)
{
	struct token t;

	(void)state;
	t = word("SHUT_WR");
	assert_true(parse_is_word(&t, "SHUT_WR"));
	assert_false(parse_is_word(&t, "SHUT_RD"));
	t.kind = TOK_STRING;
	assert_false(parse_is_word(&t, "SHUT_WR"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_empty_and_blank),
		cmocka_unit_test(test_quotes),
		cmocka_unit_test(test_c_escapes),
		cmocka_unit_test(test_python_bytes),
		cmocka_unit_test(test_empty_string),
		cmocka_unit_test(test_statements),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_expectation),
		cmocka_unit_test(test_background),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_invalid_escapes),
		cmocka_unit_test(test_stray_quotes),
		cmocka_unit_test(test_statements_free_on_error),
		cmocka_unit_test(test_parse_long),
		cmocka_unit_test(test_parse_data),
		cmocka_unit_test(test_is_word),
	};

	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
