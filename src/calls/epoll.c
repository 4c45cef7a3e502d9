/*
 * epoll_create1, epoll_ctl and epoll_wait: Linux's readiness calls. An
 * epoll handle is an fd but not a socket; the handles it watches are.
 */
#include <errno.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "buf.h"
#include "call.h"
#include "cmd.h"
#include "epollinfo.h"
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

#define EPOLL_MAX 64 /* events one epoll_wait of the shell takes */

/* epoll_create1 [NAME] [FLAGS]: makes an epoll instance and names it. */
static int
cmd_epoll_create1_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const struct token *name = NULL;
	char hname[HANDLE_NAME_MAX];
	struct handle *h;
	struct buf b;
	struct call c;
	long flags = 0;
	int i, fd;

	for (i = 0; i < a->argc; i++) {
		if (sym_flags(sym_epoll_flag, a->argv[i].text, &flags) == 0 &&
		    i == a->argc - 1)
			continue;
		if (name || i > 0)
			return cmd_usage(sh, cmd,
			    "'%.40s' is not a flag (EPOLL_CLOEXEC, or 0)",
			    a->argv[i].text);
		name = &a->argv[i];
	}
	if (cmd_new_name(sh, cmd, name, "ep", hname) == CMD_ERR)
		return CMD_ERR;
	call_begin(sh, &c, cmd->name, NULL);
	fd = sh->sys->epoll_create1((int)flags);
	call_end(sh, &c, fd, errno);
	buf_init(&b);
	buf_puts(&b, "epoll_create1(");
	sym_format_flags(&b, sym_epoll_flag, flags);
	buf_addc(&b, ')');
	out_call(sh, buf_str(&b), c.ret, c.err);
	buf_free(&b);
	if (fd != -1) {
		h = handle_add(&sh->handles, hname, fd, 0, 0, 0);
		handle_set_epoll(&sh->handles, h);
		out_meaning(sh,
		    "%s is fd %d, an epoll instance (not a socket): "
		    "epoll_ctl %s ADD HANDLE watches a socket, epoll_wait %s "
		    "waits",
		    hname, fd, hname, hname);
	}
	note_call(sh, &c);
	return CMD_OK;
}

/* Returns the epoll handle a's first argument names, or NULL after a usage error. */
static struct handle *
epoll_instance(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	if (a->h->epoll)
		return a->h;
	cmd_usage(sh, cmd,
	    "%s is a socket, not an epoll instance (epoll_create1 makes one)",
	    a->h->name);
	return NULL;
}

/* Says what a successful ADD or MOD asked epoll to do for h (nothing when it asked for no event). */
static void
epoll_ctl_explain(struct shell *sh, const struct handle *ep,
    const struct handle *h, unsigned events)
{
	if (!(events & (EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLRDHUP)))
		return;
	if (events & EPOLLONESHOT)
		note_say(sh, "epoll.ctl.oneshot",
		    "EPOLLONESHOT: %s reports %s once, then stops until "
		    "epoll_ctl MOD arms it again",
		    ep->name, h->name);
	else if (events & EPOLLET)
		note_say(sh, "epoll.ctl.edge",
		    "%s reports %s when it becomes ready (edge-triggered, "
		    "EPOLLET): once per change, such as new data arriving, "
		    "not for as long as data waits",
		    ep->name, h->name);
	else
		note_say(sh, "epoll.ctl.level",
		    "%s reports %s at every epoll_wait while it is ready "
		    "(level-triggered, without EPOLLET)",
		    ep->name, h->name);
}

