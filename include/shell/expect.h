/* Expectations after a call, in packetdrill's form: "= 0", "= -1 ECONNREFUSED", "= 12 \"data\"". */
#ifndef SOCKSTEP_EXPECT_H
#define SOCKSTEP_EXPECT_H

struct buf;
struct shell;
struct stmt;
struct token;

#include <stddef.h>

/* What an expectation asks of a call's result. */
enum expect_kind { EXPECT_ANY, EXPECT_FD, EXPECT_ERRNO, EXPECT_VALUE };

struct expectation {
	enum expect_kind kind;
	long value; /* the value, or the errno of EXPECT_ERRNO */
	int n; /* tokens the value takes */
	const struct token *data; /* the bytes expected, or NULL */
};

void expect_format_got(struct buf *, const struct shell *, int);
void expect_format_want(struct buf *, const struct token *, int);
int expect_parse(const struct stmt *, struct expectation *, char *, size_t);
int expect_state_name(const char *, char *, size_t, char *, size_t);
int expect_check(struct shell *, const struct stmt *);
int expect_in_line(const char *, size_t);
void expect_count(struct shell *, int, const char *, const char *);

#endif
