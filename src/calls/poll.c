#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>

#include "buf.h"
#include "call.h"
#include "cmd.h"
#include "fmt.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "ready.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"
#include "waitline.h"

#define POLL_MAX 64

/* The handles and events of one poll or select, as the student wrote them. */
struct poll_set {
	struct pollfd fd[POLL_MAX];
	struct handle *h[POLL_MAX];
	int n;
	long timeout; /* milliseconds; -1 waits for ever */
};

/*
 * Reads HANDLE[:EVENTS]... [TIMEOUT_MS]: a last argument that is a
 * number (and not the only one) is the timeout. Returns 0, or prints a
 * usage error and returns CMD_ERR.
 */
static int
poll_args(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a,
    struct poll_set *ps)
{
	char emsg[128], name[HANDLE_NAME_MAX + 8];
	struct token t;
	const char *colon;
	int i, n = a->argc;
	long ev;

	ps->n = 0;
	ps->timeout = -1;
	if (n > 1 &&
	    parse_long(&a->argv[n - 1], -1, INT_MAX, &ps->timeout, emsg,
	        sizeof(emsg)) == 0)
		n--;
	if (n > POLL_MAX)
		return cmd_usage(sh, cmd, "at most %d handles", POLL_MAX);
	for (i = 0; i < n; i++) {
		colon = strchr(a->argv[i].text, ':');
		ev = POLLIN;
		if (colon && sym_flags(sym_poll, colon + 1, &ev) == -1)
			return cmd_usage(sh, cmd,
			    "'%.40s' is not a set of "
			    "events (POLLIN, POLLOUT, POLLPRI, ... joined with "
			    "|)",
			    colon + 1);
		if ((colon ? (size_t)(colon - a->argv[i].text)
		           : a->argv[i].len) >= sizeof(name))
			return cmd_usage(sh, cmd, "no handle named '%.40s'",
			    a->argv[i].text);
		snprintf(name, sizeof(name), "%.*s",
		    colon ? (int)(colon - a->argv[i].text)
		          : (int)a->argv[i].len,
		    a->argv[i].text);
		t = a->argv[i];
		t.text = name;
		t.len = strlen(name);
		if (cmd_handle_arg(sh, cmd, &t, &ps->h[i]) == CMD_ERR)
			return CMD_ERR;
		ps->fd[i].fd = ps->h[i]->fd;
		ps->fd[i].events = (short)ev;
		ps->fd[i].revents = 0;
	}
	ps->n = n;
	return 0;
}

/* Says under the call what each ready handle may now do without waiting. */
static void
poll_explain(struct shell *sh, const struct poll_set *ps)
{
	int i;

	for (i = 0; i < ps->n; i++)
		ready_explain(sh, ps->h[i], (unsigned short)ps->fd[i].revents);
}

/*
 * Prints a call line whose result carries more than the number, as
 * strace's "= 1 ([{fd=3, revents=POLLIN}])", and records the result.
 */
static void
poll_result(struct shell *sh, const char *line, int rc)
{
	sh->last.made = 1;
	sh->last.ret = rc;
	sh->last.err = 0;
	fprintf(sh->out, "%s\n", line);
}

/* Appends a struct timeval as strace shows it. */
static void
poll_timeval(struct buf *b, const struct timeval *tv)
{
	buf_printf(b, "{tv_sec=%ld, tv_usec=%ld}", (long)tv->tv_sec,
	    (long)tv->tv_usec);
}

