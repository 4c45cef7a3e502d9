#include "out.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "text.h"
#include "job.h"
#include "shell.h"
#include "sig.h"
#include "sym.h"
#include "waitline.h"

#define RED "\033[31m"
#define GREEN "\033[32m"
#define OFF "\033[0m"
#define OUT_CONT "    " /* a wrapped line goes on after this */

/*
 * Returns the width of the terminal sh writes to, or 0 when it writes to
 * something else: lines are wrapped only on a terminal, so that files,
 * pipes and the tests' expected output keep one line per line.
 */
size_t
out_width(struct shell *sh)
{
	struct winsize ws;

	if (sh->out_tty == -1) /* asked once: a file or pipe stays one */
		sh->out_tty = isatty(fileno(sh->out));
	if (!sh->out_tty || ioctl(fileno(sh->out), TIOCGWINSZ, &ws) == -1 ||
	    ws.ws_col < 24)
		return 0;
	return ws.ws_col; /* asked each time: a terminal can be resized */
}

/* Returns the columns s takes up to n bytes: colour codes take none. */
static size_t
out_cols(const char *s, size_t n)
{
	size_t i, cols = 0;

	for (i = 0; i < n; i++)
		if (s[i] == '\033')
			while (i < n && s[i] != 'm')
				i++;
		else
			cols++;
	return cols;
}

/*
 * Writes prefix and text wrapped at spaces to width columns, each line
 * after the first starting with OUT_CONT, then a newline. A word longer
 * than a line is left whole, for the terminal to wrap.
 */
static void
out_wrap(struct shell *sh, const char *prefix, const char *text, size_t width)
{
	size_t col = strlen(prefix), word, gap = 0;
	const char *p = text;

	fputs(prefix, sh->out);
	while (*p) {
		word = strcspn(p, " ");
		if (col + gap + out_cols(p, word) > width &&
		    col > strlen(OUT_CONT)) {
			fputs("\n" OUT_CONT, sh->out);
			col = strlen(OUT_CONT);
			gap = 0;
		}
		fprintf(sh->out, "%*s", (int)gap, "");
		fwrite(p, 1, word, sh->out);
		col += gap + out_cols(p, word);
		p += word;
		for (gap = 0; *p == ' '; p++)
			gap++;
	}
	fputc('\n', sh->out);
}

/* Returns a string formatted as printf does; the caller frees it. */
static char *__attribute__((format(printf, 1, 2)))
out_format(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	if (s == NULL) {
		fputs("sockstep: out of memory\n", stderr);
		exit(1);
	}
	return s;
}

/* Writes indent, fmt formatted with ap, and a newline to f, in one write. */
static void __attribute__((format(printf, 3, 0)))
out_vline(FILE *f, const char *indent, const char *fmt, va_list ap)
{
	char line[512];
	size_t len;

	len = strlen(indent); /* "" or "  " */
	memcpy(line, indent, len);
	if (text_vplain(line, sizeof(line) - 1, &len, fmt, ap) == 0) {
		line[len++] = '\n';
		fwrite(line, 1, len, f);
		return;
	}
	fputs(indent, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

/* Writes indent, fmt formatted, and a newline to f, in one write. */
static void __attribute__((format(printf, 3, 4)))
out_fline(FILE *f, const char *indent, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	out_vline(f, indent, fmt, ap);
	va_end(ap);
}

/*
 * Prints a call line and its result the way strace does, "= 3" or
 * "= -1 ECONNREFUSED (Connection refused)", and records the result.
 */
void
out_call(struct shell *sh, const char *call, long ret, int err)
{
	const char *on = "", *off = sh->color ? OFF : "";
	size_t width;
	char *s;

	if (ret == -1 && err == EINTR && sh->interactive &&
	    sig_last == SIGINT && job_current() == NULL &&
	    !waitline_was_shown())
		fputc('\n', sh->out); /* the terminal echoed ^C on the line */
	sh->last.made = 1;
	sh->last.ret = ret;
	sh->last.err = ret == -1 ? err : 0;
	if ((width = out_width(sh)) > 0) {
		if (ret == -1)
			s = out_format("%s = %s-1 %s (%s)%s", call,
			    sh->color ? RED : "", sym_errno_name(err),
			    strerror(err), off);
		else
			s = out_format("%s = %s%ld%s", call,
			    sh->color ? GREEN : "", ret, off);
		out_wrap(sh, "", s, width);
		free(s);
	} else if (ret == -1) {
		on = sh->color ? RED : "";
		fprintf(sh->out, "%s = %s-1 %s (%s)%s\n", call, on,
		    sym_errno_name(err), strerror(err), off);
	} else { /* every call's line: one write, no printf */
		on = sh->color ? GREEN : "";
		out_fline(sh->out, "", "%s = %s%ld%s", call, on, ret, off);
	}
}

/* Prints one indented line under the call (wrapped on a terminal): what the result means. */
static void __attribute__((format(printf, 2, 0)))
out_indented(struct shell *sh, const char *fmt, va_list ap)
{
	size_t width = out_width(sh);
	char *s;

	if (width == 0) {
		out_vline(sh->out, "  ", fmt, ap);
		return;
	}
	if (vasprintf(&s, fmt, ap) == -1)
		return;
	out_wrap(sh, "  ", s, width);
	free(s);
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

/* Prints a plain line of shell output (wrapped on a terminal). */
void
out_line(struct shell *sh, const char *fmt, ...)
{
	size_t width = out_width(sh);
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (width == 0) {
		vfprintf(sh->out, fmt, ap);
		fputc('\n', sh->out);
	} else if (vasprintf(&s, fmt, ap) != -1) {
		out_wrap(sh, "", s, width);
		free(s);
	}
	va_end(ap);
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
