#include "quiz.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "buf.h"
#include "expect.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"

/* Returns 1 when st is an expect HANDLE STATE line. */
static int
quiz_is_state(const struct stmt *st)
{
	return st->argc == 3 && parse_is_word(&st->argv[0], "expect");
}

/*
 * Asks what the call of st will return (or, for expect, what state the
 * handle is in) and keeps the answer. Returns 1 when it asked, 0 when
 * there was nothing to ask.
 */
int
quiz_ask(struct shell *sh, const struct stmt *st)
{
	size_t n;

	if (!st->has_expect && !quiz_is_state(st))
		return 0;
	if (st->has_expect &&
	    (st->nexpect == 0 || parse_is_word(&st->expect[0], "*")))
		return 0;
	if (quiz_is_state(st))
		fprintf(sh->out, "? what state is %s in now? ",
		    st->argv[1].text);
	else
		fprintf(sh->out,
		    "? what will %s return (a number, or an errno "
		    "name such as ECONNREFUSED)? ",
		    st->argv[0].text);
	fflush(sh->out);
	sh->answer[0] = '\0';
	if (fgets(sh->answer, sizeof(sh->answer), sh->ctl) == NULL)
		sh->answer[0] = '\0';
	n = strcspn(sh->answer, "\r\n");
	sh->answer[n] = '\0';
	sh->asked++;
	return 1;
}

/* Returns 1 when the answer (a number or an errno name) is what the last call returned. */
static int
quiz_right(const struct shell *sh, const char *a)
{
	char *end;
	long v;

	if (*a == '\0')
		return 0;
	if (a[0] == 'E' || a[0] == 'e') {
		if (sym_value(sym_errno, a, &v) == -1)
			return 0;
		return sh->last.ret == -1 ? sh->last.err == v
		                          : sh->last.ret == v;
	}
	v = strtol(a, &end, 10);
	return *end == '\0' && sh->last.ret == v;
}

/*
 * After the call: checks the expectation as usual, then says whether the
 * student's answer was right, with the result that came.
 */
void
quiz_judge(struct shell *sh, const struct stmt *st)
{
	const char *a = sh->answer;
	struct buf got;
	int right;

	if (quiz_is_state(st)) {
		right = strcasecmp(a, st->argv[2].text) == 0;
	} else {
		expect_check(sh, st);
		right = quiz_right(sh, a);
	}
	buf_init(&got);
	if (!quiz_is_state(st))
		expect_format_got(&got, sh, 0);
	else
		buf_printf(&got, "%s", st->argv[2].text);
	if (right) {
		sh->right++;
		out_meaning(sh, "right: %s", buf_str(&got));
	} else
		out_meaning(sh,
		    "not quite: you said %s; it was %s (the lines "
		    "above say why)",
		    *a ? a : "nothing", buf_str(&got));
	buf_free(&got);
}
