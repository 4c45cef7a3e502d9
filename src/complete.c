#include "complete.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "handle.h"
#include "opt.h"
#include "shell.h"
#include "sym.h"
#include "xalloc.h"

/* A list of candidates being gathered. */
struct cands {
	char **v;
	size_t n;
	size_t cap;
	const char *prefix;
	size_t plen;
};

/* Adds s when it starts with the prefix being completed and is not there yet. */
static void
complete_add(struct cands *c, const char *s)
{
	size_t i;

	if (strncmp(s, c->prefix, c->plen) != 0)
		return;
	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i], s) == 0)
			return;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		c->v = xrealloc(c->v, c->cap * sizeof(*c->v));
	}
	c->v[c->n++] = xstrdup(s);
}

/* Adds the C names of a symbol table (not the short forms). */
static void
complete_syms(struct cands *c, const struct sym *t)
{
	const struct sym *s;

	for (s = t; s->name; s++)
		if (sym_name(t, s->value) == s->name)
			complete_add(c, s->name);
}

/* Adds every command name and alias. */
static void
complete_commands(struct cands *c)
{
	const struct cmd_entry *const *e;

	for (e = cmd_table; *e; e++) {
		complete_add(c, (*e)->name);
		if ((*e)->alias)
			complete_add(c, (*e)->alias);
	}
}

/* Adds the names of live handles. */
static void
complete_handles(struct cands *c, struct shell *sh)
{
	size_t i;

	for (i = 0; i < sh->handles.n; i++)
		if (sh->handles.v[i]->fd >= 0)
			complete_add(c, sh->handles.v[i]->name);
}

/* Adds the constants that fit argument word of command cmd. */
static void
complete_args(struct cands *c, struct shell *sh, const struct cmd_entry *cmd,
    int word)
{
	const struct opt *o;

	if (strcmp(cmd->name, "help") == 0) {
		complete_commands(c);
		return;
	}
	if (strcmp(cmd->name, "socket") == 0) {
		complete_syms(c, sym_family);
		complete_syms(c, sym_socktype);
		return;
	}
	if ((cmd->flags & CMD_HANDLE) && word == 1) {
		complete_handles(c, sh);
		return;
	}
	if (strcmp(cmd->name, "shutdown") == 0)
		complete_syms(c, sym_shut);
	else if (strstr(cmd->name, "sockopt")) {
		complete_syms(c, sym_level);
		for (o = opt_table; o->name; o++)
			complete_add(c, o->name);
	} else if (strcmp(cmd->name, "send") == 0 ||
	    strcmp(cmd->name, "recv") == 0 || strcmp(cmd->name, "sendall") == 0)
		complete_syms(c, sym_msg);
	else if (strcmp(cmd->name, "setblocking") == 0) {
		complete_add(c, "true");
		complete_add(c, "false");
	} else if (strcmp(cmd->name, "bind") == 0 ||
	    strcmp(cmd->name, "connect") == 0)
		complete_add(c, "127.0.0.1");
}

/*
 * Returns the words that can complete text, which starts at byte start of
 * line, and their number in *n. Free them with complete_free.
 */
char **
complete_words(struct shell *sh, const char *line, size_t start,
    const char *text, size_t *n)
{
	struct cands c;
	const struct cmd_entry *cmd;
	char first[64];
	size_t i = 0, fl;
	int word = 0;

	memset(&c, 0, sizeof(c));
	c.prefix = text;
	c.plen = strlen(text);
	for (i = start; i > 0 && line[i - 1] != ';'; i--)
		;
	i += strspn(line + i, " \t");
	fl = strcspn(line + i, " \t");
	snprintf(first, sizeof(first), "%.*s", (int)(fl < 63 ? fl : 63),
	    line + i);
	while (i < start) {
		i += strcspn(line + i, " \t");
		i += strspn(line + i, " \t");
		if (i <= start)
			word++;
	}
	if (word == 0)
		complete_commands(&c);
	else if ((cmd = cmd_find(first)) != NULL)
		complete_args(&c, sh, cmd, word);
	*n = c.n;
	return c.v;
}

/* Frees a list from complete_words. */
void
complete_free(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
