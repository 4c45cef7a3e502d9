/*
 * trace PROGRAM [ARG]...: the shell's command for sockstep trace. The
 * program runs under a tracer of its own (this binary again, as
 * "sockstep trace -o -"), so the shell's other children and its jobs are
 * none of the tracer's business, and the shell's sockets are closed in
 * it; its call lines come into the shell's output, and the shell waits
 * for it to end.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd.h"
#include "out.h"
#include "parse.h"
#include "procjob.h"
#include "shell.h"
#include "xalloc.h"

extern char **environ;

/*
 * Returns the tracer's command line for a's program (free it): "sockstep
 * trace -o - [-n] [--python] [--pids] -- PROGRAM [ARG]...".
 */
static char **
cmd_trace_argv(struct shell *sh, struct cmd_args *a)
{
	char **argv = xcalloc((size_t)a->argc + 8, sizeof(*argv));
	int i, n = 0;

	argv[n++] = (char *)"sockstep";
	argv[n++] = (char *)"trace";
	argv[n++] = (char *)"-o-";
	if (!sh->notes)
		argv[n++] = (char *)"-n";
	if (sh->python)
		argv[n++] = (char *)"--python";
	if (a->background) /* its lines come among the shell's own */
		argv[n++] = (char *)"--pids";
	argv[n++] = (char *)"--";
	for (i = 0; i < a->argc; i++)
		argv[n++] = a->argv[i].text;
	return argv;
}

/*
 * trace PROGRAM [ARG]...: runs PROGRAM traced; its calls print as the
 * shell's own. With '&' it runs in the background as a job (procjob.c).
 */
static int
cmd_trace_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	posix_spawn_file_actions_t fa;
	char **argv = cmd_trace_argv(sh, a);
	pid_t pid;
	int st, rc, id;

	(void)cmd;
	fflush(sh->out);
	if (a->background) {
		if ((id = procjob_start(sh, argv, a->argv[0].text)) > 0)
			out_meaning(sh,
			    "[%d] %s runs traced in the background: its calls "
			    "come as it makes them, each marked [pid N]; wait "
			    "%d waits for its end",
			    id, a->argv[0].text, id);
		free(argv);
		return CMD_OK;
	}
	posix_spawn_file_actions_init(&fa);
	if (fileno(sh->out) != 1)
		posix_spawn_file_actions_adddup2(&fa, fileno(sh->out), 1);
	/* the shell's own sockets are none of the program's */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(argv);
	if (rc != 0) {
		out_error(sh, "trace: %s", strerror(rc));
		return CMD_OK;
	}
	while (waitpid(pid, &st, 0) == -1)
		if (errno != EINTR) {
			out_error(sh, "trace: %s", strerror(errno));
			return CMD_OK;
		}
	rc = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	out_meaning(sh, "%s ended: exit status %d", a->argv[0].text, rc);
	return CMD_OK;
}

const struct cmd_entry cmd_trace_entry = {
	.name = "trace",
	.usage = "PROGRAM [ARG]...",
	.args_min = 1,
	.args_max = -1,
	.flags = CMD_PROCESS,
	.group = CMD_GROUP_SHELL,
	.summary = "run a program, showing its socket calls as the shell's own",
	.help =
	    "Runs PROGRAM with its arguments and prints each socket call "
	    "it makes (socket, bind, listen, accept, connect, send and "
	    "recv, shutdown, close of a socket, socket options and names, "
	    "fcntl F_GETFL/F_SETFL, ioctl FIONBIO and dup of a socket, poll "
	    "and select over sockets, epoll_ctl of a socket, epoll_wait of "
	    "an instance watching one) the way "
	    "the shell prints its own: the strace line, then the notes the "
	    "kernel's state allows and its state changes, its sockets named by "
	    "descriptor (fd3). Forks and threads are followed, their lines "
	    "marked [pid N]. The program's own output passes through; "
	    "Ctrl-C reaches it; the shell waits for it to end and says its "
	    "exit status. With '&' (trace ./client $PORT &) the program runs "
	    "in the background as job N while the shell goes on: its lines, "
	    "each call marked [pid N], and its output come between commands; "
	    "expect trace N CALL = ... checks its calls in order, wait N "
	    "waits for its end, and a lesson's end ends it. From the "
	    "command line, sockstep trace runs one "
	    "program the same way, with --step (a key before each call), "
	    "-p PID (attach to a running program), --python (the Python "
	    "line of each call, as set python on shows here), --diagram FILE "
	    "(the chart of the program's connections, as diagram draws the "
	    "shell's) and --capture (its segments under its calls).",
	.errors = "exit status 127: the program was not found; 126: ptrace "
	          "is not permitted here (a container without "
	          "CAP_SYS_PTRACE, or Yama's ptrace_scope 3).",
	.man = "sockstep(1) TRACE, ptrace(2), seccomp(2), strace(1)",
	.complete = "file file*",
	.exec = cmd_trace_exec,
};
