#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "newfile.h"
#include "out.h"
#include "parse.h"
#include "export.h"
#include "shell.h"

/* export c|python FILE: writes the session so far as a program. */
static int
cmd_export_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int force = newfile_force(a);
	const char *lang, *path;
	FILE *f;
	int rc;

	if (a->argc != 2)
		return cmd_usage(sh, cmd, "name a language and a file");
	lang = a->argv[0].text;
	path = a->argv[1].text;

	if (strcmp(lang, "c") != 0 && strcmp(lang, "python") != 0)
		return cmd_usage(sh, cmd,
		    "'%.40s' is not a language (c or "
		    "python)",
		    lang);
	if (a->argv[1].len != strlen(path) || *path == '\0')
		return cmd_usage(sh, cmd, "the file name has no NUL bytes");
	if ((f = newfile_open(sh, "export", path, force)) == NULL)
		return CMD_OK;
	rc = session_export(sh, lang, f);
	if (fclose(f) != 0)
		rc = -1;
	if (rc == -1)
		out_error(sh, "export: %.200s: %s", path, strerror(errno));
	else
		out_meaning(sh, "wrote %s: the %zu statement%s so far as %s",
		    path, session_count(sh->session),
		    session_count(sh->session) == 1 ? "" : "s",
		    strcmp(lang, "c") == 0 ? "a C program (cc -Wall FILE)"
		                           : "a Python program (python3 FILE)");
	return CMD_OK;
}

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.usage = "c|python FILE [--force]",
	.args_min = 2,
	.args_max = 3,
	.flags = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "write the session so far as a C or Python program",
	.help =
	    "Writes every socket call of the session so far, in the same "
	    "order, as a program: export c FILE writes C that compiles with cc "
	    "-Wall and, run under strace, makes the same calls with the same "
	    "results; export python FILE writes the Python the docs would "
	    "write. Each call carries the result seen here as a comment; a "
	    "call that failed here is wrapped in try/except in Python. "
	    "Descriptors too: dup, dup2, dup3, accept4, fcntl, sendmsg and "
	    "recvmsg with SCM_RIGHTS (Python's socket.send_fds and recv_fds), "
	    "poll, select and epoll. fork too: the program forks (os.fork() "
	    "in Python), each child with two pipes that give it its turns, "
	    "so its @NAME lines run in it in the session's order; @NAME exit "
	    "S becomes _exit(S) (os._exit), waitpid NAME waitpid(), and a "
	    "child still running at the end is killed and reaped, as the "
	    "shell does. A line of a child that makes a handle stays a "
	    "comment (the handle is the child's own). Commands with no "
	    "counterpart "
	    "(getsockopt, getaddrinfo, ...) are left as comments. FILE must not exist (nor be a symbolic link); "
	    "--force replaces an existing file.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "lang file",
	.exec = cmd_export_exec,
};
