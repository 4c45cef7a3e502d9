#include <stdio.h>

#include "capture.h"
#include "cmd.h"
#include "handle.h"
#include "lab.h"
#include "labhost.h"
#include "out.h"
#include "run.h"
#include "shell.h"
#include "track.h"

/*
 * Moves the shell into a lab of its own (lab_enter), with capture, when
 * on, reopened there. Returns CMD_OK, or CMD_ERR after a message.
 */
static int
cmd_lab_enter(struct shell *sh, const struct cmd_entry *cmd)
{
	struct capture *c = track_capture(sh);
	char err[512];
	size_t i, live = 0;

	for (i = 0; i < sh->handles.n; i++)
		live += sh->handles.v[i]->fd >= 0;
	if (live)
		return cmd_usage(sh, cmd,
		    "close the %zu open handle%s first: a socket stays in the "
		    "network it was made in",
		    live, live == 1 ? "" : "s");
	if (lab_enter(err, sizeof(err)) == -1) {
		out_error(sh, "this needs a lab of two hosts, and %s", err + 7);
		if (sh->mode == MODE_CHECK)
			sh->failed++; /* a lesson that needs a lab cannot run */
		shell_failed_step(sh);
		return CMD_ERR;
	}
	if (c->fd >= 0) {
		capture_stop(c);
		if (capture_start(c, err, sizeof(err)) == -1)
			out_error(sh, "capture: %s", err);
	}
	out_line(sh, "the shell is now in a lab of its own");
	return CMD_OK;
}

/* lab: enters a lab of two hosts unless the shell is in one; says where it is. */
static int
cmd_lab_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	(void)a;
	if (labhost_here() == -1 && cmd_lab_enter(sh, cmd) == CMD_ERR)
		return CMD_ERR;
	out_line(sh,
	    "a lab: hosts alpha (%s) and beta (%s) on one link; the shell "
	    "is on %s",
	    labhost_addr(0), labhost_addr(1), labhost_name(labhost_here()));
	return CMD_OK;
}

const struct cmd_entry cmd_lab_entry = {
	.name = "lab",
	.usage = "",
	.args_min = 0,
	.args_max = 0,
	.flags = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "enter a lab of two hosts, alpha and beta",
	.help =
	    "Says which lab the shell is in. Outside one, it first moves the "
	    "shell into a lab of its own, as sockstep --lab does (user, "
	    "network, UTS and mount namespaces, no root needed): two hosts, "
	    "alpha (10.0.0.1) and beta (10.0.0.2), each with its own "
	    "loopback and host name, joined by a veth link, both names in "
	    "the lab's /etc/hosts; the shell lives on alpha. Only with no "
	    "open handles: a socket stays in the network it was made in. "
	    "socket NAME @beta makes a socket on beta. A lesson that needs "
	    "two hosts starts with lab.",
	.errors = "EPERM: this system lets no user make namespaces (sysctl "
	          "kernel.unprivileged_userns_clone is 0, or a container's "
	          "policy). ENOSPC: sysctl user.max_user_namespaces is 0, or "
	          "used up.",
	.man = "namespaces(7), user_namespaces(7), veth(4)",
	.complete = "",
	.exec = cmd_lab_exec,
};
