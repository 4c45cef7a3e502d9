#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arg.h"
#include "cmd-shell.h"
#include "cmd.h"
#include "out.h"
#include "parse.h"
#include "pyline.h"
#include "shell.h"
#include "sig.h"

/* Prints text wrapped at 76 columns, each line starting with indent. */
static void
help_wrap(struct shell *sh, const char *indent, const char *text)
{
	size_t col = 0, n;

	while (*text) {
		n = strcspn(text, " ");
		if (col && col + 1 + n > 76) {
			fputc('\n', sh->out);
			col = 0;
		}
		if (col == 0) {
			fputs(indent, sh->out);
			col = strlen(indent);
		} else {
			fputc(' ', sh->out);
			col++;
		}
		fwrite(text, 1, n, sh->out);
		col += n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', sh->out);
}

/*
 * Lists the commands by group, each group on a line (wrapped to 80
 * columns), so the whole list fits one 24-line screen. Returns CMD_OK.
 */
static int
help_short(struct shell *sh)
{
	const struct cmd_entry *const *c;
	size_t col;
	int g;

	out_line(sh,
	    "Each command makes one real socket call and explains "
	    "it. By purpose:");
	for (g = 0; g < CMD_GROUP_COUNT; g++) {
		col = (size_t)fprintf(sh->out, "  %-20s", cmd_group_names[g]);
		for (c = cmd_table; *c; c++) {
			if ((*c)->group != (enum cmd_group)g)
				continue;
			if (col + 1 + strlen((*c)->name) > 79) {
				fprintf(sh->out, "\n%22s", "");
				col = 22;
			}
			col += (size_t)fprintf(sh->out, " %s", (*c)->name);
		}
		fputc('\n', sh->out);
	}
	out_line(sh,
	    "Python lines run too: s = socket.socket(), "
	    "s.bind(('127.0.0.1', 0)), ...");
	out_line(sh,
	    "Start with: socket s; bind s 127.0.0.1 0; listen s; "
	    "handles  (or: lessons)");
	out_line(sh,
	    "help COMMAND explains one; help all says what each "
	    "does; help python.");
	return CMD_OK;
}

/* help [COMMAND|all|python]: the commands, one in full, or the Python. */
static int
cmd_help_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	const struct cmd_entry *const *c, *h;
	int g;

	if (a->argc == 1 && strcmp(a->argv[0].text, "python") == 0) {
		pyline_help(sh);
		return CMD_OK;
	}
	if (a->argc == 0)
		return help_short(sh);
	if (strcmp(a->argv[0].text, "all") != 0) {
		h = cmd_find(a->argv[0].text);
		if (h == NULL)
			return cmd_usage(sh, cmd, "no command '%.40s'%s%s",
			    a->argv[0].text,
			    cmd_suggest(a->argv[0].text) ? "; did you mean "
			                                 : "",
			    cmd_suggest(a->argv[0].text)
			        ? cmd_suggest(a->argv[0].text)
			        : "");
		out_line(sh, "usage: %s%s%s", h->name, *h->usage ? " " : "",
		    h->usage);
		if (h->alias)
			out_line(sh, "also: %s", h->alias);
		out_line(sh, "%s", "");
		help_wrap(sh, "  ", h->help);
		if (*h->errors) {
			out_line(sh, "%s", "");
			out_line(sh, "common errors:");
			help_wrap(sh, "  ", h->errors);
		}
		out_line(sh, "%s", "");
		out_line(sh, "see: %s", h->man);
		return CMD_OK;
	}
	for (g = 0; g < CMD_GROUP_COUNT; g++) {
		out_line(sh, "%s:", cmd_group_names[g]);
		for (c = cmd_table; *c; c++)
			if ((*c)->group == (enum cmd_group)g)
				out_line(sh, "  %-12s %s", (*c)->name,
				    (*c)->summary);
	}
	out_line(sh,
	    "help COMMAND shows its usage, what it does, its errors "
	    "and its man page;");
	out_line(sh, "help python the Python lines the shell runs.");
	return CMD_OK;
}

