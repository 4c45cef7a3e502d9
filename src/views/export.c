#include "export.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "buf.h"
#include "cmd.h"
#include "fmt.h"
#include "gen.h"
#include "handle.h"
#include "opt.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"
#include "xalloc.h"

/* One command's way into C and into Python; returns 0, or -1 when it has none. */
struct gen_entry {
	const char *cmd;
	int (*c)(struct gen *, const struct session_entry *);
	int (*py)(struct gen *, const struct session_entry *);
};

/* Finds the handle a token names, live or closed, by name or fd number. */
static struct handle *
session_handle(struct shell *sh, const char *text)
{
	struct handle *h = handle_find(&sh->handles, text);

	if (h == NULL && *text && strspn(text, "0123456789") == strlen(text))
		h = handle_by_fd(&sh->handles, atoi(text));
	return h;
}

/* With set python on, prints under a call the Python line that makes it. */
static void
session_show_python(struct shell *sh, const struct session_entry *e)
{
	struct buf b;

	if (!sh->python || !e->made)
		return;
	buf_init(&b);
	if (session_python_line(sh, e, &b) == 0)
		out_meaning(sh, "python: %s", buf_str(&b));
	buf_free(&b);
}

/*
 * Remembers a statement that ran, what it returned, and the handles it
 * named or made; kid names the child that ran it, or is NULL. A child's
 * new handles are its own: their names are not kept.
 */
static void
session_add_in(struct shell *sh, const struct stmt *st, int rc, const char *kid)
{
	struct session_entry entry, *e = &entry;
	const struct cmd_entry *cmd;
	struct handle *h;
	char *argv_in[16], **argv = argv_in;
	size_t len_in[16], *len = len_in;
	int kind_in[16], *kind = kind_in, i;

	if (rc != CMD_OK || st->argc == 0 || st->argv[0].kind != TOK_WORD ||
	    (cmd = cmd_find(st->argv[0].text)) == NULL ||
	    (cmd->group == CMD_GROUP_SHELL &&
	        !(kid && strcmp(cmd->name, "quit") == 0)) ||
	    cmd->group == CMD_GROUP_LESSONS)
		return;
	if (st->argc > 16) { /* rare: the words' arrays on the heap */
		argv = xmalloc((size_t)st->argc * sizeof(*argv));
		len = xmalloc((size_t)st->argc * sizeof(*len));
		kind = xmalloc((size_t)st->argc * sizeof(*kind));
	}
	memset(e, 0, sizeof(*e));
	e->argv = argv;
	e->len = len;
	e->kind = kind;
	e->argc = st->argc;
	for (i = 0; i < st->argc; i++) {
		argv[i] =
		    i == 0 ? (char *)(uintptr_t)cmd->name : st->argv[i].text;
		len[i] = i == 0 ? strlen(cmd->name) : st->argv[i].len;
		kind[i] = (int)st->argv[i].kind;
	}
	/* quit and waitpid leave no call record: an older call's is there */
	e->made = strcmp(cmd->name, "quit") && strcmp(cmd->name, "waitpid")
	    ? sh->last.made
	    : 0;
	e->ret = sh->last.ret;
	e->err = sh->last.err;
	if ((cmd->flags & CMD_HANDLE) &&
	    (h = session_handle(sh, st->argv[1].text)) != NULL) {
		memcpy(e->hname, h->name, sizeof(e->hname));
		e->family = h->family;
		e->type = h->type;
	}
	if (kid)
		snprintf(e->kid, sizeof(e->kid), "%s", kid);
	else if (e->made && e->ret >= 0 && (cmd->flags & CMD_NEWNAME) &&
	    strcmp(cmd->name, "socketpair") == 0 && sh->handles.n >= 2) {
		memcpy(e->made_names[0], sh->handles.v[sh->handles.n - 2]->name,
		    sizeof(e->made_names[0]));
		memcpy(e->made_names[1], sh->handles.v[sh->handles.n - 1]->name,
		    sizeof(e->made_names[1]));
	} else if (e->made && e->ret >= 0 &&
	    (h = handle_by_fd(&sh->handles, (int)e->ret)) != NULL &&
	    (cmd->flags & CMD_NEWNAME || strcmp(cmd->name, "accept") == 0)) {
		memcpy(e->made_names[0], h->name, sizeof(e->made_names[0]));
		e->family = e->family ? e->family : h->family;
	}
	session_put(&sh->session, e);
	if (!kid) /* a child shows its own, under its call */
		session_show_python(sh, e);
	if (argv != argv_in) {
		free(argv);
		free(len);
		free(kind);
	}
}

/* Remembers a statement the shell ran. */
void
session_add(struct shell *sh, const struct stmt *st, int rc)
{
	session_add_in(sh, st, rc, NULL);
}

/* Remembers @NAME COMMAND ...: COMMAND, run in the child NAME. */
void
session_add_child(struct shell *sh, const struct stmt *st, int rc)
{
	struct stmt rest = *st;

	if (st->argc < 2)
		return;
	rest.argv++;
	rest.argc--;
	session_add_in(sh, &rest, rc, st->argv[0].text + 1);
}

/* Forgets every statement. */
void
session_free(struct shell *sh)
{
	session_destroy(sh->session);
	sh->session = NULL;
}

/* Returns 1 when name is a handle the program has made by now. */
static int
gen_known(const struct gen *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->nnames; i++)
		if (strcmp(g->names[i], name) == 0)
			return 1;
	return 0;
}

/* Appends "A|B" of constants, as C writes them or as MOD.A | MOD.B (mod: "socket."). */
static void
gen_consts_in(struct gen *g, const struct sym *t, const char *s,
    const char *mod)
{
	char part[64];
	size_t n;
	long v;
	int first = 1;

	while (*s) {
		n = strcspn(s, "|");
		snprintf(part, sizeof(part), "%.*s", (int)n, s);
		if (!first)
			buf_puts(g->b, g->py ? " | " : "|");
		if (t && sym_value(t, part, &v) == 0 && sym_name(t, v) &&
		    !isdigit((unsigned char)part[0]))
			snprintf(part, sizeof(part), "%s", sym_name(t, v));
		if (g->py && !isdigit((unsigned char)part[0]))
			buf_puts(g->b, mod);
		buf_puts(g->b, part);
		first = 0;
		s += n + (s[n] == '|');
	}
}

/* Appends "A|B" of constants, as C writes them or as socket.A | socket.B. */
static void
gen_consts(struct gen *g, const struct sym *t, const char *s)
{
	gen_consts_in(g, t, s, "socket.");
}

/* Appends the bytes of a data word as a C string or a Python bytes literal. */
static void
gen_data(struct gen *g, const struct session_entry *e, int i, size_t *len)
{
	struct token t = { (enum tok_kind)e->kind[i], e->argv[i], e->len[i],
		0 };
	char err[128], *data = NULL;

	if (parse_data(&t, &data, len, err, sizeof(err)) == -1) {
		*len = 0;
		buf_puts(g->b, g->py ? "b''" : "\"\"");
		return;
	}
	if (g->py)
		fmt_pybytes(g->b, (unsigned char *)data, *len);
	else
		fmt_cstring(g->b, (unsigned char *)data, *len, *len);
	free(data);
}

