/* Unit tests of pyline.c: each Python line of the subset, the command it stands for, and bad lines. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pyline.h"
#include "var.h"

/* The variables a session has after HOST, PORT, data and addr were set. */
static void
vars_fill(struct vars *vs)
{
	memset(vs, 0, sizeof(*vs));
	var_set(vs, "HOST", "127.0.0.1", 0);
	var_set(vs, "PORT", "65432", 0);
	var_set(vs, "EMPTY", "", 0);
	var_set(vs, "data", "b'Hello, world'", 0);
	var_set(vs, "addr", "('127.0.0.1', 51234)", 0);
	var_set(vs, "nothing", "b''", 0);
}

/* Translates line, which must be Python of kind kind; returns pl filled. */
static void
tr(const char *line, enum pyline_kind kind, struct pyline *pl)
{
	struct vars vs;

	vars_fill(&vs);
	pyline_init(pl);
	if (pyline_translate(line, strlen(line), &vs, pl) != 1)
		fail_msg("not read as Python: %s", line);
	var_free(&vs);
	if (pl->kind != kind)
		fail_msg("%s: kind %d, not %d (cmd '%s', text '%s')", line,
		    (int)pl->kind, (int)kind, buf_str(&pl->cmd),
		    buf_str(&pl->text));
}

/* line runs exactly the command want. */
static void
runs(const char *line, const char *want)
{
	struct pyline pl;

	tr(line, PYLINE_RUN, &pl);
	assert_string_equal(buf_str(&pl.cmd), want);
	pyline_free(&pl);
}

/* line runs want and gives names n0 (and n1) the result res. */
static void
runs_into(const char *line, const char *want, enum pyline_res res,
    const char *n0, const char *n1)
{
	struct pyline pl;

	tr(line, PYLINE_RUN, &pl);
	assert_string_equal(buf_str(&pl.cmd), want);
	assert_int_equal(pl.res, res);
	assert_string_equal(pl.name[0], n0);
	assert_string_equal(pl.name[1], n1);
	pyline_free(&pl);
}

/* line prints want, as Python would. */
static void
shows(const char *line, const char *want)
{
	struct pyline pl;

	tr(line, PYLINE_SHOW, &pl);
	assert_string_equal(buf_str(&pl.text), want);
	pyline_free(&pl);
}

/* line is answered with one line (kind SAY or ERROR) holding want. */
static void
answered(const char *line, enum pyline_kind kind, const char *want)
{
	struct pyline pl;

	tr(line, kind, &pl);
	if (strstr(buf_str(&pl.text), want) == NULL)
		fail_msg("%s: '%s' does not say '%s'", line, buf_str(&pl.text),
		    want);
	assert_null(strchr(buf_str(&pl.text), '\n'));
	assert_int_equal(pl.cmd.len, 0);
	pyline_free(&pl);
}

/* line is not Python: the shell runs it as a command. */
static void
not_python(const char *line)
{
	struct pyline pl;
	struct vars vs;

	vars_fill(&vs);
	pyline_init(&pl);
	if (pyline_translate(line, strlen(line), &vs, &pl) != 0)
		fail_msg("read as Python: %s", line);
	pyline_free(&pl);
	var_free(&vs);
}

static void
test_import_and_names(void **state)
{
	struct pyline pl;

	(void)state;
	tr("import socket", PYLINE_SAY, &pl);
	assert_int_equal(pl.import, 1);
	pyline_free(&pl);
	answered("from socket import *", PYLINE_SAY, "nothing to import");
	runs("HOST = '127.0.0.1'", "let HOST 127.0.0.1");
	runs("HOST = \"127.0.0.1\"  # Standard loopback interface address",
	    "let HOST 127.0.0.1");
	runs("PORT = 65432  # Port to listen on", "let PORT 65432");
	runs("HOST = ''", "let HOST ''");
	runs("    PORT = 65432", "let PORT 65432"); /* indentation */
	tr("msg = b'hi there'", PYLINE_SET, &pl);
	assert_string_equal(pl.name[0], "msg");
	assert_string_equal(buf_str(&pl.text), "b'hi there'");
	pyline_free(&pl);
	tr("where = ('127.0.0.1', 9)", PYLINE_SET, &pl);
	assert_string_equal(buf_str(&pl.text), "('127.0.0.1', 9)");
	pyline_free(&pl);
}

