#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>

#include "input.h"
#include "note.h"
#include "shell.h"
#include "run.h"
#include "sig.h"

#define PROMPT "sockstep> "

/* Says, on leaving, how many handles the exit closes. */
static void
prompt_goodbye(struct shell *sh)
{
	if (sh->handles.live)
		note_say(sh, "exit.open-handles",
		    "%zu handle%s still open: the kernel closes them "
		    "as the shell exits",
		    sh->handles.live, sh->handles.live == 1 ? "" : "s");
}

/* Reads, runs and reports lines at a prompt until quit or Ctrl-D. Returns 0. */
int
prompt_run(struct shell *sh)
{
	size_t len;
	char *line;
	int intr;

	input_open(sh);
	while (!sh->quit) {
		line = input_read(PROMPT, &len, &intr);
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
		shell_run_line(sh, line, len);
		free(line);
	}
	prompt_goodbye(sh);
	input_close();
	return 0;
}
