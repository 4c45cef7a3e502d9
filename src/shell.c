#include "shell.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "out.h"
#include "parse.h"

/* Makes sh a fresh session with no handles, printing to out and err. */
void
shell_init(struct shell *sh, const struct sys_ops *sys, FILE *out, FILE *err)
{
	memset(sh, 0, sizeof(*sh));
	sh->sys = sys;
	sh->out = out;
	sh->err = err;
	sh->notes = 1;
	sh->strsize = 32;
	handle_table_init(&sh->handles);
}

/* Frees what sh holds; the sockets themselves stay open. */
void
shell_free(struct shell *sh)
{
	handle_table_free(&sh->handles);
	free(sh->last.data);
	sh->last.data = NULL;
}

/* Writes where the session is now, "line 14", for remembering closed names. */
void
shell_where(struct shell *sh, char *out, size_t len)
{
	snprintf(out, len, "line %ld", sh->line);
}

/* Runs one parsed statement. Returns CMD_OK, or CMD_ERR on a usage error. */
int
shell_run_stmt(struct shell *sh, const struct stmt *st)
{
	return cmd_run(sh, st);
}

/*
 * Parses a line and runs each statement on it in turn.
 * Returns 0, or -1 when the line had a syntax or usage error.
 */
int
shell_run_line(struct shell *sh, const char *line, size_t len)
{
	struct parsed p;
	char err[256];
	int i, rc = 0;

	if (parse_line(line, len, &p, err, sizeof(err)) == -1) {
		out_error(sh, "%s", err);
		sh->errors++;
		return -1;
	}
	for (i = 0; i < p.n && !sh->quit; i++)
		if (shell_run_stmt(sh, &p.v[i]) == CMD_ERR)
			rc = -1;
	parse_free(&p);
	fflush(sh->out);
	return rc;
}
