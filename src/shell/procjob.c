/*
 * trace PROGRAM [ARG]... &: the program runs under a tracer of its own
 * (this binary again, as "sockstep trace -o - --pids"), in a process
 * group of its own, while the lesson goes on. Its output comes through a
 * pipe and is shown between statements, a line at a time, each call line
 * marked [pid N]; its call lines are kept, in order, for expect trace N
 * CALL, which takes them one after another. The job's number is taken
 * from the shell's background calls, so that jobs and wait N know it.
 */
#include "procjob.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "out.h"
#include "shell.h"
#include "sig.h"
#include "sym.h"
#include "xalloc.h"

#define PROCJOB_POLL_MS 50 /* how often a wait looks at its program */
#define PROCJOB_END_MS 2000 /* how long a tracer may take to end its program */

extern char **environ;

/* One program traced in the background. */
struct procjob {
	int id;
	pid_t pid; /* its tracer, leader of their process group */
	int fd; /* the pipe of their output; -1 once it has ended */
	char *name; /* the program as named: "./echo_client" */
	struct buf part; /* the output's last line, not complete yet */
	struct buf calls; /* its call lines, without [pid N], each ended by NUL */
	size_t next; /* where the first call expect trace has not taken starts */
	int status; /* its exit status, once ended */
	struct procjob *next_job;
};

/* Returns job id's program, or NULL. */
static struct procjob *
procjob_find(const struct shell *sh, int id)
{
	struct procjob *p;

	for (p = sh->procs; p; p = p->next_job)
		if (p->id == id)
			return p;
	return NULL;
}

/* Returns 1 when job id is a program traced in the background. */
int
procjob_exists(const struct shell *sh, int id)
{
	return procjob_find(sh, id) != NULL;
}

/*
 * Starts argv (a tracer's command line) in the background, its output
 * into a pipe; text is the program as named. Returns its job number, or
 * -1 with a message.
 */
int
procjob_start(struct shell *sh, char *const *argv, const char *text)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	struct procjob *p;
	int fds[2], rc;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		out_error(sh, "trace: pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	/* the shell's own sockets are none of the program's */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setpgroup(&at, 0); /* Ctrl-C is the shell's */
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP);
	p = xcalloc(1, sizeof(*p));
	rc = posix_spawn(&p->pid, "/proc/self/exe", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(fds[1]);
	if (rc != 0) {
		out_error(sh, "trace: %s", strerror(rc));
		close(fds[0]);
		free(p);
		return -1;
	}
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	p->fd = fds[0];
	p->name = xstrdup(text);
	buf_init(&p->part);
	buf_init(&p->calls);
	p->id = ++sh->jobs.next_id;
	sh->jobs.by_process = 1;
	p->next_job = sh->procs;
	sh->procs = p;
	return p->id;
}

/* Keeps a call line of p's, without its [pid N]. */
static void
procjob_keep(struct procjob *p, const char *line)
{
	const char *s = line;

	if (strncmp(s, "[pid ", 5) == 0 && (s = strstr(s, "] ")) != NULL)
		s += 2;
	else
		s = line;
	if (procjob_parse_call(s, NULL, 0, NULL) == 0)
		buf_add(&p->calls, s, strlen(s) + 1);
}

/* Shows and keeps each whole line of what p wrote; at its end, the rest and its exit status. */
static void
procjob_lines(struct shell *sh, struct procjob *p, const char *data, size_t len,
    int end)
{
	char *nl;
	size_t at = 0;

	buf_add(&p->part, data, len);
	while ((nl = memchr(p->part.p + at, '\n', p->part.len - at)) != NULL) {
		*nl = '\0';
		out_line(sh, "%s", p->part.p + at);
		procjob_keep(p, p->part.p + at);
		at = (size_t)(nl - p->part.p) + 1;
	}
	memmove(p->part.p, p->part.p + at, p->part.len - at);
	p->part.len -= at;
	if (!end)
		return;
	if (p->part.len) {
		buf_addc(&p->part, '\0');
		out_line(sh, "%s", p->part.p);
		p->part.len = 0;
	}
	out_meaning(sh, "[%d] %s ended: exit status %d", p->id, p->name,
	    p->status);
}

