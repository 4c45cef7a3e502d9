#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "cmd.h"
#include "expect.h"
#include "handle.h"
#include "out.h"
#include "parse.h"
#include "procjob.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"

#define EXPECT_WAIT_MS 1000 /* how long a state may take to arrive */

/* Returns the TCP state of h as the kernel reports it, or NULL. */
static const char *
expect_state(struct shell *sh, const struct handle *h)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (h->fd < 0)
		return "closed";
	if (h->type != SOCK_STREAM || h->family == AF_UNIX)
		return "-";
	if (sh->sys->getsockopt(h->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return "?";
	return sym_name(sym_tcp_state, ti.tcpi_state);
}

/* Returns 1 when state s is the one asked for (CLOSED and CLOSE are one). */
static int
expect_same(const char *s, const char *want)
{
	long a, b;

	if (s == NULL)
		return 0;
	if (strcasecmp(s, want) == 0)
		return 1;
	return sym_value(sym_tcp_state, s, &a) == 0 &&
	    sym_value(sym_tcp_state, want, &b) == 0 && a == b &&
	    strcmp(s, "closed") != 0;
}

/*
 * expect trace N CALL: takes program N's next call named CALL (waiting
 * for it within the check's bound) as the result its expectation checks.
 */
static int
expect_trace(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	char err[128];
	long id;
	int rc;

	if (!parse_is_word(&a->argv[0], "trace"))
		return cmd_usage(sh, cmd,
		    "three arguments are trace N CALL (expect trace 1 "
		    "connect = 0)");
	if (parse_long(&a->argv[1], 1, 1000000, &id, err, sizeof(err)) == -1)
		return cmd_usage(sh, cmd, "job number: %s", err);
	if (!procjob_exists(sh, (int)id))
		return cmd_usage(sh, cmd,
		    "no program [%ld] traced in the background (trace "
		    "PROGRAM & starts one)",
		    id);
	rc = procjob_next_call(sh, (int)id, a->argv[2].text, &sh->last);
	if (rc == 0)
		return CMD_OK;
	out_error(sh, "[%ld] made no %.40s call%s%s", id, a->argv[2].text,
	    rc == 1 ? " after the ones already expected" : "",
	    rc == 1 ? " (it ended, or the bound passed)"
	            : ": the wait was stopped");
	return CMD_ERR;
}

/*
 * expect HANDLE STATE: checks the kernel's TCP state of a handle, waiting
 * up to a second for a transition on its way (FIN_WAIT1 to FIN_WAIT2).
 */
static int
cmd_expect_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const char *s;
	struct timespec ts = { 0, 10 * 1000000L };
	struct handle *h;
	char want[32], wanted[96], got[96], err[160];
	int i;

	if (a->argc == 3)
		return expect_trace(sh, cmd, a);
	if (expect_state_name(a->argv[1].text, want, sizeof(want), err,
	        sizeof(err)) == -1)
		return cmd_usage(sh, cmd, "%s", err);
	h = a->argv[0].len < HANDLE_NAME_MAX
	    ? handle_find(&sh->handles, a->argv[0].text)
	    : NULL;
	if (h == NULL && cmd_handle_arg(sh, cmd, &a->argv[0], &h) == CMD_ERR)
		return CMD_ERR;
	s = expect_state(sh, h);
	for (i = 0;
	     i < EXPECT_WAIT_MS / 10 && !expect_same(s, want) && h->fd >= 0;
	     i++) {
		nanosleep(&ts, NULL);
		s = expect_state(sh, h);
	}
	snprintf(wanted, sizeof(wanted), "%s %s", h->name, want);
	snprintf(got, sizeof(got), "%s %s", h->name, s ? s : "?");
	if (expect_same(s, want))
		out_meaning(sh, "%s is %s, as expected", h->name, s);
	expect_count(sh, expect_same(s, want), wanted, got);
	return CMD_OK;
}

const struct cmd_entry cmd_expect_entry = {
	.name = "expect",
	.usage = "HANDLE STATE | trace N CALL",
	.args_min = 2,
	.args_max = 3,
	.flags = 0,
	.group = CMD_GROUP_LESSONS,
	.summary = "check a handle's TCP state (a lesson's state check)",
	.help =
	    "Checks that the kernel reports the TCP state STATE for the "
	    "handle (from TCP_INFO): ESTABLISHED, LISTEN, SYN_SENT, FIN_WAIT1, "
	    "FIN_WAIT2, CLOSE_WAIT, LAST_ACK, TIME_WAIT, CLOSE, or closed for a "
	    "handle this shell has closed. A state on its way (FIN_WAIT1 "
	    "becoming FIN_WAIT2) is waited for up to a second. expect trace "
	    "N CALL takes the next call named CALL (as the trace line names "
	    "it: connect, sendto, recvfrom, ...) of program N, started with "
	    "trace PROGRAM &, waiting for it within the check's bound; the "
	    "expectation after it checks that call's result and data, as "
	    "one after a command checks the command's (expect trace 1 "
	    "recvfrom = 5 \"hello\"). Calls are taken in order: each expect "
	    "trace looks after the one before. In --check mode a mismatch, "
	    "or no such call, fails the lesson.",
	.errors = "",
	.man = "tcp(7)",
	.complete = "handle state",
	.exec = cmd_expect_exec,
};
