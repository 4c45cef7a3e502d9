/* Unit tests of handle.c: names and fds, closed names, many handles. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "handle.h"

static void
test_add_find(void **state)
{
	struct handle_table t;
	struct handle *srv, *cli;

	(void)state;
	handle_table_init(&t);
	assert_null(handle_find(&t, "srv"));
	assert_null(handle_by_fd(&t, 3));
	srv = handle_add(&t, "srv", 3, AF_INET, SOCK_STREAM, 0);
	cli = handle_add(&t, "cli", 4, AF_INET6, SOCK_DGRAM, 17);
	assert_non_null(srv);
	assert_ptr_not_equal(srv, cli);
	assert_string_equal(srv->name, "srv");
	assert_int_equal(srv->fd, 3);
	assert_int_equal(srv->old_fd, 3);
	assert_int_equal(srv->family, AF_INET);
	assert_int_equal(srv->type, SOCK_STREAM);
	assert_int_equal(cli->family, AF_INET6);
	assert_int_equal(cli->type, SOCK_DGRAM);
	assert_int_equal(cli->protocol, 17);
	assert_int_equal(srv->shut, 0);
	assert_null(srv->closed_at);
	assert_ptr_equal(handle_find(&t, "srv"), srv);
	assert_ptr_equal(handle_find(&t, "cli"), cli);
	assert_null(handle_find(&t, "Srv"));
	assert_null(handle_find(&t, "sr"));
	assert_null(handle_find(&t, ""));
	assert_ptr_equal(handle_by_fd(&t, 3), srv);
	assert_ptr_equal(handle_by_fd(&t, 4), cli);
	assert_null(handle_by_fd(&t, 5));
	assert_null(handle_by_fd(&t, -1));
	assert_null(handle_by_fd(&t, 1 << 20));
	assert_int_equal(t.n, 2);
	assert_int_equal(t.live, 2);
	assert_ptr_equal(t.v[0], srv);
	assert_ptr_equal(t.v[1], cli);
	handle_table_free(&t);
	assert_int_equal(t.n, 0);
	assert_null(t.v);
}

static void
test_big_fd(void **state)
{
	struct handle_table t;
	struct handle *h;

	(void)state;
	handle_table_init(&t);
	h = handle_add(&t, "far", 5000, AF_INET, SOCK_STREAM, 0);
	assert_ptr_equal(handle_by_fd(&t, 5000), h);
	assert_null(handle_by_fd(&t, 4999));
	assert_null(handle_by_fd(&t, 5001));
	h = handle_add(&t, "zero", 0, AF_INET, SOCK_STREAM, 0);
	assert_ptr_equal(handle_by_fd(&t, 0), h);
	handle_table_free(&t);
}

static void
test_close_keeps_name(void **state)
{
	struct handle_table t;
	struct handle *h, *other;

	(void)state;
	handle_table_init(&t);
	h = handle_add(&t, "conn", 5, AF_INET, SOCK_STREAM, 0);
	other = handle_add(&t, "srv", 3, AF_INET, SOCK_STREAM, 0);
	handle_close(&t, h, "line 14");
	assert_int_equal(h->fd, -1);
	assert_int_equal(h->old_fd, 5);
	assert_string_equal(h->closed_at, "line 14");
	assert_ptr_equal(handle_find(&t, "conn"), h);
	assert_null(handle_by_fd(&t, 5));
	assert_ptr_equal(handle_by_fd(&t, 3), other);
	assert_int_equal(t.live, 1);
	assert_int_equal(t.n, 2);
	/* Closing twice changes nothing. */
	handle_close(&t, h, "line 20");
	assert_string_equal(h->closed_at, "line 14");
	assert_int_equal(t.live, 1);
	handle_table_free(&t);
}

