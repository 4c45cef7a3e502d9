#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "arg.h"
#include "buf.h"
#include "call.h"
#include "cmd.h"
#include "handle.h"
#include "note.h"
#include "opt.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"

/* Says what h's mode now is: blocking, or non-blocking. */
static void
blocking_say(struct shell *sh, const struct handle *h, int nonblock)
{
	if (!nonblock)
		out_meaning(sh,
		    "%s is blocking: calls wait until they can "
		    "finish (Ctrl-C interrupts them)",
		    h->name);
	else
		out_meaning(sh,
		    "%s is non-blocking: a call that would wait "
		    "returns -1 EAGAIN (or EINPROGRESS for connect) at once",
		    h->name);
}

/* setblocking HANDLE true|false: one ioctl(FIONBIO), as Python does it. */
static int
cmd_setblocking_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	char line[64];
	int block, nb, rc, err;
	struct call c;

	if (arg_bool(&a->argv[1], &block) == -1)
		return cmd_usage(sh, cmd, "'%.40s' is not true or false",
		    a->argv[1].text);
	nb = !block;
	call_begin(sh, &c, "ioctl", a->h);
	rc = sh->sys->ioctl_int(a->h->fd, FIONBIO, &nb);
	err = errno;
	call_end(sh, &c, rc, err);
	snprintf(line, sizeof(line), "ioctl(%d, FIONBIO, [%d])", a->h->fd,
	    !block);
	out_call(sh, line, rc, err);
	note_call(sh, &c);
	if (rc != -1)
		blocking_say(sh, a->h, !block);
	return CMD_OK;
}

/*
 * fcntl HANDLE F_GETFL, fcntl HANDLE F_SETFL FLAGS: the C way to read
 * and set O_NONBLOCK. F_GETFL's result is shown as strace shows it.
 */
static int
cmd_fcntl_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	long op, flags = 0;
	struct buf b, shown;
	struct call c;
	int rc, err;

	if (sym_value(sym_fcntl_cmd, a->argv[1].text, &op) == -1 ||
	    (op != F_GETFL && op != F_SETFL))
		return cmd_usage(sh, cmd, "'%.40s' is not F_GETFL or F_SETFL",
		    a->argv[1].text);
	if ((op == F_SETFL) != (a->argc == 3))
		return cmd_usage(sh, cmd, "F_SETFL takes FLAGS, F_GETFL none");
	if (op == F_SETFL &&
	    (sym_flags(sym_oflag, a->argv[2].text, &flags) == -1 || flags < 0 ||
	        flags > 0x7fffffff))
		return cmd_usage(sh, cmd,
		    "'%.40s' is not flags such as O_RDWR|O_NONBLOCK",
		    a->argv[2].text);
	buf_init(&b);
	buf_init(&shown);
	buf_printf(&b, "fcntl(%d, %s", a->h->fd,
	    op == F_GETFL ? "F_GETFL" : "F_SETFL, ");
	call_begin(sh, &c, "fcntl", a->h);
	if (op == F_GETFL)
		rc = sh->sys->fcntl_getfl(a->h->fd);
	else
		rc = sh->sys->fcntl_setfl(a->h->fd, (int)flags);
	err = errno;
	call_end(sh, &c, rc, err);
	if (op == F_SETFL)
		sym_format_oflags(&b, flags);
	buf_addc(&b, ')');
	if (op == F_GETFL && rc != -1) {
		buf_printf(&shown, "%#x (flags ", (unsigned)rc);
		sym_format_oflags(&shown, rc);
		buf_addc(&shown, ')');
	}
	out_call_shown(sh, buf_str(&b), rc, err,
	    op == F_GETFL && rc != -1 ? buf_str(&shown) : NULL);
	note_call(sh, &c);
	if (rc != -1) /* read back, or set: F_SETFL sets O_NONBLOCK as given */
		blocking_say(sh, a->h,
		    ((op == F_GETFL ? rc : flags) & O_NONBLOCK) != 0);
	buf_free(&shown);
	buf_free(&b);
	return CMD_OK;
}

/* Makes one setsockopt of a timeout and prints it. Returns its result. */
static int
settimeout_one(struct shell *sh, struct handle *h, int optname,
    const char *name, const struct timeval *tv)
{
	char line[160];
	struct call c;
	int rc, err;

	call_begin(sh, &c, "setsockopt", h);
	rc = sh->sys->setsockopt(h->fd, SOL_SOCKET, optname, tv, sizeof(*tv));
	err = errno;
	call_end(sh, &c, rc, err);
	snprintf(line, sizeof(line),
	    "setsockopt(%d, SOL_SOCKET, %s, "
	    "{tv_sec=%ld, tv_usec=%ld}, %zu)",
	    h->fd, name, (long)tv->tv_sec, (long)tv->tv_usec, sizeof(*tv));
	out_call(sh, line, rc, err);
	note_call(sh, &c);
	return rc;
}