/* A setting of the shell and where it lives. */
struct setting {
	const char *name;
	size_t off;
	int is_bool;
	const char *about;
};

static const struct setting settings[] = {
	{ "notes", offsetof(struct shell, notes), 1,
	    "plain-language notes under calls" },
	{ "color", offsetof(struct shell, color), 1, "colour in the output" },
	{ "hex", offsetof(struct shell, hex), 1,
	    "a hex dump of received data" },
	{ "strsize", offsetof(struct shell, strsize), 0,
	    "bytes of data shown in a call line (strace -s)" },
	{ "states", offsetof(struct shell, states), 1,
	    "a line per TCP state change after each call" },
	{ "segments", offsetof(struct shell, segments), 1,
	    "segments each call sent and received (TCP_INFO)" },
	{ "sigpipe", offsetof(struct shell, sigpipe), 0,
	    "SIGPIPE at a send: catch, ignore, default" },
	{ "python", offsetof(struct shell, python), 1,
	    "the Python line that makes the same call, under each call" },
	{ "timeout", offsetof(struct shell, bound_s), 0,
	    "seconds a call may block in --check before it fails" },
	{ NULL, 0, 0, NULL }
};

/* The values of sigpipe, in the order of SHELL_SIGPIPE_*. */
static const char *const sigpipe_words[] = { "catch", "ignore", "default",
	NULL };

/* Settings whose values are words rather than numbers. */
static const struct {
	const char *name;
	const char *const *words;
} setting_words[] = { { "sigpipe", sigpipe_words }, { NULL, NULL } };

/* Returns the words a setting takes as values, or NULL for a number or on/off. */
static const char *const *
set_words(const struct setting *s)
{
	int i;

	for (i = 0; setting_words[i].name; i++)
		if (strcmp(setting_words[i].name, s->name) == 0)
			return setting_words[i].words;
	return NULL;
}

/* Returns the name of setting i, or NULL past the last (for completion). */
const char *
cmd_set_name(int i)
{
	return i >= 0 && i < (int)(sizeof(settings) / sizeof(settings[0]))
	    ? settings[i].name
	    : NULL;
}

/* Returns the words setting name takes as values, or NULL (for completion). */
const char *const *
cmd_set_words(const char *name)
{
	const struct setting *s;

	for (s = settings; s->name; s++)
		if (strcmp(s->name, name) == 0)
			return set_words(s);
	return NULL;
}

/* Reads one of words into *field. Returns 0, or -1 if v is none of them. */
static int
set_word(const char *const *words, const char *v, int *field)
{
	int i;

	for (i = 0; words[i]; i++)
		if (strcmp(words[i], v) == 0) {
			*field = i;
			return 0;
		}
	return -1;
}

/* set [NAME VALUE]: shows the settings, or changes one. */
static int
cmd_set_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	const struct setting *s;
	char err[128];
	long v;
	int b, *field;

	if (a->argc == 0) {
		for (s = settings; s->name; s++) {
			field = (int *)(void *)((char *)sh + s->off);
			if (set_words(s))
				out_line(sh, "%-8s %-7s %s", s->name,
				    set_words(s)[*field], s->about);
			else if (s->is_bool)
				out_line(sh, "%-8s %-7s %s", s->name,
				    *field ? "on" : "off", s->about);
			else
				out_line(sh, "%-8s %-7d %s", s->name, *field,
				    s->about);
		}
		return CMD_OK;
	}
	for (s = settings; s->name; s++)
		if (strcmp(s->name, a->argv[0].text) == 0)
			break;
	if (s->name == NULL)
		return cmd_usage(sh, cmd,
		    "no setting '%.40s' (notes, color, "
		    "hex, strsize, states, segments, sigpipe, python, timeout)",
		    a->argv[0].text);
	if (a->argc < 2)
		return cmd_usage(sh, cmd, "%s needs a value", s->name);
	field = (int *)(void *)((char *)sh + s->off);
	if (set_words(s)) {
		if (set_word(set_words(s), a->argv[1].text, field) == -1)
			return cmd_usage(sh, cmd,
			    "%s is catch, ignore or "
			    "default",
			    s->name);
		if (field == &sh->sigpipe) /* once, now: not per send */
			sig_pipe_ignore(sh->sigpipe == SHELL_SIGPIPE_IGNORE);
	} else if (s->is_bool) {
		if (arg_bool(&a->argv[1], &b) == -1)
			return cmd_usage(sh, cmd, "%s is on or off", s->name);
		*field = b;
	} else {
		if (parse_long(&a->argv[1], 1, 65536, &v, err, sizeof(err)) ==
		    -1)
			return cmd_usage(sh, cmd, "%s: %s", s->name, err);
		*field = (int)v;
	}
	return CMD_OK;
}

