/* Unit tests of session.c: statements packed and read back unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "parse.h"
#include "session.h"

/* A statement to keep: words, result and names, made into an entry. */
struct sample {
	struct session_entry e;
	char *argv[40];
	size_t len[40];
	int kind[40];
};

/* Fills s as the statement cmd with n words w (lengths l, 0: strlen). */
static void
sample(struct sample *s, const char *cmd, int n, char **w, const size_t *l)
{
	int i;

	memset(s, 0, sizeof(*s));
	s->e.argv = s->argv;
	s->e.len = s->len;
	s->e.kind = s->kind;
	s->e.argc = n + 1;
	s->argv[0] = (char *)(uintptr_t)cmd_find(cmd)->name;
	s->len[0] = strlen(cmd);
	s->kind[0] = TOK_WORD;
	for (i = 0; i < n; i++) {
		s->argv[i + 1] = w[i];
		s->len[i + 1] = l && l[i] ? l[i] : strlen(w[i]);
		s->kind[i + 1] = i % 3;
	}
}

/* Fails unless a and b are the same statement. */
static void
assert_same(const struct session_entry *a, const struct session_entry *b)
{
	int i;

	assert_int_equal(a->argc, b->argc);
	for (i = 0; i < a->argc; i++) {
		assert_int_equal(a->len[i], b->len[i]);
		assert_memory_equal(a->argv[i], b->argv[i], a->len[i]);
		assert_int_equal(a->argv[i][a->len[i]], '\0');
		assert_int_equal(a->kind[i], b->kind[i]);
	}
	assert_int_equal(a->made, b->made);
	assert_int_equal(a->ret, b->ret);
	assert_int_equal(a->err, b->err);
	assert_string_equal(a->hname, b->hname);
	assert_int_equal(a->family, b->family);
	assert_int_equal(a->type, b->type);
	assert_string_equal(a->made_names[0], b->made_names[0]);
	assert_string_equal(a->made_names[1], b->made_names[1]);
	assert_string_equal(a->kid, b->kid);
}

/* Every field, names as words and not, a NUL inside a word, negatives, a child's. */
static void
test_round_trip(void **state)
{
	static char w1[] = "s", w2[] = "a\0b", w3[] = "conn", w4[] = "x";
	char *words[] = { w1, w2, w3 };
	size_t lens[] = { 0, 3, 0 };
	struct sample a, b, c;
	struct session *s = NULL;
	struct session_iter it;
	const struct session_entry *e;

	(void)state;
	sample(&a, "accept", 3, words, lens);
	a.e.made = 1;
	a.e.ret = 5;
	a.e.family = 10;
	a.e.type = 1;
	snprintf(a.e.hname, 32, "s");
	snprintf(a.e.made_names[0], 32, "conn");
	sample(&b, "send", 1, (char *[]){ w4 }, NULL);
	b.e.made = 1;
	b.e.ret = -1;
	b.e.err = 32;
	snprintf(b.e.hname, 32, "a-long-name-not-a-word-here-31c");
	snprintf(b.e.made_names[1], 32, "other");
	snprintf(b.e.kid, 32, "worker"); /* @worker send ... */
	sample(&c, "close", 0, NULL, NULL);
	c.e.ret = -9000000000L;
	session_put(&s, &a.e);
	session_put(&s, &b.e);
	session_put(&s, &c.e);
	assert_int_equal(session_count(s), 3);
	session_iter_start(&it, s);
	assert_non_null(e = session_iter_next(&it));
	assert_same(e, &a.e);
	assert_ptr_equal(e->argv[0], cmd_find("accept")->name);
	assert_non_null(e = session_iter_next(&it));
	assert_same(e, &b.e);
	assert_non_null(e = session_iter_next(&it));
	assert_same(e, &c.e);
	assert_null(session_iter_next(&it));
	session_iter_end(&it);
	session_destroy(s);
}

/* Many statements over many blocks, one larger than a block, 40 words. */
static void
test_many(void **state)
{
	char *big = malloc(200000), *words[40], num[40][16], want[16];
	struct sample a;
	struct session *s = NULL;
	struct session_iter it;
	const struct session_entry *e;
	size_t big_len[] = { 0, 200000 - 1 };
	long i;
	int k;

	(void)state;
	assert_null(session_iter_next(&(struct session_iter){ 0 }));
	assert_int_equal(session_count(NULL), 0);
	memset(big, 'd', 200000 - 1);
	big[200000 - 1] = '\0';
	for (i = 0; i < 30000; i++) {
		snprintf(num[0], 16, "h%ld", i);
		words[0] = num[0];
		words[1] = big;
		sample(&a, "send", i == 777 ? 2 : 1, words, big_len);
		a.e.ret = i;
		session_put(&s, &a.e);
	}
	for (k = 0; k < 40; k++) {
		snprintf(num[k], 16, "w%d", k);
		words[k] = num[k];
	}
	sample(&a, "setsockopt", 39, words, NULL);
	session_put(&s, &a.e);
	assert_int_equal(session_count(s), 30001);
	session_iter_start(&it, s);
	for (i = 0; i < 30000; i++) {
		assert_non_null(e = session_iter_next(&it));
		assert_int_equal(e->ret, i);
		assert_int_equal(e->argc, i == 777 ? 3 : 2);
		snprintf(want, sizeof(want), "h%ld", i);
		assert_string_equal(e->argv[1], want);
		if (i == 777)
			assert_int_equal(e->len[2], 200000 - 1);
	}
	assert_non_null(e = session_iter_next(&it));
	assert_same(e, &a.e);
	assert_null(session_iter_next(&it));
	session_iter_end(&it);
	session_destroy(s);
	session_destroy(NULL);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
