#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "expect.h"
#include "input.h"
#include "labhost.h"
#include "repl.h"
#include "shell.h"
#include "run.h"
#include "sig.h"
#include "waitline.h"

#define PROMPT "sockstep> "

/* Writes the prompt: sockstep>, or in a lab sockstep@HOST> with the shell's host. */
static const char *
prompt_text(char *out, size_t n)
{
	if (labhost_here() < 0)
		return PROMPT;
	snprintf(out, n, "sockstep@%s> ", labhost_name(labhost_here()));
	return out;
}

/*
 * Reads, runs and reports lines at a prompt until quit or Ctrl-D.
 * Returns 0, or 128 plus the signal when SIGTERM or SIGHUP ended it.
 */
int
prompt_run(struct shell *sh)
{
	char prompt[64];
	size_t len;
	char *line;
	int intr;

	input_open(sh);
	if (isatty(0))
		fprintf(sh->out,
		    "sockstep %s -- type help, help python or lessons; quit or "
		    "Ctrl-D leaves\n",
		    SOCKSTEP_VERSION);
	while (!sh->quit && !sig_end) {
		line = input_read(prompt_text(prompt, sizeof(prompt)), &len,
		    &intr);
		if (line == NULL && intr) {
			fputc('\n', sh->out);
			continue;
		}
		if (line == NULL) {
			fputc('\n', sh->out);
			break;
		}
		sh->line++;
		input_add_history(line);
		sig_int = 0;
		repl_line(sh, line, len);
		if (sig_int && waitline_was_shown())
			input_drop_typed(sh);
		free(line);
	}
	repl_goodbye(sh);
	input_close();
	return repl_ended(sh, 0);
}
