#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#if defined(HAVE_READLINE)
#include <readline/readline.h>
#include <readline/history.h>
#define INPUT_BACKEND "readline"
#define INPUT_EDITOR 1
#elif defined(HAVE_LIBEDIT)
#include <editline/readline.h>
#define INPUT_BACKEND "libedit"
#define INPUT_EDITOR 1
#else
#define INPUT_BACKEND "none"
#define INPUT_EDITOR 0
#endif

#include "buf.h"
#include "complete.h"
#include "jobs.h"
#include "out.h"
#include "parse.h"
#include "repl.h"
#include "shell.h"
#include "sig.h"
#include "waitline.h"
#include "xalloc.h"

/* The line editor's API is global, so its glue keeps its state here. */
static struct shell *input_sh;
static int input_editing;

/* Returns the name of the line editor this build uses. */
const char *
input_backend(void)
{
	return INPUT_BACKEND;
}

#if INPUT_EDITOR
static char *input_histfile;
static char **input_cands;
static size_t input_ncands, input_next;
static int input_start;

/* Hands readline the candidates one at a time; state 0 starts a new list. */
static char *
input_generator(const char *text, int state)
{
	if (state == 0) {
		complete_free(input_cands, input_ncands);
		input_cands = complete_words(input_sh, rl_line_buffer,
		    (size_t)input_start, text, &input_ncands);
		input_next = 0;
	}
	if (input_next < input_ncands)
		return strdup(input_cands[input_next++]);
	return NULL;
}

/* Completes the word from start to end of the line being edited. */
static char **
input_complete(const char *text, int start, int end)
{
	(void)end;
	input_start = start;
	rl_attempted_completion_over = 1;
	return rl_completion_matches(text, input_generator);
}

/*
 * Shows the notices of jobs whose calls returned while the prompt waited
 * for a key: the line being typed is taken off the screen (GNU readline;
 * libedit's stays above), the notices printed, and the prompt and line
 * drawn again below them.
 */
#if defined(HAVE_READLINE)
static void
input_notices(void)
{
	char *text = rl_copy_text(0, rl_end);
	int point = rl_point;

	rl_save_prompt();
	rl_replace_line("", 0);
	rl_redisplay();
	job_check(input_sh, 0);
	fflush(stdout);
	rl_restore_prompt();
	rl_replace_line(text, 0);
	rl_point = point;
	rl_on_new_line();
	rl_redisplay();
	free(text);
}
#else
static void
input_notices(void)
{
	fputc('\n', stdout); /* libedit cannot take the line off: go below it */
	job_check(input_sh, 0);
	fflush(stdout);
	rl_forced_update_display();
}
#endif

/*
 * Waits for a key on fp. While jobs run it looks every 100 ms whether
 * one returned, and shows it at once. Returns 0 when a key (or an error)
 * comes, -1 when a signal interrupted the wait.
 */
static int
input_wait_key(FILE *fp)
{
	struct pollfd p;
	int n;

	p.fd = fileno(fp);
	p.events = POLLIN;
	while (input_sh->jobs.n > 0) {
		if ((n = poll(&p, 1, 100)) != 0)
			return n == -1 && errno == EINTR ? -1 : 0;
		if (job_returned(input_sh))
			input_notices();
	}
	return 0;
}

/*
 * Reads one key for the line editor, showing job notices while it waits.
 * GNU readline's own rl_getc goes back to read() after a signal, so a
 * Ctrl-C at the prompt would only be seen after the next key, which it
 * then eats. Here Ctrl-C empties the line and returns EOF, which makes
 * readline() return NULL at once, as libedit's own reader does.
 */
static int
input_getc(FILE *fp)
{
	unsigned char c;
	ssize_t n;

	while (!sig_stops_input()) {
		if (input_wait_key(fp) == 0) {
			n = read(fileno(fp), &c, 1);
			if (n == 1)
				return c;
			if (n == 0 || errno != EINTR)
				return EOF;
		}
#if defined(HAVE_READLINE)
		/* Readline cleans up, echoes ^C, then calls sig.c's handler. */
		rl_check_signals();
#endif
	}
#if defined(HAVE_READLINE)
	rl_replace_line("", 0);
#endif
	return EOF;
}

/* Makes the directory and its parents, mode 0700. Returns 0 or -1. */
static int
input_mkdirs(char *dir)
{
	char *p;

	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(dir, 0700) == -1 && errno != EEXIST ? -1 : 0;
}

