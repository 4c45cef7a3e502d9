#include "complete.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dirent.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "cmd.h"
#include "cmd-shell.h"
#include "lesson.h"
#include "sys.h"
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

/*
 * Adds @NAME for each child (fork), where a command can go; NAME alone
 * when the line editor took the @ for a word break (after_at).
 */
static void
complete_children(struct cands *c, struct shell *sh, int after_at)
{
	char at[HANDLE_NAME_MAX + 1];
	int i;

	for (i = 0; i < sh->nkids; i++) {
		snprintf(at, sizeof(at), "@%s", sh->kids[i].name);
		complete_add(c, at + (after_at ? 1 : 0));
	}
}

/* Adds the names of the children (waitpid's argument). */
static void
complete_k_child(struct cands *c, struct shell *sh, const char *prev)
{
	int i;

	(void)prev;
	for (i = 0; i < sh->nkids; i++)
		complete_add(c, sh->kids[i].name);
}

/* Writes into first the second word of statement st (@NAME COMMAND ...): the command. */
static void
complete_at_command(const char *st, char *first, size_t size)
{
	size_t n;

	st += strcspn(st, " \t"); /* past @NAME */
	st += strspn(st, " \t");
	n = strcspn(st, " \t;");
	snprintf(first, size, "%.*s", (int)(n < size - 1 ? n : size - 1), st);
}

/* Adds live handles, the listening ones first (what accept wants). */
static void
complete_listeners(struct cands *c, struct shell *sh, const char *prev)
{
	size_t i;
	int pass, on;
	socklen_t len;

	(void)prev;
	for (pass = 1; pass >= 0; pass--) {
		for (i = 0; i < sh->handles.n; i++) {
			const struct handle *h = sh->handles.v[i];

			on = 0;
			len = sizeof(on);
			if (h->fd < 0)
				continue;
			sh->sys->getsockopt(h->fd, SOL_SOCKET, SO_ACCEPTCONN,
			    &on, &len);
			if ((on != 0) == pass)
				complete_add(c, h->name);
		}
	}
}

/* Adds the words of a NULL-terminated list. */
static void
complete_list(struct cands *c, const char *const *w)
{
	for (; w && *w; w++)
		complete_add(c, *w);
}

/* Adds live handle names (the argument that names a handle). */
static void
complete_k_handle(struct cands *c, struct shell *sh, const char *prev)
{
	(void)prev;
	complete_handles(c, sh);
}

/* Adds addresses a student types. */
static void
complete_k_addr(struct cands *c, struct shell *sh, const char *prev)
{
	static const char *const w[] = { "127.0.0.1", "localhost", "::1", "''",
		NULL };

	(void)sh;
	(void)prev;
	complete_list(c, w);
}

/* Adds addresses and the bound handles that stand for theirs. */
static void
complete_k_peer(struct cands *c, struct shell *sh, const char *prev)
{
	complete_handles(c, sh);
	complete_k_addr(c, sh, prev);
}

/* Adds families, types and protocols (socket, socketpair, getaddrinfo). */
static void
complete_k_sock(struct cands *c, struct shell *sh, const char *prev)
{
	(void)sh;
	(void)prev;
	complete_syms(c, sym_family);
	complete_syms(c, sym_socktype);
	complete_syms(c, sym_proto);
}

/* Adds SHUT_RD, SHUT_WR, SHUT_RDWR. */
static void
complete_k_shut(struct cands *c, struct shell *sh, const char *prev)
{
	(void)sh;
	(void)prev;
	complete_syms(c, sym_shut);
}

/* Adds MSG_* flags. */
static void
complete_k_msg(struct cands *c, struct shell *sh, const char *prev)
{
	(void)sh;
	(void)prev;
	complete_syms(c, sym_msg);
}

/* Adds epoll_ctl's operations: ADD, MOD, DEL. */
static void
complete_k_epoll_op(struct cands *c, struct shell *sh, const char *prev)
{
	static const char *const w[] = { "ADD", "MOD", "DEL", NULL };

	(void)sh;
	(void)prev;
	complete_list(c, w);
}

/* Adds epoll's event names (EPOLLIN, EPOLLET, ...). */
static void
complete_k_epoll_event(struct cands *c, struct shell *sh, const char *prev)
{
	(void)sh;
	(void)prev;
	complete_syms(c, sym_epoll);
}

/* Adds EPOLL_CLOEXEC. */
static void
complete_k_epoll_flag(struct cands *c, struct shell *sh, const char *prev)
{
	(void)sh;
	(void)prev;
	complete_syms(c, sym_epoll_flag);
}

