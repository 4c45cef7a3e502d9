/* Unit tests of complete.c: what Tab offers, by position in the line. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cmd.h"
#include "complete.h"
#include "handle.h"
#include "shell.h"
#include "run.h"
#include "sys.h"

/*
 * Completes the last word of line (the text after its last space or ';')
 * and checks the candidates against want, a NULL-terminated list in order.
 */
static void
expect_words(struct shell *sh, const char *line, const char *const *want)
{
	size_t start = strlen(line), n = 0, i;
	char **v;

	while (start > 0 && !strchr(" \t;", line[start - 1]))
		start--;
	v = complete_words(sh, line, start, line + start, &n);
	for (i = 0; want[i] && i < n; i++)
		if (strcmp(v[i], want[i]) != 0)
			break;
	if (want[i] != NULL || i != n) {
		fprintf(stderr, "'%s' offered:", line);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", v[i]);
		fprintf(stderr, "\n");
		complete_free(v, n);
		fail_msg("wrong candidates for '%s'", line);
	}
	complete_free(v, n);
}

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE ((const char *const[]){ NULL })

static struct shell sh;

static int
setup(void **state)
{
	shell_init(&sh, &sys_real, stdout, stderr);
	handle_add(&sh.handles, "srv", 3, AF_INET, SOCK_STREAM, 0);
	handle_add(&sh.handles, "cli", 4, AF_INET, SOCK_STREAM, 0);
	handle_add(&sh.handles, "conn", 5, AF_INET, SOCK_STREAM, 0);
	handle_close(&sh.handles,
	    handle_add(&sh.handles, "closed", 6, AF_INET, SOCK_STREAM, 0),
	    "line 1");
	*state = &sh;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	shell_free(&sh);
	return 0;
}

/* Checks that line offers exactly the table's commands starting with prefix. */
static void
expect_commands(struct shell *shp, const char *line, const char *prefix)
{
	const struct cmd_entry *const *c;
	const char *want[128];
	size_t n = 0, len = strlen(prefix);

	for (c = cmd_table; *c && n + 3 < 128; c++) {
		if (strncmp((*c)->name, prefix, len) == 0)
			want[n++] = (*c)->name;
		if ((*c)->alias && strncmp((*c)->alias, prefix, len) == 0)
			want[n++] = (*c)->alias;
	}
	want[n] = NULL;
	expect_words(shp, line, want);
}

static void
test_commands(void **state)
{
	(void)state;
	/* The list comes from the command table, whatever it holds. */
	expect_commands(&sh, "soc", "soc");
	expect_commands(&sh, "s", "s");
	expect_commands(&sh, "connect", "connect");
	expect_commands(&sh, "  li", "li");
	expect_commands(&sh, "socket a; clo", "clo");
	expect_commands(&sh, "socket a;clo", "clo");
	expect_words(&sh, "shutd", WORDS("shutdown"));
	expect_words(&sh, "getp", WORDS("getpeername"));
	expect_words(&sh, "zz", NONE);
	/* Case matters: commands are lower case. */
	expect_words(&sh, "SO", NONE);
	/* Aliases too. */
	expect_words(&sh, "exi", WORDS("exit"));
}

static void
test_all_commands(void **state)
{
	const struct cmd_entry *const *c;
	size_t n = 0, i = 0, count = 0;
	char **v;

	(void)state;
	/* An empty word offers every command and alias, in table order. */
	for (c = cmd_table; *c; c++)
		count += (*c)->alias ? 2 : 1;
	v = complete_words(&sh, "", 0, "", &n);
	assert_int_equal(n, count);
	for (c = cmd_table; *c; c++) {
		assert_string_equal(v[i++], (*c)->name);
		if ((*c)->alias)
			assert_string_equal(v[i++], (*c)->alias);
	}
	complete_free(v, n);
}

static void
test_handles(void **state)
{
	(void)state;
	/* Live handles only, in order of creation; never closed ones. */
	expect_words(&sh, "send ", WORDS("srv", "cli", "conn"));
	expect_words(&sh, "close c", WORDS("cli", "conn"));
	expect_words(&sh, "recv  co", WORDS("conn"));
	expect_words(&sh, "accept s", WORDS("srv"));
	expect_words(&sh, "listen x", NONE);
	expect_words(&sh, "listen srv; recv c", WORDS("cli", "conn"));
	/* The second argument of accept is a new name: nothing to offer. */
	expect_words(&sh, "accept srv ", NONE);
	/* Unknown command: nothing. */
	expect_words(&sh, "bogus ", NONE);
}

static void
test_shutdown(void **state)
{
	(void)state;
	expect_words(&sh, "shutdown ", WORDS("srv", "cli", "conn"));
	expect_words(&sh, "shutdown h ",
	    WORDS("SHUT_RD", "SHUT_WR", "SHUT_RDWR"));
	expect_words(&sh, "shutdown cli SHUT_W", WORDS("SHUT_WR"));
	expect_words(&sh, "shutdown cli SHUT_RD",
	    WORDS("SHUT_RD", "SHUT_RDWR"));
	/* Short forms are accepted but not offered. */
	expect_words(&sh, "shutdown cli w", NONE);
}