/*
 * Returns the history file: $SOCKSTEP_HISTORY (empty for none), or
 * $XDG_STATE_HOME/sockstep/history-BACKEND. NULL when there is none.
 */
static char *
input_history_path(void)
{
	const char *env = getenv("SOCKSTEP_HISTORY");
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[4096], path[4200];

	if (env)
		return *env ? xstrdup(env) : NULL;
	if (state && *state == '/')
		snprintf(dir, sizeof(dir), "%s/sockstep", state);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/sockstep", home);
	else
		return NULL;
	if (input_mkdirs(dir) == -1) {
		fprintf(stderr, "sockstep: no history: cannot make %s: %s\n",
		    dir, strerror(errno));
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/history-%s", dir, INPUT_BACKEND);
	return xstrdup(path);
}
#endif

#if INPUT_EDITOR
#define INPUT_HISTORY_MAX 1000 /* entries kept */

/*
 * Returns how many lines the regular file at path holds, or -1 when it
 * is not one (or cannot be read).
 */
static long
input_count_lines(const char *path)
{
	struct stat st;
	char buf[65536];
	long lines = 0;
	ssize_t n, i;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return n == 0 ? lines : -1;
}

/*
 * Loads the history from path when it is a regular file (libedit reads a
 * device such as /dev/full, endless NULs, for ever), saying in one line
 * when it holds more than is kept.
 */
static void
input_read_history(const char *path)
{
	long lines = input_count_lines(path);

#if defined(HAVE_LIBEDIT)
	if (lines > 0)
		lines--; /* its first line is libedit's own header */
#endif
	if (lines < 0)
		return;
	read_history(path);
	if (lines > INPUT_HISTORY_MAX)
		fprintf(stderr,
		    "sockstep: history: %s has %ld lines; the last %d are "
		    "kept\n",
		    path, lines, INPUT_HISTORY_MAX);
}

/*
 * Writes line to fp as the line editor's history file holds it: as it is
 * for GNU readline; for libedit, its blanks, backslashes and unprintable
 * bytes as octal escapes (strvis(3), which libedit's reader undoes).
 */
static void
input_write_entry(FILE *fp, const char *line)
{
#if defined(HAVE_LIBEDIT)
	const unsigned char *p;

	for (p = (const unsigned char *)line; *p; p++)
		if (*p > ' ' && *p < 0x7f && *p != '\\')
			putc(*p, fp);
		else
			fprintf(fp, "\\%03o", *p);
	putc('\n', fp);
#else
	fprintf(fp, "%s\n", line);
#endif
}

/*
 * Writes the history through fd, the file that was opened and checked
 * (never by name again: the name could be changed in between). Closes
 * fd. Returns 0 or an errno.
 */
static int
input_write_history(int fd)
{
	HIST_ENTRY **list = history_list();
	FILE *fp;
	int i, err;

	if (ftruncate(fd, 0) == -1 || fchmod(fd, 0600) == -1 ||
	    (fp = fdopen(fd, "w")) == NULL) {
		err = errno;
		close(fd);
		return err;
	}
#if defined(HAVE_LIBEDIT)
	fputs("_HiStOrY_V2_\n", fp);
#endif
	for (i = 0; list && list[i]; i++)
		input_write_entry(fp, list[i]->line);
	err = ferror(fp) ? EIO : 0;
	if (fflush(fp) == EOF)
		err = errno;
	if (fclose(fp) == EOF && err == 0)
		err = errno;
	return err;
}
#endif

/* Gets ready to read lines for sh: the line editor only on a terminal. */
void
input_open(struct shell *sh)
{
	input_sh = sh;
	input_editing = INPUT_EDITOR && sh->interactive && isatty(0);
#if INPUT_EDITOR
	if (!input_editing)
		return;
	rl_readline_name = "sockstep";
	rl_attempted_completion_function = input_complete;
	rl_getc_function = input_getc;
#if defined(HAVE_READLINE)
	/*
	 * Pasted lines should run one by one, as typed; bracketed paste
	 * would also print a second newline after Ctrl-C and Ctrl-D.
	 * An inputrc can still turn it on.
	 */
	rl_variable_bind("enable-bracketed-paste", "off");
#endif
	using_history();
	stifle_history(INPUT_HISTORY_MAX);
	input_histfile = input_history_path();
	if (input_histfile)
		input_read_history(input_histfile);
#endif
}

/*
 * Reads a line without the line editor: a prompt only when interactive.
 * A line longer than PARSE_MAX_LINE comes back cut, *len its full length.
 */
static char *
input_plain(const char *prompt, size_t *len, int *interrupted)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (prompt) {
		fputs(prompt, stdout);
		fflush(stdout);
	}
	n = repl_getline(stdin, &line, &cap, PARSE_MAX_LINE);
	if (n != -1 && prompt && waitline_unechoed() > 0) {
		/* typed while a call waited, unseen: shown at its prompt */
		printf("%s\n", line);
		waitline_echoed((size_t)n + 1);
	}
	if (n == -1) {
		free(line);
		if (sig_int) {
			clearerr(stdin);
			*interrupted = 1;
		}
		return NULL;
	}
	*len = (size_t)n;
	return line;
}

