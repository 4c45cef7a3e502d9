/*
 * Child processes of the shell, made by fork and driven by @NAME COMMAND.
 *
 * fork(2) makes a real child: a copy of this process, holding its own
 * descriptors for every socket, with the handle table copied with it.
 * The child goes on running this program, but it reads no input: it
 * waits on a pipe for one command line at a time from the shell, runs
 * it through the same dispatcher (sh->run_line: shell_run_line), and answers on a
 * second pipe when it is done. What it prints goes into a third pipe,
 * which the shell reads and prints with "[pid N] " before each line
 * (as strace -f marks the lines of another process), so only the shell
 * writes its output and the lines stay in order.
 *
 * Never a deadlock: only one of them runs commands at a time (the shell
 * waits while the child runs one, the child waits while the shell does),
 * and while the shell waits it reads the child's output as it comes, so
 * a child that prints much never blocks on a full pipe. Ctrl-C reaches
 * both (one process group): the child's call returns EINTR and it
 * answers; a SIGINT sent to the shell alone is passed on to the child.
 * The wait is bounded: a checked lesson bounds the child's call as its
 * own, and the shell kills a child that has not answered a few seconds
 * after that.
 *
 * A child never outlives the shell: at its end the shell kills and reaps
 * each child, printing both calls; a child whose shell died anyway gets
 * SIGKILL from the kernel (PR_SET_PDEATHSIG), and the end of its command
 * pipe ends it too. A child forks no children of its own.
 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "call.h"
#include "handle.h"
#include "cmd.h"
#include "out.h"
#include "parse.h"
#include "proc.h"
#include "shell.h"
#include "sig.h"
#include "sys.h"

#define CHILD_GRACE_MS 5000 /* a child has this long to answer after Ctrl-C */

/* What the shell sends a child with each command line. */
#define CHILD_SHUTS_MAX 32

/* Sockets one process has shut down, by inode, for the other to know. */
struct child_shuts {
	int n;
	struct {
		unsigned long ino;
		int bits; /* HANDLE_SHUT_* */
	} v[CHILD_SHUTS_MAX];
};

struct child_msg {
	long line; /* the line of the script or prompt, for messages */
	struct child_shuts shuts; /* what the shell's handles have shut */
	size_t width; /* columns its lines may take, 0: no wrapping */
	int nkids;
	struct shell_kid kids[SHELL_KIDS_MAX]; /* the shell's other children */
	size_t len; /* bytes of the command line that follow */
};

/* What a child answers once it has run a command line. */
struct child_answer {
	int rc; /* 0, or -1 after an error */
	int passed, failed, errors, not_run,
	    stopped; /* checks, as counted there */
	int made; /* the last call's result, for what follows */
	long ret;
	int err;
	int exiting; /* it asked to exit: its exit_group follows */
	struct child_shuts shuts; /* what the child's handles have shut */
};

/*
 * Lists the live sockets of sh that have been shut down (shutdown acts
 * on the socket, so the other process's descriptors for it are shut too).
 */
static void
child_shuts_list(struct shell *sh, struct child_shuts *out)
{
	struct stat st;
	size_t i;

	out->n = 0;
	for (i = 0; i < sh->handles.n && out->n < CHILD_SHUTS_MAX; i++) {
		const struct handle *h = sh->handles.v[i];

		if (h->fd < 0 || h->shut == 0 || h->epoll ||
		    sh->sys->fstat(h->fd, &st) == -1)
			continue;
		out->v[out->n].ino = (unsigned long)st.st_ino;
		out->v[out->n].bits = h->shut;
		out->n++;
	}
}

/* Marks the handles of sh holding a socket the other process shut down, as shut. */
static void
child_shuts_merge(struct shell *sh, const struct child_shuts *in)
{
	struct stat st;
	size_t i;
	int k;

	for (i = 0; i < sh->handles.n && in->n > 0; i++) {
		struct handle *h = sh->handles.v[i];

		if (h->fd < 0 || h->epoll || sh->sys->fstat(h->fd, &st) == -1)
			continue;
		for (k = 0; k < in->n && k < CHILD_SHUTS_MAX; k++)
			if (in->v[k].ino == (unsigned long)st.st_ino)
				call_shut_shared(sh, h, in->v[k].bits);
	}
}

/* Returns the live child called name, or NULL. */
struct shell_kid *
child_find(struct shell *sh, const char *name)
{
	int i;

	for (i = 0; i < sh->nkids; i++)
		if (strcmp(sh->kids[i].name, name) == 0)
			return &sh->kids[i];
	return NULL;
}