/*
 * Appends the address words v[0] (and v[1], a port) for a socket of
 * family fam: a Python address, or a C call that fills ss_addr and
 * returns its length.
 */
static void
gen_addr(struct gen *g, int fam, char **v, int n)
{
	char host[256];
	const char *port = n > 1 ? v[1] : "0", *colon;

	if (n == 1 && gen_known(g, v[0])) {
		if (!g->py)
			buf_puts(g->b, "ss_handle_addr(");
		gen_ident(g, v[0]);
		buf_puts(g->b, g->py ? ".getsockname()" : ")");
		return;
	}
	snprintf(host, sizeof(host), "%s", v[0]);
	if (n == 1 && fam != AF_UNIX && (colon = strrchr(v[0], ':')) &&
	    (fam == AF_INET || v[0][0] == '[')) {
		host[colon - v[0]] = '\0';
		port = colon + 1;
	}
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	if (fam == AF_UNIX && g->py)
		buf_printf(g->b, "%s'%s'", host[0] == '@' ? "'\\0' + " : "",
		    host + (host[0] == '@'));
	else if (fam == AF_UNIX)
		buf_printf(g->b, "ss_unix_addr(\"%s\")", host);
	else if (g->py)
		buf_printf(g->b, "('%s', %s)", host, port);
	else
		buf_printf(g->b, "ss_inet_addr(%s, \"%s\", %s)",
		    fam == AF_INET6 ? "AF_INET6" : "AF_INET", host, port);
}

/* Appends a statement's result as a comment: = 3, or = -1 ECONNREFUSED. */
static void
gen_result(struct gen *g, const struct session_entry *e)
{
	if (!e->made)
		return;
	buf_puts(g->b, g->py ? "  # = " : " /* = ");
	if (e->ret == -1)
		buf_printf(g->b, "-1 %s", sym_errno_name(e->err));
	else
		buf_printf(g->b, "%ld", e->ret);
	if (!g->py)
		buf_puts(g->b, " */");
}

/* C for socket [NAME] [FAMILY] [TYPE] [PROTOCOL]. */
static int
gen_c_socket(struct gen *g, const struct session_entry *e)
{
	const char *fam = "AF_INET", *type = "SOCK_STREAM", *proto = "0";
	long v;
	int i;

	for (i = 1; i < e->argc; i++)
		if (e->argv[i][0] == '@')
			continue; /* a lab host: the program's own, where it runs */
		else if (sym_value(sym_family, e->argv[i], &v) == 0)
			fam = sym_name(sym_family, v);
		else if (sym_value(sym_proto, e->argv[i], &v) == 0 &&
		    sym_name(sym_proto, v) && strncmp(e->argv[i], "SOCK", 4))
			proto = e->argv[i];
		else if (strcmp(e->argv[i], e->made_names[0]) != 0)
			type = e->argv[i];
	gen_ident(g, e->made_names[0]);
	buf_printf(g->b, " = socket(%s, ", fam);
	gen_consts(g, sym_socktype, type);
	buf_printf(g->b, ", %s);", proto);
	return 0;
}

/* Python for socket. */
static int
gen_py_socket(struct gen *g, const struct session_entry *e)
{
	const char *fam = "AF_INET", *type = "SOCK_STREAM";
	long v;
	int i;

	for (i = 1; i < e->argc; i++)
		if (e->argv[i][0] == '@')
			continue; /* a lab host: the program's own, where it runs */
		else if (sym_value(sym_family, e->argv[i], &v) == 0)
			fam = sym_name(sym_family, v);
		else if (sym_value(sym_proto, e->argv[i], &v) == 0 &&
		    strncmp(e->argv[i], "SOCK", 4))
			continue;
		else if (strcmp(e->argv[i], e->made_names[0]) != 0)
			type = e->argv[i];
	gen_ident(g, e->made_names[0]);
	buf_printf(g->b, " = socket.socket(socket.%s, ", fam);
	gen_consts(g, sym_socktype, type);
	buf_addc(g->b, ')');
	return 0;
}

/* C and Python for socketpair [NAME1 NAME2] [FAMILY] [TYPE]. */
static int
gen_socketpair(struct gen *g, const struct session_entry *e)
{
	const char *type = "SOCK_STREAM";
	long v;
	int i;

	for (i = 1; i < e->argc; i++)
		if (sym_value(sym_socktype, e->argv[i], &v) == 0 ||
		    strchr(e->argv[i], '|'))
			type = e->argv[i];
	if (g->py) {
		gen_ident(g, e->made_names[0]);
		buf_puts(g->b, ", ");
		gen_ident(g, e->made_names[1]);
		buf_puts(g->b, " = socket.socketpair(socket.AF_UNIX, ");
		gen_consts(g, sym_socktype, type);
		buf_addc(g->b, ')');
		return 0;
	}
	buf_puts(g->b, "socketpair(AF_UNIX, ");
	gen_consts(g, sym_socktype, type);
	buf_puts(g->b, ", 0, ss_sv);");
	gen_result(g, e);
	buf_printf(g->b, "\n%s", g->indent);
	gen_ident(g, e->made_names[0]);
	buf_puts(g->b, " = ss_sv[0];\n");
	buf_puts(g->b, g->indent);
	gen_ident(g, e->made_names[1]);
	buf_puts(g->b, " = ss_sv[1];");
	return 1;
}

/* C and Python for bind, connect and connect_ex: HANDLE ADDRESS [PORT]. */
static int
gen_addr_call(struct gen *g, const struct session_entry *e)
{
	const char *call = strcmp(e->argv[0], "bind") == 0 ? "bind" : "connect";

	if (g->py) {
		if (strcmp(e->argv[0], "connect_ex") == 0)
			buf_puts(g->b, "err = ");
		gen_ident(g, e->hname);
		buf_printf(g->b, ".%s(", e->argv[0]);
		gen_addr(g, e->family, e->argv + 2, e->argc - 2);
		buf_addc(g->b, ')');
		return 0;
	}
	buf_printf(g->b, "ss_len = ");
	gen_addr(g, e->family, e->argv + 2, e->argc - 2);
	buf_printf(g->b, ";\n%s%s(", g->indent, call);
	gen_ident(g, e->hname);
	buf_puts(g->b, ", (struct sockaddr *)&ss_addr, ss_len);");
	return 0;
}

/* C and Python for listen HANDLE [BACKLOG]. */
static int
gen_listen(struct gen *g, const struct session_entry *e)
{
	if (!g->py)
		buf_puts(g->b, "listen(");
	gen_ident(g, e->hname);
	buf_printf(g->b, "%s%s)%s", g->py ? ".listen(" : ", ",
	    e->argc > 2 ? e->argv[2] : "128", g->py ? "" : ";");
	return 0;
}

/* Appends, in C, the size of the address structure of family fam. */
static const char *
gen_addr_size(int fam)
{
	return fam == AF_INET6 ? "sizeof(struct sockaddr_in6)"
	    : fam == AF_UNIX   ? "sizeof(struct sockaddr_un)"
	                       : "sizeof(struct sockaddr_in)";
}

