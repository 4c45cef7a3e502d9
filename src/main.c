#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "child.h"
#include "input.h"
#include "lab.h"
#include "labhost.h"
#include "lesson.h"
#include "out.h"
#include "record.h"
#include "var.h"
#include "prompt.h"
#include "repl.h"
#include "shell.h"
#include "run.h"
#include "sig.h"
#include "sys.h"
#include "trace.h"
#include "track.h"
#include "xalloc.h"

#ifndef SOCKSTEP_VERSION
#define SOCKSTEP_VERSION "0"
#endif

/* Prints how to run sockstep. */
static void
usage(FILE *fp)
{
	fputs(
	    "usage: sockstep [OPTION]... [FILE]\n"
	    "An interactive shell of real BSD socket calls, printed as strace "
	    "prints them.\n\n"
	    "  sockstep              interactive, on a terminal\n"
	    "  sockstep FILE         run the commands in FILE (- for stdin)\n"
	    "  sockstep -c 'CMDS'    run CMDS (separated by ; or newlines)\n"
	    "  ... | sockstep        run commands from stdin, no prompt\n"
	    "  sockstep trace [-n] [-o FILE] [--step] [--] PROGRAM [ARG]...\n"
	    "                        run PROGRAM, printing its socket calls as the\n"
	    "                        shell's own (sockstep trace --help; -p PID\n"
	    "                        attaches to a running program)\n\n"
	    "options:\n"
	    "  -c, --command=CMDS    run CMDS and exit\n"
	    "  -n, --no-notes        leave out the plain-language notes, state\n"
	    "                        changes and segment counts\n"
	    "      --color=WHEN      auto (default), always or never\n"
	    "      --hex             show a hex dump of received data\n"
	    "      --play LESSON...  play lessons: narration, then each call (Space\n"
	    "                        pauses, q quits)\n"
	    "      --step LESSON...  the same, a key before each step (Enter: next,\n"
	    "                        c: on to the next pause, q: quit)\n"
	    "      --check [LESSON...]  check every expectation; print N passed, M\n"
	    "                        failed (no LESSON: every shipped lesson)\n"
	    "      --timeout S       with --check, how long one call may block\n"
	    "                        (10 s unless the lesson says set timeout)\n"
	    "      --no-partner      with --check, do not start a lesson's partner\n"
	    "                        (it runs elsewhere)\n"
	    "      --quiz LESSON...  ask what each call returns before making it\n"
	    "  -D, --var NAME=VALUE  set a lesson variable (--var PORT=5000)\n"
	    "      --delay MS        pause between steps when playing\n"
	    "      --record FILE     write the session as a lesson\n"
	    "      --force           record, export and diagram --svg may replace\n"
	    "                        a file\n"
	    "      --capture         show the packets of each call, in lessons too\n"
	    "                        (root, or with --lab)\n"
	    "      --lab[=NAME]      run in a private lab: two hosts, alpha and beta,\n"
	    "                        on a link of their own (capture without root);\n"
	    "                        with NAME, shells of the same user with the\n"
	    "                        same NAME share it\n"
	    "      --host=HOST       with --lab, live on HOST (alpha, the default,\n"
	    "                        or beta): its sockets and its host name\n"
	    "  -v, --verbose         with --check, show the calls too\n"
	    "  -h, --help            show this help and exit\n"
	    "  -V, --version         show the version and exit\n\n"
	    "A LESSON with a slash or ending in .lesson is a file; a bare name "
	    "is a shipped\nlesson (echo, half-close, ...) or one in "
	    "SOCKSTEP_LESSONS.\nInside, 'help' lists the commands. Exit status: 0 success, "
	    "1 a check failed,\n2 usage or script syntax error, 130 "
	    "interrupted. Environment: "
	    "NO_COLOR, SOCKSTEP_HISTORY\n(history file; empty for none), "
	    "XDG_STATE_HOME, SOCKSTEP_INTERACTIVE=1\n(prompt even when stdin "
	    "is not a terminal).\n",
	    fp);
}