/* poll HANDLE[:EVENTS]... [TIMEOUT_MS]: one poll(2) over the handles. */
static int
cmd_poll_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	struct poll_set ps;
	struct buf b;
	int i, rc, err, any = 0;
	struct call c;

	if (poll_args(sh, cmd, a, &ps) == CMD_ERR)
		return CMD_ERR;
	buf_init(&b);
	buf_puts(&b, "poll([");
	for (i = 0; i < ps.n; i++) {
		buf_printf(&b, "%s{fd=%d, events=", i ? ", " : "", ps.fd[i].fd);
		sym_format_flags(&b, sym_poll, ps.fd[i].events);
		buf_addc(&b, '}');
	}
	buf_printf(&b, "], %d, %ld", ps.n, ps.timeout);
	call_begin(sh, &c, cmd->name, NULL);
	waitline_begin(sh, buf_str(&b));
	rc = sh->sys->poll(ps.fd, (unsigned long)ps.n, (int)ps.timeout);
	err = errno;
	waitline_end();
	call_end(sh, &c, rc, err);
	buf_addc(&b, ')');
	if (rc > 0) {
		buf_puts(&b, " = ");
		buf_printf(&b, "%d ([", rc);
		for (i = 0; i < ps.n; i++) {
			if (ps.fd[i].revents == 0)
				continue;
			buf_printf(&b, "%s{fd=%d, revents=", any++ ? ", " : "",
			    ps.fd[i].fd);
			sym_format_flags(&b, sym_poll, ps.fd[i].revents);
			buf_addc(&b, '}');
		}
		buf_puts(&b, "])");
		poll_result(sh, buf_str(&b), rc);
	} else if (rc == 0) {
		buf_puts(&b, " = 0 (Timeout)");
		poll_result(sh, buf_str(&b), 0);
	} else
		out_call(sh, buf_str(&b), rc, err);
	buf_free(&b);
	if (rc > 0)
		poll_explain(sh, &ps);
	else if (rc == 0)
		out_meaning(sh, "nothing became ready within %ld ms",
		    ps.timeout);
	else
		note_call(sh, &c);
	return CMD_OK;
}

/*
 * select HANDLE[:EVENTS]... [TIMEOUT_MS]: one select(2); POLLIN (r) puts
 * the handle in readfds, POLLOUT (w) in writefds, POLLPRI (x) in exceptfds.
 */
