#include "repl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expect.h"
#include "jobs.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "run.h"
#include "sig.h"
#include "xalloc.h"

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
 * Reads one line of fp into *line (grown as needed; free it), without its
 * newline and NUL-terminated, keeping at most max bytes: the rest of a
 * longer line is read and dropped, never held. A signal that does not
 * stop input (SIGPIPE, say) neither ends nor cuts the line. Returns the
 * line's full length (more than max: it was cut), or -1 at end of input,
 * on a read error, or when Ctrl-C, SIGTERM or SIGHUP came.
 */
ssize_t
repl_getline(FILE *fp, char **line, size_t *cap, size_t max)
{
	size_t n = 0, kept = 0;
	int c;

	if (sig_end)
		return -1;
	for (;;) {
		if ((c = getc_unlocked(fp)) == EOF) {
			if (ferror(fp) && errno == EINTR &&
			    !sig_stops_input()) {
				clearerr(fp);
				continue;
			}
			if (n == 0 || ferror(fp))
				return -1;
			break;
		}
		if (c == '\n')
			break;
		if (kept < max) {
			if (kept + 1 >= *cap) {
				*cap = *cap ? *cap * 2 : 128;
				*line = xrealloc(*line, *cap);
			}
			(*line)[kept++] = (char)c;
		}
		n++;
	}
	if (*cap == 0) {
		*cap = 1;
		*line = xrealloc(*line, *cap);
	}
	(*line)[kept] = '\0';
	return (ssize_t)n;
}

/* Runs a line that was read, or refuses it when it was too long (and cut). */
void
repl_line(struct shell *sh, const char *line, size_t len)
{
	char err[128];

	if (parse_too_long(len, err, sizeof(err)) == -1)
		shell_refuse_line(sh, err);
	else
		shell_run_line(sh, line, len);
}

/*
 * Returns the exit status of a session that would end with status: 128
 * plus the signal when SIGTERM or SIGHUP ended it (said in one line).
 */
int
repl_ended(struct shell *sh, int status)
{
	if (!sig_end)
		return status;
	out_error(sh, "stopped by %s", sig_what());
	return 128 + sig_end;
}

/*
 * Runs every line of fp, named name in messages, without a prompt.
 * Returns the exit status: 0, 2 after a usage or syntax error, 130 when
 * Ctrl-C stopped it, 143 or 129 when SIGTERM or SIGHUP did.
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
	while (!sh->quit &&
	    (n = repl_getline(fp, &line, &cap, PARSE_MAX_LINE)) != -1) {
		sh->line++;
		if ((size_t)n > PARSE_MAX_LINE) { /* cut as it was read */
			repl_line(sh, line, (size_t)n);
			first = 0;
			continue;
		}
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
		if (sig_int || sig_end)
			break;
		if (sh->failed > failed)
			shell_failed_step(sh);
	}
	free(line);
	if (sig_end)
		status = repl_ended(sh, status);
	else if (sig_int) {
		out_error(sh, "interrupted");
		status = 130;
	} else if (sh->errors)
		status = 2;
	sh->src = NULL;
	return status;
}