/* settimeout HANDLE SECONDS|none: sets SO_RCVTIMEO and SO_SNDTIMEO. */
static int
cmd_settimeout_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const struct opt *o = opt_find("SO_RCVTIMEO");
	union opt_value v;
	socklen_t len;
	char emsg[128];
	int fl;

	memset(&v, 0, sizeof(v));
	if (strcmp(a->argv[1].text, "none") != 0 &&
	    strcmp(a->argv[1].text, "None") != 0) {
		if (opt_parse(o, &a->argv[1], 1, &v, &len, emsg,
		        sizeof(emsg)) == -1)
			return cmd_usage(sh, cmd,
			    "'%.40s' is not a number of "
			    "seconds (or none)",
			    a->argv[1].text);
		if (v.tv.tv_sec == 0 && v.tv.tv_usec == 0)
			return cmd_usage(sh, cmd,
			    "a timeout of 0 means "
			    "\"non-blocking\" in Python but \"wait forever\" to "
			    "SO_RCVTIMEO: use setblocking %s false, or "
			    "settimeout %s none",
			    a->h->name, a->h->name);
	}
	if (settimeout_one(sh, a->h, SO_RCVTIMEO, "SO_RCVTIMEO", &v.tv) == -1 ||
	    settimeout_one(sh, a->h, SO_SNDTIMEO, "SO_SNDTIMEO", &v.tv) == -1)
		return CMD_OK;
	if (v.tv.tv_sec == 0 && v.tv.tv_usec == 0)
		out_meaning(sh,
		    "no timeout: calls on %s wait as long as it "
		    "takes",
		    a->h->name);
	else
		out_meaning(sh,
		    "accept, recv and send on %s give up after %s s "
		    "with -1 EAGAIN (Python raises TimeoutError); connect with "
		    "EINPROGRESS",
		    a->h->name, a->argv[1].text);
	fl = sh->sys->fcntl_getfl(a->h->fd);
	if (fl != -1 && (fl & O_NONBLOCK))
		note_say(sh, "settimeout.nonblocking",
		    "%s is non-blocking, so the timeout matters only "
		    "after setblocking %s true",
		    a->h->name, a->h->name);
	return CMD_OK;
}

const struct cmd_entry cmd_setblocking_entry = {
	.name = "setblocking",
	.usage = "HANDLE true|false",
	.args_min = 2,
	.args_max = 2,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_OPTIONS,
	.summary = "make calls wait (true) or return EAGAIN at once (false)",
	.help =
	    "Python's sock.setblocking(): one ioctl(2) FIONBIO, which sets "
	    "or clears O_NONBLOCK. A non-blocking socket never waits: accept, "
	    "recv and send return -1 EAGAIN when they would have to, and "
	    "connect returns EINPROGRESS while the handshake goes on. C "
	    "code usually does the same with fcntl F_SETFL (see help fcntl).",
	.errors = "EBADF: not an open socket.",
	.man = "ioctl(2), fcntl(2), socket(7)",
	.complete = "handle bool",
	.exec = cmd_setblocking_exec,
};

const struct cmd_entry cmd_fcntl_entry = {
	.name = "fcntl",
	.usage = "HANDLE F_GETFL|F_SETFL [FLAGS]",
	.args_min = 2,
	.args_max = 3,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_OPTIONS,
	.summary = "read (F_GETFL) or set (F_SETFL) the fd's flags: O_NONBLOCK",
	.help =
	    "The C way to blocking mode, with fcntl(2): F_GETFL reads the "
	    "fd's status flags (the result, 0x802 for O_RDWR|O_NONBLOCK), "
	    "F_SETFL sets them to FLAGS, written as O_RDWR|O_NONBLOCK (the "
	    "access mode is ignored; O_NONBLOCK, O_APPEND, O_ASYNC and "
	    "O_NOATIME are set or cleared as given). F_SETFL replaces "
	    "every flag, so C code reads first: fcntl(fd, F_SETFL, "
	    "fcntl(fd, F_GETFL) | O_NONBLOCK). Python's setblocking does the "
	    "same with ioctl FIONBIO (see help setblocking); Python: "
	    "os.set_blocking(fd, False), fcntl.fcntl(fd, fcntl.F_GETFL).",
	.errors = "EBADF: not an open fd. EINVAL: O_DIRECT, which a socket "
	          "does not support.",
	.man = "fcntl(2), socket(7)",
	.complete = "handle fcntl_cmd oflag",
	.exec = cmd_fcntl_exec,
};

const struct cmd_entry cmd_settimeout_entry = {
	.name = "settimeout",
	.usage = "HANDLE SECONDS|none",
	.args_min = 2,
	.args_max = 2,
	.flags = CMD_HANDLE,
	.group = CMD_GROUP_OPTIONS,
	.summary = "give up waiting after SECONDS (SO_RCVTIMEO, SO_SNDTIMEO)",
	.help =
	    "Sets SO_RCVTIMEO and SO_SNDTIMEO with two setsockopt(2) "
	    "calls, both printed, so that a blocking accept, recv or send "
	    "gives up after SECONDS with -1 EAGAIN, where Python's "
	    "sock.settimeout() raises TimeoutError. none removes the timeout.",
	.errors = "EINVAL: the time is out of range.",
	.man = "socket(7) (SO_RCVTIMEO)",
	.complete = "handle -",
	.exec = cmd_settimeout_exec,
};
