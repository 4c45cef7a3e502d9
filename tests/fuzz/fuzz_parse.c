/*
 * Fuzzes the command-line parser and variable expansion: any bytes either
 * parse or give one message, and each statement printed back
 * (parse_format_stmt, as a recorded lesson writes it) reads again, through
 * var_expand and parse_line as every line is read, as the same tokens.
 * Both the input as typed and the input after expansion are checked.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fake_sys.h"
#include "parse.h"
#include "var.h"

/* Returns the kind a token reads back as: '...' is printed as "...". */
static enum tok_kind
fuzz_kind(enum tok_kind k)
{
	return k == TOK_RAW ? TOK_STRING : k;
}

/* Aborts with what differs between two token lists. */
static void
fuzz_same(const struct token *a, int na, const struct token *b, int nb,
    const char *printed, const char *how)
{
	int i;

	if (na != nb) {
		fprintf(stderr, "%s: %d tokens, then %d from '%s'\n", how, na,
		    nb, printed);
		abort();
	}
	for (i = 0; i < na; i++) {
		if (fuzz_kind(a[i].kind) != fuzz_kind(b[i].kind) ||
		    a[i].len != b[i].len ||
		    memcmp(a[i].text, b[i].text, a[i].len) != 0) {
			fprintf(stderr, "%s: token %d differs in '%s'\n", how,
			    i, printed);
			abort();
		}
	}
}

static void fuzz_vars(struct vars *);

/* Expands and parses printed, and compares it with st. */
static void
fuzz_reparse(const struct stmt *st, const char *printed, size_t len,
    const char *how)
{
	struct vars vs = { NULL, 0 };
	struct parsed q;
	struct buf x;
	char err[256];

	buf_init(&x);
	fuzz_vars(&vs);
	if (var_expand(&vs, printed, len, &x, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: '%s': %s\n", how, printed, err);
		abort();
	}
	if (parse_line(buf_str(&x), x.len, &q, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: '%s' does not parse: %s\n", how, printed,
		    err);
		abort();
	}
	if (st->argc == 0) {
		if (q.n != 0)
			abort();
	} else {
		if (q.n != 1 || q.v[0].has_expect || q.v[0].background)
			abort();
		fuzz_same(st->argv, st->argc, q.v[0].argv, q.v[0].argc, printed,
		    how);
	}
	parse_free(&q);
	buf_free(&x);
	var_free(&vs);
}

/* Runs the number and data readers over every token of p. */
static void
fuzz_tokens(const struct parsed *p)
{
	char err[256], *data;
	size_t len;
	long v;
	int i, j;

	for (i = 0; i < p->n; i++) {
		const struct stmt *st = &p->v[i];

		for (j = 0; j < st->argc + st->nexpect; j++) {
			(void)parse_long(&st->argv[j], -65536, 65535, &v, err,
			    sizeof(err));
			if (parse_data(&st->argv[j], &data, &len, err,
			        sizeof(err)) == 0)
				free(data);
			(void)parse_is_word(&st->argv[j], "=");
		}
	}
}

/* Sets the variables a lesson usually has. */
static void
fuzz_vars(struct vars *vs)
{
	var_set(vs, "PORT", "65432", 0);
	var_set(vs, "HOST", "127.0.0.1", 0);
}

/*
 * Parses s, then prints each statement and reads it again. Aborts when a
 * statement does not come back the same.
 */
static void
fuzz_check(const char *s, size_t len, const char *how)
{
	struct parsed p;
	struct buf b;
	char err[256];
	int i;

	err[0] = '\0';
	if (parse_line(s, len, &p, err, sizeof(err)) == -1) {
		if (strlen(err) == 0 || p.n != 0 || p.v != NULL)
			abort();
		return;
	}
	fuzz_tokens(&p);
	buf_init(&b);
	for (i = 0; i < p.n; i++) {
		buf_reset(&b);
		parse_format_stmt(&b, &p.v[i]);
		buf_str(&b);
		fuzz_reparse(&p.v[i], b.p, b.len, how);
	}
	parse_free(&p);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vars vs = { NULL, 0 };
	struct buf x;
	char err[256];

	fuzz_check((const char *)data, size, "round trip");
	buf_init(&x);
	fuzz_vars(&vs);
	err[0] = '\0';
	if (var_expand(&vs, (const char *)data, size, &x, err, sizeof(err)) ==
	    0)
		fuzz_check(buf_str(&x), x.len, "replay");
	else if (strlen(err) == 0)
		abort();
	var_free(&vs);
	buf_free(&x);
	return 0;
}
