/* Unit tests of track.c: state change lines and segment counts through a fake sys_ops. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd.h"
#include "handle.h"
#include "parse.h"
#include "shell.h"
#include "run.h"
#include "sys.h"
#include "track.h"

#define NFD 512

/* What the fake kernel says of each fd, and what the next call changes. */
struct fake {
	int state[NFD];
	unsigned segs_in[NFD];
	unsigned segs_out[NFD];
	int next_state[NFD]; /* the state the call leaves; 0: unchanged */
	unsigned next_in[NFD]; /* segments the call makes fd receive */
	unsigned next_out[NFD]; /* and send */
	int reads; /* TCP_INFO reads so far */
};

static struct fake fake;

/* getsockopt: TCP_INFO from the table; nothing else. */
static int
fake_getsockopt(int fd, int level, int name, void *v, socklen_t *len)
{
	struct tcp_info ti;

	if (fd < 0 || fd >= NFD || level != IPPROTO_TCP || name != TCP_INFO) {
		errno = ENOPROTOOPT;
		return -1;
	}
	fake.reads++;
	memset(&ti, 0, sizeof(ti));
	ti.tcpi_state = (uint8_t)fake.state[fd];
	ti.tcpi_segs_in = fake.segs_in[fd];
	ti.tcpi_segs_out = fake.segs_out[fd];
	if (*len > sizeof(ti))
		*len = sizeof(ti);
	memcpy(v, &ti, *len);
	return 0;
}

/* getsockname and getpeername: 127.0.0.1, port 1000 + fd; the peer's is fd ^ 1's (10 and 11 talk). */
static int
fake_name(int fd, struct sockaddr *sa, socklen_t *len, int peer)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)(1000 + (peer ? fd ^ 1 : fd)));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (*len > sizeof(sin))
		*len = sizeof(sin);
	memcpy(sa, &sin, *len);
	return 0;
}

/* getsockname through fake_name. */
static int
fake_getsockname(int fd, struct sockaddr *sa, socklen_t *len)
{
	return fake_name(fd, sa, len, 0);
}

/* getpeername through fake_name. */
static int
fake_getpeername(int fd, struct sockaddr *sa, socklen_t *len)
{
	return fake_name(fd, sa, len, 1);
}

static const struct sys_ops fake_sys = {
	.getsockopt = fake_getsockopt,
	.getsockname = fake_getsockname,
	.getpeername = fake_getpeername,
};

/* Makes the next call (between the hooks) leave fd in state st, counting segments. */
static void
during(int fd, int st, unsigned in, unsigned out)
{
	fake.next_state[fd] = st;
	fake.next_in[fd] = in;
	fake.next_out[fd] = out;
}

/* The call itself: applies what during() prepared. */
static void
call_made(void)
{
	int fd;

	for (fd = 0; fd < NFD; fd++) {
		if (fake.next_state[fd])
			fake.state[fd] = fake.next_state[fd];
		fake.segs_in[fd] += fake.next_in[fd];
		fake.segs_out[fd] += fake.next_out[fd];
		fake.next_state[fd] = 0;
		fake.next_in[fd] = fake.next_out[fd] = 0;
	}
}

/* A shell printing into a memory buffer, with the statement to run. */
struct fixture {
	struct shell sh;
	FILE *out;
	char *text;
	size_t len;
	struct parsed p;
	long ret; /* what the call returned */
};

/* Runs the hooks around line as if its command made a call; returns what they printed. */
static const char *
hooks(struct fixture *f, const char *line)
{
	char err[128];

	fflush(f->out);
	fseek(f->out, 0, SEEK_SET);
	memset(f->text, 0, f->len);
	assert_int_equal(parse_line(line, strlen(line), &f->p, err,
	                     sizeof(err)),
	    0);
	track_begin(&f->sh, &f->p.v[0]);
	call_made();
	f->sh.last.made = 1;
	f->sh.last.ret = f->ret ? f->ret : 1;
	track_end(&f->sh, &f->p.v[0], CMD_OK);
	parse_free(&f->p);
	fflush(f->out);
	return f->text;
}

