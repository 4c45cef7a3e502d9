#include "repl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "jobs.h"
#include "note.h"
#include "out.h"
#include "shell.h"
#include "run.h"
#include "sig.h"

/*
 * Ends the session's jobs (each shows its call as it returns), then says
 * how many handles the exit leaves for the kernel to close: the shell
 * closes none itself.
 */
void
repl_goodbye(struct shell *sh)
{
	job_end(sh);
	if (sh->handles.live)
		note_say(sh, "exit.open-handles",
		    "%zu handle%s still open: the kernel closes them "
		    "as the shell exits",
		    sh->handles.live, sh->handles.live == 1 ? "" : "s");
}

/*
 * Runs every line of fp, named name in messages, without a prompt.
 * Returns the exit status: 0, 2 after a usage or syntax error, 130 when
 * Ctrl-C stopped it.
 */
int
repl_script(struct shell *sh, FILE *fp, const char *name)
{
	char *line = NULL, *p;
	size_t cap = 0;
	ssize_t n;
	int status = 0, failed, first = 1, intro = 1;
	size_t i;

	sh->src = name;
	sig_int = 0;
	while (!sh->quit && (n = getline(&line, &cap, fp)) != -1) {
		sh->line++;
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		p = line;
		if (first && n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3; /* a byte order mark */
			n -= 3;
		}
		first = 0;
		i = strspn(p, " \t");
		if (intro && p[i] == '#' && sh->depth == 0) {
			shell_intro(sh, p + i, (size_t)n - i);
			continue;
		}
		intro = intro && (p[i] == '\0' || strncmp(p + i, "==", 2) == 0);
		if (sh->stopped) { /* after a failure: counted, not run */
			sh->not_run += expect_in_line(p, (size_t)n);
			continue;
		}
		failed = sh->failed;
		shell_run_line(sh, p, (size_t)n);
		if (sig_int)
			break;
		if (sh->failed > failed)
			shell_failed_step(sh);
	}
	free(line);
	if (sig_int) {
		out_error(sh, "interrupted");
		status = 130;
	} else if (sh->errors)
		status = 2;
	sh->src = NULL;
	return status;
}
