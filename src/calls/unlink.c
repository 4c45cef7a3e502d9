#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "cmd.h"
#include "fmt.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sys.h"

/* unlink PATH: removes a Unix socket's file, and nothing but a socket file. */
static int
cmd_unlink_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const char *path = a->argv[0].text;
	struct stat st;
	struct buf b;
	int rc, err;

	if (a->argv[0].len != strlen(path) || *path == '\0')
		return cmd_usage(sh, cmd, "a path has no NUL bytes");
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
		return cmd_usage(sh, cmd,
		    "%.200s is not a socket file; this "
		    "shell removes socket files only",
		    path);
	rc = sh->sys->unlink(path);
	err = errno;
	buf_init(&b);
	buf_puts(&b, "unlink(");
	fmt_cstring(&b, (const unsigned char *)path, a->argv[0].len,
	    a->argv[0].len);
	buf_addc(&b, ')');
	out_call(sh, buf_str(&b), rc, err);
	buf_free(&b);
	if (rc == 0)
		note_say(sh, "unlink.gone",
		    "the name is gone; a socket still bound to it keeps "
		    "working, but no one can connect to it by that path");
	else if (err == ENOENT)
		note_say(sh, "unlink.enoent",
		    "no such file: nothing to remove");
	return CMD_OK;
}

const struct cmd_entry cmd_unlink_entry = {
	.name = "unlink",
	.usage = "PATH",
	.args_min = 1,
	.args_max = 1,
	.flags = 0,
	.group = CMD_GROUP_CLOSING,
	.summary = "remove a Unix socket's file from the file system",
	.help =
	    "Removes the file that bind made for a Unix socket, with "
	    "unlink(2). Closing a Unix socket leaves its file behind, and a "
	    "later bind to that path fails with EADDRINUSE until someone "
	    "removes it; the shell never removes one by itself. Only socket "
	    "files are removed. Abstract names (@name) have no file: they go "
	    "with the socket. Python: os.unlink(path).",
	.errors = "ENOENT: no such file. EACCES, EPERM: the directory is not "
	          "yours to change.",
	.man = "unlink(2), unix(7)",
	.complete = "file",
	.exec = cmd_unlink_exec,
};
