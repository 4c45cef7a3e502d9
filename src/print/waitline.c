#include "waitline.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "job.h"
#include "shell.h"
#include "sig.h"

#define WAITLINE_MS 100 /* a call that has not returned by then is shown */
#define WAITLINE_TYPED_MAX 50 /* a longer statement is not repeated */

/*
 * What is on the terminal for the call being made. The terminal is the
 * process's, and only the prompt's thread makes calls shown here, so
 * this is process state, as the terminal is; the lock guards done and
 * shown between that thread and the watcher.
 */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int armed; /* the watcher thread runs */
	int done; /* the call returned */
	int shown; /* the text is on the screen */
	int last_shown; /* the last call's text was shown */
	int echo_off; /* the terminal's echo is off; saved puts it back */
	struct termios saved;
	size_t unechoed; /* bytes of lines typed while echo was off, unread */
	int rows; /* rows the text takes on the screen; 0: not to be erased */
	FILE *out;
	struct buf text; /* the call line so far, then the hint */
} wl = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };

/* Returns 1 when the terminal can move the cursor up: TERM names one. */
static int
waitline_can_move(void)
{
	const char *term = getenv("TERM");

	return term && *term && strcmp(term, "dumb") != 0;
}

/* Returns how many rows of cols columns the lines of s take on a screen. */
static int
waitline_rows(const char *s, int cols)
{
	int rows = 0;
	size_t n;

	while (*s) {
		n = strcspn(s, "\n");
		rows +=
		    n == 0 ? 1 : (int)((n + (size_t)cols - 1) / (size_t)cols);
		s += n + (s[n] == '\n');
	}
	return rows;
}

/*
 * Shows the text, in the watcher thread, with the lock held. Echo goes
 * off first, so that what is typed meanwhile cannot break the text (the
 * line editor shows it as it reads it), and NOFLSH on, so that Ctrl-C
 * leaves it for the prompt to say what it drops.
 */
static void
waitline_show(void)
{
	struct termios t;
	struct winsize ws;
	int cols = 80, lines = 0;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &wl.saved) == 0) {
		t = wl.saved;
		t.c_lflag &= ~(tcflag_t)ECHO;
		t.c_lflag |= NOFLSH;
		wl.echo_off = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
	}
	if (ioctl(fileno(wl.out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		cols = ws.ws_col;
		lines = ws.ws_row;
	}
	wl.rows = waitline_rows(buf_str(&wl.text), cols);
	if (!waitline_can_move() || (lines > 0 && wl.rows >= lines))
		wl.rows = 0; /* cannot go back up to it: it stays */
	fputs(buf_str(&wl.text), wl.out);
	fflush(wl.out);
	wl.shown = 1;
}

/* The watcher: shows the text unless the call returns within WAITLINE_MS. */
static void *
waitline_watch(void *arg)
{
	struct timespec ts;
	int rc = 0;

	(void)arg;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += WAITLINE_MS * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&wl.mu);
	while (!wl.done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&wl.cv, &wl.mu, &ts);
	if (!wl.done)
		waitline_show();
	pthread_mutex_unlock(&wl.mu);
	return NULL;
}

/*
 * Just before a call that can block, line being its call line up to
 * where it waits: when the statement was typed at the prompt
 * (sh->typed) and the output is a terminal, starts the watcher, which
 * shows line and a hint if the call has not returned after a moment.
 * The watcher takes no signal: Ctrl-C must reach the call.
 */
void
waitline_begin(struct shell *sh, const char *line)
{
	sigset_t all, old;

	wl.last_shown = 0;
	if (sh->typed == NULL || job_current() != NULL ||
	    !isatty(fileno(sh->out)))
		return;
	buf_init(&wl.text);
	buf_printf(&wl.text, "%s\n  Ctrl-C interrupts; ", line);
	if (strlen(sh->typed) <= WAITLINE_TYPED_MAX)
		buf_printf(&wl.text, "%s & runs it in the background\n",
		    sh->typed);
	else
		buf_puts(&wl.text,
		    "the same line ending in & runs it in the background\n");
	wl.out = sh->out;
	wl.done = wl.shown = wl.echo_off = 0;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	wl.armed = pthread_create(&wl.thread, NULL, waitline_watch, NULL) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!wl.armed)
		buf_free(&wl.text);
}

/*
 * Just after the call: stops the watcher and, when the text was shown,
 * puts the terminal's modes back and takes the text off the screen, so
 * that the whole call line is printed in its place (on a terminal that
 * cannot move the cursor, below it). Keeps errno.
 */
void
waitline_end(void)
{
	int err = errno, n = 0;

	if (!wl.armed)
		return;
	pthread_mutex_lock(&wl.mu);
	wl.done = 1;
	pthread_cond_signal(&wl.cv);
	pthread_mutex_unlock(&wl.mu);
	pthread_join(wl.thread, NULL);
	wl.armed = 0;
	wl.last_shown = wl.shown;
	if (wl.echo_off) {
		if (!sig_int && ioctl(STDIN_FILENO, FIONREAD, &n) == 0 && n > 0)
			wl.unechoed = (size_t)n;
		tcsetattr(STDIN_FILENO, TCSANOW, &wl.saved);
	}
	if (wl.shown && wl.rows > 0)
		fprintf(wl.out, "\033[%dA\r\033[J", wl.rows);
	buf_free(&wl.text);
	errno = err;
}

/*
 * Returns 1 when the text of the last call that could block was shown:
 * the terminal did not echo a Ctrl-C, and kept what was typed meanwhile.
 */
int
waitline_was_shown(void)
{
	return wl.last_shown;
}

/* Returns how many bytes of whole lines were typed unseen and not read yet. */
size_t
waitline_unechoed(void)
{
	return wl.unechoed;
}

/* Says that n bytes of what was typed unseen have been read (and shown). */
void
waitline_echoed(size_t n)
{
	wl.unechoed = n < wl.unechoed ? wl.unechoed - n : 0;
}
