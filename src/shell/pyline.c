#include "pyline.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "cmd.h"
#include "fmt.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sys.h"
#include "var.h"
#include "xalloc.h"

#define PY_DEPTH 16 /* brackets inside brackets, at most */
#define PY_ARGS 4 /* arguments of a call, at most */

/* What an expression of the subset stands for. */
enum pyv_kind {
	PV_NONE, /* None */
	PV_STR,
	PV_BYTES,
	PV_NUM, /* an int or float, as written */
	PV_BOOL, /* True or False, as written */
	PV_CONST, /* socket.AF_INET and the like: its name */
	PV_TUPLE,
	PV_NAME, /* a name that holds no value: a handle, or nothing */
	PV_MODULE, /* socket */
	PV_SOCKET, /* socket.socket(...) */
	PV_HOSTNAME, /* socket.gethostname(): the name, made as a call */
	PV_METHOD, /* HANDLE.METHOD(...) */
	PV_PRINT /* print(...): the line it prints */
};

struct pyv {
	enum pyv_kind kind;
	struct buf text; /* the value, or the name */
	char meth[HANDLE_NAME_MAX]; /* PV_METHOD */
	struct pyv *v; /* items of a tuple, arguments of a call */
	int n;
};

/* A line being read: where, and the variables names are looked up in. */
struct py {
	const char *s;
	size_t i;
	size_t n;
	const struct vars *vars;
	struct buf *err;
	int depth;
};

static int py_expr(struct py *, struct pyv *);
static int py_fail(struct py *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees what v holds. */
static void
pyv_free(struct pyv *v)
{
	int i;

	for (i = 0; i < v->n; i++)
		pyv_free(&v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
	buf_free(&v->text);
}

/* Sets v empty, of kind k. */
static void
pyv_init(struct pyv *v, enum pyv_kind k)
{
	memset(v, 0, sizeof(*v));
	buf_init(&v->text);
	v->kind = k;
}

/* Says what is wrong (the first message wins). Returns -1. */
static int
py_fail(struct py *p, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (p->err->len == 0) {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		buf_puts(p->err, msg);
	}
	return -1;
}

/* Skips spaces. */
static void
py_space(struct py *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t'))
		p->i++;
}

/* Returns 1 and skips c (after spaces) when it comes next. */
static int
py_eat(struct py *p, char c)
{
	py_space(p);
	if (p->i < p->n && p->s[p->i] == c) {
		p->i++;
		return 1;
	}
	return 0;
}

/* Reads a name into out (cut to size). Returns its length, 0 if none. */
static size_t
py_ident(struct py *p, char *out, size_t size)
{
	size_t start, len;

	py_space(p);
	start = p->i;
	if (p->i >= p->n ||
	    (!isalpha((unsigned char)p->s[p->i]) && p->s[p->i] != '_'))
		return 0;
	while (p->i < p->n &&
	    (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '_'))
		p->i++;
	len = p->i - start;
	if (len >= size) {
		p->i = start;
		return 0;
	}
	memcpy(out, p->s + start, len);
	out[len] = '\0';
	return len;
}

/* Appends the Python repr of the str s to b. */
static void
py_repr_str(struct buf *b, const char *s, size_t len)
{
	char q = memchr(s, '\'', len) && !memchr(s, '"', len) ? '"' : '\'';
	size_t i;

	buf_addc(b, q);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == (unsigned char)q || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, (char)c);
	}
	buf_addc(b, q);
}

/* Appends str(v) (repr when repr is 1) to b, as Python prints it. */
static void
py_show(struct buf *b, const struct pyv *v, int repr)
{
	int i;

	switch (v->kind) {
	case PV_STR:
	case PV_HOSTNAME:
		if (repr)
			py_repr_str(b, v->text.p ? v->text.p : "", v->text.len);
		else
			buf_add(b, v->text.p ? v->text.p : "", v->text.len);
		break;
	case PV_BYTES:
		fmt_pybytes(b, (const unsigned char *)v->text.p, v->text.len);
		break;
	case PV_TUPLE:
		buf_addc(b, '(');
		for (i = 0; i < v->n; i++) {
			if (i)
				buf_puts(b, ", ");
			py_show(b, &v->v[i], 1);
		}
		buf_puts(b, v->n == 1 ? ",)" : ")");
		break;
	case PV_NONE:
		buf_puts(b, "None");
		break;
	case PV_CONST:
		buf_printf(b, "<%s>", buf_str((struct buf *)&v->text));
		break;
	default:
		buf_add(b, v->text.p ? v->text.p : "", v->text.len);
		break;
	}
}

/* Returns 1 when v is a plain value a variable can hold. */
static int
py_is_value(const struct pyv *v)
{
	return v->kind == PV_STR || v->kind == PV_BYTES || v->kind == PV_NUM ||
	    v->kind == PV_BOOL || v->kind == PV_NONE || v->kind == PV_CONST ||
	    v->kind == PV_TUPLE || v->kind == PV_HOSTNAME;
}

/* Fails unless v is a value: a handle, a call or an unset name is not. */
static int
py_need_value(struct py *p, const struct pyv *v)
{
	if (py_is_value(v))
		return 0;
	if (v->kind == PV_NAME)
		return py_fail(p,
		    "%s holds no value here (a name gets one from a line "
		    "such as data = conn.recv(1024) or PORT = 65432)",
		    buf_str((struct buf *)&v->text));
	return py_fail(p,
	    "one call per line: give its result a name first "
	    "(data = conn.recv(1024)), then use the name");
}

/*
 * Reads a quoted literal with prefix (b, f, r or none) at the quote.
 * Returns 0 with its bytes in v, or -1.
 */
