/*
 * The statements a session has run, kept for export and for "set python
 * on": each one packed into a few bytes (the command as its place in the
 * command table, numbers as variable-length integers, a handle name that
 * is one of the statement's words as that word's place), in blocks that
 * are only ever appended to, and read back in order.
 */
#include "session.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "parse.h"
#include "xalloc.h"

#define SESSION_BLOCK \
	65536 /* bytes a block holds, unless one record needs more */

struct session {
	unsigned char **blocks;
	size_t *used; /* bytes written in each block */
	size_t nblocks;
	size_t room; /* bytes the last block holds */
	size_t n; /* statements */
};

/* A record being written: where it goes, or with p NULL only its size. */
struct session_out {
	unsigned char *p;
	size_t n;
};

/* Appends byte c. */
static void
out_byte(struct session_out *o, unsigned char c)
{
	if (o->p)
		o->p[o->n] = c;
	o->n++;
}

/* Appends v in 7-bit groups, low first, the top bit set on all but the last. */
static void
out_uint(struct session_out *o, uint64_t v)
{
	while (v >= 0x80) {
		out_byte(o, (unsigned char)(v | 0x80));
		v >>= 7;
	}
	out_byte(o, (unsigned char)v);
}

/* Appends a signed v, small negatives kept small (zigzag). */
static void
out_int(struct session_out *o, long v)
{
	out_uint(o,
	    v < 0 ? ((uint64_t) ~(unsigned long)v << 1) | 1
	          : (uint64_t)(unsigned long)v << 1);
}

/* Appends len bytes of p, then a NUL, so they read back as a string. */
static void
out_bytes(struct session_out *o, const char *p, size_t len)
{
	out_uint(o, len);
	if (o->p)
		memcpy(o->p + o->n, p, len);
	o->n += len;
	out_byte(o, 0);
}

/* Appends a handle name: the place of the word it equals, else 0 and its text. */
static void
out_name(struct session_out *o, const struct session_entry *e, const char *name)
{
	int i;

	for (i = 1; i < e->argc; i++)
		if (strlen(e->argv[i]) == e->len[i] &&
		    strcmp(e->argv[i], name) == 0) {
			out_uint(o, (uint64_t)i);
			return;
		}
	out_uint(o, 0);
	out_bytes(o, name, strlen(name));
}

/* Writes e as a record (p NULL: counts its bytes). Returns its size. */
static size_t
session_pack(unsigned char *p, const struct session_entry *e, size_t cmd)
{
	struct session_out o = { p, 0 };
	int i;

	out_uint(&o, cmd);
	out_uint(&o, (uint64_t)e->argc);
	out_byte(&o,
	    (unsigned char)((e->made ? 1 : 0) | (e->hname[0] ? 2 : 0) |
	        (e->made_names[0][0] ? 4 : 0) | (e->made_names[1][0] ? 8 : 0) |
	        (e->kid[0] ? 16 : 0)));
	out_int(&o, e->ret);
	out_int(&o, e->err);
	out_int(&o, e->family);
	out_int(&o, e->type);
	if (e->hname[0])
		out_name(&o, e, e->hname);
	for (i = 0; i < 2; i++)
		if (e->made_names[i][0])
			out_name(&o, e, e->made_names[i]);
	if (e->kid[0])
		out_bytes(&o, e->kid, strlen(e->kid));
	for (i = 1; i < e->argc; i++) {
		out_uint(&o, (uint64_t)e->kind[i]);
		out_bytes(&o, e->argv[i], e->len[i]);
	}
	return o.n;
}

/* Returns at least the bytes e takes as a record: words, four names, numbers. */
static size_t
session_bound(const struct session_entry *e)
{
	size_t n = 64 + 4 * (HANDLE_NAME_MAX + 12);
	int i;

	for (i = 1; i < e->argc; i++)
		n += e->len[i] + 22;
	return n;
}

/*
 * Keeps a copy of statement e at the end of *sp, made at the first one.
 * e->argv[0] must be the name of a command of the table, the table's own
 * string (a statement of no command is not kept).
 */
void
session_put(struct session **sp, const struct session_entry *e)
{
	struct session *s = *sp;
	size_t cmd = 0, size, last;

	while (cmd_table[cmd] && cmd_table[cmd]->name != e->argv[0])
		cmd++;
	if (cmd_table[cmd] == NULL)
		return;
	if (s == NULL)
		s = *sp = xcalloc(1, sizeof(*s));
	last = s->nblocks - 1;
	if (s->nblocks == 0 || s->room - s->used[last] < session_bound(e)) {
		/* a new block: sized for the record when it is larger */
		size = session_pack(NULL, e, cmd);
		s->blocks =
		    xrealloc(s->blocks, (s->nblocks + 1) * sizeof(*s->blocks));
		s->used =
		    xrealloc(s->used, (s->nblocks + 1) * sizeof(*s->used));
		s->room = size > SESSION_BLOCK ? size : SESSION_BLOCK;
		last = s->nblocks++;
		s->blocks[last] = xmalloc(s->room);
		s->used[last] = 0;
	}
	s->used[last] += session_pack(s->blocks[last] + s->used[last], e, cmd);
	s->n++;
}