/* C and Python for accept HANDLE [NAME]. */
static int
gen_accept(struct gen *g, const struct session_entry *e)
{
	if (g->py) {
		if (e->made_names[0][0])
			gen_ident(g, e->made_names[0]);
		else
			buf_puts(g->b, "_");
		buf_puts(g->b, ", addr = ");
		gen_ident(g, e->hname);
		buf_puts(g->b, ".accept()");
		return 0;
	}
	buf_printf(g->b, "ss_len = %s;\n%s", gen_addr_size(e->family),
	    g->indent);
	if (e->made_names[0][0]) {
		gen_ident(g, e->made_names[0]);
		buf_puts(g->b, " = ");
	}
	buf_puts(g->b, "accept(");
	gen_ident(g, e->hname);
	buf_puts(g->b, ", (struct sockaddr *)&ss_addr, &ss_len);");
	return 0;
}

/* C and Python for send, sendall and sendto. */
static int
gen_send(struct gen *g, const struct session_entry *e)
{
	int to = strcmp(e->argv[0], "sendto") == 0, na = 0, fl = 3;
	const char *flags = "0";
	size_t len;

	if (to) {
		na = e->argc > 4 &&
		        strspn(e->argv[4], "0123456789") == strlen(e->argv[4])
		    ? 2
		    : 1;
		fl = 3 + na;
	}
	if (e->argc > fl)
		flags = e->argv[fl];
	if (g->py) {
		gen_ident(g, e->hname);
		buf_printf(g->b, ".%s(", e->argv[0]);
		gen_data(g, e, 2, &len);
		if (strcmp(flags, "0")) {
			buf_puts(g->b, ", ");
			gen_consts(g, sym_msg, flags);
		}
		if (to) {
			buf_puts(g->b, ", ");
			gen_addr(g, e->family, e->argv + 3, na);
		}
		buf_addc(g->b, ')');
		return 0;
	}
	if (to) {
		buf_puts(g->b, "ss_len = ");
		gen_addr(g, e->family, e->argv + 3, na);
		buf_printf(g->b, ";\n%s", g->indent);
	}
	buf_printf(g->b, "%s(",
	    strcmp(e->argv[0], "sendall") == 0 ? "ss_sendall" : e->argv[0]);
	gen_ident(g, e->hname);
	buf_puts(g->b, ", ");
	gen_data(g, e, 2, &len);
	buf_printf(g->b, ", %zu, ", len);
	gen_consts(g, sym_msg, flags);
	buf_puts(g->b, to ? ", (struct sockaddr *)&ss_addr, ss_len);" : ");");
	return 0;
}

/* C and Python for recv and recvfrom HANDLE [BUFSIZE] [FLAGS]. */
static int
gen_recv(struct gen *g, const struct session_entry *e)
{
	int from = strcmp(e->argv[0], "recvfrom") == 0;
	const char *size = e->argc > 2 ? e->argv[2] : "1024";

	if (g->py) {
		buf_puts(g->b, from ? "data, addr = " : "data = ");
		gen_ident(g, e->hname);
		buf_printf(g->b, ".%s(%s", e->argv[0], size);
		if (e->argc > 3) {
			buf_puts(g->b, ", ");
			gen_consts(g, sym_msg, e->argv[3]);
		}
		buf_addc(g->b, ')');
		return 0;
	}
	if (from)
		buf_printf(g->b, "ss_len = %s;\n%s", gen_addr_size(e->family),
		    g->indent);
	buf_printf(g->b, "%s(", e->argv[0]);
	gen_ident(g, e->hname);
	buf_printf(g->b, ", ss_buf, %s, ", size);
	gen_consts(g, sym_msg, e->argc > 3 ? e->argv[3] : "0");
	buf_puts(g->b,
	    from ? ", (struct sockaddr *)&ss_addr, &ss_len);" : ");");
	return 0;
}

/* C and Python for shutdown HANDLE HOW. */
static int
gen_shutdown(struct gen *g, const struct session_entry *e)
{
	if (!g->py)
		buf_puts(g->b, "shutdown(");
	gen_ident(g, e->hname);
	buf_puts(g->b, g->py ? ".shutdown(" : ", ");
	gen_consts(g, sym_shut, e->argv[2]);
	buf_puts(g->b, g->py ? ")" : ");");
	return 0;
}

/* C and Python for calls of one handle alone: close, getsockname, getpeername. */
static int
gen_plain(struct gen *g, const struct session_entry *e)
{
	if (g->py) {
		gen_ident(g, e->hname);
		buf_printf(g->b, ".%s()", e->argv[0]);
		return 0;
	}
	if (strcmp(e->argv[0], "close") != 0)
		buf_printf(g->b, "ss_len = %s;\n%s", gen_addr_size(e->family),
		    g->indent);
	buf_printf(g->b, "%s(", e->argv[0]);
	gen_ident(g, e->hname);
	buf_puts(g->b,
	    strcmp(e->argv[0], "close") == 0
	        ? ");"
	        : ", (struct sockaddr *)&ss_addr, &ss_len);");
	return 0;
}

/* C and Python for dup HANDLE NAME: conn2 = dup(conn), conn2 = conn.dup(). */
static int
gen_dup(struct gen *g, const struct session_entry *e)
{
	if (e->made_names[0][0]) {
		gen_ident(g, e->made_names[0]);
		buf_puts(g->b, " = ");
	}
	if (!g->py)
		buf_puts(g->b, "dup(");
	gen_ident(g, e->hname);
	buf_puts(g->b, g->py ? ".dup()" : ");");
	return 0;
}

/* C and Python for setsockopt HANDLE [LEVEL] OPTION VALUE, integer options only. */
static int
gen_setsockopt(struct gen *g, const struct session_entry *e)
{
	const struct opt *o = opt_find(e->argv[e->argc - 2]);
	const char *lv;
	long v;

	if (o == NULL || (o->kind != OPT_INT && o->kind != OPT_BOOL) ||
	    (lv = sym_name(sym_level, o->level)) == NULL)
		return -1;
	v = strtol(e->argv[e->argc - 1], NULL, 0);
	if (o->kind == OPT_BOOL &&
	    strspn(e->argv[e->argc - 1], "0123456789") == 0)
		v = strchr("tTyY", e->argv[e->argc - 1][0]) != NULL ||
		    strcasecmp(e->argv[e->argc - 1], "on") == 0;
	if (g->py) {
		gen_ident(g, e->hname);
		buf_printf(g->b, ".setsockopt(socket.%s, socket.%s, %ld)", lv,
		    o->name, v);
		return 0;
	}
	buf_printf(g->b, "ss_int = %ld;\n%ssetsockopt(", v, g->indent);
	gen_ident(g, e->hname);
	buf_printf(g->b, ", %s, %s, &ss_int, sizeof(ss_int));", lv, o->name);
	return 0;
}

