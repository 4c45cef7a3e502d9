/* Splitting a typed line into statements of tokens, with quotes and escapes. */
#ifndef SOCKSTEP_PARSE_H
#define SOCKSTEP_PARSE_H

#include <stddef.h>

enum tok_kind {
	TOK_WORD, /* bare word, taken as written */
	TOK_STRING, /* "..." with C escapes */
	TOK_RAW, /* '...' taken as written */
	TOK_BYTES /* b'...' or b"..." with Python escapes */
};

struct token {
	enum tok_kind kind;
	char *text; /* decoded bytes, NUL-terminated; may hold NULs */
	size_t len;
	size_t col; /* 1-based column where the token starts */
};

struct buf;

struct stmt {
	struct token *argv;
	int argc;
	struct token *expect; /* tokens after a lone '=' */
	int nexpect;
	int has_expect;
	int background; /* ended with a lone '&' */
};

struct parsed {
	struct stmt *v;
	int n;
};

#define PARSE_MAX_LINE 65536

int parse_too_long(size_t, char *, size_t);
int parse_line(const char *, size_t, struct parsed *, char *, size_t);
void parse_free(struct parsed *);
void parse_stmt_copy(struct stmt *, const struct stmt *);
void parse_stmt_free(struct stmt *);
int parse_long(const struct token *, long, long, long *, char *, size_t);
int parse_data(const struct token *, char **, size_t *, char *, size_t);
int parse_is_word(const struct token *, const char *);
void parse_format_stmt(struct buf *, const struct stmt *);
void parse_format_expect(struct buf *, const struct stmt *);

#endif