/* Returns how many statements s holds (s may be NULL). */
size_t
session_count(const struct session *s)
{
	return s ? s->n : 0;
}

/* Frees s and every record (s may be NULL). */
void
session_destroy(struct session *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nblocks; i++)
		free(s->blocks[i]);
	free(s->blocks);
	free(s->used);
	free(s);
}

/* A record being read. */
struct session_in {
	const unsigned char *p;
	size_t n;
};

/* Reads a number out_uint wrote. */
static uint64_t
in_uint(struct session_in *in)
{
	uint64_t v = 0;
	int shift = 0;
	unsigned char c;

	do {
		c = in->p[in->n++];
		v |= (uint64_t)(c & 0x7f) << shift;
		shift += 7;
	} while (c & 0x80);
	return v;
}

/* Reads a number out_int wrote. */
static long
in_int(struct session_in *in)
{
	uint64_t v = in_uint(in);

	return (long)(v & 1 ? ~(v >> 1) : v >> 1);
}

/* Reads bytes out_bytes wrote: returns them, in place, and their length in *len. */
static char *
in_bytes(struct session_in *in, size_t *len)
{
	char *p;

	*len = (size_t)in_uint(in);
	p = (char *)(uintptr_t)(in->p + in->n);
	in->n += *len + 1;
	return p;
}

/*
 * Reads a name out_name wrote: its text into field (HANDLE_NAME_MAX), or the
 * place of the word it equals into *ref, for the words read after it.
 */
static void
in_name(struct session_in *in, char *field, uint64_t *ref)
{
	size_t len;

	*ref = in_uint(in);
	if (*ref == 0)
		snprintf(field, HANDLE_NAME_MAX, "%s", in_bytes(in, &len));
}

/* Begins a walk through s's statements (s may be NULL). */
void
session_iter_start(struct session_iter *it, const struct session *s)
{
	memset(it, 0, sizeof(*it));
	it->s = s;
}

/* Returns the next statement, valid until the next call, or NULL after the last. */
const struct session_entry *
session_iter_next(struct session_iter *it)
{
	const struct session *s = it->s;
	struct session_entry *e = &it->e;
	struct session_in in;
	uint64_t ref[3] = { 0, 0, 0 };
	char *names[3] = { e->hname, e->made_names[0], e->made_names[1] };
	size_t len;
	int flags, i;

	if (s == NULL || it->i == s->n)
		return NULL;
	if (it->off == s->used[it->block]) {
		it->block++;
		it->off = 0;
	}
	in.p = s->blocks[it->block] + it->off;
	in.n = 0;
	memset(e->hname, 0, sizeof(e->hname));
	memset(e->made_names, 0, sizeof(e->made_names));
	memset(e->kid, 0, sizeof(e->kid));
	i = (int)in_uint(&in);
	e->argc = (int)in_uint(&in);
	if (e->argc > it->cap) {
		it->cap = e->argc;
		e->argv = xrealloc(e->argv, (size_t)it->cap * sizeof(*e->argv));
		e->len = xrealloc(e->len, (size_t)it->cap * sizeof(*e->len));
		e->kind = xrealloc(e->kind, (size_t)it->cap * sizeof(*e->kind));
	}
	e->argv[0] = (char *)(uintptr_t)cmd_table[i]->name;
	e->len[0] = strlen(e->argv[0]);
	e->kind[0] = TOK_WORD;
	flags = in.p[in.n++];
	e->made = flags & 1;
	e->ret = in_int(&in);
	e->err = (int)in_int(&in);
	e->family = (int)in_int(&in);
	e->type = (int)in_int(&in);
	for (i = 0; i < 3; i++)
		if (flags & (2 << i))
			in_name(&in, names[i], &ref[i]);
	if (flags & 16)
		snprintf(e->kid, sizeof(e->kid), "%s", in_bytes(&in, &len));
	for (i = 1; i < e->argc; i++) {
		e->kind[i] = (int)in_uint(&in);
		e->argv[i] = in_bytes(&in, &e->len[i]);
	}
	for (i = 0; i < 3; i++)
		if (ref[i] > 0)
			snprintf(names[i], HANDLE_NAME_MAX, "%s",
			    e->argv[ref[i]]);
	it->off += in.n;
	it->i++;
	return e;
}

/*
 * Makes st the statement e was, its words as tokens: st->argv is
 * allocated (the caller frees it) and points into e, which must live on.
 */
void
session_entry_stmt(const struct session_entry *e, struct stmt *st)
{
	int k;

	memset(st, 0, sizeof(*st));
	st->argc = e->argc;
	st->argv = xcalloc((size_t)e->argc, sizeof(*st->argv));
	for (k = 0; k < e->argc; k++) {
		st->argv[k].kind = (enum tok_kind)e->kind[k];
		st->argv[k].text = e->argv[k];
		st->argv[k].len = e->len[k];
	}
}

/* Ends a walk: frees what it held. */
void
session_iter_end(struct session_iter *it)
{
	free(it->e.argv);
	free(it->e.len);
	free(it->e.kind);
	memset(it, 0, sizeof(*it));
}
