#include "expect.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
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
 * Reads the expectation of st into e, before its call is made.
 * Returns 0, or -1 with what is wrong written into err.
 */
int
expect_parse(const struct stmt *st, struct expectation *e, char *err,
    size_t len)
{
	const struct token *t = st->expect;
	int n = st->nexpect;
	char why[128];
	long v;

	memset(e, 0, sizeof(*e));
	e->n = 1;
	if (n == 0 || n > 3) {
		snprintf(err, len,
		    "an expectation is = VALUE, = -1 ERRNO, = VALUE "
		    "\"DATA\", = fd or = *");
		return -1;
	}
	if (parse_is_word(&t[0], "*"))
		e->kind = EXPECT_ANY;
	else if (parse_is_word(&t[0], "fd"))
		e->kind = EXPECT_FD;
	else if (parse_is_word(&t[0], "-1") && n >= 2 &&
	    t[1].kind == TOK_WORD && t[1].text[0] == 'E') {
		if (sym_value(sym_errno, t[1].text, &v) == -1) {
			snprintf(err, len,
			    "expectation: '%.40s' is not an errno name (write "
			    "= -1 ECONNREFUSED, = -1 EAGAIN, ...)",
			    t[1].text);
			return -1;
		}
		e->kind = EXPECT_ERRNO;
		e->value = v;
		e->n = 2;
	} else if (t[0].kind == TOK_WORD && t[0].text[0] == 'E') {
		if (sym_value(sym_errno, t[0].text, &v) == -1) {
			snprintf(err, len,
			    "expectation: '%.40s' is not an errno name (write "
			    "= ECONNREFUSED, = -1 EAGAIN, ...)",
			    t[0].text);
			return -1;
		}
		e->kind = EXPECT_VALUE;
		e->value = v;
	} else if (parse_long(&t[0], -1, 1L << 40, &v, why, sizeof(why)) == 0) {
		e->kind = EXPECT_VALUE;
		e->value = v;
	} else {
		snprintf(err, len,
		    "expectation: %s (write = 0, = -1 ECONNREFUSED, "
		    "= 12 \"data\", = fd or = *)",
		    why);
		return -1;
	}
	if (e->n < n) {
		if (t[e->n].kind == TOK_WORD || e->n + 1 < n) {
			snprintf(err, len,
			    "expectation: after the value comes the data, "
			    "quoted (\"Hello\" or b'Hello')");
			return -1;
		}
		e->data = &t[e->n];
	}
	return 0;
}

/*
 * Compares the last call with the expectation of st.
 * Returns 1 when met, 0 when not, -1 when the expectation is malformed
 * or no call was made (reported as a usage error).
 */
int
expect_check(struct shell *sh, const struct stmt *st)
{
	struct expectation e;
	struct buf want, got;
	char err[256];
	int met;

	if (!sh->last.made) {
		out_error(sh,
		    "'= ...' checks the result of a call, and %s made "
		    "none",
		    st->argv[0].text);
		sh->errors++;
		return -1;
	}
	if (expect_parse(st, &e, err, sizeof(err)) == -1) {
		out_error(sh, "%s", err);
		sh->errors++;
		return -1;
	}
	switch (e.kind) {
	case EXPECT_ANY:
		met = 1;
		break;
	case EXPECT_FD:
		met = sh->last.ret >= 0;
		break;
	case EXPECT_ERRNO:
		met = sh->last.ret == -1 && sh->last.err == e.value;
		break;
	default:
		met = sh->last.ret == e.value;
		break;
	}
	if (e.data)
		met = met && sh->last.len == e.data->len &&
		    (e.data->len == 0 ||
		        memcmp(sh->last.data, e.data->text, e.data->len) == 0);
	buf_init(&want);
	buf_init(&got);
	expect_format_want(&want, st->expect, st->nexpect);
	expect_format_got(&got, sh, e.data != NULL);
	expect_count(sh, met, buf_str(&want), buf_str(&got));
	buf_free(&got);
	buf_free(&want);
	return met;
}

/* Writes name into out in capitals without '_' or '-': FIN-WAIT-2 is FINWAIT2. */
static void
expect_fold(const char *name, char *out, size_t len)
{
	size_t i = 0;

	for (; *name && i + 1 < len; name++)
		if (*name != '_' && *name != '-')
			out[i++] = (char)toupper((unsigned char)*name);
	out[i] = '\0';
}

/*
 * Reads a TCP state as people write it (FIN_WAIT2, FIN_WAIT_2, FIN-WAIT-2,
 * fin_wait2; closed for a handle the shell closed) into its name in the
 * kernel's table. Returns 0, or -1 with the nearest name suggested in err.
 */
int
expect_state_name(const char *want, char *canon, size_t len, char *err,
    size_t errlen)
{
	const struct sym *s, *best = NULL;
	char a[64], b[64];
	int d, bestd = 3;

	if (strcmp(want, "closed") == 0) {
		snprintf(canon, len, "closed");
		return 0;
	}
	expect_fold(want, a, sizeof(a));
	for (s = sym_tcp_state; s->name; s++) {
		expect_fold(s->name, b, sizeof(b));
		if (strcmp(a, b) == 0) {
			snprintf(canon, len, "%s", s->name);
			return 0;
		}
		if ((d = cmd_distance(a, b)) < bestd) {
			bestd = d;
			best = s;
		}
	}
	if (best)
		snprintf(err, errlen,
		    "'%.40s' is not a TCP state; did you mean %s?", want,
		    best->name);
	else
		snprintf(err, errlen,
		    "'%.40s' is not a TCP state (ESTABLISHED, LISTEN, "
		    "FIN_WAIT2, CLOSE_WAIT, ... or closed)",
		    want);
	return -1;
}

/* Returns how many checks a line of a lesson makes (expectations, expect). */
int
expect_in_line(const char *line, size_t len)
{
	struct parsed p;
	char err[256];
	size_t i = strspn(line, " \t");
	int k, n = 0;

	if (i < len && (line[i] == '>' || line[i] == '='))
		return 0;
	if (parse_line(line, len, &p, err, sizeof(err)) == -1)
		return 0;
	for (k = 0; k < p.n; k++)
		n += p.v[k].has_expect ||
		    (p.v[k].argc == 3 &&
		        parse_is_word(&p.v[k].argv[0], "expect"));
	parse_free(&p);
	return n;
}