/* Prints the version, GNU's way: the version last on the first line. */
static void
version(void)
{
	printf("sockstep %s\n"
	       "Copyright (C) 2026 The sockstep authors.\n",
	    SOCKSTEP_VERSION);
	if (strcmp(input_backend(), "readline") == 0)
		fputs("License GPLv3+: GNU GPL version 3 or later "
		      "<https://gnu.org/licenses/gpl.html>:\nthis binary is "
		      "linked with GNU Readline (the sources are ISC-licensed).\n",
		    stdout);
	else
		fputs("License ISC: <https://opensource.org/licenses/ISC>.\n",
		    stdout);
	printf("This is free software: you are free to change and "
	       "redistribute it.\nThere is NO WARRANTY, to the extent "
	       "permitted by law.\nThis build's line editor: %s.\n",
	    input_backend());
}

/*
 * Reports arg, a long option getopt_long refused, when it abbreviates
 * more than one option (aliases of one option count once). Returns 1 if
 * it did, 0 if arg is no abbreviation of two.
 */
static int
ambiguous(const struct option *opts, const char *arg)
{
	size_t len, i, j, n = 0;
	int seen;

	if (strncmp(arg, "--", 2) != 0)
		return 0;
	arg += 2;
	len = strcspn(arg, "=");
	for (i = 0; opts[i].name; i++) {
		if (strncmp(opts[i].name, arg, len) != 0)
			continue;
		for (seen = 0, j = 0; j < i; j++)
			if (opts[j].val == opts[i].val &&
			    strncmp(opts[j].name, arg, len) == 0)
				seen = 1;
		n += !seen;
	}
	if (n < 2)
		return 0;
	fprintf(stderr,
	    "sockstep: option '--%.*s' is ambiguous; possibilities:", (int)len,
	    arg);
	for (i = 0; opts[i].name; i++)
		if (strncmp(opts[i].name, arg, len) == 0)
			fprintf(stderr, " '--%s'", opts[i].name);
	fputc('\n', stderr);
	return 1;
}

/* Decides whether to colour fd: asked for, or a terminal without NO_COLOR. */
static int
want_color(const char *when, int fd)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (strcmp(when, "always") == 0)
		return 1;
	if (strcmp(when, "never") == 0)
		return 0;
	return isatty(fd) && !(nc && *nc) &&
	    !(term && strcmp(term, "dumb") == 0);
}

/* Runs -c's commands as a script named "-c". Returns the exit status. */
static int
run_string(struct shell *sh, const char *cmds)
{
	FILE *fp;
	int rc;

	if (*cmds == '\0')
		return 0;
	fp = fmemopen((void *)(uintptr_t)cmds, strlen(cmds), "r");
	if (fp == NULL) {
		perror("sockstep: -c");
		return 2;
	}
	rc = repl_script(sh, fp, "-c");
	fclose(fp);
	return rc;
}

/*
 * Enters the lab (--lab[=NAME]) and moves onto host (--host), saying
 * where the shell is on stderr. Returns 0, or 2 after a message.
 */
