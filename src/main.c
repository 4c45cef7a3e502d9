#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"
#include "repl.h"
#include "shell.h"
#include "sig.h"
#include "sys.h"
#include "xalloc.h"

#ifndef SOCKSTEP_VERSION
#define SOCKSTEP_VERSION "0"
#endif

/* Prints how to run sockstep. */
static void
usage(FILE *fp)
{
	fputs("usage: sockstep [OPTION]... [FILE]\n"
	    "An interactive shell of real BSD socket calls, printed as strace "
	    "prints them.\n\n"
	    "  sockstep              interactive, on a terminal\n"
	    "  sockstep FILE         run the commands in FILE (- for stdin)\n"
	    "  sockstep -c 'CMDS'    run CMDS (separated by ; or newlines)\n"
	    "  ... | sockstep        run commands from stdin, no prompt\n\n"
	    "options:\n"
	    "  -c, --command=CMDS    run CMDS and exit\n"
	    "  -n, --no-notes        leave out the plain-language notes\n"
	    "      --color=WHEN      auto (default), always or never\n"
	    "      --hex             show a hex dump of received data\n"
	    "  -h, --help            show this help and exit\n"
	    "  -V, --version         show the version and exit\n\n"
	    "Inside, 'help' lists the commands. Exit status: 0 success, "
	    "2 usage or\nscript syntax error, 130 interrupted. Environment: "
	    "NO_COLOR, SOCKSTEP_HISTORY\n(history file; empty for none), "
	    "XDG_STATE_HOME, SOCKSTEP_INTERACTIVE=1\n(prompt even when stdin "
	    "is not a terminal).\n", fp);
}

/* Decides whether to colour: asked for, or a terminal without NO_COLOR. */
static int
want_color(const char *when)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (strcmp(when, "always") == 0)
		return 1;
	if (strcmp(when, "never") == 0)
		return 0;
	return isatty(1) && !(nc && *nc) && !(term && strcmp(term, "dumb") == 0);
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

/* Reads all of fp into memory. Returns the bytes (free them), or NULL on error. */
static char *
slurp(FILE *fp, size_t *len)
{
	char *p = NULL;
	size_t cap = 0, n;

	*len = 0;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			p = xrealloc(p, cap + 1);
		}
		n = fread(p + *len, 1, cap - *len, fp);
		*len += n;
	} while (n > 0);
	if (ferror(fp)) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * Runs the script in path ("-" for stdin). A file is read whole and closed
 * first, so that the student's first socket gets fd 3 as in the docs.
 * Returns the exit status.
 */
static int
run_file(struct shell *sh, const char *path)
{
	FILE *fp, *mem;
	size_t len;
	char *text;
	int rc;

	if (strcmp(path, "-") == 0)
		return repl_script(sh, stdin, "<stdin>");
	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(stderr, "sockstep: cannot open %s: %s\n", path,
		    strerror(errno));
		return 2;
	}
	text = slurp(fp, &len);
	fclose(fp);
	if (text == NULL) {
		fprintf(stderr, "sockstep: cannot read %s\n", path);
		return 2;
	}
	rc = 0;
	if (len > 0 && (mem = fmemopen(text, len, "r")) != NULL) {
		rc = repl_script(sh, mem, path);
		fclose(mem);
	}
	free(text);
	return rc;
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
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cmds = NULL, *color = "auto", *force;
	struct shell sh;
	int c, rc, notes = 1, hex = 0;

	while ((c = getopt_long(argc, argv, "c:nhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cmds = optarg;
			break;
		case 'n':
			notes = 0;
			break;
		case 'C':
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never")) {
				fprintf(stderr, "sockstep: --color takes auto, "
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
			printf("sockstep %s (line editor: %s)\n",
			    SOCKSTEP_VERSION, input_backend());
			return 0;
		default:
			fputs("Try 'sockstep --help'.\n", stderr);
			return 2;
		}
	}
	if (argc - optind > 1 || (cmds && argc - optind > 0)) {
		fputs("sockstep: too many arguments\nTry 'sockstep --help'.\n",
		    stderr);
		return 2;
	}
	sig_install();
	shell_init(&sh, &sys_real, stdout, stderr);
	sh.notes = notes;
	sh.hex = hex;
	sh.color = want_color(color);
	force = getenv("SOCKSTEP_INTERACTIVE");
	if (cmds)
		rc = run_string(&sh, cmds);
	else if (optind < argc)
		rc = run_file(&sh, argv[optind]);
	else if (isatty(0) || (force && strcmp(force, "1") == 0)) {
		sh.interactive = 1;
		rc = repl_run(&sh);
	} else
		rc = run_file(&sh, "-");
	fflush(stdout);
	shell_free(&sh);
	return rc;
}
