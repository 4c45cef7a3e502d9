#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "expect.h"
#include "fmt.h"
#include "handle.h"
#include "labhost.h"
#include "newfile.h"
#include "out.h"
#include "parse.h"
#include "export.h"
#include "shell.h"
#include "sym.h"
#include "var.h"
#include "xalloc.h"

/*
 * Writes the calls the session made before recording started, so that the
 * handles the recording uses exist when it is replayed alone.
 */
static void
record_setup(struct shell *sh, FILE *fp)
{
	const struct session_entry *e;
	const struct cmd_entry *cmd;
	struct session_iter it;
	struct stmt st;
	struct buf b;

	if (session_count(sh->session) == 0)
		return;
	fprintf(fp, "# The setup: the calls made before recording started\n");
	session_iter_start(&it, sh->session);
	while ((e = session_iter_next(&it)) != NULL) {
		session_entry_stmt(e, &st);
		cmd = cmd_find(e->argv[0]);
		if (cmd && (cmd->flags & CMD_HANDLE) && e->hname[0] &&
		    e->argc > 1) {
			st.argv[1].kind = TOK_WORD;
			st.argv[1].text = (char *)(uintptr_t)e->hname;
			st.argv[1].len = strlen(e->hname);
		}
		buf_init(&b);
		parse_format_stmt(&b, &st);
		if (e->made && e->ret == -1)
			buf_printf(&b, " = -1 %s", sym_errno_name(e->err));
		else if (e->made && cmd && (cmd->flags & CMD_NEWNAME) &&
		    e->ret > 0)
			buf_puts(&b, " = fd");
		else if (e->made && cmd && (cmd->flags & CMD_PID))
			buf_puts(&b, " = *");
		else if (e->made)
			buf_printf(&b, " = %ld", e->ret);
		fprintf(fp, "%s\n", buf_str(&b));
		buf_free(&b);
		free(st.argv);
	}
	session_iter_end(&it);
	fprintf(fp, "# Recorded from here\n");
}

/*
 * Starts writing the session to path as a lesson, a new file unless force.
 * Returns 0, or -1 with the reason printed.
 */
int
record_start(struct shell *sh, const char *path, int force)
{
	FILE *fp;

	if ((fp = newfile_open(sh, "record", path, force)) == NULL)
		return -1;
	record_stop(sh);
	sh->record = fp;
	fprintf(fp,
	    "# Recorded by sockstep; replay with: sockstep --check %s%s%s%s\n",
	    labhost_here() > 0 ? "--lab --host=" : "",
	    labhost_here() > 0 ? labhost_name(labhost_here()) : "",
	    labhost_here() > 0 ? " " : "", path);
	if (labhost_here() >= 0) /* its sockets are on the lab's hosts */
		fprintf(fp, "lab\n");
	record_setup(sh, fp);
	fflush(fp);
	return 0;
}

/* Stops recording and closes the file. */
void
record_stop(struct shell *sh)
{
	if (sh->record)
		fclose(sh->record);
	sh->record = NULL;
}

/*
 * Appends a statement as record writes it, before it runs: a handle named
 * by its fd number is written by its name, so the recording does not
 * depend on which fds are free when it is replayed.
 */
void
record_prepare(struct shell *sh, const struct stmt *st, struct buf *b)
{
	const struct cmd_entry *cmd;
	struct handle *h;
	struct stmt named;
	struct token arg;

	if (st->argc < 2 || st->argv[0].kind != TOK_WORD ||
	    (cmd = cmd_find(st->argv[0].text)) == NULL ||
	    !(cmd->flags & CMD_HANDLE) || st->argv[1].kind != TOK_WORD ||
	    st->argv[1].len == 0 || st->argv[1].len > 7 ||
	    strspn(st->argv[1].text, "0123456789") != st->argv[1].len ||
	    (h = handle_by_fd(&sh->handles, atoi(st->argv[1].text))) == NULL) {
		parse_format_stmt(b, st);
		return;
	}
	named = *st;
	named.argv = xcalloc((size_t)st->argc, sizeof(*named.argv));
	memcpy(named.argv, st->argv, (size_t)st->argc * sizeof(*st->argv));
	arg = st->argv[1];
	arg.text = h->name;
	arg.len = strlen(h->name);
	named.argv[1] = arg;
	parse_format_stmt(b, &named);
	free(named.argv);
}

/*
 * Appends the result of the last call as an expectation; a new fd is
 * "= fd" (in a child too: at, a line @NAME ...), a process id "= *".
 */
static void
record_result(struct shell *sh, const struct cmd_entry *cmd, int at,
    struct buf *b)
{
	struct handle *h;

	if (sh->last.ret >= 0 &&
	    (((cmd->flags & CMD_NEWNAME) && at) || (cmd->flags & CMD_PID))) {
		buf_puts(b, (cmd->flags & CMD_PID) ? " = *" : " = fd");
		return;
	}
	if ((cmd->flags & CMD_NEWNAME) && sh->last.ret >= 0 &&
	    (h = handle_by_fd(&sh->handles, (int)sh->last.ret)) != NULL &&
	    h->fd == sh->last.ret) {
		buf_puts(b, " = fd");
		return;
	}
	buf_addc(b, ' ');
	expect_format_got(b, sh, 1);
}

/*
 * Writes a statement that ran (as record_prepare wrote it), with the
 * result it got as its expectation, so that the recording replays under
 * --check. Usage errors and the record and quit commands themselves are
 * left out.
 */
void
record_stmt(struct shell *sh, const struct stmt *st, int rc,
    const struct buf *pre)
{
	const struct cmd_entry *cmd;
	struct buf b;
	int at = st->argc > 1 && st->argv[0].text[0] == '@'; /* a child's */

	if (rc == CMD_ERR || st->argc == 0)
		return;
	cmd = cmd_find(st->argv[at].text);
	if (cmd == NULL || strcmp(cmd->name, "record") == 0 ||
	    (strcmp(cmd->name, "quit") == 0 && !at))
		return;
	buf_init(&b);
	buf_add(&b, pre->p, pre->len);
	if (st->background)
		buf_puts(&b, " &");
	else if (sh->last.made && !(at && strcmp(cmd->name, "quit") == 0))
		record_result(sh, cmd, at, &b);
	if (sh->record) {
		fprintf(sh->record, "%s\n", buf_str(&b));
		fflush(sh->record);
	}
	buf_free(&b);
}

/* Writes a narration or title line as it was typed. */
void
record_line(struct shell *sh, const char *line, size_t len)
{
	fprintf(sh->record, "%.*s\n", (int)len, line);
	fflush(sh->record);
}