static int
py_string(struct py *p, struct pyv *v, const char *prefix)
{
	char q = p->s[p->i];
	size_t start = p->i, j;
	struct parsed ps;
	struct buf lit;
	char err[128];
	int raw = strchr(prefix, 'r') || strchr(prefix, 'R');

	for (j = start + 1; j < p->n && p->s[j] != q; j++)
		if (p->s[j] == '\\' && !raw)
			j++;
	if (j >= p->n)
		return py_fail(p, "a string with no closing quote");
	p->i = j + 1;
	v->kind =
	    strchr(prefix, 'b') || strchr(prefix, 'B') ? PV_BYTES : PV_STR;
	if (raw) {
		buf_add(&v->text, p->s + start + 1, j - start - 1);
		return 0;
	}
	buf_init(&lit); /* Python escapes, read by the shell's own b'...' */
	buf_addc(&lit, 'b');
	buf_add(&lit, p->s + start, j + 1 - start);
	if (parse_line(lit.p, lit.len, &ps, err, sizeof(err)) == -1 ||
	    ps.n != 1 || ps.v[0].argc != 1) {
		if (ps.n >= 0 && ps.v)
			parse_free(&ps);
		buf_free(&lit);
		return py_fail(p, "a string the shell cannot read");
	}
	buf_add(&v->text, ps.v[0].argv[0].text, ps.v[0].argv[0].len);
	parse_free(&ps);
	buf_free(&lit);
	return 0;
}

/* Reads an f-string at its quote: {NAME} and {NAME!r} filled in. */
static int
py_fstring(struct py *p, struct pyv *v)
{
	struct pyv raw, part;
	struct py sub;
	size_t i, end;
	int repr;

	pyv_init(&raw, PV_STR);
	if (py_string(p, &raw, "r") == -1) {
		pyv_free(&raw);
		return -1;
	}
	v->kind = PV_STR;
	for (i = 0; i < raw.text.len; i++) {
		if (raw.text.p[i] != '{') {
			buf_addc(&v->text, raw.text.p[i]);
			continue;
		}
		if (i + 1 < raw.text.len && raw.text.p[i + 1] == '{') {
			buf_addc(&v->text, '{');
			i++;
			continue;
		}
		for (end = i + 1; end < raw.text.len && raw.text.p[end] != '}';
		     end++)
			;
		if (end >= raw.text.len) {
			pyv_free(&raw);
			return py_fail(p, "an f-string { with no }");
		}
		sub = *p;
		sub.s = raw.text.p + i + 1;
		sub.n = end - i - 1;
		repr = sub.n >= 2 && memcmp(sub.s + sub.n - 2, "!r", 2) == 0;
		if (repr)
			sub.n -= 2;
		sub.i = 0;
		pyv_init(&part, PV_NONE);
		if (py_expr(&sub, &part) == -1 || py_need_value(p, &part) ||
		    (py_space(&sub), sub.i != sub.n)) {
			pyv_free(&part);
			pyv_free(&raw);
			return py_fail(p,
			    "an f-string holds names the shell knows, "
			    "{data} or {data!r}, nothing more");
		}
		py_show(&v->text, &part, repr);
		pyv_free(&part);
		i = end;
	}
	pyv_free(&raw);
	return 0;
}

/* Reads "(ARG, ...)" after its "(" into v's arguments. Returns 0 or -1. */
static int
py_args(struct py *p, struct pyv *v)
{
	if (py_eat(p, ')'))
		return 0;
	if (p->i >= p->n)
		return py_fail(p, "a ( with no )");
	v->v = xcalloc(PY_ARGS, sizeof(*v->v));
	for (;;) {
		if (v->n == PY_ARGS)
			return py_fail(p,
			    "more arguments than a socket call "
			    "takes");
		pyv_init(&v->v[v->n], PV_NONE);
		if (py_expr(p, &v->v[v->n++]) == -1)
			return -1;
		if (py_eat(p, ')'))
			return 0;
		if (!py_eat(p, ','))
			return py_fail(p,
			    p->i >= p->n
			        ? "a ( with no )"
			        : "a call's arguments are separated by commas");
		if (py_eat(p, ')'))
			return 0;
	}
}

/* Gives v the value held by variable name, or makes it a bare name. */
static void
py_lookup(struct py *p, const char *name, struct pyv *v)
{
	const char *val = var_get(p->vars, name);
	struct py sub;

	if (val == NULL) {
		v->kind = PV_NAME;
		buf_puts(&v->text, name);
		return;
	}
	if (*val == '(' || (*val == 'b' && (val[1] == '\'' || val[1] == '"'))) {
		/* bytes and addresses are kept as Python writes them */
		sub = *p;
		sub.s = val;
		sub.n = strlen(val);
		sub.i = 0;
		sub.depth = PY_DEPTH - 2;
		if (py_expr(&sub, v) == 0 && (py_space(&sub), sub.i == sub.n))
			return;
		pyv_free(v);
		pyv_init(v, PV_NONE);
		buf_reset(p->err);
	}
	v->kind = PV_STR;
	if (isdigit((unsigned char)*val) &&
	    strspn(val, "0123456789.") == strlen(val) &&
	    (strchr(val, '.') == NULL || strchr(val, '.') == strrchr(val, '.')))
		v->kind = PV_NUM; /* 65432 or 5.0, not 127.0.0.1 */
	buf_puts(&v->text, val);
}

/* Reads a number as written. */
static void
py_number(struct py *p, struct pyv *v)
{
	size_t start = p->i;

	while (p->i < p->n &&
	    (isalnum((unsigned char)p->s[p->i]) || p->s[p->i] == '.'))
		p->i++;
	v->kind = PV_NUM;
	buf_add(&v->text, p->s + start, p->i - start);
}

/* Returns 1 when name is a socket constant written without socket. */
static int
py_is_const(const char *name)
{
	static const char *const prefixes[] = { "AF_", "SOCK_", "SOL_", "SO_",
		"SHUT_", "IPPROTO_", "MSG_", "TCP_", "INADDR_", NULL };
	const char *const *pre;

	for (pre = prefixes; *pre; pre++)
		if (strncmp(name, *pre, strlen(*pre)) == 0)
			return 1;
	return 0;
}

