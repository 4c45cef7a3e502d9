#include "record.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "expect.h"
#include "fmt.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "var.h"

/*
 * Starts writing the session to path as a lesson. Returns 0, or -1 with
 * the reason printed.
 */
int
record_start(struct shell *sh, const char *path)
{
	FILE *fp = NULL;
	int fd, high;

	/* Keep the file's fd out of the way, so sockets get the fds they would. */
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd != -1) {
		high = fcntl(fd, F_DUPFD_CLOEXEC, 200);
		if (high != -1) {
			close(fd);
			fd = high;
		}
		fp = fdopen(fd, "w");
		if (fp == NULL)
			close(fd);
	}
	if (fp == NULL) {
		out_error(sh, "record: cannot write %s: %s", path,
		    strerror(errno));
		return -1;
	}
	record_stop(sh);
	sh->record = fp;
	fprintf(fp,
	    "# Recorded by sockstep; replay with: sockstep --check %s\n", path);
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
 * Writes a statement that ran, with the result it got as its expectation,
 * so that the recording replays under --check. Usage errors and the
 * record and quit commands themselves are left out.
 */
void
record_stmt(struct shell *sh, const struct stmt *st, int rc)
{
	const struct cmd_entry *cmd;
	struct buf b;

	if (rc == CMD_ERR || st->argc == 0)
		return;
	cmd = cmd_find(st->argv[0].text);
	if (cmd == NULL || strcmp(cmd->name, "record") == 0 ||
	    strcmp(cmd->name, "quit") == 0)
		return;
	buf_init(&b);
	parse_format_stmt(&b, st);
	if (st->background)
		buf_puts(&b, " &");
	else if (sh->last.made) {
		buf_addc(&b, ' ');
		expect_format_got(&b, sh, 1);
	}
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