/* Reads (write 0) or writes (write 1) all of len bytes at p on fd. Returns 0, or -1 at the end or on an error. */
static int
child_io(int fd, void *p, size_t len, int write_it)
{
	char *s = p;
	ssize_t n;

	while (len > 0) {
		n = write_it ? write(fd, s, len) : read(fd, s, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Closes fd if open, and marks it closed. */
static void
child_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Closes both ends of pipe p. */
static void
child_pipe_close(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* In a child: prints its exit_group line and ends the process with status. */
static void __attribute__((noreturn)) child_exit(struct shell *sh, int status)
{
	out_line(sh, "exit_group(%d) = ?", status);
	out_meaning(sh,
	    "this process ends: the kernel closes each of its descriptors "
	    "(a socket goes only with its last one), and it stays a zombie "
	    "until the shell reaps it with waitpid");
	fflush(sh->out);
	_exit(status);
}

/*
 * The child's life: reads a command line and what comes with it, runs
 * it, answers; ends when the shell's end of the pipe closes or a command
 * asks it to exit. Never returns.
 */
static void __attribute__((noreturn))
child_main(struct shell *sh, int in, int ans)
{
	struct child_answer a;
	struct child_msg m;
	char *text;

	for (;;) {
		if (child_io(in, &m, sizeof(m), 0) == -1 ||
		    m.len > PARSE_MAX_LINE)
			_exit(0); /* the shell has gone */
		text = malloc(m.len + 1);
		if (text == NULL || child_io(in, text, m.len, 0) == -1)
			_exit(1);
		text[m.len] = '\0';
		sh->line = m.line;
		sh->width = m.width;
		sh->nkids = m.nkids;
		memcpy(sh->kids, m.kids, sizeof(sh->kids));
		child_shuts_merge(sh, &m.shuts);
		sig_int =
		    0; /* a Ctrl-C passed on after the last call returned */
		sh->passed = sh->failed = sh->errors = sh->not_run = 0;
		sh->stopped = 0;
		memset(&a, 0, sizeof(a));
		a.rc = sh->run_line(sh, text, m.len);
		free(text);
		out_flush(sh);
		a.passed = sh->passed;
		a.failed = sh->failed;
		a.errors = sh->errors;
		a.not_run = sh->not_run;
		a.stopped = sh->stopped;
		a.made = sh->last.made;
		a.ret = sh->last.ret;
		a.err = sh->last.err;
		a.exiting = sh->quit;
		child_shuts_list(sh, &a.shuts);
		if (child_io(ans, &a, sizeof(a), 1) == -1)
			_exit(1);
		if (sh->quit)
			child_exit(sh, sh->exit_status);
	}
}

/*
 * In the new child: takes the pipes' own ends, lets go of the other
 * children's, writes into out, and runs commands. Never returns.
 */
static void __attribute__((noreturn))
child_start(struct shell *sh, pid_t shell, int in, int out, int ans)
{
	FILE *f;
	int i;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != shell) /* the shell died before the line above */
		_exit(0);
	for (i = 0; i < sh->nkids; i++) {
		child_close(&sh->kids[i].to);
		child_close(&sh->kids[i].from);
		child_close(&sh->kids[i].answer);
	}
	if ((f = fdopen(out, "w")) == NULL)
		_exit(1);
	sh->out = f; /* stdout stays the shell's own */
	sh->out_tty = 0;
	sh->flush_lines = 1;
	sh->shell_pid = shell;
	sh->record = NULL; /* the shell records the @ line */
	sh->typed = NULL;
	sh->quit = 0;
	if (sh->mode != MODE_CHECK)
		sh->mode = MODE_RUN; /* the shell shows the steps */
	child_main(sh, in, ans);
}

/*
 * Forks a child called name, with the pipes that drive it; the shell's
 * output is flushed first, or the child would print it again.
 * Returns the child's pid to the shell (the child never returns), or -1
 * with errno set.
 */
pid_t
child_fork(struct shell *sh, const char *name)
{
	int to[2], from[2], ans[2], err;
	struct shell_kid *k;
	pid_t pid, self = getpid();

	if (pipe2(to, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(from, O_CLOEXEC) == -1) {
		err = errno;
		child_pipe_close(to);
		errno = err;
		return -1;
	}
	if (pipe2(ans, O_CLOEXEC) == -1) {
		err = errno;
		child_pipe_close(to);
		child_pipe_close(from);
		errno = err;
		return -1;
	}
	fflush(NULL);
	pid = fork();
	err = errno;
	if (pid == 0) {
		close(to[1]);
		close(from[0]);
		close(ans[0]);
		child_start(sh, self, to[0], from[1], ans[1]);
	}
	close(to[0]);
	close(from[1]);
	close(ans[1]);
	if (pid == -1) {
		close(to[1]);
		close(from[0]);
		close(ans[0]);
		errno = err;
		return -1;
	}
	k = &sh->kids[sh->nkids++];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s", name);
	k->pid = pid;
	k->to = to[1];
	k->from = from[0];
	k->answer = ans[0];
	return pid;
}

/* Returns 1 when st is addressed to a child: its first word is @NAME. */
int
child_is_at(const struct stmt *st)
{
	return st->argc > 0 && st->argv[0].kind == TOK_WORD &&
	    st->argv[0].text[0] == '@';
}

/* A child's output on its way to the shell's, a line at a time. */
struct child_relay {
	struct shell *sh;
	pid_t pid;
	struct buf part; /* a line not ended yet */
};

/* Prints the line relayed so far, after "[pid N] " unless empty, and starts the next. */
static void
child_relay_line(struct child_relay *r)
{
	if (r->part.len) /* an empty line, after a ^C the terminal echoed */
		fprintf(r->sh->out, "[pid %d] %s", (int)r->pid,
		    buf_str(&r->part));
	fputc('\n', r->sh->out);
	buf_reset(&r->part);
}

/* Reads what the child printed and passes it on. Returns the bytes read, 0 at its end, -1 on an error. */
static ssize_t
child_relay_read(struct child_relay *r, int fd)
{
	char b[4096];
	ssize_t n, i;

	n = read(fd, b, sizeof(b));
	for (i = 0; i < n; i++)
		if (b[i] == '\n')
			child_relay_line(r);
		else
			buf_addc(&r->part, b[i]);
	return n == -1 && errno == EINTR ? 1 : n;
}

/* Returns milliseconds on the monotonic clock. */
static long long
child_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Waits for child k's answer to a command line, printing its output as
 * it comes; passes Ctrl-C on, and kills a child that does not answer in
 * time (limit, in ms from now; 0 for none). Returns 1 with *a filled, or
 * 0 when the child ended without answering.
 */
static int
child_wait(struct shell *sh, struct shell_kid *k, struct child_answer *a,
    long long limit)
{
	struct child_relay r = { sh, k->pid, { 0 } };
	long long deadline = limit ? child_now_ms() + limit : 0, passed = 0;
	int got = 0, ans_open = 1, from_open = 1, killed = 0;
	struct pollfd p[2];

	buf_init(&r.part);
	while (from_open) {
		int ends = (got && a->exiting) || !ans_open; /* read to EOF */

		p[0].fd = k->from;
		p[0].events = POLLIN;
		p[1].fd = got || !ans_open ? -1 : k->answer;
		p[1].events = POLLIN;
		if (poll(p, 2, got && !ends ? 0 : 100) == 0 && got && !ends)
			break; /* it answered after flushing: all is read */
		if (sig_stops_input() && !got && ans_open &&
		    child_now_ms() - passed >= 200) {
			/* Ctrl-C, the check's bound, SIGTERM or SIGHUP */
			kill(k->pid, SIGINT);
			if (passed == 0)
				deadline = child_now_ms() + CHILD_GRACE_MS;
			passed = child_now_ms();
		}
		if (ends && !killed && deadline == 0)
			deadline = child_now_ms() + CHILD_GRACE_MS;
		if (!killed && deadline && child_now_ms() > deadline) {
			kill(k->pid, SIGKILL);
			killed = 1;
			out_error(sh,
			    "%s (pid %d) did not %s in time and was killed "
			    "(SIGKILL)",
			    k->name, (int)k->pid, got ? "end" : "answer");
		}
		if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    child_relay_read(&r, k->from) <= 0)
			from_open = 0;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (child_io(k->answer, a, sizeof(*a), 0) == 0)
				got = 1;
			else
				ans_open = 0; /* it ended */
		}
	}
	if (r.part.len)
		child_relay_line(&r);
	buf_free(&r.part);
	return got;
}

/*
 * After child k ended (its answer pipe closed): waits, briefly and
 * without reaping it, until the kernel shows it as a zombie, and says so
 * when /proc/PID/stat does.
 */
static void
child_gone(struct shell *sh, struct shell_kid *k)
{
	struct timespec ms = { 0, 1000000 };
	siginfo_t si;
	int i;

	k->gone = 1;
	child_close(&k->to);
	child_close(&k->from);
	child_close(&k->answer);
	for (i = 0; i < 2000; i++) {
		memset(&si, 0, sizeof(si));
		if (waitid(P_PID, (id_t)k->pid, &si,
		        WEXITED | WNOWAIT | WNOHANG) == -1 ||
		    si.si_pid == k->pid)
			break;
		nanosleep(&ms, NULL);
	}
	if (proc_state(k->pid) == 'Z')
		out_meaning(sh,
		    "%s (pid %d) has ended and is a zombie (state Z in "
		    "/proc/%d/stat): its exit status waits for waitpid %s",
		    k->name, (int)k->pid, (int)k->pid, k->name);
}

/* Prints an error about an @ line and counts it (a failure when checking). Returns CMD_ERR. */
static int __attribute__((format(printf, 2, 3)))
child_error(struct shell *sh, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	out_error(sh, "%s", s ? s : "out of memory");
	free(s);
	sh->errors++;
	if (sh->mode == MODE_CHECK)
		sh->failed++;
	return CMD_ERR;
}

/* Sends child k the command line text, with the line number and what else it needs. Returns 0, or -1. */
static int
child_send(struct shell *sh, struct shell_kid *k, const struct buf *text)
{
	struct child_msg m;

	memset(&m, 0, sizeof(m));
	m.line = sh->line;
	child_shuts_list(sh, &m.shuts);
	m.width = out_width(sh);
	if (m.width > 0) /* its lines get "[pid N] " in front */
		m.width = m.width > 40 + 13 ? m.width - 13 : 40;
	m.nkids = sh->nkids;
	memcpy(m.kids, sh->kids, sizeof(m.kids));
	m.len = text->len;
	if (out_flush(sh) == -1)
		return -1;
	return child_io(k->to, &m, sizeof(m), 1) == -1 ||
	        child_io(k->to, text->p, text->len, 1) == -1
	    ? -1
	    : 0;
}

/*
 * Runs @NAME COMMAND ...: sends the command to the child called NAME and
 * prints what it printed, until it answers. Returns CMD_OK, or CMD_ERR
 * on an error (of the line, or of the command in the child).
 */
int
child_run(struct shell *sh, const struct stmt *st)
{
	const char *name = st->argv[0].text + 1;
	struct shell_kid *k;
	struct stmt rest;
	struct buf text;
	int rc;

	if (sh->shell_pid)
		return child_error(sh,
		    "this is a child: only the shell sends commands to "
		    "children (@%s)",
		    name);
	if ((k = child_find(sh, name)) == NULL)
		return child_error(sh,
		    *name ? "no child named '%s' (fork %s makes one; jobs "
		            "lists the children)"
		          : "write @NAME COMMAND, NAME a child that fork "
		            "made%s%s",
		    name, name);
	if (k->gone)
		return child_error(sh,
		    "%s (pid %d) has ended: it runs no more commands, and is "
		    "a zombie until waitpid %s",
		    name, (int)k->pid, name);
	if (st->argc < 2)
		return child_error(sh,
		    "@%s needs a command for %s to run, for example: @%s "
		    "close conn",
		    name, name, name);
	if (st->background)
		return child_error(sh,
		    "@%s waits for its command, which blocks only %s: no & "
		    "(the shell waits; Ctrl-C interrupts the call)",
		    name, name);
	rest = *st;
	rest.argv++;
	rest.argc--;
	buf_init(&text);
	parse_format_stmt(&text, &rest);
	parse_format_expect(&text, &rest);
	rc = child_ask(sh, k, &text);
	buf_free(&text);
	return rc;
}

/*
 * Runs the command line text in child k, printing its output; adds its
 * checks to the shell's. Returns CMD_OK, or CMD_ERR.
 */
int
child_ask(struct shell *sh, struct shell_kid *k, const struct buf *text)
{
	int secs = sh->bound_cli > 0 ? sh->bound_cli : sh->bound_s, got;
	struct child_answer a;

	got = child_send(sh, k, text) == 0 &&
	    child_wait(sh, k, &a,
	        sh->mode == MODE_CHECK && secs > 0
	            ? secs * 1000LL + CHILD_GRACE_MS
	            : 0);
	if (!got || a.exiting)
		child_gone(sh, k);
	if (!got)
		return child_error(sh, "%s (pid %d) ended without answering",
		    k->name, (int)k->pid);
	sh->passed += a.passed;
	sh->failed += a.failed;
	sh->errors += a.errors;
	sh->not_run += a.not_run;
	sh->stopped |= a.stopped;
	free(sh->last.data); /* the child's data stays there */
	sh->last.data = NULL;
	sh->last.len = 0;
	sh->last.fromlen = 0;
	sh->last.made = a.made;
	sh->last.ret = a.ret;
	sh->last.err = a.err;
	child_shuts_merge(sh, &a.shuts);
	return a.rc == 0 ? CMD_OK : CMD_ERR;
}

/*
 * Prints one line on child k: running and driven by @NAME, or ended,
 * named a zombie when /proc/PID/stat shows state Z.
 */
void
child_say(struct shell *sh, const struct shell_kid *k)
{
	if (!k->gone)
		out_line(sh,
		    "%s (pid %d): a child process, running; @%s COMMAND runs "
		    "a command in it",
		    k->name, (int)k->pid, k->name);
	else if (proc_state(k->pid) == 'Z')
		out_line(sh,
		    "%s (pid %d) has ended: a zombie (state Z in "
		    "/proc/%d/stat) until waitpid %s",
		    k->name, (int)k->pid, (int)k->pid, k->name);
	else
		out_line(sh, "%s (pid %d) has ended", k->name, (int)k->pid);
}

/* Writes a wait status as strace decodes it: [{WIFEXITED(s) && WEXITSTATUS(s) == 0}]. */
void
child_status(char *out, size_t size, int status)
{
	const char *sig;

	if (WIFEXITED(status)) {
		snprintf(out, size, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]",
		    WEXITSTATUS(status));
		return;
	}
	sig = WIFSIGNALED(status) ? sigabbrev_np(WTERMSIG(status)) : NULL;
	if (sig)
		snprintf(out, size,
		    "[{WIFSIGNALED(s) && WTERMSIG(s) == SIG%s%s}]", sig,
		    WCOREDUMP(status) ? " && WCOREDUMP(s)" : "");
	else
		snprintf(out, size, "[%#x]", (unsigned)status);
}

/* Forgets child k once reaped: its pipes are closed, its name free again. */
void
child_forget(struct shell *sh, struct shell_kid *k)
{
	child_close(&k->to);
	child_close(&k->from);
	child_close(&k->answer);
	memmove(k, k + 1,
	    (size_t)(sh->nkids - 1 - (k - sh->kids)) * sizeof(*k));
	sh->nkids--;
}

/*
 * Reaps child k with waitpid(2), blocking until it has ended, and prints
 * the call as strace does, with the exit status decoded; forgets k when
 * it was reaped. Returns what waitpid returned.
 */
pid_t
child_reap(struct shell *sh, struct shell_kid *k)
{
	char line[160], st[96];
	int status = 0, err;
	pid_t pid = k->pid, rc;

	rc = waitpid(pid, &status, 0);
	err = errno;
	if (rc == pid)
		child_status(st, sizeof(st), status);
	else
		snprintf(st, sizeof(st), "...");
	snprintf(line, sizeof(line), "waitpid(%d, %s, 0)", (int)pid, st);
	out_call(sh, line, rc, err);
	if (rc != pid) {
		errno = err;
		return rc;
	}
	if (WIFEXITED(status))
		out_meaning(sh,
		    "%s (pid %d) exited with status %d, now reaped: the "
		    "kernel has let go of its pid and its status",
		    k->name, (int)pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		out_meaning(sh,
		    "%s (pid %d) was killed by SIG%s, now reaped: the kernel "
		    "has let go of its pid and its status",
		    k->name, (int)pid, sigabbrev_np(WTERMSIG(status)));
	child_forget(sh, k);
	return rc;
}

/*
 * At the shell's end: kills each child still running (SIGKILL) and
 * reaps every child, printing each call; none outlives the shell.
 */
void
child_end_all(struct shell *sh)
{
	struct shell_kid *k;
	char line[64];
	int rc, tries;
	pid_t pid;

	if (sh->shell_pid) /* a child's list is its shell's to end */
		return;
	while (sh->nkids > 0) {
		k = &sh->kids[0];
		if (!k->gone) {
			rc = kill(k->pid, SIGKILL);
			snprintf(line, sizeof(line), "kill(%d, SIGKILL)",
			    (int)k->pid);
			out_call(sh, line, rc, errno);
			out_meaning(sh,
			    "the shell ends %s (pid %d) as it leaves: a child "
			    "never outlives it; the kernel closes the child's "
			    "descriptors",
			    k->name, (int)k->pid);
			k->gone = 1;
		}
		sig_int = 0;
		pid = k->pid;
		for (tries = 0; tries < 5; tries++)
			if (child_reap(sh, k) != -1 || errno != EINTR)
				break;
		if (sh->nkids > 0 && sh->kids[0].pid == pid)
			child_forget(sh,
			    &sh->kids[0]); /* not reaped: no loop */
	}
}
