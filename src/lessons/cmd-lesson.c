#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd.h"
#include "lesson.h"
#include "newfile.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "record.h"
#include "export.h"
#include "shell.h"
#include "run.h"
#include "sys.h"
#include "var.h"

#define SOURCE_DEPTH_MAX 16 /* scripts sourced one inside another */

/*
 * let NAME port HANDLE: the port HANDLE is bound to, read with
 * getsockname (a port 0 bind's, as the kernel chose it), into value.
 * Returns CMD_OK, or what cmd_usage returns.
 */
static int
cmd_let_port(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a,
    char *value, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct handle *h;

	if (!parse_is_word(&a->argv[1], "port"))
		return cmd_usage(sh, cmd,
		    "three arguments are NAME port HANDLE (let PORT port srv)");
	if (cmd_handle_arg(sh, cmd, &a->argv[2], &h) == CMD_ERR)
		return CMD_ERR;
	memset(&ss, 0, sizeof(ss));
	if (sh->sys->getsockname(h->fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) ||
	    ((struct sockaddr_in *)&ss)->sin_port == 0)
		return cmd_usage(sh, cmd,
		    "%s is bound to no port yet (bind it)", h->name);
	snprintf(value, len, "%u",
	    (unsigned)ntohs(((struct sockaddr_in *)&ss)->sin_port));
	return CMD_OK;
}

/* let NAME VALUE, let NAME port HANDLE: sets a variable ($NAME), unless the command line fixed it. */
static int
cmd_let_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	char port[16];

	if (a->argv[0].kind != TOK_WORD || !var_name_ok(a->argv[0].text))
		return cmd_usage(sh, cmd,
		    "a variable name is letters, digits "
		    "and '_' (like PORT)");
	if (a->argc == 3) {
		if (cmd_let_port(sh, cmd, a, port, sizeof(port)) == CMD_ERR)
			return CMD_ERR;
		var_set(&sh->vars, a->argv[0].text, port, 0);
		return CMD_OK;
	}
	if (memchr(a->argv[1].text, '\0', a->argv[1].len))
		return cmd_usage(sh, cmd, "a variable cannot hold a NUL byte");
	var_set(&sh->vars, a->argv[0].text, a->argv[1].text, 0);
	return CMD_OK;
}

/* pause: in step mode waits for Enter; when playing, takes a breath. */
static int
cmd_pause_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	(void)cmd;
	(void)a;
	shell_pause(sh);
	return CMD_OK;
}

/* lessons: lists the lessons that can be played by name. */
static int
cmd_lessons_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	(void)cmd;
	(void)a;
	lesson_list(sh);
	return CMD_OK;
}

/* lesson NAME: plays a lesson in a shell of its own, then comes back. */
static int
cmd_lesson_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int rc;
	char near[128];

	if (sh->nest >= SOURCE_DEPTH_MAX)
		return cmd_usage(sh, cmd,
		    "lessons played %d deep: does %.60s play itself?", sh->nest,
		    a->argv[0].text);
	rc = lesson_play(sh, a->argv[0].text);
	if (rc == -1 &&
	    lesson_suggest(a->argv[0].text, near, sizeof(near)) == 0)
		return cmd_usage(sh, cmd,
		    "no lesson '%.60s'; did you mean %s? (lessons lists them)",
		    a->argv[0].text, near);
	if (rc == -1)
		return cmd_usage(sh, cmd,
		    "no lesson '%.60s' (lessons lists "
		    "them)",
		    a->argv[0].text);
	if (rc == 2) { /* said inside; the error counts here too */
		sh->errors++;
		return CMD_ERR;
	}
	return CMD_OK;
}

/*
 * partner LESSON: names the other half of a pair. Checking starts it
 * alongside (lesson.c); played, stepped or typed, it says how to start it.
 */
static int
cmd_partner_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	const char *port = var_get(&sh->vars, "PORT");

	(void)cmd;
	if (sh->mode == MODE_CHECK)
		return CMD_OK;
	out_meaning(sh,
	    "this lesson works with its partner %.60s: play it in a second "
	    "terminal, sockstep --play %.60s%s%s",
	    a->argv[0].text, a->argv[0].text, port ? " --var PORT=" : "",
	    port ? port : "");
	return CMD_OK;
}

/* source FILE: runs the commands of a file in this shell, with its handles. */
static int
cmd_source_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	if (sh->depth >= SOURCE_DEPTH_MAX)
		return cmd_usage(sh, cmd,
		    "scripts sourced %d deep: does %.60s "
		    "source itself?",
		    sh->depth, a->argv[0].text);
	sh->depth++;
	lesson_run_file(sh, a->argv[0].text);
	sh->depth--;
	return CMD_OK;
}

