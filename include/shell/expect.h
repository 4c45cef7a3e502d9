/* Expectations after a call, in packetdrill's form: "= 0", "= -1 ECONNREFUSED", "= 12 \"data\"". */
#ifndef SOCKSTEP_EXPECT_H
#define SOCKSTEP_EXPECT_H

struct buf;
struct shell;
struct stmt;
struct token;

void expect_format_got(struct buf *, const struct shell *, int);
void expect_format_want(struct buf *, const struct token *, int);
int expect_check(struct shell *, const struct stmt *);
void expect_count(struct shell *, int, const char *, const char *);

#endif