/* epoll_ctl EP ADD|MOD|DEL HANDLE [EVENTS]: one epoll_ctl(2). */
static int
cmd_epoll_ctl_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	struct handle *ep, *h;
	struct epoll_event ev;
	struct call c;
	struct buf b;
	long op, events = EPOLLIN;
	int rc, err;

	if ((ep = epoll_instance(sh, cmd, a)) == NULL)
		return CMD_ERR;
	if (sym_value(sym_epoll_op, a->argv[1].text, &op) == -1)
		return cmd_usage(sh, cmd,
		    "'%.40s' is not an operation (ADD, MOD or DEL)",
		    a->argv[1].text);
	if (cmd_handle_arg(sh, cmd, &a->argv[2], &h) == CMD_ERR)
		return CMD_ERR;
	if (h->epoll)
		return cmd_usage(sh, cmd,
		    "%s is an epoll instance: the shell's epoll instances "
		    "watch sockets",
		    h->name);
	if (a->argc > 3 && op == EPOLL_CTL_DEL)
		return cmd_usage(sh, cmd, "DEL takes no events");
	if (a->argc > 3 && sym_flags(sym_epoll, a->argv[3].text, &events) == -1)
		return cmd_usage(sh, cmd,
		    "'%.40s' is not a set of events (EPOLLIN, EPOLLOUT, "
		    "EPOLLRDHUP, EPOLLET, EPOLLONESHOT joined with |)",
		    a->argv[3].text);
	memset(&ev, 0, sizeof(ev));
	ev.events = (uint32_t)events;
	ev.data.u64 = (uint64_t)h->fd; /* data.fd, with the rest zero */
	call_begin(sh, &c, cmd->name, NULL);
	rc = sh->sys->epoll_ctl(ep->fd, (int)op, h->fd,
	    op == EPOLL_CTL_DEL ? NULL : &ev);
	err = errno;
	call_end(sh, &c, rc, err);
	buf_init(&b);
	buf_printf(&b, "epoll_ctl(%d, %s, %d, ", ep->fd,
	    sym_name(sym_epoll_op, op), h->fd);
	if (op == EPOLL_CTL_DEL)
		buf_puts(&b, "NULL");
	else
		fmt_epoll_events(&b, &ev, -1);
	buf_addc(&b, ')');
	out_call(sh, buf_str(&b), rc, err);
	buf_free(&b);
	if (rc == 0 && op == EPOLL_CTL_DEL)
		handle_watch_del(ep, h);
	else if (rc == 0) {
		handle_watch_set(ep, h, ev.events);
		epoll_ctl_explain(sh, ep, h, ev.events);
	} else if (err == EEXIST)
		note_say(sh, "epoll.ctl.exist",
		    "%s already watches %s: MOD changes its events", ep->name,
		    h->name);
	else if (err == ENOENT)
		note_say(sh, "epoll.ctl.noent",
		    "%s does not watch %s: ADD it first", ep->name, h->name);
	else
		note_call(sh, &c);
	return CMD_OK;
}

/* An edge-triggered watch as it stood at one moment, and its unread bytes. */
struct epoll_queued {
	const struct handle *h;
	unsigned events;
	int unread;
};

/*
 * Reads the unread bytes of each handle ep watches edge-triggered for
 * EPOLLIN (not one-shot) into q. Returns how many it read.
 */
static int
epoll_unread(struct shell *sh, const struct handle *ep, struct epoll_queued *q)
{
	size_t i;
	int n = 0;

	for (i = 0; i < ep->nwatch && n < EPOLL_MAX && sh->notes; i++) {
		const struct handle_watch *w = &ep->watch[i];

		if ((w->events & (EPOLLET | EPOLLIN | EPOLLONESHOT)) !=
		        (EPOLLET | EPOLLIN) ||
		    w->h->fd < 0 ||
		    sh->sys->ioctl_int(w->h->fd, SIOCINQ, &q[n].unread) == -1)
			continue;
		q[n].h = w->h;
		q[n++].events = w->events;
	}
	return n;
}

/* Returns 1 when one of the n events reports fd. */
static int
epoll_reported(const struct epoll_event *ev, int n, int fd)
{
	int i;

	for (i = 0; i < n; i++)
		if (ev[i].data.u64 == (uint64_t)fd)
			return 1;
	return 0;
}

/*
 * Notes an edge-triggered handle that had data queued before and after
 * an epoll_wait that did not report it, though it had room to (fewer
 * events than MAXEVENTS), and whose watch stayed the same meanwhile (a
 * background wait lets the prompt change it): an edge, not a level.
 */