static void
test_socket(void **state)
{
	(void)state;
	runs("s = socket.socket()", "socket s");
	runs("s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)",
	    "socket s AF_INET SOCK_STREAM");
	runs("s6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)",
	    "socket s6 AF_INET6 SOCK_STREAM");
	runs("u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)",
	    "socket u AF_INET SOCK_DGRAM");
	runs("x = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)",
	    "socket x AF_UNIX SOCK_STREAM");
	runs("s = socket.socket(AF_INET, SOCK_DGRAM)",
	    "socket s AF_INET SOCK_DGRAM"); /* from socket import * */
	runs("socket.socket()", "socket");
	runs("with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:",
	    "socket s AF_INET SOCK_STREAM");
}

static void
test_with_block(void **state)
{
	struct pyline pl;

	(void)state;
	tr("with socket.socket() as s:", PYLINE_RUN, &pl);
	assert_non_null(strstr(buf_str(&pl.after), "s.close()"));
	pyline_free(&pl);
	answered("    with conn:", PYLINE_SAY, "conn.close()");
	answered("with open('f') as f:", PYLINE_ERROR, "open() is outside");
	answered("with socket.socket() as s", PYLINE_ERROR, "':'");
}

static void
test_server(void **state)
{
	char host[256], want[300];

	(void)state;
	runs("s.bind((HOST, PORT))", "bind s 127.0.0.1 65432");
	runs("s.bind(('', 80))", "bind s '' 80");
	runs("s.bind((EMPTY, 0))", "bind s '' 0");
	runs("s.bind(('::1', 0))", "bind s ::1 0");
	runs("u.bind('/tmp/sock')", "bind u /tmp/sock");
	if (gethostname(host, sizeof(host)) == 0) {
		host[sizeof(host) - 1] = '\0';
		snprintf(want, sizeof(want), "bind s %s 80", host);
		runs("s.bind((socket.gethostname(), 80))", want);
	}
	runs("socket.gethostname()", "gethostname");
	runs("s.listen()", "listen s");
	runs("s.listen(5)", "listen s 5");
	runs_into("conn, addr = s.accept()", "accept s conn", PYRES_ACCEPT,
	    "conn", "addr");
	runs("s.accept()", "accept s");
	runs_into("conn2 = conn.dup()", "dup conn conn2", PYRES_NONE, "conn2",
	    "");
}

static void
test_client(void **state)
{
	(void)state;
	runs("s.connect((HOST, PORT))", "connect s 127.0.0.1 65432");
	runs("s.connect(('127.0.0.1', 1))", "connect s 127.0.0.1 1");
	runs("s.connect(addr)", "connect s 127.0.0.1 51234");
	runs("s.connect_ex((HOST, PORT))", "connect_ex s 127.0.0.1 65432");
	runs_into("err = s.connect_ex((HOST, 1))", "connect_ex s 127.0.0.1 1",
	    PYRES_RET, "err", "");
}

static void
test_data(void **state)
{
	(void)state;
	runs("s.send(b'...')", "send s b'...'");
	runs("s.sendall(b'Hello, world')", "sendall s b'Hello, world'");
	runs("s.sendall(b\"Hello, world\")", "sendall s b'Hello, world'");
	runs("conn.sendall(data)", "sendall conn b'Hello, world'");
	runs("s.sendall('text'.encode())", "sendall s b'text'");
	runs("s.sendall(\"it's\".encode('utf-8'))", "sendall s b\"it's\"");
	runs("s.sendall(b'a\\nb\\x00')", "sendall s b'a\\nb\\x00'");
	runs_into("n = s.send(b'x')", "send s b'x'", PYRES_RET, "n", "");
	runs_into("data = conn.recv(1024)", "recv conn 1024", PYRES_DATA,
	    "data", "");
	runs("u.sendto(b'hi', ('127.0.0.1', 9))", "sendto u b'hi' 127.0.0.1 9");
	runs("u.sendto(data, addr)",
	    "sendto u b'Hello, world' 127.0.0.1 51234");
	runs_into("data, addr = u.recvfrom(1024)", "recvfrom u 1024",
	    PYRES_DATA_FROM, "data", "addr");
}