/* C and Python for accept4 HANDLE NAME [FLAGS]. */
static int
gen_accept4(struct gen *g, const struct session_entry *e)
{
	const char *flags = e->argc > 3 ? e->argv[3] : "0";

	if (g->py) { /* Python's accept is accept4 with SOCK_CLOEXEC */
		gen_ident(g, e->made_names[0]);
		buf_puts(g->b, ", addr = ");
		gen_ident(g, e->hname);
		buf_puts(g->b, ".accept()");
		if (strstr(flags, "NONBLOCK") || strstr(flags, "nonblock")) {
			buf_puts(g->b, "; ");
			gen_ident(g, e->made_names[0]);
			buf_puts(g->b, ".setblocking(False)");
		}
		return 0;
	}
	buf_printf(g->b, "ss_len = %s;\n%s", gen_addr_size(e->family),
	    g->indent);
	gen_ident(g, e->made_names[0]);
	buf_puts(g->b, " = accept4(");
	gen_ident(g, e->hname);
	buf_puts(g->b, ", (struct sockaddr *)&ss_addr, &ss_len, ");
	gen_consts(g, sym_sockflag, flags);
	buf_puts(g->b, ");");
	return 0;
}

/* C and Python for dup2 HANDLE FD NAME and dup3 HANDLE FD NAME [O_CLOEXEC]. */
static int
gen_dup2(struct gen *g, const struct session_entry *e)
{
	int three = strcmp(e->argv[0], "dup3") == 0;
	int cloexec = three && e->argc > 4 && strcmp(e->argv[4], "0") != 0;

	gen_ident(g, e->made_names[0]);
	if (g->py) {
		buf_puts(g->b, " = socket.socket(fileno=os.dup2(");
		gen_ident(g, e->hname);
		buf_printf(g->b, ".fileno(), %s%s))", e->argv[2],
		    cloexec ? ", inheritable=False" : "");
		return 0;
	}
	buf_printf(g->b, " = %s(", e->argv[0]);
	gen_ident(g, e->hname);
	buf_printf(g->b, ", %s%s);", e->argv[2],
	    three ? (cloexec ? ", O_CLOEXEC" : ", 0") : "");
	return 0;
}

/* C and Python for fcntl HANDLE F_GETFL and fcntl HANDLE F_SETFL FLAGS. */
static int
gen_fcntl(struct gen *g, const struct session_entry *e)
{
	int set = e->argc > 3;

	buf_puts(g->b, g->py ? "fcntl.fcntl(" : "fcntl(");
	gen_ident(g, e->hname);
	buf_printf(g->b, g->py ? ", fcntl.%s" : ", %s",
	    set ? "F_SETFL" : "F_GETFL");
	if (set) {
		buf_puts(g->b, ", ");
		gen_consts_in(g, sym_oflag, e->argv[3], "os.");
	}
	buf_puts(g->b, g->py ? ")" : ");");
	return 0;
}

/* Appends the handles of sendmsg's fds=H1,H2 as C ints or Python fds, joined with ", ". */
static void
gen_fds(struct gen *g, const char *list)
{
	char name[HANDLE_NAME_MAX];
	size_t n;

	while (*list) {
		n = strcspn(list, ",");
		snprintf(name, sizeof(name), "%.*s", (int)n, list);
		gen_ident(g, name);
		if (g->py)
			buf_puts(g->b, ".fileno()");
		list += n;
		if (*list == ',' && *++list)
			buf_puts(g->b, ", ");
	}
}

/* C and Python for sendmsg HANDLE [DATA] [fds=H1,H2,...]. */
static int
gen_sendmsg(struct gen *g, const struct session_entry *e)
{
	int fds = e->argc > 2 && strncmp(e->argv[e->argc - 1], "fds=", 4) == 0;
	int data = e->argc - fds > 2;
	size_t len = 0;

	if (g->py) {
		buf_puts(g->b, fds ? "socket.send_fds(" : "");
		gen_ident(g, e->hname);
		buf_puts(g->b, fds ? ", [" : ".sendmsg([");
		if (data)
			gen_data(g, e, 2, &len);
		else
			buf_puts(g->b, "b''");
		if (fds) {
			buf_puts(g->b, "], [");
			gen_fds(g, e->argv[e->argc - 1] + 4);
		}
		buf_puts(g->b, "])");
		return 0;
	}
	if (fds) {
		buf_puts(g->b, "{\n");
		buf_printf(g->b, "%s\tint fds[] = { ", g->indent);
		gen_fds(g, e->argv[e->argc - 1] + 4);
		buf_printf(g->b, " };\n\n%s\t", g->indent);
	}
	buf_puts(g->b, "ss_sendmsg(");
	gen_ident(g, e->hname);
	buf_puts(g->b, ", ");
	if (data)
		gen_data(g, e, 2, &len);
	else
		buf_puts(g->b, "\"\"");
	buf_printf(g->b, ", %zu, %s);", len,
	    fds ? "fds, sizeof(fds) / sizeof(fds[0])" : "NULL, 0");
	if (fds) {
		gen_result(g, e);
		buf_printf(g->b, "\n%s}", g->indent);
		return 1;
	}
	return 0;
}

/* C and Python for recvmsg HANDLE [NAME...]: the names get the descriptors received. */
static int
gen_recvmsg(struct gen *g, const struct session_entry *e)
{
	int i, n = e->argc - 2;

	if (g->py && n == 0) {
		buf_puts(g->b, "data, anc, flags, addr = ");
		gen_ident(g, e->hname);
		buf_puts(g->b, ".recvmsg(1024)");
		return 0;
	}
	if (g->py) {
		buf_puts(g->b, "data, fds, flags, addr = socket.recv_fds(");
		gen_ident(g, e->hname);
		buf_printf(g->b, ", 1024, %d)", n);
		gen_result(g, e);
		buf_puts(g->b, "\n");
		for (i = 0; i < n; i++) {
			gen_ident(g, e->argv[i + 2]);
			buf_puts(g->b, ", ");
		}
		buf_printf(g->b,
		    "= [socket.socket(fileno=f) for f in fds] + [None] * "
		    "(%d - len(fds))",
		    n);
		return 1;
	}
	buf_puts(g->b, "ss_recvmsg(");
	gen_ident(g, e->hname);
	buf_printf(g->b, ", ss_fds, %d);", n);
	gen_result(g, e);
	for (i = 0; i < n; i++) {
		buf_printf(g->b, "\n%s", g->indent);
		gen_ident(g, e->argv[i + 2]);
		buf_printf(g->b, " = ss_fds[%d];", i);
	}
	return 1;
}

/*
 * Appends poll's and select's HANDLE[:EVENTS] words: in C the
 * arguments "fd, EVENTS, ..." of ss_poll and ss_select, in Python the
 * handles in list k of select (0 read, 1 write, 2 except), or poll's
 * register calls when k is -1.
 */