static void
epoll_edge_explain(struct shell *sh, const struct handle *ep,
    const struct epoll_queued *before, int nbefore,
    const struct epoll_event *ev, int n, int max)
{
	struct epoll_queued after[EPOLL_MAX];
	int i, k, nafter;

	if (n < 0 || n >= max)
		return;
	nafter = epoll_unread(sh, ep, after);
	for (i = 0; i < nbefore; i++)
		for (k = 0; k < nafter; k++)
			if (after[k].h == before[i].h &&
			    after[k].events == before[i].events &&
			    before[i].unread > 0 && after[k].unread > 0 &&
			    !epoll_reported(ev, n, after[k].h->fd))
				note_say(sh, "epoll.wait.edge-queued",
				    "%s has %d byte%s to read, yet epoll_wait "
				    "did not report it: %s watches it "
				    "edge-triggered (EPOLLET), which reports "
				    "data arriving, not data waiting; recv "
				    "until EAGAIN after each report, or leave "
				    "out EPOLLET",
				    after[k].h->name, after[k].unread,
				    after[k].unread == 1 ? "" : "s", ep->name);
}

/*
 * Returns the live handle an event is about: the one whose socket is the
 * only one its epoll instance watches with that data (info, the kernel's
 * fdinfo), or
 * NULL (a watch whose fd was closed and reused, two watches with it).
 */
static const struct handle *
epoll_event_handle(struct shell *sh, const struct epollinfo *info, int ninfo,
    unsigned long long data)
{
	const struct handle *h = NULL;
	int k, found = 0;

	for (k = 0; k < ninfo; k++)
		if (info[k].data == data && found++ == 0)
			h = call_ino_handle(sh, info[k].fd, info[k].ino);
	return found == 1 && h && h->fd == (int)data ? h : NULL;
}

/* Says what each handle an epoll_wait reported may now do. */
static void
epoll_wait_explain(struct shell *sh, const struct handle *ep,
    const struct epoll_event *ev, int n)
{
	struct epollinfo info[EPOLL_MAX];
	const struct handle_watch *w;
	const struct handle *h;
	int i, ninfo = epollinfo_read(getpid(), ep->fd, info, EPOLL_MAX);

	for (i = 0; i < n; i++) {
		if ((h = epoll_event_handle(sh, info, ninfo, ev[i].data.u64)) ==
		    NULL)
			continue;
		ready_explain(sh, h, ev[i].events);
		w = handle_watch_find(ep, h);
		if (w && (w->events & EPOLLONESHOT))
			note_say(sh, "epoll.wait.oneshot",
			    "%s is now disarmed for %s (EPOLLONESHOT): "
			    "epoll_wait will not report it again until "
			    "epoll_ctl MOD arms it",
			    ep->name, h->name);
	}
}

/* epoll_wait EP [MAXEVENTS] [TIMEOUT_MS]: one epoll_wait(2). */
static int
cmd_epoll_wait_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	struct epoll_event ev[EPOLL_MAX];
	struct epoll_queued queued[EPOLL_MAX];
	int nqueued, rc, err;
	long max = 8, timeout = -1;
	char emsg[128];
	struct handle *ep;
	struct call c;
	struct buf b;

	if ((ep = epoll_instance(sh, cmd, a)) == NULL)
		return CMD_ERR;
	if (a->argc > 1 &&
	    parse_long(&a->argv[1], 1, EPOLL_MAX, &max, emsg, sizeof(emsg)) ==
	        -1)
		return cmd_usage(sh, cmd, "MAXEVENTS: %s", emsg);
	if (a->argc > 2 &&
	    parse_long(&a->argv[2], -1, INT32_MAX, &timeout, emsg,
	        sizeof(emsg)) == -1)
		return cmd_usage(sh, cmd, "TIMEOUT_MS: %s", emsg);
	nqueued = epoll_unread(sh, ep, queued);
	memset(ev, 0, sizeof(ev));
	buf_init(&b);
	buf_printf(&b, "epoll_wait(%d, ", ep->fd);
	call_begin(sh, &c, cmd->name, NULL);
	waitline_begin(sh, buf_str(&b));
	rc = sh->sys->epoll_wait(ep->fd, ev, (int)max, (int)timeout);
	err = errno;
	waitline_end();
	call_end(sh, &c, rc, err);
	if (rc < 0)
		buf_puts(&b, "...");
	else
		fmt_epoll_events(&b, ev, rc);
	buf_printf(&b, ", %ld, %ld)", max, timeout);
	out_call(sh, buf_str(&b), rc, err);
	buf_free(&b);
	if (rc > 0)
		epoll_wait_explain(sh, ep, ev, rc);
	else if (rc == 0)
		out_meaning(sh, "nothing became ready within %ld ms", timeout);
	else
		note_call(sh, &c);
	epoll_edge_explain(sh, ep, queued, nqueued, ev, rc, (int)max);
	return CMD_OK;
}

