#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "call.h"
#include "child.h"
#include "cmd.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "proc.h"
#include "shell.h"
#include "sys.h"

/*
 * Checks the name of a child about to be made. Returns 0, or prints a
 * usage error and returns CMD_ERR.
 */
static int
cmd_fork_name(struct shell *sh, const struct cmd_entry *cmd,
    const struct token *t)
{
	const struct shell_kid *k;

	if (t->kind != TOK_WORD || t->len == 0 || t->len >= HANDLE_NAME_MAX ||
	    strspn(t->text,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789_-") != t->len ||
	    (t->text[0] >= '0' && t->text[0] <= '9'))
		return cmd_usage(sh, cmd,
		    "a child's name is a bare word of letters, digits, _ "
		    "and -, not starting with a digit (like child, worker)");
	if ((k = child_find(sh, t->text)) != NULL)
		return cmd_usage(sh, cmd,
		    "%s is a child already (pid %d); choose another name, "
		    "or waitpid %s first",
		    k->name, (int)k->pid, k->name);
	return 0;
}

/* Counts the live handles of sh whose sockets a descriptor of process pid holds too. */
static int
cmd_fork_shared(struct shell *sh, pid_t pid)
{
	struct stat st;
	size_t i;
	int n = 0;

	for (i = 0; i < sh->handles.n; i++) {
		const struct handle *h = sh->handles.v[i];

		if (h->fd >= 0 && !h->epoll &&
		    sh->sys->fstat(h->fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    proc_holds(pid, (unsigned long)st.st_ino))
			n++;
	}
	return n;
}

/* fork [NAME]: a child process, NAME, holding copies of every descriptor. */
static int
cmd_fork_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	const char *name = a->argc ? a->argv[0].text : "child";
	struct call c;
	pid_t pid;

	if (sh->shell_pid)
		return cmd_usage(sh, cmd,
		    "this is a child: the shell forks, its children do not "
		    "(type fork without @)");
	if (a->argc && cmd_fork_name(sh, cmd, &a->argv[0]) == CMD_ERR)
		return CMD_ERR;
	if (!a->argc && child_find(sh, name))
		return cmd_usage(sh, cmd,
		    "child is a child already (pid %d): name the new one "
		    "(fork worker), or waitpid child first",
		    (int)child_find(sh, name)->pid);
	if (sh->jobs.n > 0)
		return cmd_usage(sh, cmd,
		    "a background job runs in a thread, and fork copies only "
		    "the thread that calls it: wait for the jobs or cancel "
		    "them first (jobs lists them)");
	if (sh->procs)
		return cmd_usage(sh, cmd,
		    "a traced program runs in the background, and a child "
		    "would hold its pipes: wait for it first (jobs lists it)");
	if (sh->nkids >= SHELL_KIDS_MAX)
		return cmd_usage(sh, cmd,
		    "the shell drives at most %d children: waitpid one "
		    "first",
		    SHELL_KIDS_MAX);
	call_begin(sh, &c, cmd->name, NULL);
	pid = child_fork(sh, name);
	call_end(sh, &c, pid, errno);
	out_call(sh, "fork()", c.ret, c.err);
	if (pid > 0) {
		c.arg = cmd_fork_shared(sh, pid);
		out_meaning(sh,
		    "%s is pid %d, a copy of this process; @%s COMMAND runs a "
		    "command in it",
		    name, (int)pid, name);
	}
	note_call(sh, &c);
	return CMD_OK;
}

const struct cmd_entry cmd_fork_entry = {
	.name = "fork",
	.usage = "[NAME]",
	.args_min = 0,
	.args_max = 1,
	.flags = CMD_PID,
	.group = CMD_GROUP_PROCS,
	.summary = "a child process, NAME (child), with copies of every fd",
	.help =
	    "Makes a child process with fork(2): a copy of the shell that "
	    "holds its own fd for each socket, with the same numbers and "
	    "names. @NAME COMMAND runs a command in the child (@child close "
	    "conn), whose lines show [pid N] as strace -f shows them. A "
	    "close in one process drops only that process's fd: the "
	    "socket, and its connection, live until the last fd for it is "
	    "closed; shutdown in either process acts on the socket at once. "
	    "@NAME exit [STATUS] ends the child, and waitpid NAME reaps it; "
	    "the shell kills and reaps its children when it ends. Python: "
	    "pid = os.fork().",
	.errors = "EAGAIN: too many processes for this user (RLIMIT_NPROC).",
	.man = "fork(2), wait(2)",
	.complete = "-",
	.exec = cmd_fork_exec,
};

/* waitpid NAME: waits for a child to end and reaps it. */
static int
cmd_waitpid_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	struct shell_kid *k = a->argv[0].kind == TOK_WORD
	    ? child_find(sh, a->argv[0].text)
	    : NULL;

	if (k == NULL)
		return cmd_usage(sh, cmd,
		    "no child named '%s' (fork NAME makes one; jobs lists "
		    "the children)",
		    a->argv[0].text);
	if (out_flush(sh) == -1) /* before a call that can block */
		return CMD_ERR;
	child_reap(sh, k);
	return CMD_OK;
}

const struct cmd_entry cmd_waitpid_entry = {
	.name = "waitpid",
	.usage = "NAME",
	.args_min = 1,
	.args_max = 1,
	.flags = CMD_PID,
	.group = CMD_GROUP_PROCS,
	.summary = "wait for child NAME to end, and reap it",
	.help = "Waits with waitpid(2) until the child NAME has ended, then "
	        "shows its exit status as strace decodes it "
	        "({WIFEXITED(s) && WEXITSTATUS(s) == 0}). A child that has "
	        "ended stays a zombie, its pid and status kept by the kernel, "
	        "until its parent reaps it this way. While the child still "
	        "runs, waitpid blocks; Ctrl-C interrupts it. Python: "
	        "os.waitpid(pid, 0).",
	.errors = "ECHILD: no such child (it was reaped already). EINTR: "
	          "Ctrl-C came first.",
	.man = "waitpid(2)",
	.complete = "child",
	.exec = cmd_waitpid_exec,
};