static void
gen_ready_args(struct gen *g, const struct session_entry *e, int nh, int k)
{
	static const char *const bit[3] = { "POLLIN", "POLLOUT", "POLLPRI" };
	char name[HANDLE_NAME_MAX];
	const char *colon, *ev;
	int i, first = 1;

	for (i = 1; i <= nh; i++) {
		colon = strchr(e->argv[i], ':');
		ev = colon ? colon + 1 : "POLLIN";
		snprintf(name, sizeof(name), "%.*s",
		    (int)(colon ? (size_t)(colon - e->argv[i])
		                : strlen(e->argv[i])),
		    e->argv[i]);
		if (g->py && k >= 0 && !strstr(ev, bit[k]))
			continue;
		if (g->py && k >= 0) {
			buf_puts(g->b, first ? "" : ", ");
			gen_ident(g, name);
		} else if (g->py) {
			buf_puts(g->b, "ss_p.register(");
			gen_ident(g, name);
			buf_puts(g->b, ", ");
			gen_consts_in(g, sym_poll, ev, "select.");
			buf_puts(g->b, "); ");
		} else {
			buf_puts(g->b, ", ");
			gen_ident(g, name);
			buf_puts(g->b, ", ");
			gen_consts(g, sym_poll, ev);
		}
		first = 0;
	}
}

/* C and Python for poll and select HANDLE[:EVENTS]... [TIMEOUT_MS]. */
static int
gen_ready(struct gen *g, const struct session_entry *e)
{
	int sel = strcmp(e->argv[0], "select") == 0, nh = e->argc - 1, k;
	const char *last = e->argv[e->argc - 1];
	long ms = -1;

	if (nh > 1 && strspn(last, "-0123456789") == strlen(last)) {
		ms = strtol(last, NULL, 10);
		nh--;
	}
	if (!g->py) {
		buf_printf(g->b, "ss_%s(%ld, %d", e->argv[0], ms, nh);
		gen_ready_args(g, e, nh, -1);
		buf_puts(g->b, ");");
		return 0;
	}
	if (!sel) {
		buf_puts(g->b, "ss_p = select.poll(); ");
		gen_ready_args(g, e, nh, -1);
		buf_printf(g->b, "ss_p.poll(%ld)", ms);
		return 0;
	}
	buf_puts(g->b, "select.select(");
	for (k = 0; k < 3; k++) {
		buf_puts(g->b, "[");
		gen_ready_args(g, e, nh, k);
		buf_puts(g->b, "], ");
	}
	if (ms < 0)
		buf_puts(g->b, "None)");
	else
		buf_printf(g->b, "%g)", (double)ms / 1000);
	return 0;
}

/* C and Python for epoll_create1 [NAME] [EPOLL_CLOEXEC]. */
static int
gen_epoll_create1(struct gen *g, const struct session_entry *e)
{
	int i, cloexec = 0;

	for (i = 1; i < e->argc; i++)
		cloexec |= strcasecmp(e->argv[i], "EPOLL_CLOEXEC") == 0;
	gen_ident(g, e->made_names[0]);
	buf_puts(g->b, g->py ? " = select.epoll()" : " = epoll_create1(");
	if (!g->py)
		buf_puts(g->b, cloexec ? "EPOLL_CLOEXEC);" : "0);");
	return 0;
}

/* C and Python for epoll_ctl EP ADD|MOD|DEL HANDLE [EVENTS]. */
static int
gen_epoll_ctl(struct gen *g, const struct session_entry *e)
{
	static const char *const py[3] = { "register", "modify", "unregister" };
	const char *events = e->argc > 4 ? e->argv[4] : "EPOLLIN";
	int op = strcasecmp(e->argv[2], "ADD") == 0 ? 0
	    : strcasecmp(e->argv[2], "MOD") == 0    ? 1
	                                            : 2;

	if (g->py) {
		gen_ident(g, e->argv[1]);
		buf_printf(g->b, ".%s(", py[op]);
		gen_ident(g, e->argv[3]);
		if (op < 2) {
			buf_puts(g->b, ", ");
			gen_consts_in(g, sym_epoll, events, "select.");
		}
		buf_addc(g->b, ')');
		return 0;
	}
	buf_puts(g->b, "ss_epoll_ctl(");
	gen_ident(g, e->argv[1]);
	buf_printf(g->b, ", EPOLL_CTL_%s, ",
	    op == 0       ? "ADD"
	        : op == 1 ? "MOD"
	                  : "DEL");
	gen_ident(g, e->argv[3]);
	buf_puts(g->b, ", ");
	if (op < 2)
		gen_consts(g, sym_epoll, events);
	else
		buf_puts(g->b, "0");
	buf_puts(g->b, ");");
	return 0;
}

/* C and Python for epoll_wait EP [MAXEVENTS] [TIMEOUT_MS]. */
static int
gen_epoll_wait(struct gen *g, const struct session_entry *e)
{
	long max = e->argc > 2 ? strtol(e->argv[2], NULL, 10) : 8;
	long ms = e->argc > 3 ? strtol(e->argv[3], NULL, 10) : -1;

	if (g->py) {
		gen_ident(g, e->argv[1]);
		if (ms < 0)
			buf_printf(g->b, ".poll(-1, %ld)", max);
		else
			buf_printf(g->b, ".poll(%g, %ld)", (double)ms / 1000,
			    max);
		return 0;
	}
	buf_printf(g->b, "epoll_wait(");
	gen_ident(g, e->argv[1]);
	buf_printf(g->b, ", ss_ev, %ld, %ld);", max, ms);
	return 0;
}

/* C and Python for setblocking HANDLE true|false: Python's one ioctl. */
static int
gen_setblocking(struct gen *g, const struct session_entry *e)
{
	int block = strchr("tT1yY", e->argv[2][0]) != NULL ||
	    strcasecmp(e->argv[2], "on") == 0;

	if (g->py) {
		gen_ident(g, e->hname);
		buf_printf(g->b, ".setblocking(%s)", block ? "True" : "False");
		return 0;
	}
	buf_printf(g->b, "ss_int = %d;\n%sioctl(", !block, g->indent);
	gen_ident(g, e->hname);
	buf_puts(g->b, ", FIONBIO, &ss_int);");
	return 0;
}

/*
 * C and Python for settimeout HANDLE SECONDS|none: SO_RCVTIMEO and
 * SO_SNDTIMEO as the shell sets them (Python's own settimeout polls
 * instead, so the Python sets the same options).
 */
static int
gen_settimeout(struct gen *g, const struct session_entry *e)
{
	double d = strtod(e->argv[2], NULL);
	long sec = (long)d, usec = (long)((d - (double)sec) * 1e6 + 0.5);
	int k;

	if (strcasecmp(e->argv[2], "none") == 0)
		sec = usec = 0;
	for (k = 0; k < 2; k++) {
		const char *opt = k ? "SO_SNDTIMEO" : "SO_RCVTIMEO";

		if (k)
			buf_printf(g->b, g->py ? "; " : "\n%s", g->indent);
		if (g->py) {
			gen_ident(g, e->hname);
			buf_printf(g->b,
			    ".setsockopt(socket.SOL_SOCKET, "
			    "socket.%s, struct.pack('ll', %ld, %ld))",
			    opt, sec, usec);
			continue;
		}
		buf_printf(g->b,
		    "ss_tv.tv_sec = %ld, ss_tv.tv_usec = %ld;\n%s"
		    "setsockopt(",
		    sec, usec, g->indent);
		gen_ident(g, e->hname);
		buf_printf(g->b, ", SOL_SOCKET, %s, &ss_tv, sizeof(ss_tv));",
		    opt);
	}
	return 0;
}