static void
test_reuse_closed_name(void **state)
{
	struct handle_table t;
	struct handle *h, *again, *other;
	struct sockaddr_storage ss;

	(void)state;
	handle_table_init(&t);
	h = handle_add(&t, "cli", 4, AF_INET, SOCK_STREAM, 0);
	h->shut = HANDLE_SHUT_WR;
	other = handle_add(&t, "end", 5, AF_UNIX, SOCK_STREAM, 0);
	h->pair = other;
	h->pair_sock = other->sock;
	memset(&ss, 0, sizeof(ss));
	ss.ss_family = AF_INET;
	handle_set_local(h, &ss);
	handle_set_peer(h, &ss);
	assert_int_equal(handle_local(h)->ss_family, AF_INET);
	handle_close(&t, h, "line 3");
	handle_close(&t, other, "line 4");
	/* The kernel hands out fd 4 again, to another handle. */
	other = handle_add(&t, "x", 4, AF_INET, SOCK_STREAM, 0);
	assert_ptr_equal(handle_by_fd(&t, 4), other);
	assert_int_equal(handle_name_check(&t, "cli", NULL, 0), 0);
	again = handle_add(&t, "cli", 6, AF_INET6, SOCK_DGRAM, 0);
	assert_ptr_equal(again, h);
	assert_int_equal(again->fd, 6);
	assert_int_equal(again->old_fd, 6);
	assert_int_equal(again->family, AF_INET6);
	assert_int_equal(again->type, SOCK_DGRAM);
	assert_int_equal(again->shut, 0);
	assert_null(again->closed_at);
	/* nothing of the old socket's: no pair, no remembered addresses */
	assert_null(again->pair);
	assert_int_equal(again->pair_sock, 0);
	assert_int_equal(handle_local(again)->ss_family, 0);
	assert_int_equal(handle_peer(again)->ss_family, 0);
	assert_ptr_equal(handle_find(&t, "cli"), again);
	assert_ptr_equal(handle_by_fd(&t, 6), again);
	assert_ptr_equal(handle_by_fd(&t, 4), other);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.live, 2);
	handle_table_free(&t);
}

/* Checks that name is refused with exactly want. */
static void
refused(const struct handle_table *t, const char *name, const char *want)
{
	char err[256] = "";

	assert_int_equal(handle_name_check(t, name, err, sizeof(err)), -1);
	assert_string_equal(err, want);
}

static void
test_name_check(void **state)
{
	struct handle_table t;
	char err[256];
	char longname[64];

	(void)state;
	handle_table_init(&t);
	assert_int_equal(handle_name_check(&t, "srv", err, sizeof(err)), 0);
	assert_int_equal(handle_name_check(&t, "_x", err, sizeof(err)), 0);
	assert_int_equal(handle_name_check(&t, "conn-2_b", err, sizeof(err)),
	    0);
	refused(&t, "",
	    "a handle name starts with a letter (like srv, cli, "
	    "conn)");
	refused(&t, "3",
	    "a handle name starts with a letter (like srv, cli, "
	    "conn)");
	refused(&t, "-x",
	    "a handle name starts with a letter (like srv, "
	    "cli, conn)");
	refused(&t, "a b",
	    "a handle name has only letters, digits, '_' and "
	    "'-'");
	refused(&t, "a.b",
	    "a handle name has only letters, digits, '_' and "
	    "'-'");
	refused(&t, "caf\xc3\xa9",
	    "a handle name has only letters, digits, "
	    "'_' and '-'");
	memset(longname, 'n', sizeof(longname));
	longname[31] = '\0';
	assert_int_equal(handle_name_check(&t, longname, err, sizeof(err)), 0);
	longname[31] = 'n';
	longname[32] = '\0';
	refused(&t, longname, "a handle name has at most 31 characters");
	handle_add(&t, "srv", 3, AF_INET, SOCK_STREAM, 0);
	refused(&t, "srv",
	    "srv is already a live handle (fd 3); close it or "
	    "choose another name");
	handle_table_free(&t);
}

