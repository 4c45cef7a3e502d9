#include "out.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "job.h"
#include "shell.h"
#include "sig.h"
#include "sym.h"
#include "waitline.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define DIM "\033[2m"
#define OFF "\033[0m"

/*
 * Prints a call line and its result the way strace does, "= 3" or
 * "= -1 ECONNREFUSED (Connection refused)", and records the result.
 */
void
out_call(struct shell *sh, const char *call, long ret, int err)
{
	const char *on = "", *off = sh->color ? OFF : "";

	if (ret == -1 && err == EINTR && sh->interactive &&
	    sig_last == SIGINT && job_current() == NULL &&
	    !waitline_was_shown())
		fputc('\n', sh->out); /* the terminal echoed ^C on the line */
	sh->last.made = 1;
	sh->last.ret = ret;
	sh->last.err = ret == -1 ? err : 0;
	if (ret == -1) {
		on = sh->color ? RED : "";
		fprintf(sh->out, "%s = %s-1 %s (%s)%s\n", call, on,
		    sym_errno_name(err), strerror(err), off);
	} else {
		on = sh->color ? GREEN : "";
		fprintf(sh->out, "%s = %s%ld%s\n", call, on, ret, off);
	}
}

/* Prints one indented line under the call: what the result means. */
static void __attribute__((format(printf, 2, 0)))
out_indented(struct shell *sh, const char *fmt, va_list ap)
{
	fputs(sh->color ? "  " DIM : "  ", sh->out);
	vfprintf(sh->out, fmt, ap);
	fputs(sh->color ? OFF "\n" : "\n", sh->out);
}

/* Prints what a result holds: the new handle, the data, the address. */
void
out_meaning(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_indented(sh, fmt, ap);
	va_end(ap);
}

/* Prints a plain-language explanation, unless notes are switched off. */
void
out_note(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	if (!sh->notes)
		return;
	va_start(ap, fmt);
	out_indented(sh, fmt, ap);
	va_end(ap);
}

/*
 * Prints an error of the shell to stderr, GNU's way: sockstep:FILE:LINE:
 * in a script, sockstep: elsewhere, and no program name at the prompt.
 */
void
out_error(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	fflush(sh->out);
	if (!sh->interactive)
		fputs(sh->src ? "sockstep:" : "sockstep: ", sh->err);
	if (sh->src)
		fprintf(sh->err, "%s:%ld: ", sh->src, sh->line);
	if (sh->color_err)
		fputs(RED, sh->err);
	va_start(ap, fmt);
	vfprintf(sh->err, fmt, ap);
	va_end(ap);
	fputs(sh->color_err ? OFF "\n" : "\n", sh->err);
	fflush(sh->err);
}

/* Prints a plain line of shell output, such as a table row. */
void
out_line(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(sh->out, fmt, ap);
	va_end(ap);
	fputc('\n', sh->out);
}

/*
 * The first write error on standard output (an errno, or -1 when stdio
 * dropped the data without saying why), for out_exit_check: process
 * state, like stdout itself, not the session's.
 */
static int out_stdout_err;

/* Makes sh stop making calls: its output cannot be written any more. */
static void
out_lost(struct shell *sh, int err)
{
	sh->quit = 1;
	if (sh->out == stdout && out_stdout_err == 0)
		out_stdout_err = err;
}

/*
 * Flushes sh's output: before a call that can block, and after a line
 * when someone reads it as it comes. Returns 0, or -1 when it cannot be
 * written (its reader has gone, the disk is full): the shell then stops.
 */
int
out_flush(struct shell *sh)
{
	if (fflush(sh->out) == EOF) {
		out_lost(sh, errno ? errno : -1);
		return -1;
	}
	return out_broken(sh);
}

/*
 * Returns -1, and makes the shell stop, when some of sh's output was
 * lost (stdio drops a buffer it cannot write); else 0.
 */
int
out_broken(struct shell *sh)
{
	if (!ferror(sh->out))
		return 0;
	out_lost(sh, -1);
	return -1;
}

/*
 * At exit: flushes standard output and, when any of it could not be
 * written, says so in one line on standard error and ends with status 1,
 * as cat does. Registered with atexit by main.
 */
void
out_exit_check(void)
{
	char msg[160];
	int err = out_stdout_err;

	if (fflush(stdout) == EOF && err == 0)
		err = errno ? errno : -1;
	if (err == 0 && ferror(stdout))
		err = -1;
	if (err == 0)
		return;
	snprintf(msg, sizeof(msg),
	    "sockstep: write error on standard output%s%s\n",
	    err > 0 ? ": " : "", err > 0 ? strerror(err) : "");
	if (write(STDERR_FILENO, msg, strlen(msg)) < 0)
		_exit(1);
	_exit(1);
}