/* C and Python for unlink PATH. */
static int
gen_unlink(struct gen *g, const struct session_entry *e)
{
	buf_printf(g->b, g->py ? "os.unlink('%s')" : "unlink(\"%s\");",
	    e->argv[1]);
	return 0;
}

static const struct gen_entry gen_table[] = { { "socket", gen_c_socket,
	                                          gen_py_socket },
	{ "socketpair", gen_socketpair, gen_socketpair },
	{ "bind", gen_addr_call, gen_addr_call },
	{ "connect", gen_addr_call, gen_addr_call },
	{ "connect_ex", gen_addr_call, gen_addr_call },
	{ "listen", gen_listen, gen_listen },
	{ "accept", gen_accept, gen_accept },
	{ "accept4", gen_accept4, gen_accept4 }, { "send", gen_send, gen_send },
	{ "sendall", gen_send, gen_send }, { "sendto", gen_send, gen_send },
	{ "recv", gen_recv, gen_recv }, { "recvfrom", gen_recv, gen_recv },
	{ "shutdown", gen_shutdown, gen_shutdown },
	{ "close", gen_plain, gen_plain }, { "dup", gen_dup, gen_dup },
	{ "dup2", gen_dup2, gen_dup2 }, { "dup3", gen_dup2, gen_dup2 },
	{ "fcntl", gen_fcntl, gen_fcntl },
	{ "sendmsg", gen_sendmsg, gen_sendmsg },
	{ "recvmsg", gen_recvmsg, gen_recvmsg },
	{ "poll", gen_ready, gen_ready }, { "select", gen_ready, gen_ready },
	{ "epoll_create1", gen_epoll_create1, gen_epoll_create1 },
	{ "epoll_ctl", gen_epoll_ctl, gen_epoll_ctl },
	{ "epoll_wait", gen_epoll_wait, gen_epoll_wait },
	{ "getsockname", gen_plain, gen_plain },
	{ "getpeername", gen_plain, gen_plain },
	{ "setsockopt", gen_setsockopt, gen_setsockopt },
	{ "unlink", gen_unlink, gen_unlink },
	{ "setblocking", gen_setblocking, gen_setblocking },
	{ "settimeout", gen_settimeout, gen_settimeout },
	{ "fork", gen_fork, gen_fork }, { "waitpid", gen_waitpid, gen_waitpid },
	{ "quit", gen_exit, gen_exit }, { NULL, NULL, NULL } };

/* Returns the generator of a command, or NULL. */
static const struct gen_entry *
gen_find(const char *name)
{
	const struct gen_entry *ge;

	for (ge = gen_table; ge->cmd; ge++)
		if (strcmp(ge->cmd, name) == 0)
			return ge;
	return NULL;
}

/* Notes a handle the program has made by now. */
static void
gen_name(struct gen *g, const char *name)
{
	if (!name[0] || gen_known(g, name))
		return;
	g->names = xrealloc(g->names, (g->nnames + 1) * sizeof(*g->names));
	snprintf(g->names[g->nnames++], HANDLE_NAME_MAX, "%s", name);
}

/* Notes the handles a statement made, so later addresses may name them. */
static void
gen_learn(struct gen *g, const struct session_entry *e)
{
	int i;

	gen_name(g, e->made_names[0]);
	gen_name(g, e->made_names[1]);
	for (i = 2; strcmp(e->argv[0], "recvmsg") == 0 && i < e->argc; i++)
		gen_name(g, e->argv[i]); /* the descriptors it names */
}

/*
 * Appends the Python statement that makes the same call as e, for
 * "set python on". Returns 0, or -1 when there is none.
 */
int
session_python_line(struct shell *sh, const struct session_entry *e,
    struct buf *b)
{
	const struct gen_entry *ge = gen_find(e->argv[0]);
	struct gen g = { sh, 1, b, "", NULL, 0, NULL, 0, -1, 1 };
	size_t i;
	int rc;

	if (ge == NULL)
		return -1;
	/* the handles made so far, the session's statements' own, without
	 * walking the session for every line */
	for (i = 0; i < sh->handles.n; i++)
		gen_name(&g, sh->handles.v[i]->name);
	rc = ge->py(&g, e);
	free(g.names);
	free(g.kids);
	return rc == -1 ? -1 : 0;
}