/* Reads a built-in function's call: print, repr, str, len. */
static int
py_builtin(struct py *p, const char *name, struct pyv *v)
{
	struct pyv a;
	int i;

	pyv_init(&a, PV_NONE);
	if (py_args(p, &a) == -1) {
		pyv_free(&a);
		return -1;
	}
	for (i = 0; i < a.n; i++)
		if (py_need_value(p, &a.v[i]) == -1) {
			pyv_free(&a);
			return -1;
		}
	if (strcmp(name, "print") == 0) {
		v->kind = PV_PRINT;
		for (i = 0; i < a.n; i++) {
			if (i)
				buf_addc(&v->text, ' ');
			py_show(&v->text, &a.v[i], 0);
		}
	} else if (a.n != 1) {
		pyv_free(&a);
		return py_fail(p, "%s() takes one value here", name);
	} else if (strcmp(name, "len") == 0) {
		if (a.v[0].kind != PV_STR && a.v[0].kind != PV_BYTES) {
			pyv_free(&a);
			return py_fail(p, "len() of bytes or a str");
		}
		v->kind = PV_NUM;
		buf_printf(&v->text, "%zu", a.v[0].text.len);
	} else {
		v->kind = PV_STR;
		py_show(&v->text, &a.v[0], strcmp(name, "repr") == 0);
	}
	pyv_free(&a);
	return 0;
}

/* Reads a name, a literal, a tuple or a built-in call. Returns 0 or -1. */
static int
py_primary(struct py *p, struct pyv *v)
{
	char name[HANDLE_NAME_MAX];
	size_t save;
	char c;

	py_space(p);
	if (p->i >= p->n)
		return py_fail(p, "a value is missing");
	c = p->s[p->i];
	if (c == '\'' || c == '"')
		return py_string(p, v, "");
	if (isdigit((unsigned char)c)) {
		py_number(p, v);
		return 0;
	}
	if (c == '(') {
		p->i++;
		if (py_eat(p, ')')) {
			v->kind = PV_TUPLE;
			return 0;
		}
		if (py_expr(p, v) == -1)
			return -1;
		if (py_eat(p, ')'))
			return 0; /* brackets around one value */
		if (!py_eat(p, ','))
			return py_fail(p, "a ( with no )");
		{
			struct pyv first = *v;

			pyv_init(v, PV_TUPLE);
			v->v = xcalloc(PY_ARGS, sizeof(*v->v));
			v->v[v->n++] = first;
		}
		while (!py_eat(p, ')')) {
			if (v->n == PY_ARGS)
				return py_fail(p,
				    "a tuple longer than an "
				    "address");
			pyv_init(&v->v[v->n], PV_NONE);
			if (py_expr(p, &v->v[v->n++]) == -1)
				return -1;
			if (!py_eat(p, ',') &&
			    !(py_space(p), p->i < p->n && p->s[p->i] == ')'))
				return py_fail(p, "a ( with no )");
		}
		return 0;
	}
	save = p->i;
	if (py_ident(p, name, sizeof(name)) == 0)
		return py_fail(p, "'%.1s' where a value should be",
		    p->s + p->i);
	if (p->i < p->n && (p->s[p->i] == '\'' || p->s[p->i] == '"') &&
	    strlen(name) <= 2) {
		if (strchr(name, 'f') || strchr(name, 'F'))
			return py_fstring(p, v);
		if (strspn(name, "bBrR") == strlen(name))
			return py_string(p, v, name);
		p->i = save;
		return py_fail(p, "a string prefix the shell does not read");
	}
	if (strcmp(name, "True") == 0 || strcmp(name, "False") == 0) {
		v->kind = PV_BOOL;
		buf_puts(&v->text, name);
	} else if (strcmp(name, "None") == 0)
		v->kind = PV_NONE;
	else if (strcmp(name, "socket") == 0)
		v->kind = PV_MODULE;
	else if (py_eat(p, '(')) {
		if (strcmp(name, "print") == 0 || strcmp(name, "repr") == 0 ||
		    strcmp(name, "str") == 0 || strcmp(name, "len") == 0)
			return py_builtin(p, name, v);
		return py_fail(p,
		    "%s() is outside the Python the shell runs (help python)",
		    name);
	} else if (var_get(p->vars, name) == NULL && py_is_const(name)) {
		v->kind = PV_CONST; /* from socket import * */
		buf_puts(&v->text, name);
	} else
		py_lookup(p, name, v);
	return 0;
}

/* Gives v what the method meth of v (a str, bytes or module) returns. */
static int
py_attr(struct py *p, struct pyv *v, const char *meth, int call)
{
	char host[256];
	struct pyv a;

	pyv_init(&a, PV_NONE);
	if (call && py_args(p, &a) == -1) {
		pyv_free(&a);
		return -1;
	}
	if (v->kind == PV_MODULE && !call && py_is_const(meth)) {
		v->kind = PV_CONST;
		buf_puts(&v->text, meth);
	} else if (v->kind == PV_MODULE && call &&
	    strcmp(meth, "socket") == 0) {
		v->kind = PV_SOCKET;
		v->v = a.v;
		v->n = a.n;
		a.v = NULL;
		a.n = 0;
	} else if (v->kind == PV_MODULE && call &&
	    strcmp(meth, "gethostname") == 0 && a.n == 0) {
		if (gethostname(host, sizeof(host)) == -1)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		v->kind = PV_HOSTNAME;
		buf_puts(&v->text, host);
	} else if (v->kind == PV_STR && call && strcmp(meth, "encode") == 0)
		v->kind = PV_BYTES;
	else if (v->kind == PV_BYTES && call && strcmp(meth, "decode") == 0)
		v->kind = PV_STR;
	else if (v->kind == PV_NAME && call) {
		v->kind = PV_METHOD;
		snprintf(v->meth, sizeof(v->meth), "%s", meth);
		v->v = a.v;
		v->n = a.n;
		a.v = NULL;
		a.n = 0;
	} else {
		pyv_free(&a);
		if (v->kind == PV_MODULE)
			return py_fail(p,
			    "socket.%s is outside the Python the shell "
			    "runs (help python lists it)",
			    meth);
		if (v->kind == PV_NAME)
			return py_fail(p,
			    "%s.%s is outside the Python the shell runs "
			    "(help python lists it)",
			    buf_str(&v->text), meth);
		return py_fail(p,
		    ".%s is outside the Python the shell runs (help python)",
		    meth);
	}
	pyv_free(&a);
	return 0;
}