const struct cmd_entry cmd_epoll_create1_entry = {
	.name = "epoll_create1",
	.usage = "[NAME] [EPOLL_CLOEXEC]",
	.args_min = 0,
	.args_max = 2,
	.flags = CMD_NEWNAME,
	.group = CMD_GROUP_OPTIONS,
	.summary =
	    "make an epoll instance: Linux's way to wait on many sockets",
	.help =
	    "Makes an epoll instance with epoll_create1(2) and names it NAME "
	    "(ep1, ep2, ... when left out). It is an fd but not a socket: "
	    "epoll_ctl adds the sockets it watches, epoll_wait waits until "
	    "one is ready, and close frees it. EPOLL_CLOEXEC closes it in a "
	    "program this one execs. Python: ep = select.epoll().",
	.errors = "EMFILE: the process has no free file descriptors.",
	.man = "epoll_create1(2), epoll(7)",
	.complete = "epoll_flag*",
	.exec = cmd_epoll_create1_exec,
};

const struct cmd_entry cmd_epoll_ctl_entry = {
	.name = "epoll_ctl",
	.usage = "EP ADD|MOD|DEL HANDLE [EVENTS]",
	.args_min = 3,
	.args_max = 4,
	.flags = CMD_HANDLE | CMD_ANYFD,
	.group = CMD_GROUP_OPTIONS,
	.summary = "add a socket to an epoll instance, change or remove it",
	.help =
	    "Tells the epoll instance EP, with one epoll_ctl(2), to watch "
	    "HANDLE (ADD), to watch it for other events (MOD) or to stop "
	    "(DEL). EVENTS are EPOLLIN (the default: data to recv, or a "
	    "connection to accept), EPOLLOUT (room to send), EPOLLRDHUP (the "
	    "peer shut down its sending side), EPOLLET (edge-triggered: "
	    "report a change once, not a state for as long as it lasts), "
	    "EPOLLONESHOT (report once, then wait for MOD), joined with |: "
	    "epoll_ctl ep ADD conn EPOLLIN|EPOLLET. The event's data is "
	    "HANDLE's fd, which epoll_wait gives back. Python: "
	    "ep.register(conn, select.EPOLLIN | select.EPOLLET), "
	    "ep.modify(...), ep.unregister(conn).",
	.errors = "EEXIST: ADD of a handle EP already watches (use MOD). "
	          "ENOENT: MOD or DEL of one it does not watch. EINVAL: EP "
	          "watching itself.",
	.man = "epoll_ctl(2), epoll(7)",
	.complete = "handle epoll_op handle epoll_event",
	.exec = cmd_epoll_ctl_exec,
};

const struct cmd_entry cmd_epoll_wait_entry = {
	.name = "epoll_wait",
	.usage = "EP [MAXEVENTS] [TIMEOUT_MS]",
	.args_min = 1,
	.args_max = 3,
	.flags = CMD_HANDLE | CMD_ANYFD | CMD_BACKGROUND,
	.group = CMD_GROUP_OPTIONS,
	.summary = "wait until a socket an epoll instance watches is ready",
	.help =
	    "Waits with one epoll_wait(2) until a handle EP watches is ready, "
	    "or TIMEOUT_MS milliseconds pass (-1, the default: wait for ever; "
	    "Ctrl-C interrupts; & runs it in the background). It returns at "
	    "most MAXEVENTS (8 unless given, up to 64) events, each with what "
	    "the handle is ready for and the data epoll_ctl gave (its fd). A "
	    "handle watched with EPOLLET is reported when it becomes ready, "
	    "not again while it stays so. Python: ep.poll(1.0, 8).",
	.errors = "EINTR: interrupted by Ctrl-C. EINVAL: MAXEVENTS 0 or less.",
	.man = "epoll_wait(2), epoll(7)",
	.complete = "handle",
	.exec = cmd_epoll_wait_exec,
};