/* quit [STATUS]: leaves the shell, or ends a child with STATUS; the kernel closes what is still open. */
static int
cmd_quit_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	char err[128];
	long status = 0;

	if (a->argc && !sh->shell_pid)
		return cmd_usage(sh, cmd,
		    "STATUS is for a child (@child exit 3); the shell's own "
		    "exit status says how the session went");
	if (a->argc &&
	    parse_long(&a->argv[0], 0, 255, &status, err, sizeof(err)) == -1)
		return cmd_usage(sh, cmd, "%s", err);
	sh->exit_status = (int)status;
	sh->quit = 1;
	return CMD_OK;
}

const struct cmd_entry cmd_help_entry = {
	.name = "help",
	.usage = "[COMMAND|all|python]",
	.args_min = 0,
	.args_max = 1,
	.flags = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "list the commands, or explain one",
	.help = "Without an argument, lists the commands by what they are for, "
	        "on one screen. help all adds what each one does. help COMMAND "
	        "shows how to write it, what the call does, its common errors "
	        "and which man page to read. help python lists the lines of "
	        "Python's socket API the shell runs, and the command each "
	        "stands for.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "command",
	.exec = cmd_help_exec,
};

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.usage = "[notes|color|hex|states|segments|python on|off] [strsize N] "
	         "[sigpipe catch|ignore|default] [timeout SECONDS]",
	.args_min = 0,
	.args_max = 2,
	.flags = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "show or change a setting (notes, states, segments, ...)",
	.help =
	    "Without arguments, shows the settings. notes on|off switches "
	    "the plain-language notes under calls; color on|off the colour; "
	    "hex on|off a hex dump of received data; strsize N how many bytes "
	    "of data a call line shows before \"...\" (32, as strace); "
	    "states on|off a line per TCP state change after each call "
	    "(cli ESTABLISHED -> FIN_WAIT1), and before a command what "
	    "changed since the previous one (since the previous command: "
	    "cli FIN_WAIT1 -> FIN_WAIT2); segments on|off how many "
	    "segments each call made its sockets send and receive. python "
	    "on prints under each call the Python line that makes it (export "
	    "python FILE writes them all). sigpipe says what a send to a "
	    "closed peer meets: catch (the shell's way: EPIPE, and a note that "
	    "SIGPIPE came), ignore (SIG_IGN, as Python does: EPIPE alone, "
	    "which Python raises as BrokenPipeError) or default (the send is "
	    "made in a child process with SIGPIPE's default action, as in a C "
	    "program that does not handle it: the child dies, exit status 141; "
	    "the shell survives). MSG_NOSIGNAL stops the signal in every case. "
	    "timeout SECONDS bounds each call of a lesson under --check (10 "
	    "unless set; --timeout wins): a call still blocked then fails the "
	    "lesson.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "setting value",
	.exec = cmd_set_exec,
};

const struct cmd_entry cmd_quit_entry = {
	.name = "quit",
	.alias = "exit",
	.usage = "[STATUS]",
	.args_min = 0,
	.args_max = 1,
	.flags = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "leave the shell (Ctrl-D too)",
	.help = "Leaves the shell. The process exits, so the kernel closes "
	        "every socket still open, as it would for any program; the "
	        "shell first kills and reaps its children (fork). In a child, "
	        "@NAME exit [STATUS] ends that process with "
	        "exit_group(STATUS) (0 unless given): its fds close, and it "
	        "is a zombie until waitpid NAME.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "",
	.exec = cmd_quit_exec,
};