/*
 * Reads one line, prompting with prompt (NULL for none). Returns it
 * without its newline (free it), or NULL at end of input or when SIGTERM
 * or SIGHUP came; *interrupted is set when Ctrl-C ended the line instead.
 * *len is its length; more than PARSE_MAX_LINE: the line was cut.
 */
char *
input_read(const char *prompt, size_t *len, int *interrupted)
{
	*interrupted = 0;
	sig_int = 0;
#if INPUT_EDITOR
	if (input_editing) {
		char *line = readline(prompt ? prompt : "");

		if (sig_end) { /* SIGTERM or SIGHUP: the session ends */
			free(line);
			return NULL;
		}
		if (sig_int) {
			free(line);
			sig_int = 0;
			*interrupted = 1;
#if defined(HAVE_LIBEDIT)
			/* GNU readline and the tty echo it; libedit does not. */
			fputs("^C", stdout);
#endif
			return NULL;
		}
		if (line)
			*len = strlen(line);
		return line;
	}
#endif
	return input_plain(prompt, len, interrupted);
}

/*
 * After Ctrl-C stopped a call that waited with the terminal's echo off:
 * drops what was typed meanwhile, which the terminal kept (NOFLSH), and
 * says what, so that nothing typed is lost unsaid. It is read with
 * canonical mode off for a moment, so that a line not finished with
 * Enter is read (and dropped) too.
 */
void
input_drop_typed(struct shell *sh)
{
	struct termios saved, t;
	struct buf b;
	char text[256];
	ssize_t r, i;
	int lines = 0, open = 0;

	if (tcgetattr(STDIN_FILENO, &saved) == -1)
		return;
	t = saved;
	t.c_lflag &= ~(tcflag_t)ICANON;
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == -1)
		return;
	buf_init(&b);
	while ((r = read(STDIN_FILENO, text, sizeof(text))) > 0)
		for (i = 0; i < r; i++) {
			lines += text[i] == '\n';
			open = text[i] != '\n';
			if (text[i] == '\n')
				buf_puts(&b, "; ");
			else if (b.len < 200)
				buf_addc(&b, text[i]);
		}
	tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	lines += open;
	if (lines > 0)
		out_meaning(sh,
		    "Ctrl-C dropped %d line%s typed while it waited, not run: "
		    "%.*s",
		    lines, lines == 1 ? "" : "s", (int)b.len - (open ? 0 : 2),
		    buf_str(&b));
	buf_free(&b);
}

/* Keeps a typed line in the history, when there is one. */
void
input_add_history(const char *line)
{
#if INPUT_EDITOR
	if (input_editing && *line)
		add_history(line);
#else
	(void)line;
#endif
}

/* Saves the history (mode 0600) and lets go of the line editor. */
void
input_close(void)
{
#if INPUT_EDITOR
	struct stat st;
	int fd, rc;

	if (input_editing && input_histfile) {
		fd = open(input_histfile,
		    O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd == -1)
			rc = errno;
		else if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
			rc = -1; /* a device: never chmod it, never write it */
			close(fd);
		} else
			rc = input_write_history(fd);
		if (rc != 0)
			fprintf(stderr,
			    "sockstep: cannot save history in %s: "
			    "%s\n",
			    input_histfile,
			    rc == -1 ? "not a regular file" : strerror(rc));
	}
	free(input_histfile);
	input_histfile = NULL;
	complete_free(input_cands, input_ncands);
	input_cands = NULL;
	input_ncands = 0;
#endif
	input_editing = 0;
}
