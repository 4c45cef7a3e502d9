#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "labhost.h"
#include "note.h"
#include "out.h"
#include "shell.h"
#include "sys.h"

/* gethostname: this machine's name, as a server might bind to it. */
static int
cmd_gethostname_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	char name[256], line[400];
	int rc, err;

	(void)a;
	(void)cmd;
	memset(name, 0, sizeof(name));
	rc = sh->sys->gethostname(name, sizeof(name));
	err = errno;
	name[sizeof(name) - 1] = '\0';
	if (rc == 0)
		snprintf(line, sizeof(line), "gethostname(\"%.255s\", %zu)",
		    name, sizeof(name));
	else
		snprintf(line, sizeof(line), "gethostname(..., %zu)",
		    sizeof(name));
	out_call(sh, line, rc, err);
	if (rc == 0 && labhost_here() >= 0 &&
	    strcmp(name, labhost_name(labhost_here())) == 0)
		note_say(sh, "gethostname.bind",
		    "a server may bind to %s: in this lab the name stands for "
		    "%s, this host's address on the link, which the other host "
		    "reaches (a socket bound to it takes no connection to "
		    "127.0.0.1)",
		    name, labhost_addr(labhost_here()));
	else if (rc == 0)
		note_say(sh, "gethostname.bind",
		    "a server may bind to %s, but the name may stand "
		    "for an address other machines reach: connect to loopback "
		    "to test",
		    name);
	return CMD_OK;
}

const struct cmd_entry cmd_gethostname_entry = {
	.name = "gethostname",
	.usage = "",
	.args_min = 0,
	.args_max = 0,
	.flags = 0,
	.group = CMD_GROUP_NAMES,
	.summary = "show this machine's host name",
	.help =
	    "Asks for the host name with gethostname(2), as Python's "
	    "socket.gethostname() does. A server bound to it is reachable at "
	    "the address the name stands for, which may not be loopback.",
	.errors = "ENAMETOOLONG: the name does not fit.",
	.man = "gethostname(2)",
	.complete = "",
	.exec = cmd_gethostname_exec,
};
