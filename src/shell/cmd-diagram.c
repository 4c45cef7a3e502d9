#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diagram.h"
#include "newfile.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "track.h"

/* diagram [--svg FILE]: the session's connections as a sequence chart. */
static int
cmd_diagram_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const struct diagram *d = track_diagram(sh);
	int force = newfile_force(a), rc;
	FILE *f;

	track_resolve(sh);
	if (a->argc == 0 && !force) {
		diagram_text(d, &sh->handles, sh->out);
		return CMD_OK;
	}
	if (a->argc != 2 || !parse_is_word(&a->argv[0], "--svg"))
		return cmd_usage(sh, cmd,
		    "give --svg and a file name, or "
		    "nothing");
	if ((f = newfile_open(sh, "diagram", a->argv[1].text, force)) == NULL)
		return CMD_OK;
	rc = diagram_svg(d, &sh->handles, f);
	if (fclose(f) == EOF || rc == -1)
		out_error(sh, "diagram: writing %.200s failed",
		    a->argv[1].text);
	else
		out_line(sh, "wrote %zu arrows to %s", d->n, a->argv[1].text);
	return CMD_OK;
}

const struct cmd_entry cmd_diagram_entry = {
	.name = "diagram",
	.usage = "[--svg FILE [--force]]",
	.args_min = 0,
	.args_max = 3,
	.flags = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "draw the session's connections as a sequence chart",
	.help =
	    "Draws a message sequence chart of the session's TCP "
	    "connections: one lane per endpoint (named by the handles bound "
	    "to it), time running down, an arrow per handshake segment, data "
	    "(byte count and first bytes), FIN and RST, each labelled with "
	    "the call that caused it. With capture on, the arrows are the "
	    "segments seen on lo, ACKs too; without it they are inferred from "
	    "calls, results and state changes (with -n or states off, from "
	    "the calls' results alone: the handshake of a connect, a send's "
	    "bytes, the FIN of the first shutdown of sending and of a "
	    "close, the RST of an abortive close), and the chart says so. --svg FILE writes the same "
	    "picture as SVG, for a slide; FILE must not exist (nor be a "
	    "symbolic link), --force replaces an existing file.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "svg file",
	.exec = cmd_diagram_exec,
};