static int
start_lab(int lab, const char *labname, const char *host)
{
	char err[256];
	int joined = 0, at = host ? labhost_find(host) : 0;

	if (!lab || at == -1) {
		fprintf(stderr, "sockstep: %s\nTry 'sockstep --help'.\n",
		    !lab ? "--host needs --lab: the hosts are the lab's"
		         : "--host takes alpha or beta, the lab's hosts");
		return 2;
	}
	if ((labname ? lab_enter_named(labname, &joined, err, sizeof(err))
	             : lab_enter(err, sizeof(err))) == -1) {
		fprintf(stderr, "sockstep: %s\n", err);
		return 2;
	}
	if (at != 0 && labhost_live(at) == -1) {
		fprintf(stderr, "sockstep: --host=%s: setns: %s\n", host,
		    strerror(errno));
		return 2;
	}
	if (joined)
		fprintf(stderr,
		    "sockstep: lab %s: joined the shells already in it",
		    labname);
	else
		fprintf(stderr,
		    "sockstep: lab%s%s: private network namespaces%s%s: two "
		    "hosts, alpha (%s) and beta (%s), on a link of their own; "
		    "nothing outside reaches these sockets and they reach "
		    "nothing outside; capture works here without root",
		    labname ? " " : " mode", labname ? labname : "",
		    labname ? ", which other shells of this user join with "
		              "--lab="
		            : ", this shell's own",
		    labname ? labname : "", labhost_addr(0), labhost_addr(1));
	fprintf(stderr,
	    "; this shell is on %s (socket NAME @HOST makes one "
	    "on another)\n",
	    labhost_name(at));
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "command", required_argument, NULL, 'c' },
		{ "no-notes", no_argument, NULL, 'n' },
		{ "color", required_argument, NULL, 'C' },
		{ "colour", required_argument, NULL, 'C' },
		{ "hex", no_argument, NULL, 'x' },
		{ "play", no_argument, NULL, 'P' },
		{ "step", no_argument, NULL, 'S' },
		{ "check", no_argument, NULL, 'K' },
		{ "quiz", no_argument, NULL, 'Q' },
		{ "var", required_argument, NULL, 'D' },
		{ "delay", required_argument, NULL, 'd' },
		{ "record", required_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "lab", optional_argument, NULL, 'L' },
		{ "host", required_argument, NULL, 'H' },
		{ "capture", no_argument, NULL, 'A' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-partner", no_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { NULL, 0, NULL, 0 }
	};
	const char *cmds = NULL, *color = "auto", *force, *record = NULL;
	const char *labname = NULL, *host = NULL;
	struct lesson_opts lo;
	struct vars vars;
	struct shell sh;
	char *eq, *end;
	int c, rc, notes = 1, hex = 0, lab = 0;
	size_t i;
	char laberr[256];
	long ms;

	atexit(out_exit_check); /* a write error on stdout fails the exit */
	if (argc > 1 && strcmp(argv[1], "trace") == 0)
		return trace_main(argc - 1, argv + 1);
	memset(&lo, 0, sizeof(lo));
	memset(&vars, 0, sizeof(vars));
	lo.mode = MODE_RUN;
	lo.delay_ms = -1;
	opterr = 0;
	while (
	    (c = getopt_long(argc, argv, "c:nhVD:v", longopts, NULL)) != -1) {
		switch (c) {
		case 'P':
		case 'S':
		case 'K':
		case 'Q':
			lo.mode = c == 'P' ? MODE_PLAY
			    : c == 'S'     ? MODE_STEP
			    : c == 'K'     ? MODE_CHECK
			                   : MODE_QUIZ;
			break;
		case 'D':
			eq = strchr(optarg, '=');
			if (eq)
				*eq = '\0';
			if (eq == NULL || !var_name_ok(optarg)) {
				fprintf(stderr,
				    "sockstep: --var takes NAME=VALUE"
				    "\nTry 'sockstep --help'.\n");
				return 2;
			}
			var_set(&vars, optarg, eq + 1, 1);
			break;
		case 'd':
			ms = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || ms < 0 || ms > 60000) {
				fprintf(stderr,
				    "sockstep: --delay takes "
				    "milliseconds, 0 to 60000\nTry 'sockstep "
				    "--help'.\n");
				return 2;
			}
			lo.delay_ms = (int)ms;
			break;
		case 'r':
			record = optarg;
			break;
		case 't':
			ms = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end || ms < 1 || ms > 86400) {
				fprintf(stderr,
				    "sockstep: --timeout takes seconds, 1 to "
				    "86400\nTry 'sockstep --help'.\n");
				return 2;
			}
			lo.bound_s = (int)ms;
			break;
		case 'p':
			lo.alone = 1;
			break;
		case 'f':
			lo.force = 1;
			break;
		case 'v':
			lo.verbose = 1;
			break;
		case 'L':
			lab = 1;
			labname = optarg;
			break;
		case 'H':
			host = optarg;
			break;
		case 'A':
			lo.capture = 1;
			break;
		case 'c':
			cmds = optarg;
			break;
		case 'n':
			notes = 0;
			break;
		case 'C':
			if (strcmp(optarg, "auto") &&
			    strcmp(optarg, "always") &&
			    strcmp(optarg, "never")) {
				fprintf(stderr,
				    "sockstep: --color takes auto, "
				    "always or never\nTry 'sockstep --help'.\n");
				return 2;
			}
			color = optarg;
			break;
		case 'x':
			hex = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			version();
			return 0;
		default:
			if (optopt && strchr("cCDdrtH", optopt))
				fprintf(stderr,
				    "sockstep: option '%s' needs an "
				    "argument\n",
				    argv[optind - 1]);
			else if (!ambiguous(longopts, argv[optind - 1]))
				fprintf(stderr,
				    "sockstep: unknown option '%s'\n",
				    argv[optind - 1]);
			fputs("Try 'sockstep --help'.\n", stderr);
			return 2;
		}
	}
	if ((lab || host) && (rc = start_lab(lab, labname, host)) != 0) {
		var_free(&vars);
		return rc;
	}
	if (lo.mode != MODE_RUN) {
		if ((optind == argc && lo.mode != MODE_CHECK) || cmds) {
			fputs("sockstep: name a lesson (or lesson files) to play, "
			      "step, check or quiz\nTry 'sockstep --help'.\n",
			    stderr);
			var_free(&vars);
			return 2;
		}
		sig_install();
		lo.color = want_color(color, 1);
		lo.notes = notes;
		lo.vars = &vars;
		if (lo.delay_ms < 0)
			lo.delay_ms =
			    lo.mode == MODE_PLAY && isatty(1) ? 700 : 0;
		rc = lesson_main(&lo, argv + optind, argc - optind);
		var_free(&vars);
		return sig_end ? 128 + sig_end : rc;
	}
	if (argc - optind > 1 || (cmds && argc - optind > 0)) {
		fputs("sockstep: too many arguments\nTry 'sockstep --help'.\n",
		    stderr);
		return 2;
	}
	sig_install();
	shell_init(&sh, &sys_real, stdout, stderr);
	sh.notes = notes;
	if (!notes)
		sh.states = sh.segments =
		    0; /* -n: the calls and their results */
	sh.hex = hex;
	sh.color = want_color(color, 1);
	sh.color_err = want_color(color, 2);
	for (i = 0; i < vars.n; i++)
		var_set(&sh.vars, vars.v[i].name, vars.v[i].value, 1);
	var_free(&vars);
	sh.force = lo.force;
	if (lo.capture &&
	    capture_start(track_capture(&sh), laberr, sizeof(laberr)) == -1) {
		fprintf(stderr, "sockstep: capture: %s\n", laberr);
		shell_free(&sh);
		return 2;
	}
	if (record && record_start(&sh, record, 0) == -1) {
		shell_free(&sh);
		return 2;
	}
	force = getenv("SOCKSTEP_INTERACTIVE");
	if (cmds)
		rc = run_string(&sh, cmds);
	else if (optind < argc)
		rc = lesson_run_file(&sh, argv[optind]);
	else if (isatty(0) || (force && strcmp(force, "1") == 0)) {
		sh.interactive = 1;
		rc = prompt_run(&sh);
	} else
		rc = lesson_run_file(&sh, "-");
	child_end_all(&sh); /* none outlives the shell */
	if (!sh.interactive)
		repl_goodbye(&sh); /* the prompt's own said it */
	fflush(stdout);
	shell_free(&sh);
	return rc;
}