/* Makes a shell with two connected handles, cli (fd 10) and conn (fd 11). */
static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	memset(&fake, 0, sizeof(fake));
	f->out = open_memstream(&f->text, &f->len);
	shell_init(&f->sh, &fake_sys, f->out, f->out);
	handle_add(&f->sh.handles, "cli", 10, AF_INET, SOCK_STREAM, 0);
	handle_add(&f->sh.handles, "conn", 11, AF_INET, SOCK_STREAM, 0);
	fake.state[10] = fake.state[11] = 1; /* ESTABLISHED */
	*state = f;
	return 0;
}

/* Frees the shell and its buffer. */
static int
teardown(void **state)
{
	struct fixture *f = *state;

	shell_free(&f->sh);
	fclose(f->out);
	free(f->text);
	free(f);
	return 0;
}

/* The first sight of a handle prints nothing; a change prints one line each side. */
static void
test_half_close_lines(void **state)
{
	struct fixture *f = *state;
	const char *out;

	assert_string_equal(hooks(f, "send cli x"), "");
	during(10, 5, 0, 1); /* FIN_WAIT2 */
	during(11, 8, 1, 0); /* CLOSE_WAIT */
	out = hooks(f, "shutdown cli SHUT_WR");
	assert_null(strstr(out, "since"));
	assert_non_null(strstr(out, "  cli ESTABLISHED -> FIN_WAIT2\n"));
	assert_non_null(strstr(out, "  conn ESTABLISHED -> CLOSE_WAIT\n"));
	assert_non_null(strstr(out,
	    "segments: cli sent 1, received 0; "
	    "conn sent 0, received 1"));
	assert_string_equal(hooks(f, "recv conn 10"), "");
}

/* set states off and set segments off silence the lines. */
static void
test_switched_off(void **state)
{
	struct fixture *f = *state;

	hooks(f, "send cli x");
	f->sh.states = 0;
	f->sh.segments = 0;
	during(10, 5, 0, 3);
	assert_string_equal(hooks(f, "shutdown cli SHUT_WR"), "");
	f->sh.states = 1;
	fake.state[10] = 1; /* changed while nothing was shown */
	/* back on: the first scan resynchronises and prints nothing stale */
	assert_null(strstr(hooks(f, "send cli x"), "->"));
	during(10, 5, 0, 0);
	assert_non_null(strstr(hooks(f, "shutdown cli SHUT_WR"),
	    "  cli ESTABLISHED -> FIN_WAIT2\n"));
}

/*
 * A command that made no call is looked at once before (what changed
 * since the previous command shows when seen), and not after.
 */
static void
test_no_call_no_scan(void **state)
{
	struct fixture *f = *state;
	struct parsed p;
	char err[64];

	hooks(f, "send cli x");
	fake.reads = 0;
	assert_int_equal(parse_line("handles", 7, &p, err, sizeof(err)), 0);
	track_begin(&f->sh, &p.v[0]);
	assert_int_equal(fake.reads, 2);
	f->sh.last.made = 0;
	track_end(&f->sh, &p.v[0], CMD_OK);
	parse_free(&p);
	assert_int_equal(fake.reads, 2);
}

/*
 * Finding 15: a change that happened after the previous command (a
 * peer's FIN, a delayed ACK) is shown before the next call as such, never
 * under that call as its effect.
 */
static void
test_since_previous(void **state)
{
	struct fixture *f = *state;
	const char *out;

	hooks(f, "send cli x");
	fake.state[10] = 8; /* CLOSE_WAIT: the peer closed meanwhile */
	fake.segs_in[10] += 1;
	out = hooks(f, "socket y");
	assert_string_equal(out,
	    "  since the previous command: cli ESTABLISHED -> CLOSE_WAIT\n"
	    "  since the previous command: segments: cli sent 0, received "
	    "1\n");
	assert_string_equal(hooks(f, "socket z"), "");
}