static void
test_auto_names(void **state)
{
	struct handle_table t;
	struct handle *h;
	char name[HANDLE_NAME_MAX];

	(void)state;
	handle_table_init(&t);
	handle_auto_name(&t, "sock", name, sizeof(name));
	assert_string_equal(name, "sock1");
	handle_add(&t, name, 3, AF_INET, SOCK_STREAM, 0);
	handle_auto_name(&t, "sock", name, sizeof(name));
	assert_string_equal(name, "sock2");
	h = handle_add(&t, name, 4, AF_INET, SOCK_STREAM, 0);
	/* A closed name stays taken, so that its story is kept. */
	handle_close(&t, h, "line 2");
	handle_auto_name(&t, "sock", name, sizeof(name));
	assert_string_equal(name, "sock3");
	handle_auto_name(&t, "conn", name, sizeof(name));
	assert_string_equal(name, "conn1");
	handle_add(&t, "conn2", 7, AF_INET, SOCK_STREAM, 0);
	handle_auto_name(&t, "conn", name, sizeof(name));
	assert_string_equal(name, "conn1");
	handle_table_free(&t);
}

static void
test_ten_thousand(void **state)
{
	struct handle_table t;
	struct handle *h;
	char name[HANDLE_NAME_MAX];
	int i;

	(void)state;
	handle_table_init(&t);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		h = handle_add(&t, name, i + 3, AF_INET, SOCK_STREAM, 0);
		assert_non_null(h);
	}
	assert_int_equal(t.n, 10000);
	assert_int_equal(t.live, 10000);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		h = handle_find(&t, name);
		if (h == NULL || strcmp(h->name, name) != 0 || h->fd != i + 3)
			fail_msg("%s is lost", name);
		if (handle_by_fd(&t, i + 3) != h)
			fail_msg("fd %d is lost", i + 3);
	}
	for (i = 0; i < 10000; i += 2) {
		snprintf(name, sizeof(name), "h%d", i);
		handle_close(&t, handle_find(&t, name), "line 1");
	}
	assert_int_equal(t.live, 5000);
	for (i = 0; i < 10000; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		h = handle_find(&t, name);
		assert_non_null(h);
		assert_int_equal(h->fd, i % 2 ? i + 3 : -1);
		assert_int_equal(h->old_fd, i + 3);
		if (i % 2)
			assert_ptr_equal(handle_by_fd(&t, i + 3), h);
		else
			assert_null(handle_by_fd(&t, i + 3));
	}
	assert_null(handle_find(&t, "h10000"));
	handle_auto_name(&t, "h", name, sizeof(name));
	assert_string_equal(name, "h10000");
	handle_table_free(&t);
}

/* A closed socket leaves the watches of live epoll handles, however many handles were closed before. */
static void
test_epoll_watches(void **state)
{
	struct handle_table t;
	struct handle *ep, *ep2, *a, *b;

	(void)state;
	handle_table_init(&t);
	ep = handle_add(&t, "ep", 3, 0, 0, 0);
	handle_set_epoll(&t, ep);
	handle_set_epoll(&t, ep); /* once only */
	ep2 = handle_add(&t, "ep2", 4, 0, 0, 0);
	handle_set_epoll(&t, ep2);
	a = handle_add(&t, "a", 5, AF_INET, SOCK_STREAM, 0);
	b = handle_add(&t, "b", 6, AF_INET, SOCK_STREAM, 0);
	assert_int_equal(t.epolls, 2);
	handle_watch_set(ep, a, 1);
	handle_watch_set(ep, b, 1);
	handle_watch_set(ep2, b, 1);
	handle_close(&t, ep2, "x");
	assert_int_equal(t.epolls, 1);
	handle_close(&t, b, "x");
	assert_non_null(handle_watch_find(ep, a));
	assert_null(handle_watch_find(ep, b));
	handle_close(&t, ep, "x");
	assert_int_equal(t.epolls, 0);
	handle_close(&t, a, "x");
	handle_table_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find),
		cmocka_unit_test(test_big_fd),
		cmocka_unit_test(test_close_keeps_name),
		cmocka_unit_test(test_reuse_closed_name),
		cmocka_unit_test(test_name_check),
		cmocka_unit_test(test_auto_names),
		cmocka_unit_test(test_ten_thousand),
		cmocka_unit_test(test_epoll_watches),
	};

	return cmocka_run_group_tests_name("handle", tests, NULL, NULL);
}