/* Reads an expression: a primary and its .attributes and .calls. */
static int
py_expr(struct py *p, struct pyv *v)
{
	char meth[HANDLE_NAME_MAX];
	int rc = 0, call;

	if (++p->depth > PY_DEPTH) {
		p->depth--;
		return py_fail(p, "brackets nested too deep");
	}
	if (py_primary(p, v) == -1)
		rc = -1;
	while (rc == 0 && py_eat(p, '.')) {
		if (v->kind == PV_METHOD || v->kind == PV_SOCKET ||
		    v->kind == PV_PRINT) {
			rc = py_fail(p,
			    "one call per line: give its result a "
			    "name first");
			break;
		}
		if (py_ident(p, meth, sizeof(meth)) == 0) {
			rc = py_fail(p, "a name after the dot");
			break;
		}
		call = py_eat(p, '(');
		rc = py_attr(p, v, meth, call);
	}
	p->depth--;
	return rc;
}

/* Appends v to a command line as one argument the shell reads back. */
static void
py_arg(struct buf *b, const struct pyv *v)
{
	const char *s = v->text.p ? v->text.p : "";
	size_t i;

	buf_addc(b, ' ');
	if (v->kind == PV_BYTES) {
		fmt_pybytes(b, (const unsigned char *)s, v->text.len);
		return;
	}
	if (v->kind == PV_BOOL) {
		buf_puts(b, *s == 'T' ? "true" : "false");
		return;
	}
	if (v->kind == PV_NONE) {
		buf_puts(b, "none");
		return;
	}
	if (v->text.len > 0 &&
	    strspn(s,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ"
	        "KLMNOPQRSTUVWXYZ0123456789._:/@%-|") == v->text.len)
		buf_add(b, s, v->text.len);
	else if (memchr(s, '\'', v->text.len) == NULL &&
	    memchr(s, '\0', v->text.len) == NULL &&
	    memchr(s, '\n', v->text.len) == NULL)
		buf_printf(b, "'%s'", s);
	else {
		buf_addc(b, '"');
		for (i = 0; i < v->text.len; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '"' || c == '\\')
				buf_printf(b, "\\%c", c);
			else if (c < 0x20 || c == 0x7f)
				buf_printf(b, "\\x%02x", c);
			else
				buf_addc(b, (char)c);
		}
		buf_addc(b, '"');
	}
}

/* Appends an address argument: (HOST, PORT) or a Unix path. Returns 0 or -1. */
static int
py_address(struct py *p, struct buf *b, const struct pyv *v)
{
	if (v->kind == PV_TUPLE && v->n >= 2 &&
	    (v->v[0].kind == PV_STR || v->v[0].kind == PV_HOSTNAME) &&
	    v->v[1].kind == PV_NUM) {
		py_arg(b, &v->v[0]);
		py_arg(b, &v->v[1]);
		return 0;
	}
	if (v->kind == PV_STR) {
		py_arg(b, v);
		return 0;
	}
	return py_fail(p,
	    "an address is a tuple (HOST, PORT), such as "
	    "('127.0.0.1', 65432), or a Unix socket's path");
}

/* What each method of a socket object stands for. */
struct py_method {
	const char *name;
	const char *cmd;
	int min; /* arguments */
	int max;
	int lhs; /* names on the left it takes: 0, 1 or 2 */
	enum pyline_res res;
	const char *args; /* per argument: a address, d data, v value */
};

static const struct py_method py_methods[] = {
	{ "bind", "bind", 1, 1, 0, PYRES_NONE, "a" },
	{ "listen", "listen", 0, 1, 0, PYRES_NONE, "v" },
	{ "accept", "accept", 0, 0, 2, PYRES_ACCEPT, "" },
	{ "connect", "connect", 1, 1, 0, PYRES_NONE, "a" },
	{ "connect_ex", "connect_ex", 1, 1, 1, PYRES_RET, "a" },
	{ "send", "send", 1, 2, 1, PYRES_RET, "dv" },
	{ "sendall", "sendall", 1, 2, 0, PYRES_NONE, "dv" },
	{ "sendto", "sendto", 2, 2, 1, PYRES_RET, "da" },
	{ "recv", "recv", 1, 2, 1, PYRES_DATA, "vv" },
	{ "recvfrom", "recvfrom", 1, 2, 2, PYRES_DATA_FROM, "vv" },
	{ "shutdown", "shutdown", 1, 1, 0, PYRES_NONE, "v" },
	{ "close", "close", 0, 0, 0, PYRES_NONE, "" },
	{ "dup", "dup", 0, 0, 1, PYRES_NONE, "" },
	{ "setsockopt", "setsockopt", 3, 3, 0, PYRES_NONE, "vvv" },
	{ "getsockopt", "getsockopt", 2, 2, 1, PYRES_RET, "vv" },
	{ "setblocking", "setblocking", 1, 1, 0, PYRES_NONE, "v" },
	{ "settimeout", "settimeout", 1, 1, 0, PYRES_NONE, "v" },
	{ "getsockname", "getsockname", 0, 0, 1, PYRES_LOCAL, "" },
	{ "getpeername", "getpeername", 0, 0, 1, PYRES_PEER, "" },
	{ NULL, NULL, 0, 0, 0, PYRES_NONE, NULL },
};