/* Closes p's pipe, reaps its tracer and says how the program ended. */
static void
procjob_reap(struct shell *sh, struct procjob *p)
{
	int st = 0;

	close(p->fd);
	p->fd = -1;
	while (waitpid(p->pid, &st, 0) == -1 && errno == EINTR)
		;
	p->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	procjob_lines(sh, p, "", 0, 1);
}

/* Reads what p's program wrote so far; at the end of its output, reaps its tracer. */
static void
procjob_read(struct shell *sh, struct procjob *p)
{
	char chunk[4096];
	ssize_t n;

	if (p->fd < 0)
		return;
	while ((n = read(p->fd, chunk, sizeof(chunk))) > 0)
		procjob_lines(sh, p, chunk, (size_t)n, 0);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	procjob_reap(sh, p);
}

/* Shows what the programs traced in the background wrote since last time. */
void
procjob_drain(struct shell *sh)
{
	struct procjob *p;

	for (p = sh->procs; p; p = p->next_job)
		procjob_read(sh, p);
	out_flush(sh);
}

/* Returns the seconds a wait on a program may take: the check's bound. */
static int
procjob_bound(const struct shell *sh)
{
	return sh->bound_cli > 0 ? sh->bound_cli : sh->bound_s;
}

/*
 * Waits until p has ended, or (name not NULL) has made a call named name
 * after those expect took, showing its output meanwhile. Returns 0 when
 * it came, 1 when it cannot come (the program ended, the bound passed),
 * -1 on Ctrl-C.
 */
static int
procjob_until(struct shell *sh, struct procjob *p, const char *name)
{
	struct pollfd pfd;
	char call[64];
	long waited = 0;

	for (;;) {
		procjob_read(sh, p);
		out_flush(sh);
		for (; name && p->next < p->calls.len;
		     p->next += strlen(p->calls.p + p->next) + 1)
			if (procjob_parse_call(p->calls.p + p->next, call,
			        sizeof(call), NULL) == 0 &&
			    strcmp(call, name) == 0)
				return 0;
		if (p->fd < 0)
			return name ? 1 : 0;
		if (sig_int || sig_end)
			return -1;
		if (waited >= procjob_bound(sh) * 1000L)
			return 1;
		pfd.fd = p->fd;
		pfd.events = POLLIN;
		poll(&pfd, 1, PROCJOB_POLL_MS);
		waited += PROCJOB_POLL_MS;
	}
}

/*
 * wait N of a traced program (0: of every one): until it ends. Returns
 * 0, 1 when the bound passed first, -1 on Ctrl-C.
 */
int
procjob_wait(struct shell *sh, int id)
{
	struct procjob *p;
	int rc;

	for (p = sh->procs; p; p = p->next_job)
		if ((id == 0 || p->id == id) &&
		    (rc = procjob_until(sh, p, NULL)) != 0)
			return rc;
	return 0;
}

/*
 * expect trace N CALL: waits for program N's next call named name (after
 * those taken before) and fills r with its result and data. Returns 0,
 * 1 when none came (the program ended, or the bound passed), -1 on
 * Ctrl-C or no such job.
 */
int
procjob_next_call(struct shell *sh, int id, const char *name,
    struct call_result *r)
{
	struct procjob *p = procjob_find(sh, id);
	int rc;

	if (p == NULL)
		return -1;
	if ((rc = procjob_until(sh, p, name)) != 0)
		return rc;
	procjob_parse_call(p->calls.p + p->next, NULL, 0, r);
	p->next += strlen(p->calls.p + p->next) + 1;
	return 0;
}

/* jobs: lists the programs still running in the background. Returns how many. */
int
procjob_list(struct shell *sh)
{
	struct procjob *p;
	int n = 0;

	for (p = sh->procs; p; p = p->next_job)
		if (p->fd >= 0) {
			out_line(sh, "[%d] trace %s &   (running, traced)",
			    p->id, p->name);
			n++;
		}
	return n;
}

/*
 * Ends p's program: SIGTERM to its tracer, which kills it and reaps it;
 * SIGKILL to them all should the tracer not end within PROCJOB_END_MS;
 * then the pipe is read for as long again at most (a process that left
 * the group may hold it) and the tracer reaped.
 */
