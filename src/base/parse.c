#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fmt.h"
#include "var.h"
#include "xalloc.h"

/* A statement being built: its tokens, and where the expectation starts. */
struct builder {
	struct token *v;
	int n;
	int cap;
	int eq; /* index of the first expectation token, or -1 */
	int amp;
	size_t ampcol; /* column of the '&' */
};

/* Returns the value of hex digit c, or -1. */
static int
parse_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes one backslash escape at s[*i] (just after the backslash) into
 * out. py selects Python's rules (\x takes exactly two digits).
 * Returns 0, or -1 when the escape is not valid.
 */
static int
parse_escape(const char *s, size_t len, size_t *i, struct buf *out, int py)
{
	static const char from[] = "ntr0abfv\\\"'e";
	static const char to[] = "\n\t\r\0\a\b\f\v\\\"'\033";
	char c = s[*i];
	const char *p;
	int v, d, k;

	if (c == 'x') {
		v = 0;
		for (k = 0; k < 2 && *i + 1 < len &&
		     (d = parse_hexval((unsigned char)s[*i + 1])) >= 0;
		     k++) {
			v = v * 16 + d;
			(*i)++;
		}
		if (k == 0 || (py && k != 2))
			return -1;
		buf_addc(out, (char)v);
		(*i)++;
		return 0;
	}
	if (c >= '0' && c <= '7') {
		v = 0;
		for (k = 0; k < 3 && *i < len && s[*i] >= '0' && s[*i] <= '7';
		     k++)
			v = v * 8 + (s[(*i)++] - '0');
		if (v > 255)
			return -1;
		buf_addc(out, (char)v);
		return 0;
	}
	if (c == 'e' && py)
		return -1;
	p = strchr(from, c);
	if (c == '\0' || p == NULL)
		return -1;
	buf_addc(out, to[p - from]);
	(*i)++;
	return 0;
}

/*
 * Reads a quoted token starting at s[*i] (the opening quote) into out.
 * esc is 0 for no escapes, 'c' for C escapes, 'p' for Python's.
 * Returns 0, or -1 with a message in err.
 */
static int
parse_quoted(const char *s, size_t len, size_t *i, int esc, struct buf *out,
    char *err, size_t errlen)
{
	char q = s[*i];
	size_t start = *i + 1;

	(*i)++;
	while (*i < len && s[*i] != q) {
		if (s[*i] == '\\' && esc) {
			size_t at = *i;

			(*i)++;
			if (*i >= len ||
			    parse_escape(s, len, i, out, esc == 'p') == -1) {
				snprintf(err, errlen,
				    "invalid escape '\\%c' at "
				    "column %zu (write \\\\ for a backslash, "
				    "\\n, \\t, \\xHH or \\ooo)",
				    at + 1 < len &&
				            isprint((unsigned char)s[at + 1])
				        ? s[at + 1]
				        : '?',
				    at + 1);
				return -1;
			}
			continue;
		}
		buf_addc(out, s[(*i)++]);
	}
	if (*i >= len) {
		snprintf(err, errlen,
		    "unterminated string: the %c opened at "
		    "column %zu is never closed",
		    q, start);
		return -1;
	}
	(*i)++;
	return 0;
}

/* Appends a token to the statement being built. */
static void
parse_push(struct builder *bl, enum tok_kind kind, struct buf *text, size_t col)
{
	struct token *t;

	if (bl->n == bl->cap) {
		bl->cap = bl->cap ? bl->cap * 2 : 8;
		bl->v = xrealloc(bl->v, (size_t)bl->cap * sizeof(*bl->v));
	}
	t = &bl->v[bl->n++];
	t->kind = kind;
	t->len = text->len;
	t->text = xmemdup(buf_str(text), text->len);
	t->col = col;
}

/* Closes the statement being built and adds it to out, if it has tokens. */
static void
parse_end_stmt(struct builder *bl, struct parsed *out)
{
	struct stmt *st;
	int nargs = bl->eq >= 0 ? bl->eq : bl->n;

	if (bl->n == 0 && !bl->amp)
		return;
	out->v = xrealloc(out->v, (size_t)(out->n + 1) * sizeof(*out->v));
	st = &out->v[out->n++];
	memset(st, 0, sizeof(*st));
	st->argv = bl->v;
	st->argc = nargs;
	st->has_expect = bl->eq >= 0;
	st->expect = bl->eq >= 0 ? bl->v + bl->eq : NULL;
	st->nexpect = bl->eq >= 0 ? bl->n - bl->eq : 0;
	st->background = bl->amp;
	memset(bl, 0, sizeof(*bl));
	bl->eq = -1;
}

/* Frees the tokens of a statement not yet handed over. */
static void
parse_drop(struct builder *bl)
{
	int i;

	for (i = 0; i < bl->n; i++)
		free(bl->v[i].text);
	free(bl->v);
}