/*
 * Makes the command for handle.meth(args) with nlhs names on the left.
 * Returns 0, or -1 with the reason in p's message.
 */
static int
py_method_cmd(struct py *p, const struct pyv *v, int nlhs, struct pyline *pl)
{
	const struct py_method *m;
	int i;

	for (m = py_methods; m->name; m++)
		if (strcmp(m->name, v->meth) == 0)
			break;
	if (m->name == NULL) {
		const struct py_method *near = NULL;

		for (m = py_methods; m->name; m++)
			if (strncmp(m->name, v->meth, strlen(m->name)) == 0 &&
			    (near == NULL ||
			        strlen(m->name) > strlen(near->name)))
				near = m; /* recv_into: recv */
		buf_printf(p->err,
		    "%s.%s() is outside the Python the shell runs", v->text.p,
		    v->meth);
		if (near)
			buf_printf(p->err, "; the nearest: %s.%s() (help %s)",
			    v->text.p, near->name, near->cmd);
		else
			buf_puts(p->err, " (help python lists its methods)");
		return -1;
	}
	if (v->n < m->min || v->n > m->max)
		return py_fail(p,
		    "%s() takes another number of arguments "
		    "(help python)",
		    m->name);
	if (m->res == PYRES_ACCEPT && nlhs != 2 && nlhs != 0)
		return py_fail(p,
		    "accept() returns the new socket and its peer's address: "
		    "write conn, addr = %s.accept()",
		    v->text.p);
	if (m->res == PYRES_DATA_FROM && nlhs != 2 && nlhs != 0)
		return py_fail(p,
		    "recvfrom() returns the data and the sender: write data, "
		    "addr = %s.recvfrom(1024)",
		    v->text.p);
	if (strcmp(m->name, "dup") == 0 && nlhs != 1)
		return py_fail(p,
		    "dup() returns the new socket: write conn2 = %s.dup()",
		    v->text.p);
	if (nlhs > (m->lhs ? m->lhs : 0) || (nlhs == 2 && m->lhs != 2))
		return py_fail(p, "%s() gives no value to a name on the left",
		    m->name);
	buf_printf(&pl->cmd, "%s %s", m->cmd, v->text.p);
	if ((m->res == PYRES_ACCEPT && nlhs == 2) ||
	    strcmp(m->name, "dup") == 0)
		buf_printf(&pl->cmd, " %s", pl->name[0]);
	for (i = 0; i < v->n; i++) {
		const struct pyv *a = &v->v[i];

		if (py_need_value(p, a) == -1)
			return -1;
		if (m->args[i] == 'a' && py_address(p, &pl->cmd, a) == -1)
			return -1;
		if (m->args[i] == 'd' && a->kind == PV_STR)
			return py_fail(p,
			    "a str is not bytes: Python raises TypeError here; "
			    "write b'...' or '...'.encode()");
		if (m->args[i] == 'd' && a->kind != PV_BYTES)
			return py_fail(p, "data to send is bytes: b'...'");
		if (m->args[i] == 'v' && a->kind != PV_NUM &&
		    a->kind != PV_CONST && a->kind != PV_BOOL &&
		    a->kind != PV_NONE && a->kind != PV_BYTES)
			return py_fail(p,
			    "%s() takes a number or a socket "
			    "constant here",
			    m->name);
		if (m->args[i] != 'a')
			py_arg(&pl->cmd, a);
	}
	pl->kind = PYLINE_RUN;
	pl->res = nlhs ? m->res : PYRES_NONE;
	snprintf(pl->handle, sizeof(pl->handle), "%s", v->text.p);
	return 0;
}

/* Makes the command for name = socket.socket(args). Returns 0 or -1. */
static int
py_socket_cmd(struct py *p, const struct pyv *v, const char *name,
    struct pyline *pl)
{
	int i;

	buf_puts(&pl->cmd, "socket");
	if (name)
		buf_printf(&pl->cmd, " %s", name);
	if (v->n > 3)
		return py_fail(p,
		    "socket.socket(family, type, proto), at "
		    "most");
	for (i = 0; i < v->n; i++) {
		if (v->v[i].kind != PV_CONST && v->v[i].kind != PV_NUM)
			return py_fail(p,
			    "socket.socket() takes constants "
			    "such as socket.AF_INET");
		py_arg(&pl->cmd, &v->v[i]);
	}
	pl->kind = PYLINE_RUN;
	return 0;
}

/* Says what to type instead of a block statement word. */
static int
py_block(struct py *p, const char *kw, struct pyline *pl)
{
	static const struct {
		const char *kw;
		const char *say;
	} blocks[] = {
		{ "while",
		    "a loop is not run: type the lines inside it one at a "
		    "time, once per turn (Up repeats a line); indentation is "
		    "ignored" },
		{ "for",
		    "a loop is not run: type the lines inside it one at a "
		    "time, once per turn; indentation is ignored" },
		{ "if",
		    "if is not run: look at the value above (print(data); "
		    "b'' means the peer closed) and type the line that "
		    "follows, or not" },
		{ "elif", "elif is not run: choose the next line yourself" },
		{ "else", "else is not run: choose the next line yourself" },
		{ "break", "no loop runs here, so nothing to break out of" },
		{ "continue", "no loop runs here: type the next line" },
		{ "pass", "nothing to do" },
		{ "try",
		    "try is not run: a failed call prints -1 and its errno, "
		    "and the shell goes on" },
		{ "except",
		    "except is not run: a failed call shows its errno" },
		{ "finally", "finally is not run: type its lines yourself" },
		{ NULL, NULL },
	};
	int i;

	(void)p;
	for (i = 0; blocks[i].kw; i++)
		if (strcmp(blocks[i].kw, kw) == 0) {
			pl->kind = PYLINE_SAY;
			buf_puts(&pl->text, blocks[i].say);
			return 0;
		}
	pl->kind = PYLINE_ERROR;
	buf_printf(&pl->text,
	    "'%s' is outside the Python the shell runs: one socket call per "
	    "line, no blocks or functions (help python lists them)",
	    kw);
	return 0;
}

