#include "expect.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fmt.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"

/* Appends what the last call returned, as an expectation would say it. */
void
expect_format_got(struct buf *b, const struct shell *sh, int with_data)
{
	if (sh->last.ret == -1)
		buf_printf(b, "= -1 %s", sym_errno_name(sh->last.err));
	else
		buf_printf(b, "= %ld", sh->last.ret);
	if (with_data && sh->last.len > 0) {
		buf_addc(b, ' ');
		fmt_cstring(b, sh->last.data, sh->last.len, (size_t)-1);
	}
}

/* Appends the expectation tokens as written: "= 12 \"Hello\"". */
void
expect_format_want(struct buf *b, const struct token *t, int n)
{
	int i;

	buf_puts(b, "=");
	for (i = 0; i < n; i++) {
		buf_addc(b, ' ');
		if (t[i].kind == TOK_WORD)
			buf_add(b, t[i].text, t[i].len);
		else if (t[i].kind == TOK_BYTES)
			fmt_pybytes(b, (const unsigned char *)t[i].text,
			    t[i].len);
		else
			fmt_cstring(b, (const unsigned char *)t[i].text,
			    t[i].len, (size_t)-1);
	}
}

/*
 * Counts one expectation met or not; when not, says what was expected and
 * what came, as FILE:LINE: in a script.
 */
void
expect_count(struct shell *sh, int met, const char *want, const char *got)
{
	if (met) {
		sh->passed++;
		return;
	}
	sh->failed++;
	out_error(sh, "expected %s, got %s", want, got);
}

/*
 * Compares the last call with the expectation of st.
 * Returns 1 when met, 0 when not, -1 when the expectation is malformed
 * (reported as a usage error).
 */
int
expect_check(struct shell *sh, const struct stmt *st)
{
	const struct token *t = st->expect;
	int n = st->nexpect, met, i = 1;
	struct buf want, got;
	char err[128];
	long v;

	if (!sh->last.made) {
		out_error(sh,
		    "'= ...' checks the result of a call, and %s made "
		    "none",
		    st->argv[0].text);
		sh->errors++;
		return -1;
	}
	if (n == 0 || n > 3) {
		out_error(sh,
		    "an expectation is = VALUE, = -1 ERRNO, = VALUE "
		    "\"DATA\", = fd or = *");
		sh->errors++;
		return -1;
	}
	if (parse_is_word(&t[0], "*"))
		met = 1;
	else if (parse_is_word(&t[0], "fd"))
		met = sh->last.ret >= 0;
	else if (parse_is_word(&t[0], "-1") && n >= 2 &&
	    sym_value(sym_errno, t[1].text, &v) == 0 && t[1].text[0] == 'E') {
		met = sh->last.ret == -1 && sh->last.err == v;
		i = 2;
	} else if (t[0].kind == TOK_WORD && t[0].text[0] == 'E' &&
	    sym_value(sym_errno, t[0].text, &v) == 0)
		met = sh->last.ret == v;
	else if (t[0].kind == TOK_WORD && t[0].text[0] == 'E') {
		out_error(sh,
		    "expectation: '%s' is not an errno name (write = "
		    "ECONNREFUSED, = -1 EAGAIN, ...)",
		    t[0].text);
		sh->errors++;
		return -1;
	} else if (parse_is_word(&t[0], "-1") && n >= 2 &&
	    t[1].kind == TOK_WORD && t[1].text[0] == 'E') {
		out_error(sh,
		    "expectation: '%s' is not an errno name (write = -1 "
		    "ECONNREFUSED, = -1 EAGAIN, ...)",
		    t[1].text);
		sh->errors++;
		return -1;
	} else if (parse_long(&t[0], -1, 1L << 40, &v, err, sizeof(err)) == 0)
		met = sh->last.ret == v;
	else {
		out_error(sh,
		    "expectation: %s (write = 0, = -1 ECONNREFUSED, "
		    "= 12 \"data\", = fd or = *)",
		    err);
		sh->errors++;
		return -1;
	}
	if (i < n) {
		if (t[i].kind == TOK_WORD || i + 1 < n) {
			out_error(sh,
			    "expectation: after the value comes the data, "
			    "quoted (\"Hello\" or b'Hello')");
			sh->errors++;
			return -1;
		}
		met = met && sh->last.len == t[i].len &&
		    (t[i].len == 0 ||
		        memcmp(sh->last.data, t[i].text, t[i].len) == 0);
	}
	buf_init(&want);
	buf_init(&got);
	expect_format_want(&want, t, n);
	expect_format_got(&got, sh, i < n);
	expect_count(sh, met, buf_str(&want), buf_str(&got));
	buf_free(&got);
	buf_free(&want);
	return met;
}