/* Reads one token at s[*i] into bl. Returns 0, or -1 with a message. */
static int
parse_token(const char *s, size_t len, size_t *i, struct builder *bl, char *err,
    size_t errlen)
{
	struct buf text;
	size_t col = *i + 1, start = *i;
	enum tok_kind kind = TOK_WORD;
	int rc = 0;

	buf_init(&text);
	if (bl->amp) {
		snprintf(err, errlen, "'&' must end the command (column %zu)",
		    bl->ampcol);
		return -1;
	}
	if (s[*i] == '"' || s[*i] == '\'') {
		kind = s[*i] == '"' ? TOK_STRING : TOK_RAW;
		rc = parse_quoted(s, len, i, s[*i] == '"' ? 'c' : 0, &text, err,
		    errlen);
	} else if ((s[*i] == 'b' || s[*i] == 'B') && *i + 1 < len &&
	    (s[*i + 1] == '\'' || s[*i + 1] == '"')) {
		kind = TOK_BYTES;
		(*i)++;
		rc = parse_quoted(s, len, i, 'p', &text, err, errlen);
	} else {
		while (*i < len && !strchr(" \t\r\n;", s[*i])) {
			if (s[*i] == '"' || s[*i] == '\'') {
				snprintf(err, errlen,
				    "stray %c at column %zu: "
				    "quote the whole argument",
				    s[*i], *i + 1);
				buf_free(&text);
				return -1;
			}
			buf_addc(&text, s[(*i)++]);
		}
	}
	if (rc == 0 && *i < len && !strchr(" \t\r\n;", s[*i])) {
		snprintf(err, errlen,
		    "text right after the closing quote at "
		    "column %zu: put a space between arguments",
		    *i + 1);
		rc = -1;
	}
	if (rc == 0 && kind == TOK_WORD && text.len == 1 && s[start] == '=' &&
	    bl->eq < 0) {
		if (bl->n == 0) {
			snprintf(err, errlen,
			    "'=' at column %zu has no call "
			    "before it",
			    col);
			rc = -1;
		} else
			bl->eq = bl->n;
	} else if (rc == 0 && kind == TOK_WORD && text.len == 1 &&
	    s[start] == '&') {
		/* A lone '&' would be a statement with no command at all. */
		if (bl->n == 0) {
			snprintf(err, errlen,
			    "'&' at column %zu has no call "
			    "before it",
			    col);
			rc = -1;
		} else {
			bl->amp = 1;
			bl->ampcol = col;
		}
	} else if (rc == 0)
		parse_push(bl, kind, &text, col);
	buf_free(&text);
	return rc;
}

/* Says in err when a line of len bytes is too long to run. Returns 0 or -1. */
int
parse_too_long(size_t len, char *err, size_t errlen)
{
	if (len <= PARSE_MAX_LINE)
		return 0;
	snprintf(err, errlen, "line too long (%zu bytes; at most %d)", len,
	    PARSE_MAX_LINE);
	return -1;
}

/*
 * Splits a line into statements separated by ';', each a list of tokens,
 * with an optional expectation after a lone '=' and a trailing '&'.
 * Returns 0, or -1 with a message in err (and nothing in out).
 */
int
parse_line(const char *s, size_t len, struct parsed *out, char *err,
    size_t errlen)
{
	struct builder bl;
	const char *nul;
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	if (parse_too_long(len, err, errlen) == -1)
		return -1;
	if ((nul = memchr(s, '\0', len)) != NULL) {
		snprintf(err, errlen,
		    "line has a NUL byte at column %zu: "
		    "binary data is not a command (write \"\\0\" in a string)",
		    (size_t)(nul - s) + 1);
		return -1;
	}
	memset(&bl, 0, sizeof(bl));
	bl.eq = -1;
	while (i < len) {
		if (strchr(" \t\r\n", s[i])) {
			i++;
		} else if (s[i] == '#') {
			break;
		} else if (s[i] == ';') {
			parse_end_stmt(&bl, out);
			i++;
		} else if (parse_token(s, len, &i, &bl, err, errlen) == -1) {
			parse_drop(&bl);
			parse_free(out);
			return -1;
		}
	}
	parse_end_stmt(&bl, out);
	return 0;
}