/* Reads "with EXPR [as NAME]:". */
static int
py_with(struct py *p, struct pyline *pl)
{
	char name[HANDLE_NAME_MAX];
	struct pyv v;
	int rc = 0;

	pyv_init(&v, PV_NONE);
	if (py_expr(p, &v) == -1) {
		pyv_free(&v);
		return -1;
	}
	name[0] = '\0';
	if (py_ident(p, name, sizeof(name)) && strcmp(name, "as") == 0) {
		if (py_ident(p, name, sizeof(name)) == 0)
			rc = py_fail(p, "a name after 'as'");
	} else if (name[0])
		rc = py_fail(p, "with EXPR as NAME:");
	if (rc == 0 && !py_eat(p, ':'))
		rc = py_fail(p, "a with line ends with ':'");
	if (rc == 0 && v.kind == PV_SOCKET && name[0]) {
		rc = py_socket_cmd(p, &v, name, pl);
		buf_printf(&pl->after,
		    "with-block: the shell does not close %s at the block's "
		    "end; type %s.close() (close %s) there",
		    name, name, name);
	} else if (rc == 0 && v.kind == PV_NAME && !name[0]) {
		pl->kind = PYLINE_SAY;
		buf_printf(&pl->text,
		    "with-block: the shell does not close %s at the block's "
		    "end; type %s.close() (close %s) there",
		    v.text.p, v.text.p, v.text.p);
	} else if (rc == 0)
		rc = py_fail(p,
		    "the shell runs with socket.socket(...) as NAME: and "
		    "with NAME:, no other with");
	pyv_free(&v);
	return rc;
}

/* Reads "import socket" and "from socket import ...". */
static int
py_import(struct py *p, const char *kw, struct pyline *pl)
{
	char name[HANDLE_NAME_MAX];

	name[0] = '\0';
	if (py_ident(p, name, sizeof(name)) == 0 || strcmp(name, "socket") != 0)
		return py_fail(p,
		    "importing %s is outside the Python the shell runs: it "
		    "has socket's calls only (help python)",
		    name[0] ? name : "that");
	if (strcmp(kw, "from") == 0 &&
	    (py_ident(p, name, sizeof(name)) == 0 ||
	        strcmp(name, "import") != 0))
		return py_fail(p, "from socket import ...");
	pl->kind = PYLINE_SAY;
	pl->import = 1;
	buf_puts(&pl->text,
	    "nothing to import: the socket calls are built into the shell");
	p->i = p->n;
	return 0;
}

/* Reads a statement that is an expression, or NAME[, NAME] = EXPR. */
static int
py_statement(struct py *p, struct pyline *pl)
{
	struct pyv v;
	size_t save = p->i;
	int nlhs = 0, rc = 0;

	if (py_ident(p, pl->name[0], sizeof(pl->name[0]))) {
		nlhs = 1;
		if (py_eat(p, ',') &&
		    py_ident(p, pl->name[1], sizeof(pl->name[1])))
			nlhs = 2;
		if (!py_eat(p, '=') || (p->i < p->n && p->s[p->i] == '=')) {
			nlhs = 0;
			p->i = save;
			pl->name[0][0] = pl->name[1][0] = '\0';
		}
	}
	pyv_init(&v, PV_NONE);
	if (py_expr(p, &v) == -1)
		rc = -1;
	else if ((py_space(p), p->i < p->n))
		rc = py_fail(p,
		    "'%.20s' after the call is more than the shell "
		    "reads (one call per line)",
		    p->s + p->i);
	else if (v.kind == PV_METHOD)
		rc = py_method_cmd(p, &v, nlhs, pl);
	else if (v.kind == PV_SOCKET && nlhs < 2)
		rc = py_socket_cmd(p, &v, nlhs ? pl->name[0] : NULL, pl);
	else if (v.kind == PV_HOSTNAME && nlhs == 0) {
		pl->kind = PYLINE_RUN;
		buf_puts(&pl->cmd, "gethostname");
	} else if (v.kind == PV_PRINT && nlhs == 0) {
		pl->kind = PYLINE_SHOW;
		buf_add(&pl->text, v.text.p ? v.text.p : "", v.text.len);
	} else if (nlhs == 0 && py_is_value(&v)) {
		pl->kind = PYLINE_SHOW; /* as Python's prompt shows a value */
		py_show(&pl->text, &v, 1);
	} else if (nlhs == 1 && py_is_value(&v) &&
	    (v.kind == PV_STR || v.kind == PV_NUM || v.kind == PV_HOSTNAME)) {
		pl->kind = PYLINE_RUN;
		buf_printf(&pl->cmd, "let %s", pl->name[0]);
		py_arg(&pl->cmd, &v);
		buf_add(&pl->text, v.text.p ? v.text.p : "", v.text.len);
		pl->res = PYRES_LET;
	} else if (nlhs == 1 && py_is_value(&v)) {
		pl->kind = PYLINE_SET;
		py_show(&pl->text, &v, 1);
	} else if (v.kind == PV_NAME)
		rc = py_need_value(p, &v);
	else
		rc = py_fail(p, "a line the shell cannot run (help python)");
	pyv_free(&v);
	return rc;
}

/* Sets pl empty. */
void
pyline_init(struct pyline *pl)
{
	memset(pl, 0, sizeof(*pl));
	buf_init(&pl->cmd);
	buf_init(&pl->text);
	buf_init(&pl->after);
}