static void
procjob_kill(struct shell *sh, struct procjob *p)
{
	struct pollfd pfd;
	int ms, sig = SIGTERM;

	kill(p->pid, SIGTERM);
	for (ms = 0; p->fd >= 0; ms += PROCJOB_POLL_MS) {
		if (ms == PROCJOB_END_MS && sig == SIGTERM) {
			kill(-p->pid, SIGKILL); /* the tracer did not end */
			sig = SIGKILL;
			ms = 0;
		} else if (ms ==
		    PROCJOB_END_MS) { /* a process elsewhere holds the pipe */
			procjob_reap(sh, p);
			return;
		}
		pfd.fd = p->fd;
		pfd.events = POLLIN;
		poll(&pfd, 1, PROCJOB_POLL_MS);
		procjob_read(sh, p);
	}
}

/* At the end of a lesson or shell: ends the programs still running, shows the rest of their output, frees them. */
void
procjob_end(struct shell *sh)
{
	struct procjob *p;

	while ((p = sh->procs) != NULL) {
		procjob_read(sh, p);
		if (p->fd >= 0) {
			out_meaning(sh,
			    "[%d] %s was still running: the shell ends it "
			    "(its tracer kills it)",
			    p->id, p->name);
			procjob_kill(sh, p);
		}
		sh->procs = p->next_job;
		buf_free(&p->calls);
		free(p->name);
		buf_free(&p->part);
		free(p);
	}
}

/* Reads the string of a call line's data ("Hello\n"...) at s into b, undoing strace's escapes. Returns 0, or -1. */
static int
procjob_unquote(const char *s, struct buf *b)
{
	char oct[4];
	size_t n;

	if (*s++ != '"')
		return -1;
	for (; *s && *s != '"'; s++) {
		if (*s != '\\') {
			buf_addc(b, *s);
			continue;
		}
		s++;
		if (*s >= '0' && *s <= '7') {
			n = strspn(s, "01234567");
			n = n > 3 ? 3 : n;
			memcpy(oct, s, n);
			oct[n] = '\0';
			buf_addc(b, (char)strtol(oct, NULL, 8));
			s += n - 1;
			continue;
		}
		buf_addc(b,
		    *s == 'n'       ? '\n'
		        : *s == 't' ? '\t'
		        : *s == 'r' ? '\r'
		        : *s == 'f' ? '\f'
		        : *s == 'v' ? '\v'
		                    : *s);
	}
	return *s == '"' ? 0 : -1;
}

/*
 * Reads a call line as the tracer prints it, "name(args) = result", or
 * "= -1 ERRNO (text)": its name into name (n bytes) and, r not NULL, its
 * result, errno and data (the string of its second argument, for the
 * send and receive calls). Returns 0, or -1 when it is no call line.
 */
int
procjob_parse_call(const char *line, char *name, size_t n,
    struct call_result *r)
{
	size_t len = strspn(line, "abcdefghijklmnopqrstuvwxyz0123456789_");
	const char *eq = NULL, *s, *arg;
	char word[32], *end;
	struct buf b;
	long v;

	if (len == 0 || line[len] != '(')
		return -1;
	for (s = line; (s = strstr(s, ") = ")) != NULL; s++)
		eq = s + 4;
	if (eq == NULL || (*eq != '-' && (*eq < '0' || *eq > '9')))
		return -1;
	if (name)
		snprintf(name, n, "%.*s", (int)len, line);
	if (r == NULL)
		return 0;
	free(r->data);
	memset(r, 0, sizeof(*r));
	r->made = 1;
	r->ret = strtol(eq, &end, 0);
	if (r->ret == -1 && sscanf(end, " %31[A-Z0-9]", word) == 1 &&
	    sym_value(sym_errno, word, &v) == 0)
		r->err = (int)v;
	arg = strchr(line, ',');
	buf_init(&b);
	if (arg && arg[1] == ' ' && arg[2] == '"' &&
	    (strncmp(line, "send", 4) == 0 || strncmp(line, "recv", 4) == 0) &&
	    procjob_unquote(arg + 2, &b) == 0) {
		r->len = b.len;
		r->data = (unsigned char *)xmemdup(b.p ? b.p : "", b.len);
	}
	buf_free(&b);
	return 0;
}
