#include "run.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bound.h"
#include "buf.h"
#include "child.h"
#include "cmd.h"
#include "note.h"
#include "expect.h"
#include "jobs.h"
#include "out.h"
#include "parse.h"
#include "procjob.h"
#include "pyline.h"
#include "quiz.h"
#include "record.h"
#include "export.h"
#include "sig.h"
#include "sys.h"
#include "xalloc.h"
#include "track.h"

/* Returns 0 when out is a regular file (nobody reads it as it grows), else 1. */
static int
shell_wants_flush(FILE *out)
{
	struct stat st;
	int fd = fileno(out);

	return fd < 0 || fstat(fd, &st) == -1 || !S_ISREG(st.st_mode);
}

/*
 * Makes sh a fresh session with no handles, printing to out and err, with
 * the variables UID and PID (the user's and the process's ids).
 */
void
shell_init(struct shell *sh, const struct sys_ops *sys, FILE *out, FILE *err)
{
	char id[32];

	memset(sh, 0, sizeof(*sh));
	cmd_index_make(); /* here, before any job's thread can need them */
	note_meanings_make();
	sh->sys = sys;
	sh->out = out;
	sh->err = err;
	sh->notes = 1;
	sh->note_ids = getenv("SOCKSTEP_NOTE_IDS") != NULL;
	sh->strsize = 32;
	sh->ctl = stdin;
	sh->flush_lines = shell_wants_flush(out);
	sh->out_tty = -1;
	sh->bound_s = BOUND_DEFAULT_S;
	snprintf(id, sizeof(id), "%ld", (long)getuid());
	var_set(&sh->vars, "UID", id, 0); /* for names per user, per run */
	snprintf(id, sizeof(id), "%ld", (long)getpid());
	var_set(&sh->vars, "PID", id, 0);
	handle_table_init(&sh->handles);
	job_init(sh);
	sh->jobs.finish = shell_finish_stmt;
	sh->run_line = shell_run_line;
	track_init(sh);
}

/* Frees what sh holds; the sockets themselves stay open. */
void
shell_free(struct shell *sh)
{
	job_free(sh); /* first: a job's notice uses the rest */
	child_end_all(sh);
	procjob_end(sh);
	track_free(sh);
	handle_table_free(&sh->handles);
	var_free(&sh->vars);
	session_free(sh);
	free(sh->last.data);
	sh->last.data = NULL;
	if (sh->record)
		fclose(sh->record);
	sh->record = NULL;
}

/*
 * Closes every handle a lesson left open, each with its call line and a
 * line saying that the shell made it: the end of a lesson run.
 */
void
shell_close_all(struct shell *sh)
{
	char line[32];
	size_t i;
	int rc, err;

	job_end(sh);
	child_end_all(sh);
	procjob_end(sh);
	for (i = 0; i < sh->handles.n; i++) {
		struct handle *h = sh->handles.v[i];

		if (h->fd < 0)
			continue;
		rc = sh->sys->close(h->fd);
		err = errno;
		snprintf(line, sizeof(line), "close(%d)", h->fd);
		out_call(sh, line, rc, err);
		out_meaning(sh,
		    "%s closed by the shell at the end of the lesson, "
		    "which left it open",
		    h->name);
		handle_close(&sh->handles, h, "the end");
	}
}

/* Sleeps ms milliseconds (the pace of a played lesson). */
void
shell_sleep(int ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL);
}

/*
 * Reads one key from the instructor: on a terminal without waiting for
 * Enter (the terminal's modes are put back at once), else the first byte
 * of a line. Waits at most ms milliseconds (-1: for ever). Returns the
 * key, '\n' for Enter or an empty line, 0 when the time ran out, or EOF.
 */
int
shell_key(struct shell *sh, int ms)
{
	struct termios old, raw;
	struct pollfd pfd;
	char line[64];
	int fd = fileno(sh->ctl), c = EOF;
	unsigned char k;

	if (fd < 0 || tcgetattr(fd, &old) == -1) {
		if (ms >= 0)
			return 0; /* no terminal: nobody presses keys */
		if (fgets(line, sizeof(line), sh->ctl) == NULL)
			return EOF;
		return (unsigned char)line[0];
	}
	raw = old;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	tcsetattr(fd, TCSANOW, &raw);
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, ms) == 0)
		c = 0;
	else if (read(fd, &k, 1) == 1)
		c = k == '\r' ? '\n' : k;
	tcsetattr(fd, TCSANOW, &old);
	return c;
}