static int
cmd_select_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	static const short bit[3] = { POLLIN, POLLOUT, POLLPRI };
	static const char *const word[3] = { "in", "out", "except" };
	struct call c;
	fd_set set[3], before[3];
	struct timeval tv, *tvp = NULL;
	struct poll_set ps;
	struct buf b;
	int i, k, nfds = 0, rc, err, shown = 0, used[3] = { 0, 0, 0 };

	if (poll_args(sh, cmd, a, &ps) == CMD_ERR)
		return CMD_ERR;
	for (k = 0; k < 3; k++)
		FD_ZERO(&set[k]);
	for (i = 0; i < ps.n; i++) {
		if (ps.fd[i].fd >= FD_SETSIZE)
			return cmd_usage(sh, cmd,
			    "fd %d is too large for select "
			    "(FD_SETSIZE is %d): use poll",
			    ps.fd[i].fd, FD_SETSIZE);
		for (k = 0; k < 3; k++)
			if (ps.fd[i].events & bit[k]) {
				FD_SET(ps.fd[i].fd, &set[k]);
				used[k] = 1;
			}
		if (ps.fd[i].fd + 1 > nfds)
			nfds = ps.fd[i].fd + 1;
	}
	if (ps.timeout >= 0) {
		tv.tv_sec = ps.timeout / 1000;
		tv.tv_usec = (ps.timeout % 1000) * 1000;
		tvp = &tv;
	}
	memcpy(before, set, sizeof(set));
	buf_init(&b);
	buf_printf(&b, "select(%d, ", nfds);
	for (k = 0; k < 3; k++) {
		fmt_fdset(&b, &before[k], used[k], nfds);
		buf_puts(&b, ", ");
	}
	if (tvp)
		poll_timeval(&b, tvp);
	else
		buf_puts(&b, "NULL");
	call_begin(sh, &c, cmd->name, NULL);
	waitline_begin(sh, buf_str(&b));
	rc = sh->sys->select(nfds, used[0] ? &set[0] : NULL,
	    used[1] ? &set[1] : NULL, used[2] ? &set[2] : NULL, tvp);
	err = errno;
	waitline_end();
	call_end(sh, &c, rc, err);
	buf_addc(&b, ')');
	if (rc >= 0) {
		buf_printf(&b, " = %d (", rc);
		for (k = 0; k < 3 && rc > 0; k++)
			if (used[k] &&
			    memcmp(&set[k], &(fd_set){ 0 }, sizeof(fd_set)) !=
			        0) {
				buf_printf(&b, "%s%s ", shown++ ? ", " : "",
				    word[k]);
				fmt_fdset(&b, &set[k], 1, nfds);
			}
		if (rc == 0)
			buf_puts(&b, "Timeout");
		if (tvp) {
			buf_puts(&b, rc ? ", left " : "");
			if (rc)
				poll_timeval(&b, tvp);
		}
		buf_addc(&b, ')');
		poll_result(sh, buf_str(&b), rc);
	} else
		out_call(sh, buf_str(&b), rc, err);
	for (i = 0; i < ps.n && rc > 0; i++) {
		ps.fd[i].revents = 0;
		for (k = 0; k < 3; k++)
			if (used[k] && FD_ISSET(ps.fd[i].fd, &set[k]))
				ps.fd[i].revents |= bit[k];
	}
	if (rc > 0)
		poll_explain(sh, &ps);
	else if (rc == 0)
		out_meaning(sh, "nothing became ready within %ld ms",
		    ps.timeout);
	else
		note_call(sh, &c);
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_poll_entry = {
	.name = "poll",
	.usage = "HANDLE[:EVENTS]... [TIMEOUT_MS]",
	.args_min = 1,
	.args_max = POLL_MAX + 1,
	.flags = CMD_BACKGROUND,
	.group = CMD_GROUP_OPTIONS,
	.summary = "wait until handles are ready to read or write",
	.help =
	    "Waits with one poll(2) until one of the handles is ready, or "
	    "TIMEOUT_MS milliseconds pass (-1, or none given: wait for ever; "
	    "Ctrl-C interrupts). EVENTS after a colon are POLLIN (the default: "
	    "something to recv, or a connection to accept), POLLOUT (room to "
	    "send), POLLPRI, POLLRDHUP, joined with |: poll srv cli:POLLOUT "
	    "1000. The result is how many handles are ready, and revents says "
	    "what each one is ready for. A last argument that is a number is "
	    "the timeout, so name handles rather than give fd numbers. Python: "
	    "p = select.poll(); p.register(srv, select.POLLIN); p.poll(1000).",
	.errors = "EINTR: interrupted by Ctrl-C. EINVAL: too many fds.",
	.man = "poll(2)",
	.complete = "handle*",
	.exec = cmd_poll_exec,
};

const struct cmd_entry cmd_select_entry = {
	.name = "select",
	.usage = "HANDLE[:EVENTS]... [TIMEOUT_MS]",
	.args_min = 1,
	.args_max = POLL_MAX + 1,
	.flags = CMD_BACKGROUND,
	.group = CMD_GROUP_OPTIONS,
	.summary = "the older readiness call: fd sets to read, write, except",
	.help =
	    "Waits with one select(2), the call older than poll: a handle "
	    "with POLLIN (or r, the default) goes in the read set, POLLOUT (w) "
	    "in the write set, POLLPRI (x) in the except set. TIMEOUT_MS as for "
	    "poll; Linux writes the time left back into the timeout. select "
	    "cannot watch fds of FD_SETSIZE (1024) or more. Python: "
	    "select.select([srv], [cli], [], 1.0).",
	.errors = "EINTR: interrupted by Ctrl-C. EBADF: a closed fd in a set.",
	.man = "select(2)",
	.complete = "handle*",
	.exec = cmd_select_exec,
};
