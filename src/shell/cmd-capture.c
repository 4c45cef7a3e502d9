#include <stdio.h>

#include "arg.h"
#include "capture.h"
#include "cmd.h"
#include "labhost.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "track.h"

/* capture on|off: shows each TCP segment on lo under the call that caused it. */
static int
cmd_capture_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	struct capture *c = track_capture(sh);
	char err[512];
	int on;

	if (a->argc == 0) {
		out_line(sh, "capture is %s", c->fd >= 0 ? "on" : "off");
		return CMD_OK;
	}
	if (arg_bool(&a->argv[0], &on) == -1)
		return cmd_usage(sh, cmd, "on or off");
	if (!on) {
		capture_stop(c);
		out_line(sh, "capture is off");
		return CMD_OK;
	}
	if (capture_start(c, err, sizeof(err)) == -1) {
		out_error(sh, "capture: %s", err);
		return CMD_OK;
	}
	out_line(sh,
	    "capture is on: each TCP segment of the shell's own "
	    "connections on %s is shown under the call that caused it "
	    "(fd %d, out of the way)",
	    labhost_here() >= 0 ? "this host's lo and its link (ARP too)"
	                        : "lo",
	    c->fd);
	return CMD_OK;
}

const struct cmd_entry cmd_capture_entry = {
	.name = "capture",
	.usage = "[on|off]",
	.args_min = 0,
	.args_max = 1,
	.flags = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "show the packets each call causes (root)",
	.help =
	    "capture on opens an AF_PACKET socket on lo (it needs "
	    "CAP_NET_RAW: run as root) and, after each call, shows every TCP "
	    "segment of the shell's own connections: direction, flags (SYN, "
	    "ACK, PSH, FIN, RST), sequence and acknowledgement numbers "
	    "relative to the first of each direction, and the data length; "
	    "a FIN with no data is the zero-length message. Segments that "
	    "come between calls (a delayed ACK) show as \"meanwhile\" before "
	    "the next call. The capture socket sits at fd 200 or above, so "
	    "the fds of sockets you make stay as they would be. A lesson "
	    "played meanwhile (lesson NAME) captures too; sockstep "
	    "--capture turns it on from the start, in lessons as well. In a "
	    "lab (sockstep --lab) it needs no root and sees the shell's "
	    "host: its lo and its link to the other host, with the ARP "
	    "frames that find the other's hardware address.",
	.errors =
	    "EPERM: not root; capture needs CAP_NET_RAW. Without it, "
	    "each call still shows how many segments it caused (set segments "
	    "on).",
	.man = "packet(7), tcpdump(8)",
	.complete = "onoff",
	.exec = cmd_capture_exec,
};