/*
 * After a key read without echo: on a terminal that can, takes the
 * waiting prompt off its line, for what comes next to take its place;
 * else ends the line.
 */
static void
shell_unprompt(struct shell *sh)
{
	const char *term = getenv("TERM");

	if (out_width(sh) > 0 && term && *term && strcmp(term, "dumb") != 0)
		fputs("\r\033[K", sh->out);
	else
		fputc('\n', sh->out);
}

/*
 * Shows prompt and waits for a key: Enter (or any key) goes on, q or the
 * end of input quits the lesson, c (in step mode) runs to the next pause.
 * Returns 0 to go on, -1 to stop.
 */
int
shell_wait_enter(struct shell *sh, const char *prompt)
{
	int c;

	fputs(prompt, sh->out);
	fflush(sh->out);
	c = shell_key(sh, -1);
	if (c != EOF && isatty(fileno(sh->ctl)))
		shell_unprompt(sh); /* the key was not echoed */
	if (c == EOF || c == 'q' || c == 'Q' || sig_int) {
		sh->quit = 1;
		return -1;
	}
	sh->to_pause = c == 'c' || c == 'C';
	return 0;
}

/*
 * Waits ms milliseconds between the steps of a played lesson; on a
 * terminal, Space pauses until the next Space (or Enter), q quits.
 * Returns 0 to go on, -1 to stop.
 */