static void
test_sockopt(void **state)
{
	(void)state;
	expect_words(&sh, "setsockopt ", WORDS("srv", "cli", "conn"));
	expect_words(&sh, "setsockopt srv SO_RE",
	    WORDS("SO_REUSEADDR", "SO_REUSEPORT"));
	expect_words(&sh, "getsockopt srv SO_ERR", WORDS("SO_ERROR"));
	expect_words(&sh, "setsockopt cli TCP_NO", WORDS("TCP_NODELAY"));
	expect_words(&sh, "setsockopt cli SOL", WORDS("SOL_SOCKET"));
	expect_words(&sh, "setsockopt cli IPPROTO_",
	    WORDS("IPPROTO_TCP", "IPPROTO_IP", "IPPROTO_IPV6", "IPPROTO_UDP"));
	expect_words(&sh, "setsockopt cli SOL_SOCKET SO_KEEP",
	    WORDS("SO_KEEPALIVE"));
}

static void
test_socket_and_flags(void **state)
{
	(void)state;
	expect_words(&sh, "socket s AF_",
	    WORDS("AF_INET", "AF_INET6", "AF_UNIX", "AF_UNSPEC"));
	expect_words(&sh, "socket s AF_INET SOCK_",
	    WORDS("SOCK_STREAM", "SOCK_DGRAM", "SOCK_SEQPACKET", "SOCK_RAW"));
	expect_words(&sh, "send cli x MSG_P", WORDS("MSG_PEEK"));
	expect_words(&sh, "recv conn 1024 MSG_WA", WORDS("MSG_WAITALL"));
	expect_words(&sh, "help sh", WORDS("shutdown"));
	expect_words(&sh, "bind srv 127", WORDS("127.0.0.1"));
}

/* Every command in the table says what Tab offers, in kinds complete.c knows. */
static void
test_table_grammar(void **state)
{
	const struct cmd_entry *const *c;
	char kind[64];
	const char *p;
	size_t n;

	(void)state;
	for (c = cmd_table; *c; c++) {
		if ((*c)->complete == NULL)
			fail_msg("%s has no .complete grammar", (*c)->name);
		for (p = (*c)->complete; *(p += strspn(p, " ")); p += n) {
			n = strcspn(p, " ");
			snprintf(kind, sizeof(kind), "%.*s",
			    (int)(p[n - 1] == '*' ? n - 1 : n), p);
			if (!complete_kind_known(kind))
				fail_msg("%s: unknown completion kind '%s'",
				    (*c)->name, kind);
		}
	}
}

/* What follows a level is that level's options; a setting, its values. */
static void
test_grammar_context(void **state)
{
	(void)state;
	expect_words(&sh, "setsockopt cli SOL_TCP TCP_K",
	    WORDS("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT"));
	expect_words(&sh, "setsockopt cli SOL_TCP SO_", NONE);
	expect_words(&sh, "setsockopt cli SO_LINGER o", WORDS("on", "off"));
	expect_words(&sh, "set sigpipe ", WORDS("catch", "ignore", "default"));
	expect_words(&sh, "set no", WORDS("notes"));
	expect_words(&sh, "set notes o", WORDS("on", "off"));
	expect_words(&sh, "lesson half", WORDS("half-close"));
	expect_words(&sh, "expect cli FIN_", WORDS("FIN_WAIT1", "FIN_WAIT2"));
	expect_words(&sh, "connect cli s", WORDS("srv"));
	expect_words(&sh, "close srv ", NONE);
}

/* After accept, listening handles come first. */
static void
test_accept_listeners_first(void **state)
{
	struct shell s2;
	int a = socket(AF_INET, SOCK_STREAM, 0);
	int b = socket(AF_INET, SOCK_STREAM, 0);

	(void)state;
	assert_true(a >= 0 && b >= 0);
	assert_int_equal(listen(b, 1), 0);
	shell_init(&s2, &sys_real, stdout, stderr);
	handle_add(&s2.handles, "plain", a, AF_INET, SOCK_STREAM, 0);
	handle_add(&s2.handles, "lst", b, AF_INET, SOCK_STREAM, 0);
	expect_words(&s2, "accept ", WORDS("lst", "plain"));
	shell_free(&s2);
	close(a);
	close(b);
}

/* A file name completes from the folder it names. */
static void
test_files(void **state)
{
	(void)state;
	expect_words(&sh, "source /dev/nul", WORDS("/dev/null"));
	expect_words(&sh, "record /proc/self/cm", WORDS("/proc/self/cmdline"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_all_commands),
		cmocka_unit_test(test_handles),
		cmocka_unit_test(test_shutdown),
		cmocka_unit_test(test_sockopt),
		cmocka_unit_test(test_socket_and_flags),
		cmocka_unit_test(test_table_grammar),
		cmocka_unit_test(test_grammar_context),
		cmocka_unit_test(test_accept_listeners_first),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests_name("complete", tests, setup, teardown);
}