static void
test_closing_and_options(void **state)
{
	(void)state;
	runs("s.shutdown(socket.SHUT_WR)", "shutdown s SHUT_WR");
	runs("s.shutdown(1)", "shutdown s 1");
	runs("s.close()", "close s");
	runs("s.close();", "close s");
	runs("s.listen(); conn, addr = s.accept()", "listen s");
	runs("s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)",
	    "setsockopt s SOL_SOCKET SO_REUSEADDR 1");
	runs("s.setblocking(False)", "setblocking s false");
	runs("s.setblocking(True)", "setblocking s true");
	runs("s.settimeout(5.0)", "settimeout s 5.0");
	runs("s.settimeout(None)", "settimeout s none");
	runs_into("name = s.getsockname()", "getsockname s", PYRES_LOCAL,
	    "name", "");
	runs("s.getsockname()", "getsockname s");
	runs_into("peer = s.getpeername()", "getpeername s", PYRES_PEER, "peer",
	    "");
}

static void
test_values(void **state)
{
	(void)state;
	shows("print(data)", "b'Hello, world'");
	shows("print(repr(data))", "b'Hello, world'");
	shows("print(data.decode())", "Hello, world");
	shows("data.decode()", "'Hello, world'");
	shows("print(len(data))", "12");
	shows("len(data)", "12");
	shows("data", "b'Hello, world'");
	shows("print(nothing)", "b''");
	shows("print(f\"Connected by {addr}\")",
	    "Connected by ('127.0.0.1', 51234)");
	shows("print(f\"Received {data!r}\")", "Received b'Hello, world'");
	shows("print('Received', repr(data))", "Received b'Hello, world'");
	shows("print(HOST, PORT)", "127.0.0.1 65432");
	shows("addr", "('127.0.0.1', 51234)");
}

static void
test_blocks(void **state)
{
	(void)state;
	answered("while True:", PYLINE_SAY, "loop is not run");
	answered("        if not data:", PYLINE_SAY, "if is not run");
	answered("            break", PYLINE_SAY, "nothing to break");
	answered("def main():", PYLINE_ERROR, "outside");
	answered("try:", PYLINE_SAY, "try is not run");
	answered("class Echo:", PYLINE_ERROR, "outside");
}

/* Ten lines outside the subset: one line each, nothing to run. */
static void
test_outside(void **state)
{
	(void)state;
	answered("import selectors", PYLINE_ERROR,
	    "importing selectors is outside");
	answered("x = foo()", PYLINE_ERROR, "foo() is outside");
	answered("s.recv_into(buf)", PYLINE_ERROR, "nearest: s.recv()");
	answered("s.makefile('r')", PYLINE_ERROR, "outside");
	answered("socket.create_connection((HOST, PORT))", PYLINE_ERROR,
	    "socket.create_connection is outside");
	answered("conn.sendall('text')", PYLINE_ERROR, "TypeError");
	answered("conn.sendall(unknown)", PYLINE_ERROR,
	    "unknown holds no value");
	answered("print(s.recv(1024))", PYLINE_ERROR, "one call per line");
	answered("conn = s.accept()", PYLINE_ERROR, "conn, addr = s.accept()");
	answered("conn.dup()", PYLINE_ERROR, "conn2 = conn.dup()");
	answered("s.bind(HOST, PORT)", PYLINE_ERROR, "takes another number");
	answered("s.bind((HOST, PORT)", PYLINE_ERROR, "( with no )");
	answered("s.bind(('", PYLINE_ERROR, "no closing quote");
	answered("print(((((((((((((((((((((data)))))))))))))))))))))",
	    PYLINE_ERROR, "too deep");
	answered("lambda: 0", PYLINE_ERROR, "outside");
}

static void
test_commands_stay_commands(void **state)
{
	(void)state;
	not_python("socket s");
	not_python("bind s 127.0.0.1 65432");
	not_python("send conn Hello, world");
	not_python("recv conn 1024 = 12 \"Hello, world\"");
	not_python("let PORT 65432");
	not_python("# a comment");
	not_python("");
	not_python("   ");
	not_python("> narration");
	not_python("sokcet s"); /* a typo stays an unknown command */
	not_python("unknownname");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_and_names),
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_with_block),
		cmocka_unit_test(test_server),
		cmocka_unit_test(test_client),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_closing_and_options),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_outside),
		cmocka_unit_test(test_commands_stay_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