static int
shell_pace(struct shell *sh, int ms)
{
	struct timespec t0, t1;
	int c, left = ms;

	if (!isatty(fileno(sh->ctl))) {
		shell_sleep(ms);
		return 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (left > 0 || left == -1) {
		c = shell_key(sh, left);
		if (c == 0 || c == EOF || sig_int)
			return 0;
		if (c == 'q' || c == 'Q') {
			sh->quit = 1;
			return -1;
		}
		if (left == -1) /* paused: any other key goes on */
			return 0;
		if (c == ' ') {
			fputs("  [paused: Space goes on, q quits]\n", sh->out);
			fflush(sh->out);
			left = -1; /* until the next key */
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		left = ms -
		    (int)((t1.tv_sec - t0.tv_sec) * 1000 +
		        (t1.tv_nsec - t0.tv_nsec) / 1000000);
	}
	return 0;
}

/*
 * After a step that failed: a checked lesson stops there; a played or
 * stepped one says so where no one can miss it and lets the instructor
 * go on or stop.
 */
void
shell_failed_step(struct shell *sh)
{
	if (sh->mode == MODE_CHECK) {
		sh->stopped = 1;
		return;
	}
	if (sh->mode != MODE_PLAY && sh->mode != MODE_STEP)
		return;
	fprintf(sh->out,
	    "%s  !! this step did not give what the lesson "
	    "expects (the line above says what came)%s\n",
	    sh->color ? "\033[1;31m" : "", sh->color ? "\033[0m" : "");
	if (shell_wait_enter(sh,
	        "  [any key: go on anyway, q: stop the "
	        "lesson] ") == -1)
		sh->stopped = 1;
	sh->to_pause = 0;
}

/* In a played or stepped lesson, pauses as the pause command asks. */
void
shell_pause(struct shell *sh)
{
	sh->to_pause = 0;
	if (sh->mode == MODE_STEP)
		shell_wait_enter(sh, "  [paused: Enter to go on, q to quit] ");
	else if (sh->mode == MODE_PLAY)
		shell_pace(sh, sh->delay_ms * 3);
}

/* Shows the comment block at the top of a lesson: its introduction. */
void
shell_intro(struct shell *sh, const char *s, size_t len)
{
	if (sh->mode != MODE_PLAY && sh->mode != MODE_STEP)
		return;
	while (len > 0 && (*s == '#' || *s == ' ')) {
		s++;
		len--;
	}
	fprintf(sh->out, "%s%.*s%s\n", sh->color ? "\033[36m" : "", (int)len, s,
	    sh->color ? "\033[0m" : "");
}

/* Prints a narration line (> text) or a title (== text), except when checking. */
static void
shell_narrate(struct shell *sh, const char *s, size_t len, int title)
{
	if (sh->mode == MODE_CHECK)
		return;
	if (title)
		fprintf(sh->out, "%s%s== %.*s%s\n",
		    sh->mode == MODE_RUN ? "" : "\n",
		    sh->color ? "\033[1m" : "", (int)len, s,
		    sh->color ? "\033[0m" : "");
	else
		fprintf(sh->out, "%s%.*s%s\n", sh->color ? "\033[36m" : "",
		    (int)len, s, sh->color ? "\033[0m" : "");
}

/* Returns 1 when lines are shown as typed before they run (a lesson being played). */
static int
shell_shows_steps(const struct shell *sh)
{
	return sh->mode == MODE_PLAY || sh->mode == MODE_STEP ||
	    sh->mode == MODE_QUIZ;
}

/*
 * Checks that the expectation of st can be read, before its call is made.
 * Returns 0, or -1 after saying what is wrong (a failure when checking).
 */
static int
shell_expect_ok(struct shell *sh, const struct stmt *st)
{
	struct expectation e;
	char err[256];

	if (expect_parse(st, &e, err, sizeof(err)) == 0)
		return 0;
	out_error(sh, "%s", err);
	sh->errors++;
	if (sh->mode == MODE_CHECK)
		sh->failed++;
	return -1;
}

/* Says that a call ran out of the check's time, and counts it failed. */
static void
shell_timed_out(struct shell *sh, const struct stmt *st)
{
	const char *name = st->argc ? st->argv[0].text : "?";
	int secs = sh->bound_cli > 0 ? sh->bound_cli : sh->bound_s;

	out_error(sh,
	    "%s waited %d s for %s and was stopped (set timeout "
	    "SECONDS in the lesson or --timeout SECONDS allows longer)",
	    name, secs, bound_waits_for(name));
	sh->failed++;
}

/*
 * Returns 1 when st is a call that can block, typed at the prompt to run
 * now (not in the background), after writing it as typed into b.
 */
static int
shell_typed_blocking(struct shell *sh, const struct stmt *st, struct buf *b)
{
	const struct cmd_entry *cmd;

	if (!sh->interactive || sh->src || sh->shell_pid || st->background ||
	    st->argc == 0 || (cmd = cmd_find(st->argv[0].text)) == NULL ||
	    !(cmd->flags & CMD_BACKGROUND))
		return 0;
	parse_format_stmt(b, st);
	return 1;
}

/*
 * After Ctrl-C stopped a call blocked at the prompt: says how to let it
 * wait in the background, so one shell can play both sides.
 */
static void
shell_hint_background(struct shell *sh, const struct stmt *st)
{
	struct buf b;

	if (!sig_int || !sh->last.made || sh->last.ret != -1 ||
	    sh->last.err != EINTR)
		return;
	buf_init(&b);
	if (shell_typed_blocking(sh, st, &b))
		out_meaning(sh,
		    "to type the other side while it waits, run it in the "
		    "background: %s &",
		    buf_str(&b));
	buf_free(&b);
}

/*
 * Runs @NAME COMMAND in the child NAME (child.c), which checks its
 * expectation and shows its state changes; recorded here, as typed.
 * Returns CMD_OK, or CMD_ERR.
 */
static int
shell_run_at(struct shell *sh, const struct stmt *st)
{
	struct buf pre;
	int rc;

	buf_init(&pre);
	if (sh->record)
		record_prepare(sh, st, &pre);
	rc = child_run(sh, st);
	if (sh->record)
		record_stmt(sh, st, rc, &pre);
	session_add_child(sh, st, rc);
	buf_free(&pre);
	out_broken(sh);
	return rc;
}

/*
 * Runs one parsed statement and checks its expectation, if it has one.
 * Returns CMD_OK, or CMD_ERR on a usage error.
 */
int
shell_run_stmt(struct shell *sh, const struct stmt *st)
{
	int rc, jobs, asked = 0;
	struct buf pre, typed;

	if (shell_shows_steps(sh) && st->argc > 0 &&
	    !parse_is_word(&st->argv[0], "let") &&
	    !parse_is_word(&st->argv[0], "pause")) {
		struct buf b;

		buf_init(&b);
		parse_format_stmt(&b, st);
		if (st->background) /* shown as it is to be typed */
			buf_puts(&b, " &");
		fprintf(sh->out, "%ssockstep> %s%s\n",
		    sh->color ? "\033[1m" : "", buf_str(&b),
		    sh->color ? "\033[0m" : "");
		buf_free(&b);
	}
	if (child_is_at(st))
		return shell_run_at(sh, st);
	if ((sh->mode == MODE_QUIZ && st->has_expect) ||
	    (sh->mode == MODE_QUIZ && st->argc == 3 &&
	        parse_is_word(&st->argv[0], "expect")))
		asked = quiz_ask(sh, st);
	if (st->has_expect && shell_expect_ok(sh, st) == -1)
		return CMD_ERR;
	if (sh->procs)
		procjob_drain(sh); /* a traced program's lines come first */
	buf_init(&pre);
	if (sh->record)
		record_prepare(sh, st, &pre);
	track_begin(sh, st);
	jobs = sh->jobs.next_id;
	bound_arm(sh);
	buf_init(&typed);
	if (shell_typed_blocking(sh, st, &typed)) /* for the call's hint */
		sh->typed = buf_str(&typed);
	rc = cmd_run(sh, st);
	sh->typed = NULL;
	buf_free(&typed);
	bound_disarm(sh);
	if (bound_expired) { /* not Ctrl-C: the lesson goes on to report */
		bound_expired = 0;
		sig_int = 0;
		sh->timed_out = 1;
	}
	if (rc == CMD_OK)
		shell_hint_background(sh, st);
	if (sh->record)
		record_stmt(sh, st, rc, &pre);
	buf_free(&pre);
	if (sh->jobs.next_id == jobs || sh->jobs.by_process)
		shell_finish_stmt(sh, st, rc, asked); /* a job's: later */
	sh->jobs.by_process = 0;
	if (sh->procs)
		procjob_drain(sh); /* what a traced program wrote meanwhile */
	sh->timed_out = 0;
	if (sh->jobs.n)
		job_check(sh, job_grace(sh)); /* a job this let go on */
	out_broken(sh); /* no reader: no more calls */
	return rc;
}

/*
 * After a statement's command ran (now, or as a job): the state changes
 * it caused, its expectation or quiz question, and the record for export.
 */
void
shell_finish_stmt(struct shell *sh, const struct stmt *st, int rc, int asked)
{
	track_end(sh, st, rc);
	if (sh->stopped && st->has_expect)
		sh->not_run++; /* a job ended by the stop of its lesson */
	else if (sh->timed_out)
		shell_timed_out(sh, st);
	else if (rc == CMD_OK && asked)
		quiz_judge(sh, st);
	else if (rc == CMD_OK && st->has_expect)
		expect_check(sh, st);
	else if (rc == CMD_ERR && sh->mode == MODE_CHECK &&
	    (st->has_expect ||
	        (st->argc >= 3 && parse_is_word(&st->argv[0], "expect"))))
		sh->failed++; /* a check that could not be made */
	session_add(sh, st, rc);
}

/* Returns 1 when st is a step of a lesson: a command that makes a socket call. */
static int
shell_is_step(const struct stmt *st)
{
	const struct cmd_entry *cmd;
	int at = child_is_at(st); /* @child COMMAND: COMMAND's */

	if (st->argc <= at || st->argv[at].kind != TOK_WORD)
		return 0;
	cmd = cmd_find(st->argv[at].text);
	return cmd && cmd->group != CMD_GROUP_LESSONS &&
	    cmd->group != CMD_GROUP_SHELL;
}

/* Shows every handle after a step, so the class sees what the call changed. */
static void
shell_show_handles(struct shell *sh)
{
	const struct cmd_entry *cmd = cmd_find("handles");
	struct cmd_args a = { 0, NULL, NULL, 0 };
	struct call_result keep = sh->last;

	cmd->exec(sh, cmd, &a);
	sh->last = keep;
}

/* Returns 1 when the line is a narration (>) or title (==); sets where its text starts. */
static int
shell_is_narration(const char *s, size_t len, size_t *skip, int *title)
{
	size_t i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\t'))
		i++;
	*title = len - i >= 2 && s[i] == '=' && s[i + 1] == '=';
	if (!*title && (i >= len || s[i] != '>'))
		return 0;
	i += *title ? 2 : 1;
	while (i < len && s[i] == ' ')
		i++;
	*skip = i;
	return 1;
}

/*
 * Runs the statements of a line one by one, each with its variables
 * expanded just before it runs, so that "let X 1; send cli $X" works.
 * Frees p. Returns 0, or -1 if a statement had an error.
 */
static int
shell_run_each(struct shell *sh, const char *line, size_t len, struct parsed *p)
{
	size_t *start = xcalloc((size_t)p->n + 1, sizeof(*start));
	int i, n = p->n, rc = 0;

	for (i = 0; i < n; i++)
		start[i] = p->v[i].argc > 0 ? p->v[i].argv[0].col - 1 : 0;
	start[n] = len;
	parse_free(p);
	for (i = 0; i < n && !sh->quit; i++)
		if (shell_run_line(sh, line + start[i],
		        start[i + 1] - start[i]) == -1)
			rc = -1;
	free(start);
	return rc;
}

/* Says why a line is not run (a syntax error, too long) and counts it. */
void
shell_refuse_line(struct shell *sh, const char *why)
{
	out_error(sh, "%s", why);
	sh->errors++;
	if (sh->mode == MODE_CHECK)
		sh->failed++;
}

/*
 * Runs line when it is a line of Python's socket API (pyline.c): the
 * command it stands for, shown first, or one line saying what to type
 * instead. Returns 1 with *rc set (0, or -1 after an error), or 0 when
 * the line is not Python.
 */
static int
shell_run_python(struct shell *sh, const char *line, size_t len, int *rc)
{
	struct pyline pl;
	struct buf cmd;

	pyline_init(&pl);
	if (pyline_translate(line, len, &sh->vars, &pl) == 0) {
		pyline_free(&pl);
		return 0;
	}
	*rc = pyline_answer(sh, &pl);
	if (pl.kind == PYLINE_RUN) {
		buf_init(&cmd); /* the command's $ are not variables */
		var_escape(pl.cmd.p, pl.cmd.len, &cmd);
		*rc = shell_run_line(sh, cmd.p, cmd.len);
		buf_free(&cmd);
		pyline_after(sh, &pl, *rc);
	}
	if (pl.next && pl.next < len && !sh->quit &&
	    shell_run_line(sh, line + pl.next, len - pl.next) == -1)
		*rc = -1; /* s.listen(); conn, addr = s.accept() */
	pyline_free(&pl);
	return 1;
}

/*
 * Runs one line: a narration or title, or statements separated by ';'
 * after variables are expanded. Returns 0, or -1 after a syntax or usage
 * error.
 */
int
shell_run_line(struct shell *sh, const char *line, size_t len)
{
	struct parsed p;
	struct buf text;
	char err[256];
	size_t skip;
	int i, rc = 0, title, step = 0;

	buf_init(&text);
	if (shell_is_narration(line, len, &skip, &title)) {
		/* $NAME in narration too; an unknown name is left as written */
		if (var_expand(&sh->vars, line + skip, len - skip, &text, err,
		        sizeof(err)) == 0)
			shell_narrate(sh, text.p, text.len, title);
		else
			shell_narrate(sh, line + skip, len - skip, title);
		if (sh->record)
			record_line(sh, line, len);
		buf_free(&text);
		return 0;
	}
	if (shell_run_python(sh, line, len, &rc)) {
		buf_free(&text);
		return rc;
	}
	if (memchr(line, '$', len) && memchr(line, ';', len) &&
	    parse_line(line, len, &p, err, sizeof(err)) == 0 && p.n > 1) {
		buf_free(&text);
		return shell_run_each(sh, line, len, &p);
	} else if (memchr(line, '$', len) && memchr(line, ';', len))
		parse_free(&p);
	if (var_expand(&sh->vars, line, len, &text, err, sizeof(err)) == -1 ||
	    parse_line(text.p, text.len, &p, err, sizeof(err)) == -1) {
		shell_refuse_line(sh, err);
		buf_free(&text);
		return -1;
	}
	for (i = 0; i < p.n; i++)
		step = step || shell_is_step(&p.v[i]);
	if (step && shell_shows_steps(sh)) {
		if ((sh->mode == MODE_STEP && !sh->to_pause &&
		        shell_wait_enter(sh,
		            "  [Enter: next step, c: to the next pause, "
		            "q: quit] ") == -1) ||
		    (sh->mode != MODE_STEP &&
		        shell_pace(sh, sh->delay_ms) == -1)) {
			parse_free(&p);
			buf_free(&text);
			return 0;
		}
	}
	for (i = 0; i < p.n && !sh->quit; i++)
		if (shell_run_stmt(sh, &p.v[i]) == CMD_ERR)
			rc = -1;
	if (step && sh->mode == MODE_STEP && sh->handles.live)
		shell_show_handles(sh);
	parse_free(&p);
	buf_free(&text);
	if (sh->flush_lines)
		out_flush(sh);
	return rc;
}
