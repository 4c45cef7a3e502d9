/* Unit tests of diagram.c and capture_flags: the chart in text and SVG. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "diagram.h"
#include "handle.h"

/* Returns what fn printed of d into a string the caller frees. */
static char *
render(const struct diagram *d, const struct handle_table *t, int svg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	if (svg)
		assert_int_equal(diagram_svg(d, t, f), 0);
	else
		diagram_text(d, t, f);
	fclose(f);
	return text;
}

/* Returns how many times needle occurs in s. */
static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* A handshake draws three arrows, left to right, right to left, left to right. */
static void
test_text_handshake(void **state)
{
	struct handle_table t;
	struct diagram d;
	char *s;

	(void)state;
	handle_table_init(&t);
	diagram_init(&d);
	diagram_add(&d, "127.0.0.1:5000", "127.0.0.1:80", "SYN", "connect c s");
	diagram_add(&d, "127.0.0.1:80", "127.0.0.1:5000", "SYN, ACK",
	    "connect c s");
	diagram_add(&d, "127.0.0.1:5000", "127.0.0.1:80", "ACK", "connect c s");
	s = render(&d, &t, 0);
	assert_non_null(strstr(s, "127.0.0.1:5000"));
	assert_non_null(strstr(s, "127.0.0.1:80"));
	assert_int_equal(count(s, "connect c s"), 1);
	assert_int_equal(count(s, "->|"), 2);
	assert_int_equal(count(s, "|<-"), 1);
	free(s);
	diagram_free(&d);
	handle_table_free(&t);
}

/* The SVG has one arrow per event and escapes what XML cannot hold. */
static void
test_svg_arrows_escaped(void **state)
{
	struct handle_table t;
	struct diagram d;
	char *s;

	(void)state;
	handle_table_init(&t);
	diagram_init(&d);
	diagram_add(&d, "127.0.0.1:5000", "127.0.0.1:80", "3 bytes \"<&>\"",
	    "send c \"<&>\x01\"");
	diagram_add(&d, "127.0.0.1:80", "127.0.0.1:5000", "RST", "close s");
	s = render(&d, &t, 1);
	assert_int_equal(count(s, "class=\"arrow\""), 2);
	assert_int_equal(count(s, "class=\"lane\""), 2);
	assert_non_null(strstr(s, "&lt;&amp;&gt;"));
	assert_null(strstr(s, "\x01"));
	assert_non_null(strstr(s, "</svg>"));
	free(s);
	diagram_free(&d);
	handle_table_free(&t);
}

/* An empty log says what the chart will show. */
static void
test_empty(void **state)
{
	struct handle_table t;
	struct diagram d;
	char *s;

	(void)state;
	handle_table_init(&t);
	diagram_init(&d);
	s = render(&d, &t, 0);
	assert_non_null(strstr(s, "no connections yet"));
	free(s);
	diagram_free(&d);
	handle_table_free(&t);
}

/* Past DIAGRAM_MAX arrows, later ones are counted, not kept. */
static void
test_bounded(void **state)
{
	struct diagram d;
	int i;

	(void)state;
	diagram_init(&d);
	for (i = 0; i < DIAGRAM_MAX + 5; i++)
		diagram_add(&d, "a:1", "b:2", "ACK", "x");
	assert_int_equal(d.n, DIAGRAM_MAX);
	assert_int_equal(d.dropped, 5);
	diagram_free(&d);
}

/* Flags read in words. */
static void
test_flags(void **state)
{
	char s[64];

	(void)state;
	capture_flags(s, sizeof(s), CAPTURE_SYN | CAPTURE_ACK);
	assert_string_equal(s, "SYN, ACK");
	capture_flags(s, sizeof(s), CAPTURE_FIN | CAPTURE_ACK);
	assert_string_equal(s, "FIN, ACK");
	capture_flags(s, sizeof(s), CAPTURE_RST);
	assert_string_equal(s, "RST");
}

/* Runs the diagram tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_handshake),
		cmocka_unit_test(test_svg_arrows_escaped),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_flags),
	};

	return cmocka_run_group_tests_name("diagram", tests, NULL, NULL);
}