/* Adds TCP state names and closed (what expect checks). */
static void
complete_k_state(struct cands *c, struct shell *sh, const char *prev)
{
	(void)sh;
	(void)prev;
	complete_syms(c, sym_tcp_state);
	complete_add(c, "closed");
}

/*
 * Adds what follows in setsockopt/getsockopt: after a level its options,
 * after an option on/off, else levels and every option.
 */
static void
complete_k_sockopt(struct cands *c, struct shell *sh, const char *prev)
{
	static const char *const onoff[] = { "on", "off", NULL };
	const struct opt *o;
	long level;
	int by_level;

	(void)sh;
	if (opt_find(prev)) {
		complete_list(c, onoff);
		return;
	}
	by_level = sym_value(sym_level, prev, &level) == 0;
	if (!by_level)
		complete_syms(c, sym_level);
	for (o = opt_table; o->name; o++)
		if (!by_level || o->level == level)
			complete_add(c, o->name);
}

/* Adds true and false. */
static void
complete_k_bool(struct cands *c, struct shell *sh, const char *prev)
{
	static const char *const w[] = { "true", "false", NULL };

	(void)sh;
	(void)prev;
	complete_list(c, w);
}

/* Adds on and off. */
static void
complete_k_onoff(struct cands *c, struct shell *sh, const char *prev)
{
	static const char *const w[] = { "on", "off", NULL };

	(void)sh;
	(void)prev;
	complete_list(c, w);
}

/* Adds every command name (what help takes). */
static void
complete_k_command(struct cands *c, struct shell *sh, const char *prev)
{
	(void)sh;
	(void)prev;
	complete_commands(c);
}

/* Adds the names of the shell's settings. */
static void
complete_k_setting(struct cands *c, struct shell *sh, const char *prev)
{
	int i;

	(void)sh;
	(void)prev;
	for (i = 0; cmd_set_name(i); i++)
		complete_add(c, cmd_set_name(i));
}

/* Adds the values the setting named just before takes. */
static void
complete_k_value(struct cands *c, struct shell *sh, const char *prev)
{
	const char *const *w = cmd_set_words(prev);

	if (w)
		complete_list(c, w);
	else
		complete_k_onoff(c, sh, prev);
}

/* Adds the names of the lessons. */
static void
complete_k_lesson(struct cands *c, struct shell *sh, const char *prev)
{
	size_t n, i;
	char **names = lesson_names(&n);

	(void)sh;
	(void)prev;
	for (i = 0; i < n; i++)
		complete_add(c, names[i]);
	lesson_names_free(names, n);
}