/* The start of an exported C program: headers and the helpers it calls. */
static const char gen_c_head[] =
    "#define _GNU_SOURCE\n"
    "#include <arpa/inet.h>\n#include <fcntl.h>\n#include <netdb.h>\n"
    "#include <netinet/in.h>\n#include <netinet/tcp.h>\n#include <poll.h>\n"
    "#include <signal.h>\n#include <stdarg.h>\n#include <stddef.h>\n"
    "#include <string.h>\n#include <sys/epoll.h>\n#include <sys/ioctl.h>\n"
    "#include <sys/select.h>\n#include <sys/socket.h>\n"
    "#include <sys/time.h>\n#include <sys/un.h>\n#include <sys/wait.h>\n"
    "#include <unistd.h>\n\n"
    "#define SS_UNUSED __attribute__((unused))\n"
    "static char ss_buf[1 << 20] SS_UNUSED;\n"
    "static struct sockaddr_storage ss_addr SS_UNUSED;\n"
    "static socklen_t ss_len SS_UNUSED;\n"
    "static int ss_sv[2] SS_UNUSED, ss_int SS_UNUSED;\n"
    "static struct timeval ss_tv SS_UNUSED;\n"
    "static int ss_fds[16] SS_UNUSED;\n"
    "static struct epoll_event ss_ev[64] SS_UNUSED;\n\n"
    "/* Fills ss_addr with an IPv4 or IPv6 address; returns its length. */\n"
    "static socklen_t __attribute__((unused))\n"
    "ss_inet_addr(int family, const char *host, int port)\n{\n"
    "\tstruct sockaddr_in *in = (struct sockaddr_in *)&ss_addr;\n"
    "\tstruct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss_addr;\n"
    "\tstruct addrinfo hints, *res;\n\n"
    "\tmemset(&ss_addr, 0, sizeof(ss_addr));\n"
    "\tif (strcmp(host, \"localhost\") == 0)\n"
    "\t\thost = family == AF_INET ? \"127.0.0.1\" : \"::1\";\n"
    "\tif (family == AF_INET) {\n\t\tin->sin_family = AF_INET;\n"
    "\t\tin->sin_port = htons(port);\n"
    "\t\tif (*host && inet_pton(AF_INET, host, &in->sin_addr) != 1) {\n"
    "\t\t\tmemset(&hints, 0, sizeof(hints));\n"
    "\t\t\thints.ai_family = AF_INET;\n"
    "\t\t\tif (getaddrinfo(host, NULL, &hints, &res) == 0) {\n"
    "\t\t\t\tin->sin_addr = ((struct sockaddr_in *)res->ai_addr)->"
    "sin_addr;\n\t\t\t\tfreeaddrinfo(res);\n\t\t\t}\n\t\t}\n"
    "\t\treturn sizeof(*in);\n\t}\n"
    "\tin6->sin6_family = AF_INET6;\n\tin6->sin6_port = htons(port);\n"
    "\tif (*host)\n\t\tinet_pton(AF_INET6, host, &in6->sin6_addr);\n"
    "\treturn sizeof(*in6);\n}\n\n"
    "/* Fills ss_addr with a Unix socket path or @abstract name. */\n"
    "static socklen_t __attribute__((unused))\n"
    "ss_unix_addr(const char *path)\n{\n"
    "\tstruct sockaddr_un *un = (struct sockaddr_un *)&ss_addr;\n\n"
    "\tmemset(&ss_addr, 0, sizeof(ss_addr));\n"
    "\tun->sun_family = AF_UNIX;\n"
    "\tstrncpy(un->sun_path, path, sizeof(un->sun_path) - 1);\n"
    "\tif (path[0] != '@')\n\t\treturn sizeof(*un);\n"
    "\tun->sun_path[0] = '\\0';\n"
    "\treturn offsetof(struct sockaddr_un, sun_path) + strlen(path);\n}\n\n"
    "/* Fills ss_addr with where fd is bound, the wildcard made loopback. */\n"
    "static socklen_t __attribute__((unused))\n"
    "ss_handle_addr(int fd)\n{\n"
    "\tstruct sockaddr_in *in = (struct sockaddr_in *)&ss_addr;\n"
    "\tstruct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss_addr;\n"
    "\tsocklen_t len = sizeof(ss_addr);\n\n"
    "\tgetsockname(fd, (struct sockaddr *)&ss_addr, &len);\n"
    "\tif (ss_addr.ss_family == AF_INET && in->sin_addr.s_addr == "
    "htonl(INADDR_ANY))\n"
    "\t\tin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);\n"
    "\telse if (ss_addr.ss_family == AF_INET6 &&\n"
    "\t    IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))\n"
    "\t\tin6->sin6_addr = in6addr_loopback;\n"
    "\treturn len;\n}\n\n"
    "/* Python's sendall: send until all has gone or a send fails. */\n"
    "static ssize_t __attribute__((unused))\n"
    "ss_sendall(int fd, const char *p, size_t len, int flags)\n{\n"
    "\tsize_t done = 0;\n\tssize_t n = 0;\n\n"
    "\twhile (done < len && (n = send(fd, p + done, len - done, flags)) "
    "> 0)\n\t\tdone += (size_t)n;\n"
    "\treturn n < 0 ? n : (ssize_t)done;\n}\n\n"
    "/* sendmsg of p, passing the descriptors fds with SCM_RIGHTS. */\n"
    "static ssize_t __attribute__((unused))\n"
    "ss_sendmsg(int fd, const char *p, size_t len, const int *fds, "
    "size_t nfds)\n{\n"
    "\tunion {\n\t\tstruct cmsghdr h;\n"
    "\t\tchar b[CMSG_SPACE(16 * sizeof(int))];\n\t} c;\n"
    "\tstruct iovec iov = { (void *)p, len };\n"
    "\tstruct msghdr m;\n\tstruct cmsghdr *h;\n\n"
    "\tmemset(&m, 0, sizeof(m));\n\tmemset(&c, 0, sizeof(c));\n"
    "\tm.msg_iov = &iov;\n\tm.msg_iovlen = 1;\n"
    "\tif (nfds > 0) {\n\t\tm.msg_control = c.b;\n"
    "\t\tm.msg_controllen = CMSG_SPACE(nfds * sizeof(int));\n"
    "\t\th = CMSG_FIRSTHDR(&m);\n\t\th->cmsg_level = SOL_SOCKET;\n"
    "\t\th->cmsg_type = SCM_RIGHTS;\n"
    "\t\th->cmsg_len = CMSG_LEN(nfds * sizeof(int));\n"
    "\t\tmemcpy(CMSG_DATA(h), fds, nfds * sizeof(int));\n\t}\n"
    "\treturn sendmsg(fd, &m, 0);\n}\n\n"
    "/* recvmsg of up to 1024 bytes, with room for nfds descriptors: into "
    "fds, -1 for none. */\n"
    "static ssize_t __attribute__((unused))\n"
    "ss_recvmsg(int fd, int *fds, int nfds)\n{\n"
    "\tunion {\n\t\tstruct cmsghdr h;\n"
    "\t\tchar b[CMSG_SPACE(16 * sizeof(int))];\n\t} c;\n"
    "\tstruct iovec iov = { ss_buf, 1024 };\n"
    "\tstruct msghdr m;\n\tstruct cmsghdr *h;\n\tssize_t n;\n"
    "\tint i;\n\n"
    "\tmemset(&m, 0, sizeof(m));\n\tmemset(&c, 0, sizeof(c));\n"
    "\tm.msg_iov = &iov;\n\tm.msg_iovlen = 1;\n"
    "\tif (nfds > 0) {\n\t\tm.msg_control = c.b;\n"
    "\t\tm.msg_controllen = CMSG_LEN(nfds * sizeof(int));\n\t}\n"
    "\tfor (i = 0; i < nfds; i++)\n\t\tfds[i] = -1;\n"
    "\tn = recvmsg(fd, &m, 0);\n"
    "\th = n >= 0 && m.msg_controllen ? CMSG_FIRSTHDR(&m) : NULL;\n"
    "\tif (h && h->cmsg_type == SCM_RIGHTS)\n"
    "\t\tmemcpy(fds, CMSG_DATA(h), h->cmsg_len - CMSG_LEN(0));\n"
    "\treturn n;\n}\n\n"
    "/* poll over n pairs of (fd, events) given after n. */\n"
    "static int __attribute__((unused))\n"
    "ss_poll(int timeout, int n, ...)\n{\n"
    "\tstruct pollfd p[64];\n\tva_list ap;\n\tint i;\n\n"
    "\tva_start(ap, n);\n\tfor (i = 0; i < n; i++) {\n"
    "\t\tp[i].fd = va_arg(ap, int);\n"
    "\t\tp[i].events = (short)va_arg(ap, int);\n"
    "\t\tp[i].revents = 0;\n\t}\n\tva_end(ap);\n"
    "\treturn poll(p, (nfds_t)n, timeout);\n}\n\n"
    "/* select over n pairs of (fd, events): POLLIN reads, POLLOUT writes, "
    "POLLPRI exceptions. */\n"
    "static int __attribute__((unused))\n"
    "ss_select(int timeout, int n, ...)\n{\n"
    "\tstatic const short bit[3] = { POLLIN, POLLOUT, POLLPRI };\n"
    "\tfd_set s[3];\n\tstruct timeval tv = { timeout / 1000, "
    "(timeout % 1000) * 1000 };\n"
    "\tint i, k, fd, ev, nfds = 0, used[3] = { 0, 0, 0 };\n"
    "\tva_list ap;\n\n"
    "\tfor (k = 0; k < 3; k++)\n\t\tFD_ZERO(&s[k]);\n"
    "\tva_start(ap, n);\n\tfor (i = 0; i < n; i++) {\n"
    "\t\tfd = va_arg(ap, int);\n\t\tev = va_arg(ap, int);\n"
    "\t\tfor (k = 0; k < 3; k++)\n"
    "\t\t\tif (ev & bit[k]) {\n\t\t\t\tFD_SET(fd, &s[k]);\n"
    "\t\t\t\tused[k] = 1;\n\t\t\t}\n"
    "\t\tif (fd + 1 > nfds)\n\t\t\tnfds = fd + 1;\n\t}\n"
    "\tva_end(ap);\n"
    "\treturn select(nfds, used[0] ? &s[0] : NULL, used[1] ? &s[1] : "
    "NULL,\n\t    used[2] ? &s[2] : NULL, timeout < 0 ? NULL : &tv);\n"
    "}\n\n"
    "/* epoll_ctl with events, the fd as the event's data; DEL passes "
    "no event. */\n"
    "static int __attribute__((unused))\n"
    "ss_epoll_ctl(int ep, int op, int fd, unsigned events)\n{\n"
    "\tstruct epoll_event ev;\n\n\tmemset(&ev, 0, sizeof(ev));\n"
    "\tev.events = events;\n\tev.data.fd = fd;\n"
    "\treturn epoll_ctl(ep, op, fd, op == EPOLL_CTL_DEL ? NULL : &ev);\n"
    "}\n\n";