/* Frees what pl holds. */
void
pyline_free(struct pyline *pl)
{
	buf_free(&pl->cmd);
	buf_free(&pl->text);
	buf_free(&pl->after);
}

/* Returns 1 when the line, from its first word, is Python, not a command. */
static int
pyline_is_python(const char *s, size_t n, const struct vars *vs)
{
	static const char *const keywords[] = { "import", "from", "with",
		"while", "for", "if", "elif", "else", "break", "continue",
		"pass", "try", "except", "finally", "def", "class", "return",
		"raise", "lambda", "global", "del", "assert", "async", "await",
		"yield", "nonlocal", NULL };
	char word[HANDLE_NAME_MAX];
	size_t i = 0, len;
	int k;

	while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_'))
		i++;
	len = i;
	if (len == 0 || len >= sizeof(word))
		return 0;
	memcpy(word, s, len);
	word[len] = '\0';
	if (i < n && (s[i] == '.' || s[i] == '(' || s[i] == ','))
		return 1;
	if (cmd_find(word) != NULL)
		return 0; /* a command (no keyword is one), even before an = */
	for (k = 0; keywords[k]; k++)
		if (strcmp(word, keywords[k]) == 0)
			return 1; /* the word ends at a character not alnum */
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if ((i == n || s[i] == '#') && vs && var_get(vs, word))
		return 1; /* a name alone: its value, as Python's prompt */
	if (i < n && s[i] == '=' && (i + 1 == n || s[i + 1] != '='))
		return 1;
	return i < n && s[i] == ',';
}

/*
 * Returns the length of the first statement of s, without a Python
 * comment (# outside quotes); sets *next past the ; that ends it, if one
 * does.
 */
static size_t
pyline_uncomment(const char *s, size_t n, size_t *next)
{
	size_t i;
	char q = 0;

	for (i = 0; i < n; i++) {
		if (q && s[i] == '\\')
			i++;
		else if (q && s[i] == q)
			q = 0;
		else if (!q && (s[i] == '\'' || s[i] == '"'))
			q = s[i];
		else if (!q && s[i] == '#')
			break;
		else if (!q && s[i] == ';') {
			*next = i + 1;
			break;
		}
	}
	if (i > n)
		i = n;
	while (
	    i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\r'))
		i--;
	return i;
}

/*
 * Returns 1 when line reads as Python rather than as a command (what it
 * means is known only when it runs, with the session's variables).
 */
int
pyline_detect(const char *line, size_t len)
{
	size_t start = strspn(line, " \t");

	if (start >= len || memchr(line, '\0', len))
		return 0;
	return pyline_is_python(line + start, len - start, NULL);
}

/*
 * Reads the line as a line of the Python subset, with vs the variables
 * its names are looked up in. Returns 1 with pl filled in, or 0 when the
 * line is not Python (a command of the shell, a comment, nothing).
 */
int
pyline_translate(const char *line, size_t len, const struct vars *vs,
    struct pyline *pl)
{
	struct py p;
	struct buf err;
	char kw[HANDLE_NAME_MAX];
	size_t start = 0;
	int rc;

	while (start < len && (line[start] == ' ' || line[start] == '\t'))
		start++;
	line += start;
	len -= start;
	if (len == 0 || memchr(line, '\0', len) ||
	    !pyline_is_python(line, len, vs))
		return 0;
	buf_init(&err);
	p.s = line;
	p.n = pyline_uncomment(line, len, &pl->next);
	if (pl->next)
		pl->next += start;
	p.i = 0;
	p.vars = vs;
	p.err = &err;
	p.depth = 0;
	kw[0] = '\0';
	py_ident(&p, kw, sizeof(kw));
	if (strcmp(kw, "import") == 0 || strcmp(kw, "from") == 0)
		rc = py_import(&p, kw, pl);
	else if (strcmp(kw, "with") == 0)
		rc = py_with(&p, pl);
	else if (pyline_is_python(kw, strlen(kw), NULL) &&
	    strcmp(kw, "print") != 0) {
		rc = py_block(&p, kw, pl);
	} else {
		p.i = 0;
		rc = py_statement(&p, pl);
	}
	if (rc == -1) {
		pl->kind = PYLINE_ERROR;
		buf_reset(&pl->text);
		buf_add(&pl->text, err.p ? err.p : "", err.len);
		if (err.len == 0)
			buf_puts(&pl->text, "a line the shell cannot run");
		buf_reset(&pl->cmd);
	}
	buf_free(&err);
	return 1;
}

/* Appends a socket address as Python shows it: ('127.0.0.1', 80). */
static void
pyline_addr(struct buf *b, const struct sockaddr_storage *ss, socklen_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		buf_printf(b, "('%s', %u)", host, ntohs(in->sin_port));
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 =
		    (const struct sockaddr_in6 *)ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		buf_printf(b, "('%s', %u, 0, %u)", host, ntohs(in6->sin6_port),
		    (unsigned)in6->sin6_scope_id);
	} else if (ss->ss_family == AF_UNIX &&
	    len > offsetof(struct sockaddr_un, sun_path)) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)ss;
		size_t n = strnlen(un->sun_path,
		    len - offsetof(struct sockaddr_un, sun_path));

		py_repr_str(b, un->sun_path, n);
	} else
		buf_puts(b, "''");
}