/* record FILE | record stop: writes the session from now on as a lesson. */
static int
cmd_record_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int force = newfile_force(a);

	if (a->argc != 1)
		return cmd_usage(sh, cmd, "name one file (or stop)");
	if (parse_is_word(&a->argv[0], "stop")) {
		if (sh->record == NULL)
			return cmd_usage(sh, cmd, "not recording");
		record_stop(sh);
		out_meaning(sh, "recording stopped");
		return CMD_OK;
	}
	if (record_start(sh, a->argv[0].text, force) == -1)
		return CMD_OK;
	out_meaning(sh,
	    "recording to %s: each command with the result it "
	    "gets; record stop ends it",
	    a->argv[0].text);
	if (session_count(sh->session))
		note_say(sh, "record.setup",
		    "the %zu call%s made before now %s written first, as "
		    "the setup, so that the recording replays on its own",
		    session_count(sh->session),
		    session_count(sh->session) == 1 ? "" : "s",
		    session_count(sh->session) == 1 ? "is" : "are");
	return CMD_OK;
}

const struct cmd_entry cmd_let_entry = {
	.name = "let",
	.usage = "NAME VALUE | NAME port HANDLE",
	.args_min = 2,
	.args_max = 3,
	.group = CMD_GROUP_LESSONS,
	.summary =
	    "set a variable, used as $NAME (a default a lesson can take)",
	.help =
	    "Sets the variable NAME to VALUE; $NAME or ${NAME} in later "
	    "lines stands for it ($$ is a dollar sign). A variable given on the "
	    "command line (--var NAME=VALUE) wins over let, so a lesson's let "
	    "is a default: the echo lessons say let PORT 65432 and run "
	    "elsewhere with --var PORT=5000. let NAME port HANDLE sets NAME to "
	    "the port the handle is bound to (read with getsockname: the one "
	    "the kernel chose for a bind to port 0), to hand to a program "
	    "(trace ./client $PORT &).",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "-",
	.exec = cmd_let_exec,
};

const struct cmd_entry cmd_pause_entry = {
	.name = "pause",
	.usage = "",
	.args_min = 0,
	.args_max = 0,
	.group = CMD_GROUP_LESSONS,
	.summary = "in a lesson: wait for Enter (step) or a moment (play)",
	.help =
	    "A break in a lesson: --step waits for Enter, --play waits a "
	    "moment, --check goes straight on. At the prompt it does nothing.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "",
	.exec = cmd_pause_exec,
};

const struct cmd_entry cmd_lessons_entry = {
	.name = "lessons",
	.usage = "",
	.args_min = 0,
	.args_max = 0,
	.group = CMD_GROUP_LESSONS,
	.summary = "list the lessons",
	.help =
	    "Lists the lessons that lesson NAME and sockstep --play NAME "
	    "find: in $SOCKSTEP_LESSONS, $XDG_DATA_HOME/sockstep/lessons, the "
	    "installed lessons (never a file in the current folder: name "
	    "one with a slash, ./echo.lesson).",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "",
	.exec = cmd_lessons_exec,
};

const struct cmd_entry cmd_lesson_entry = {
	.name = "lesson",
	.usage = "NAME",
	.args_min = 1,
	.args_max = 1,
	.group = CMD_GROUP_LESSONS,
	.summary = "play a lesson, then come back to this prompt",
	.help = "Plays the lesson NAME (or a lesson file) in a shell of its "
	        "own, narration and calls, and closes its sockets at the end; "
	        "your handles stay as they were.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "lesson",
	.exec = cmd_lesson_exec,
};

const struct cmd_entry cmd_partner_entry = {
	.name = "partner",
	.usage = "LESSON",
	.args_min = 1,
	.args_max = 1,
	.group = CMD_GROUP_LESSONS,
	.summary = "name the lesson that plays the other half of a pair",
	.help =
	    "A lesson that needs a peer names it: echo-client says partner "
	    "echo-server. sockstep --check then starts the partner alongside, "
	    "in a second process on a free port (both get --var PORT=N), the "
	    "listening side first; --no-partner checks the lesson alone. "
	    "Played or typed, it says how to start the partner in a second "
	    "terminal.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "lesson",
	.exec = cmd_partner_exec,
};

const struct cmd_entry cmd_source_entry = {
	.name = "source",
	.usage = "FILE",
	.args_min = 1,
	.args_max = 1,
	.group = CMD_GROUP_LESSONS,
	.summary = "run the commands of a file here, with these handles",
	.help =
	    "Runs every line of FILE in this shell, as if typed, using and "
	    "making handles here. Expectations in it are checked and reported.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "file",
	.exec = cmd_source_exec,
};

const struct cmd_entry cmd_record_entry = {
	.name = "record",
	.usage = "FILE|stop [--force]",
	.args_min = 1,
	.args_max = 2,
	.group = CMD_GROUP_LESSONS,
	.summary = "write the session from now on as a lesson",
	.help =
	    "Writes every command from now on to FILE, each with the "
	    "result it got as its expectation (= 0, = -1 ECONNREFUSED, = 12 "
	    "\"data\"), so that sockstep --check FILE replays and checks it. "
	    "record stop ends the recording. FILE must not exist (nor be a "
	    "symbolic link); --force replaces an existing file.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "file",
	.exec = cmd_record_exec,
};