/*
 * Returns 1 when a child's statement e can be exported: it names no
 * handle the child made (those are the child's own, their names not kept).
 */
static int
gen_kid_ok(const struct session_entry *e)
{
	static const char *const makes[] = { "socket", "socketpair", "accept",
		"accept4", "dup", "dup2", "dup3", "epoll_create1", NULL };
	const struct cmd_entry *cmd = cmd_find(e->argv[0]);
	int i;

	if (!e->kid[0])
		return 1;
	for (i = 0; makes[i]; i++)
		if (strcmp(e->argv[0], makes[i]) == 0)
			return 0;
	if (strcmp(e->argv[0], "recvmsg") == 0 && e->argc > 2)
		return 0;
	return !(cmd && (cmd->flags & CMD_HANDLE) && !e->hname[0]);
}

/*
 * Appends text to b as lines of the program: the first after lead, each
 * line after extra, the indent of the block it is in.
 */
static void
gen_put(struct buf *b, const char *text, const char *lead, const char *extra)
{
	buf_puts(b, lead);
	buf_puts(b, extra);
	for (; *text; text++) {
		buf_addc(b, *text);
		if (*text == '\n')
			buf_puts(b, extra);
	}
	buf_addc(b, '\n');
}

/* Appends statement e of the session to b as the program's line(s); ok 0: as not exported. */
static void
gen_stmt(struct gen *g, struct buf *b, const struct session_entry *e, int ok)
{
	const struct gen_entry *ge = gen_find(e->argv[0]);
	const char *extra = g->side >= 0 ? (g->py ? "    " : "\t") : "";
	struct buf try;
	int rc, fail;

	buf_reset(g->b);
	rc = ok && ge && gen_kid_ok(e) ? (g->py ? ge->py : ge->c)(g, e) : -1;
	gen_learn(g, e);
	if (rc == -1) {
		buf_printf(b, "%s%s%s%s %s%s%s%s: not exported%s\n",
		    g->py ? "" : "\t", extra,
		    g->py && g->side >= 0 ? "pass  " : "", g->py ? "#" : "/*",
		    e->kid[0] ? "@" : "", e->kid, e->kid[0] ? " " : "",
		    e->argv[0], g->py ? "" : " */");
		return;
	}
	fail = g->py && e->made && e->ret == -1;
	if (!fail && rc == 0)
		gen_result(g, e);
	if (!fail) {
		gen_put(b, buf_str(g->b), g->py ? "" : "\t", extra);
		return;
	}
	buf_init(&try);
	buf_printf(&try,
	    "try:\n    %s\nexcept OSError as e:\n    print(e)  # = -1 %s",
	    buf_str(g->b), sym_errno_name(e->err));
	gen_put(b, buf_str(&try), "", extra);
	buf_free(&try);
}

/* Writes the session as a C (or Python) program to f. Returns 0, or -1 on a write error. */
static int
session_write(struct shell *sh, int py, FILE *f)
{
	const struct session_entry *e;
	struct gen g = { sh, py, NULL, py ? "    " : "\t", NULL, 0, NULL, 0, -1,
		0 };
	struct session_iter it;
	struct buf b, line;
	size_t k;
	int rc, side;

	buf_init(&b);
	buf_init(&line);
	g.b = &line;
	if (py)
		buf_puts(&b,
		    "#!/usr/bin/env python3\n\"\"\"Written by sockstep's "
		    "export: the calls of a session, in the same order.\"\"\"\n"
		    "import fcntl\nimport os\nimport select\nimport socket\n"
		    "import struct\n\n");
	else
		buf_puts(&b,
		    "/* Written by sockstep's export: the calls of a "
		    "session, in the same order. */\n");
	if (!py)
		buf_puts(&b, gen_c_head);
	session_iter_start(&it, sh->session);
	while ((e = session_iter_next(&it)) != NULL) {
		gen_learn(&g, e);
		gen_forks_head(&g, &b, e);
	}
	session_iter_end(&it);
	gen_forks_head(&g, &b, NULL);
	if (!py) {
		buf_puts(&b, "int\nmain(void)\n{\n");
		g.b = &b;
		for (k = 0; k < g.nnames; k++) {
			buf_puts(&b, "\tint ");
			gen_ident(&g, g.names[k]);
			buf_puts(&b, " = -1;\n");
		}
		gen_forks_decl(&g, &b, 1);
		buf_puts(&b,
		    "\n\t/* The shell catches SIGPIPE: a failed send "
		    "shows EPIPE. */\n\tsignal(SIGPIPE, SIG_IGN);\n");
		g.b = &line;
	}
	g.nnames = 0;
	g.nkids = 0;
	session_iter_start(&it, sh->session);
	while ((e = session_iter_next(&it)) != NULL) {
		side = gen_side(&g, e);
		gen_switch(&g, &b, side < 0 ? g.side : side);
		gen_stmt(&g, &b, e, side >= 0);
		if (strcmp(e->argv[0], "fork") == 0)
			gen_switch(&g, &b, -1); /* the child starts after it */
	}
	session_iter_end(&it);
	gen_forks_end(&g, &b);
	if (!py) {
		g.b = &b;
		for (k = 0; k < g.nnames; k++) {
			buf_puts(&b, "\t(void)");
			gen_ident(&g, g.names[k]);
			buf_puts(&b, ";\n");
		}
		gen_forks_decl(&g, &b, 0);
		buf_puts(&b, "\treturn 0;\n}\n");
	}
	free(g.names);
	free(g.kids);
	rc = fwrite(b.p, 1, b.len, f) == b.len ? 0 : -1;
	buf_free(&line);
	buf_free(&b);
	return rc;
}

/* Writes the session as a program in lang ("c" or "python") to f. Returns 0, or -1. */
int
session_export(struct shell *sh, const char *lang, FILE *f)
{
	return session_write(sh, strcmp(lang, "python") == 0, f);
}