/* Frees the statements and tokens of p. */
void
parse_free(struct parsed *p)
{
	int i, j, n;

	for (i = 0; i < p->n; i++) {
		n = p->v[i].argc + p->v[i].nexpect;
		for (j = 0; j < n; j++)
			free(p->v[i].argv[j].text);
		free(p->v[i].argv);
	}
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Makes dst a copy of src that owns its tokens (free it with parse_stmt_free). */
void
parse_stmt_copy(struct stmt *dst, const struct stmt *src)
{
	int i, n = src->argc + src->nexpect;

	*dst = *src;
	dst->argv = xcalloc(n > 0 ? (size_t)n : 1, sizeof(*dst->argv));
	for (i = 0; i < n; i++) {
		dst->argv[i] = src->argv[i];
		dst->argv[i].text =
		    xmemdup(src->argv[i].text, src->argv[i].len);
	}
	dst->expect = src->has_expect ? dst->argv + src->argc : NULL;
}

/* Frees the tokens of a statement made by parse_stmt_copy. */
void
parse_stmt_free(struct stmt *st)
{
	int i;

	for (i = 0; i < st->argc + st->nexpect; i++)
		free(st->argv[i].text);
	free(st->argv);
	memset(st, 0, sizeof(*st));
}

/*
 * Reads a decimal (or 0x hex) integer in [min, max] from t.
 * Returns 0, or -1 with a message in err.
 */
int
parse_long(const struct token *t, long min, long max, long *out, char *err,
    size_t errlen)
{
	struct buf shown;
	char *end = NULL;
	long long v = 0;

	errno = 0;
	if (t->len)
		v = strtoll(t->text, &end,
		    t->text[0] == '0' &&
		            (t->text[1] == 'x' || t->text[1] == 'X')
		        ? 16
		        : 10);
	if (t->len == 0 || end != t->text + t->len ||
	    isspace((unsigned char)t->text[0])) {
		buf_init(&shown);
		fmt_visible(&shown, t->text, t->len);
		snprintf(err, errlen, "'%s' is not a number", buf_str(&shown));
		buf_free(&shown);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		snprintf(err, errlen, "%.30s is out of range (%ld to %ld)",
		    t->text, min, max);
		return -1;
	}
	*out = (long)v;
	return 0;
}

/*
 * Gives the bytes a data argument stands for: strings as decoded, bare
 * words as written, 0x-prefixed words as hex bytes, and COUNT*BYTES words
 * (100000*A) as BYTES repeated COUNT times, for more than fits on a line.
 * Returns 0 with a fresh copy in *data, or -1 with a message.
 */
int
parse_data(const struct token *t, char **data, size_t *len, char *err,
    size_t errlen)
{
	size_t i, n;
	char *p;

	if (t->kind == TOK_WORD && t->len > 2 && t->text[0] == '0' &&
	    (t->text[1] == 'x' || t->text[1] == 'X')) {
		n = t->len - 2;
		if (n % 2) {
			snprintf(err, errlen,
			    "hex data needs two digits a byte "
			    "(0x48656c6c6f)");
			return -1;
		}
		p = xmalloc(n / 2 + 1);
		for (i = 0; i < n; i += 2) {
			int hi = parse_hexval((unsigned char)t->text[2 + i]);
			int lo = parse_hexval((unsigned char)t->text[3 + i]);

			if (hi < 0 || lo < 0) {
				free(p);
				snprintf(err, errlen,
				    "'%.40s' is not hex data "
				    "(0x then digits 0-9a-f)",
				    t->text);
				return -1;
			}
			p[i / 2] = (char)(hi * 16 + lo);
		}
		p[n / 2] = '\0';
		*data = p;
		*len = n / 2;
		return 0;
	}
	n = strspn(t->text, "0123456789");
	if (t->kind == TOK_WORD && n > 0 && n < 10 && t->text[n] == '*' &&
	    t->len > n + 1) {
		size_t count = strtoul(t->text, NULL, 10),
		       unit = t->len - n - 1;

		if (count * unit > 16 * 1024 * 1024) {
			snprintf(err, errlen,
			    "%.20s makes more than 16 MiB of "
			    "data",
			    t->text);
			return -1;
		}
		p = xmalloc(count * unit + 1);
		for (i = 0; i < count; i++)
			memcpy(p + i * unit, t->text + n + 1, unit);
		p[count * unit] = '\0';
		*data = p;
		*len = count * unit;
		return 0;
	}
	*data = xmemdup(t->text, t->len);
	*len = t->len;
	return 0;
}

/* Returns 1 when t is the bare word w, 0 otherwise. */
int
parse_is_word(const struct token *t, const char *w)
{
	return t->kind == TOK_WORD && strcmp(t->text, w) == 0;
}
/* Appends a token so that the parser reads it back as the same bytes. */
static void
parse_format_token(struct buf *b, const struct token *t)
{
	if (t->kind == TOK_WORD)
		buf_add(b, t->text, t->len);
	else if (t->kind == TOK_BYTES)
		fmt_pybytes(b, (const unsigned char *)t->text, t->len);
	else
		fmt_cstring(b, (const unsigned char *)t->text, t->len,
		    (size_t)-1);
}

/*
 * Appends a statement's command and arguments, without its expectation,
 * with '$' written "$$" where variable expansion would read it.
 */
void
parse_format_stmt(struct buf *b, const struct stmt *st)
{
	struct buf line;
	int i;

	buf_init(&line);
	for (i = 0; i < st->argc; i++) {
		if (i)
			buf_addc(&line, ' ');
		parse_format_token(&line, &st->argv[i]);
	}
	var_escape(line.p, line.len, b);
	buf_free(&line);
}

/* Appends a statement's expectation, " = TOKENS", as parse_format_stmt its command; nothing when it has none. */
void
parse_format_expect(struct buf *b, const struct stmt *st)
{
	struct buf line;
	int i;

	if (!st->has_expect)
		return;
	buf_init(&line);
	buf_puts(&line, " =");
	for (i = 0; i < st->nexpect; i++) {
		buf_addc(&line, ' ');
		parse_format_token(&line, &st->expect[i]);
	}
	var_escape(line.p, line.len, b);
	buf_free(&line);
}