/* Gives the names on the left of pl what the call it ran returned. */
static void
pyline_results(struct shell *sh, const struct pyline *pl)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct handle *h;
	struct buf b;
	int ok = sh->last.made && sh->last.ret >= 0, rc = -1;

	if (pl->res == PYRES_NONE)
		return;
	if (pl->res == PYRES_LET) {
		const char *now = var_get(&sh->vars, pl->name[0]);

		if (now && strcmp(now, buf_str((struct buf *)&pl->text)) != 0)
			out_meaning(sh, "%s stays %s: --var set it",
			    pl->name[0], now);
		return;
	}
	if (!ok) {
		out_meaning(sh,
		    "Python raises an exception here; %s keeps what it held",
		    pl->name[0]);
		return;
	}
	buf_init(&b);
	memset(&ss, 0, sizeof(ss));
	switch (pl->res) {
	case PYRES_DATA:
	case PYRES_DATA_FROM:
		fmt_pybytes(&b, sh->last.data ? sh->last.data : (void *)"",
		    sh->last.len);
		var_set(&sh->vars, pl->name[0], buf_str(&b), 0);
		if (pl->res == PYRES_DATA)
			break;
		buf_reset(&b);
		pyline_addr(&b, &sh->last.from, sh->last.fromlen);
		var_set(&sh->vars, pl->name[1], buf_str(&b), 0);
		break;
	case PYRES_ACCEPT:
		h = handle_find(&sh->handles, pl->name[0]);
		if (h && h->fd >= 0)
			rc = sh->sys->getpeername(h->fd, (struct sockaddr *)&ss,
			    &len);
		if (rc == 0) {
			pyline_addr(&b, &ss, len);
			var_set(&sh->vars, pl->name[1], buf_str(&b), 0);
		}
		break;
	case PYRES_LOCAL:
	case PYRES_PEER:
		h = handle_find(&sh->handles, pl->handle);
		if (h && h->fd >= 0)
			rc = (pl->res == PYRES_LOCAL
			        ? sh->sys->getsockname
			        : sh->sys->getpeername)(h->fd,
			    (struct sockaddr *)&ss, &len);
		if (rc == 0) {
			pyline_addr(&b, &ss, len);
			var_set(&sh->vars, pl->name[0], buf_str(&b), 0);
		}
		break;
	default:
		buf_printf(&b, "%ld", sh->last.ret);
		var_set(&sh->vars, pl->name[0], buf_str(&b), 0);
		break;
	}
	buf_free(&b);
}

/*
 * Says what pl does before anything runs: the command it runs, or the
 * line it prints, or sets its variable. Returns 0, or -1 after an error
 * (a line outside the subset).
 */
int
pyline_answer(struct shell *sh, const struct pyline *pl)
{
	switch (pl->kind) {
	case PYLINE_RUN:
		out_meaning(sh, "runs: %s", buf_str((struct buf *)&pl->cmd));
		break;
	case PYLINE_SET:
		var_set(&sh->vars, pl->name[0],
		    buf_str((struct buf *)&pl->text), 0);
		break;
	case PYLINE_SHOW:
		out_line(sh, "%s", buf_str((struct buf *)&pl->text));
		break;
	case PYLINE_SAY:
		if (!pl->import || !sh->py_imported)
			out_meaning(sh, "%s", buf_str((struct buf *)&pl->text));
		sh->py_imported |= pl->import;
		break;
	default:
		out_error(sh, "%s", buf_str((struct buf *)&pl->text));
		sh->errors++;
		if (sh->mode == MODE_CHECK)
			sh->failed++;
		return -1;
	}
	return 0;
}

/*
 * After pl's command ran (rc: what it returned), gives the names on the
 * left what the call returned and says what a with-block leaves to do.
 */
void
pyline_after(struct shell *sh, const struct pyline *pl, int rc)
{
	if (rc == 0)
		pyline_results(sh, pl);
	if (pl->after.len)
		out_meaning(sh, "%s", buf_str((struct buf *)&pl->after));
}

/* Lists the Python the shell runs, each with the command it stands for. */
void
pyline_help(struct shell *sh)
{
	static const char *const rows[][2] = {
		{ "import socket", "nothing to do" },
		{ "HOST = '127.0.0.1'; PORT = 65432", "let HOST 127.0.0.1" },
		{ "s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
		    "socket s inet stream" },
		{ "  AF_INET6, AF_UNIX, SOCK_DGRAM; s = socket.socket()", "" },
		{ "s.bind((HOST, PORT)), s.bind(('', 80))",
		    "bind s HOST PORT" },
		{ "s.listen(), s.listen(5)", "listen s 5" },
		{ "conn, addr = s.accept()", "accept s conn" },
		{ "s.connect((HOST, PORT)), err = s.connect_ex(...)",
		    "connect s HOST PORT" },
		{ "s.sendall(b'Hi'), s.sendall('Hi'.encode())",
		    "sendall s b'Hi'" },
		{ "data = conn.recv(1024), s.send(data)", "recv conn 1024" },
		{ "s.sendto(data, addr), data, addr = s.recvfrom(1024)",
		    "sendto, recvfrom" },
		{ "s.shutdown(socket.SHUT_WR), s.shutdown(1), s.close()",
		    "shutdown s SHUT_WR" },
		{ "conn2 = conn.dup()", "dup conn conn2" },
		{ "s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
		    "setsockopt s ..." },
		{ "s.setblocking(False), s.settimeout(5.0)",
		    "setblocking s false" },
		{ "s.getsockname(), s.getpeername(), socket.gethostname()",
		    "getsockname s" },
		{ "print(data), print(repr(data)), print(f'{data!r}')",
		    "the value" },
		{ "data.decode(), len(data), data", "the value" },
	};
	size_t i;

	out_line(sh,
	    "Python lines the shell runs, one call a line, each as the "
	    "command shown:");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (*rows[i][1])
			out_line(sh, "  %-55s %s", rows[i][0], rows[i][1]);
		else
			out_line(sh, "  %s", rows[i][0]);
	out_line(sh,
	    "Names on the left become handles or hold what came back: "
	    "conn.sendall(data).");
	out_line(sh,
	    "Indentation is ignored; with socket.socket() as s: makes "
	    "s, never closes it;");
	out_line(sh,
	    "while, if, break, def, try... are not run: one line says "
	    "what to type instead.");
}