/*
 * A change of a handle the call cannot have changed (not its handle, not
 * the other end) that shows after the call is said to be since the
 * previous command too, after the call's own.
 */
static void
test_beside_the_call(void **state)
{
	struct fixture *f = *state;

	handle_add(&f->sh.handles, "x", 20, AF_INET, SOCK_STREAM, 0);
	fake.state[20] = 1;
	hooks(f, "send cli x");
	during(20, 8, 1, 0); /* x's peer (not ours) closed meanwhile */
	during(11, 0, 1, 0);
	during(10, 0, 0, 1);
	assert_string_equal(hooks(f, "send cli y"),
	    "  since the previous command: x ESTABLISHED -> CLOSE_WAIT\n"
	    "  segments: cli sent 1, received 0; conn sent 0, received 1\n"
	    "  since the previous command: segments: x sent 0, received 1\n");
}

/* A state in passing is shown as read, once: no re-reads, no waiting. */
static void
test_passing_state_once(void **state)
{
	struct fixture *f = *state;
	const char *out;

	hooks(f, "send cli x");
	fake.reads = 0;
	during(10, 4, 0, 1); /* FIN_WAIT1: the peer's ACK is delayed */
	during(11, 8, 1, 0);
	out = hooks(f, "shutdown cli SHUT_WR");
	assert_non_null(strstr(out, "  cli ESTABLISHED -> FIN_WAIT1\n"));
	assert_non_null(strstr(out, "cli's FIN is not acknowledged yet"));
	assert_int_equal(fake.reads, 4); /* each handle before and after */
	fake.state[10] = 5; /* the ACK came after the command */
	out = hooks(f, "recv conn 10");
	assert_string_equal(out,
	    "  since the previous command: cli FIN_WAIT1 -> FIN_WAIT2\n");
}

/* Beyond TRACK_MAX_LIVE live handles, nothing is read: the cost stays flat. */
static void
test_many_handles_skipped(void **state)
{
	struct fixture *f = *state;
	char name[32];
	int i;

	for (i = 0; i < TRACK_MAX_LIVE + 10; i++) {
		snprintf(name, sizeof(name), "h%d", i);
		handle_add(&f->sh.handles, name, 100 + i, AF_INET, SOCK_STREAM,
		    0);
	}
	fake.reads = 0;
	fake.state[10] = 5;
	assert_string_equal(hooks(f, "send cli x"), "");
	assert_int_equal(fake.reads, 0);
}

/* The diagram's log gets the inferred arrows: data, then FIN. */
static void
test_inferred_arrows(void **state)
{
	struct fixture *f = *state;
	char *text = NULL;
	size_t len = 0;
	FILE *d;

	hooks(f, "socket x");
	f->ret = 12;
	hooks(f, "send cli \"Hello, world\"");
	f->ret = 0;
	during(10, 5, 0, 0);
	during(11, 8, 0, 0);
	hooks(f, "shutdown cli SHUT_WR");
	d = open_memstream(&text, &len);
	assert_non_null(d);
	{
		const struct cmd_entry *c = cmd_find("diagram");
		struct cmd_args a = { 0, NULL, NULL, 0 };
		FILE *keep = f->sh.out;

		f->sh.out = d;
		c->exec(&f->sh, c, &a);
		f->sh.out = keep;
	}
	fclose(d);
	assert_non_null(strstr(text, "cli"));
	assert_non_null(strstr(text, "12 bytes \"Hello, w\"..."));
	assert_non_null(strstr(text, "-- FIN --"));
	assert_true(strstr(text, "FIN") > strstr(text, "12 bytes"));
	free(text);
}

/* Runs the track tests. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_half_close_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_switched_off, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_since_previous, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_beside_the_call, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_passing_state_once, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_no_call_no_scan, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_many_handles_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_inferred_arrows, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("track", tests, NULL, NULL);
}