/* Adds the files (and folders, with a '/') that start with the prefix. */
static void
complete_k_file(struct cands *c, struct shell *sh, const char *prev)
{
	char dir[1024], path[2048];
	const char *slash = strrchr(c->prefix, '/');
	size_t dlen = slash ? (size_t)(slash - c->prefix) + 1 : 0;
	struct dirent *de;
	struct stat st;
	DIR *d;

	(void)sh;
	(void)prev;
	snprintf(dir, sizeof(dir), "%.*s", (int)dlen, c->prefix);
	if ((d = opendir(dlen ? dir : ".")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && c->prefix[dlen] != '.')
			continue;
		snprintf(path, sizeof(path), "%s%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			strncat(path, "/", sizeof(path) - strlen(path) - 1);
		complete_add(c, path);
	}
	closedir(d);
}

/* Adds the languages export writes. */
static void
complete_k_lang(struct cands *c, struct shell *sh, const char *prev)
{
	static const char *const w[] = { "c", "python", NULL };

	(void)sh;
	(void)prev;
	complete_list(c, w);
}

/* Adds encoding names. */
static void
complete_k_encoding(struct cands *c, struct shell *sh, const char *prev)
{
	static const char *const w[] = { "utf-8", "latin-1", "ascii", "utf-16",
		NULL };

	(void)sh;
	(void)prev;
	complete_list(c, w);
}

/* Adds --svg. */
static void
complete_k_svg(struct cands *c, struct shell *sh, const char *prev)
{
	(void)sh;
	(void)prev;
	complete_add(c, "--svg");
}

/* The kinds of argument a command's .complete names, and what Tab offers. */
static const struct {
	const char *kind;
	void (*add)(struct cands *, struct shell *, const char *);
} complete_kinds[] = { { "handle", complete_k_handle },
	{ "listener", complete_listeners }, { "addr", complete_k_addr },
	{ "peer", complete_k_peer }, { "sock", complete_k_sock },
	{ "shut", complete_k_shut }, { "msg", complete_k_msg },
	{ "state", complete_k_state }, { "sockopt", complete_k_sockopt },
	{ "bool", complete_k_bool }, { "onoff", complete_k_onoff },
	{ "command", complete_k_command }, { "setting", complete_k_setting },
	{ "value", complete_k_value }, { "lesson", complete_k_lesson },
	{ "file", complete_k_file }, { "lang", complete_k_lang },
	{ "encoding", complete_k_encoding }, { "svg", complete_k_svg },
	{ "epoll_op", complete_k_epoll_op },
	{ "epoll_event", complete_k_epoll_event },
	{ "epoll_flag", complete_k_epoll_flag }, { "child", complete_k_child },
	{ "-", NULL }, { NULL, NULL } };

/* Kinds whose words are the names of a table of constants. */
static const struct {
	const char *kind;
	const struct sym *syms;
} complete_sym_kinds[] = { { "fcntl_cmd", sym_fcntl_cmd },
	{ "oflag", sym_oflag }, { "sockflag", sym_sockflag },
	{ "cloexec", sym_cloexec }, { NULL, NULL } };

/*
 * Writes into kind the kind of argument word (1 for the first) in the
 * grammar g ("handle shut", "handle*": the last repeats). Returns 0, or
 * -1 when the command takes no such argument.
 */
static int
complete_kind_of(const char *g, int word, char *kind, size_t len)
{
	const char *p = g, *last = NULL;
	size_t n = 0, lastn = 0;
	int i = 0;

	while (*(p += strspn(p, " ")) && i < word) {
		n = strcspn(p, " ");
		last = p;
		lastn = n;
		i++;
		p += n;
	}
	if (last == NULL || (i < word && last[lastn - 1] != '*'))
		return -1;
	if (last[lastn - 1] == '*')
		lastn--;
	snprintf(kind, len, "%.*s", (int)lastn, last);
	return 0;
}

/* Returns 1 when kind is one complete.c knows (a test checks every entry's). */
int
complete_kind_known(const char *kind)
{
	int i;

	for (i = 0; complete_kinds[i].kind; i++)
		if (strcmp(complete_kinds[i].kind, kind) == 0)
			return 1;
	for (i = 0; complete_sym_kinds[i].kind; i++)
		if (strcmp(complete_sym_kinds[i].kind, kind) == 0)
			return 1;
	return 0;
}

/* Adds what fits argument word of cmd, by its .complete grammar. */
static void
complete_args(struct cands *c, struct shell *sh, const struct cmd_entry *cmd,
    int word, const char *prev)
{
	char kind[32];
	int i;

	if (cmd->complete == NULL ||
	    complete_kind_of(cmd->complete, word, kind, sizeof(kind)) == -1)
		return;
	for (i = 0; complete_kinds[i].kind; i++)
		if (strcmp(complete_kinds[i].kind, kind) == 0 &&
		    complete_kinds[i].add)
			complete_kinds[i].add(c, sh, prev);
	for (i = 0; complete_sym_kinds[i].kind; i++)
		if (strcmp(complete_sym_kinds[i].kind, kind) == 0)
			complete_syms(c, complete_sym_kinds[i].syms);
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
	char first[64], prev[64] = "";
	size_t i = 0, fl, st0;
	int word = 0;

	memset(&c, 0, sizeof(c));
	c.prefix = text;
	c.plen = strlen(text);
	for (i = start; i > 0 && line[i - 1] != ';'; i--)
		;
	i += strspn(line + i, " \t");
	st0 = i;
	fl = strcspn(line + i, " \t");
	snprintf(first, sizeof(first), "%.*s", (int)(fl < 63 ? fl : 63),
	    line + i);
	while (i < start) {
		size_t wlen = strcspn(line + i, " \t");

		if (i + wlen <= start)
			snprintf(prev, sizeof(prev), "%.*s",
			    (int)(wlen < 63 ? wlen : 63), line + i);
		i += wlen;
		i += strspn(line + i, " \t");
		if (i <= start)
			word++;
	}
	if (first[0] == '@' && word > 0) { /* @child COMMAND ARGS */
		complete_at_command(line + st0, first, sizeof(first));
		word--;
	}
	if (word == 0)
		complete_commands(&c);
	if (word == 0 && first[0] == '@')
		complete_children(&c, sh, start > 0 && line[start - 1] == '@');
	else if (word > 0 && (cmd = cmd_find(first)) != NULL)
		complete_args(&c, sh, cmd, word, prev);
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
