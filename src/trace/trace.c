/*
 * sockstep trace [-o FILE] [-n] [--] PROGRAM [ARGS]: runs PROGRAM under
 * ptrace with a seccomp filter that stops it only at socket calls, and
 * prints each as the shell prints its own: the strace line from the
 * same call record, then the notes its evidence allows. The tracer reads
 * the program's sockets through descriptors of its own (pidfd_getfd),
 * taken while the program is stopped and closed before it runs on.
 */
#include "trace.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <dirent.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "addr.h"
#include "buf.h"
#include "call.h"
#include "handle.h"
#include "note.h"
#include "out.h"
#include "run.h"
#include "shell.h"
#include "sym.h"
#include "sys.h"
#include "tracefmt.h"
#include "xalloc.h"

/* One task (process or thread) of the traced program. */
struct trace_task {
	pid_t tid;
	pid_t tgid;
	int fresh; /* its first stop, a SIGSTOP, is still to come */
	int in; /* stopped inside a traced call: its exit stop comes next */
	int shared; /* a close of one of several descriptors of its socket */
	struct tracefmt_sys s;
	struct call c;
	struct handle h; /* the socket the call names, as fdN */
	char addr[128]; /* the address the call named, short form */
	struct trace_task *next;
};

/* The whole trace: the shell that prints, the tasks, the program's end. */
struct trace {
	struct shell sh;
	struct trace_task *tasks;
	int ntasks;
	pid_t main;
	int status; /* sockstep's exit status, from the program's */
};

/* ERESTART* results, seen only by a tracer, as strace names them. */
static const struct {
	int nr;
	const char *name;
	const char *text;
} trace_restart[] = {
	{ 512, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ 513, "ERESTARTNOINTR", "To be restarted" },
	{ 514, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ 516, "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
	{ 0, NULL, NULL },
};

/* Returns the task tid, made (fresh) when it is new. */
static struct trace_task *
trace_task_get(struct trace *t, pid_t tid)
{
	struct trace_task *k;
	char path[64], line[128];
	FILE *fp;

	for (k = t->tasks; k; k = k->next)
		if (k->tid == tid)
			return k;
	k = xcalloc(1, sizeof(*k));
	k->tid = k->tgid = tid;
	k->fresh = 1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "Tgid: %d", &k->tgid) == 1)
				break;
		fclose(fp);
	}
	k->next = t->tasks;
	t->tasks = k;
	t->ntasks++;
	return k;
}

/* Forgets task tid, which has ended. */
static void
trace_task_drop(struct trace *t, pid_t tid)
{
	struct trace_task **p, *k;

	for (p = &t->tasks; (k = *p) != NULL; p = &k->next)
		if (k->tid == tid) {
			*p = k->next;
			free(k);
			t->ntasks--;
			return;
		}
}

/*
 * Returns a descriptor of the tracer's own for fd of process tgid when it
 * is a socket, or -1 (no such fd, not a socket, not permitted).
 */
static int
trace_getfd(pid_t tgid, int fd)
{
	struct stat st;
	int pfd, dup;

	pfd = (int)syscall(SYS_pidfd_open, tgid, 0);
	if (pfd == -1)
		return -1;
	dup = (int)syscall(SYS_pidfd_getfd, pfd, fd, 0);
	close(pfd);
	if (dup != -1 && (fstat(dup, &st) == -1 || !S_ISSOCK(st.st_mode))) {
		close(dup);
		return -1;
	}
	return dup;
}

/*
 * Returns how many descriptors other than the tracer's own hold the
 * socket of inode ino, in every process /proc shows (2 is enough to know).
 */
static int
trace_holders(ino_t ino)
{
	char want[64], path[600], link[64];
	struct dirent *p, *f;
	DIR *procs, *fds;
	ssize_t n;
	int count = 0;

	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)ino);
	if ((procs = opendir("/proc")) == NULL)
		return -1;
	while (count < 2 && (p = readdir(procs)) != NULL) {
		if (p->d_name[0] < '1' || p->d_name[0] > '9' ||
		    atoi(p->d_name) == (int)getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%s/fd", p->d_name);
		if ((fds = opendir(path)) == NULL)
			continue;
		while (count < 2 && (f = readdir(fds)) != NULL) {
			snprintf(path, sizeof(path), "/proc/%s/fd/%s",
			    p->d_name, f->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n > 0 && (link[n] = '\0', strcmp(link, want) == 0))
				count++;
		}
		closedir(fds);
	}
	closedir(procs);
	return count;
}

/* Makes k's handle stand for the program's socket fd through the tracer's dup. */
static void
trace_handle(struct trace_task *k, int fd, int dup)
{
	socklen_t len;
	int v;

	memset(&k->h, 0, sizeof(k->h));
	snprintf(k->h.name, sizeof(k->h.name), "fd%d", fd);
	k->h.fd = dup;
	k->h.old_fd = fd;
	k->h.tcp_state = -1;
	len = sizeof(v);
	if (getsockopt(dup, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0)
		k->h.family = v;
	len = sizeof(v);
	if (getsockopt(dup, SOL_SOCKET, SO_TYPE, &v, &len) == 0)
		k->h.type = v;
	len = sizeof(v);
	if (getsockopt(dup, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0)
		k->h.protocol = v;
}

/* Returns 0 and the call's number and arguments from k's registers, or -1. */
static int
trace_regs(struct trace_task *k, struct user_regs_struct *r)
{
	if (ptrace(PTRACE_GETREGS, k->tid, NULL, r) == -1)
		return -1;
	return 0;
}

/* Fills what the notes read of the call's arguments: backlog, how, length, flags, address. */
static void
trace_record_args(struct trace_task *k)
{
	const struct tracefmt_sys *s = &k->s;
	struct buf b;

	switch (s->nr) {
	case SYS_listen:
	case SYS_shutdown:
		k->c.arg = (long)s->a[1];
		break;
	case SYS_sendto:
	case SYS_recvfrom:
		k->c.arg = (long)s->a[2];
		k->c.flags = (long)s->a[3];
		break;
	default:
		break;
	}
	if (s->addr_len == 0)
		return;
	buf_init(&b);
	addr_short(&b, (const struct sockaddr *)&s->addr, s->addr_len);
	snprintf(k->addr, sizeof(k->addr), "%s", buf_str(&b));
	buf_free(&b);
	k->c.addr = k->addr;
	if (s->nr == SYS_bind)
		k->c.want = &s->addr;
}

/*
 * At a seccomp stop: reads the call, its arguments and its socket just
 * before, then lets it happen up to its exit stop. A close of a
 * descriptor that is no socket goes on untraced.
 */
static void
trace_enter(struct trace *t, struct trace_task *k)
{
	const struct tracefmt_call *tc;
	struct user_regs_struct r;
	struct stat st;
	int dup = -1;

	if (trace_regs(k, &r) == -1 ||
	    (tc = tracefmt_find((long)r.orig_rax)) == NULL) {
		ptrace(PTRACE_CONT, k->tid, NULL, NULL);
		return;
	}
	memset(&k->s, 0, sizeof(k->s));
	k->s.tid = k->tid;
	k->s.nr = (long)r.orig_rax;
	k->s.a[0] = r.rdi;
	k->s.a[1] = r.rsi;
	k->s.a[2] = r.rdx;
	k->s.a[3] = r.r10;
	k->s.a[4] = r.r8;
	k->s.a[5] = r.r9;
	if (tc->fd_arg >= 0)
		dup = trace_getfd(k->tgid, (int)k->s.a[tc->fd_arg]);
	if (k->s.nr == SYS_close && dup == -1) {
		ptrace(PTRACE_CONT, k->tid, NULL, NULL);
		return;
	}
	tracefmt_entry(&k->s, t->sh.strsize);
	k->shared = 0;
	if (k->s.nr == SYS_close && fstat(dup, &st) == 0 &&
	    trace_holders(st.st_ino) != 1) {
		/* not the last: the socket stays open, nothing a note
		 * says of a close happens */
		k->shared = 1;
		close(dup);
		dup = -1;
	}
	if (dup != -1) {
		trace_handle(k, (int)k->s.a[tc->fd_arg], dup);
		call_begin(&t->sh, &k->c, tc->name, &k->h);
		close(dup);
		k->h.fd = -1;
	} else
		call_begin(&t->sh, &k->c, tc->name, NULL);
	k->c.pid = k->tgid;
	k->c.tid = k->tid;
	trace_record_args(k);
	k->in = 1;
	ptrace(PTRACE_SYSCALL, k->tid, NULL, NULL);
}

/* Prints a result only a tracer sees: "= ? ERESTARTSYS (...)". Returns 1 when it was one. */
static int
trace_restart_line(struct trace *t, const char *line, int err)
{
	int i;

	for (i = 0; trace_restart[i].name; i++)
		if (trace_restart[i].nr == err) {
			out_line(&t->sh, "%s = ? %s (%s)", line,
			    trace_restart[i].name, trace_restart[i].text);
			return 1;
		}
	return 0;
}

/* At the exit stop of a traced call: its result, its socket just after, its line and notes. */
static void
trace_leave(struct trace *t, struct trace_task *k)
{
	const struct tracefmt_call *tc = tracefmt_find(k->s.nr);
	struct user_regs_struct r;
	struct buf b;
	long rax;
	int fd = -1, dup = -1;

	k->in = 0;
	if (trace_regs(k, &r) == -1) {
		ptrace(PTRACE_CONT, k->tid, NULL, NULL);
		return;
	}
	rax = (long)r.rax;
	k->s.ret = rax < 0 && rax >= -4095 ? -1 : rax;
	k->s.err = rax < 0 && rax >= -4095 ? (int)-rax : 0;
	if (k->s.nr == SYS_socket && k->s.ret >= 0)
		fd = (int)k->s.ret;
	else if (tc->fd_arg >= 0 && k->s.nr != SYS_close)
		fd = (int)k->s.a[tc->fd_arg];
	if (fd >= 0 && (dup = trace_getfd(k->tgid, fd)) != -1) {
		if (k->c.h == NULL) { /* socket: the new one */
			trace_handle(k, fd, dup);
			k->c.h = &k->h;
			k->c.family = k->h.family;
			k->c.type = k->h.type;
		}
		k->h.fd = dup;
	}
	call_end(&t->sh, &k->c, k->s.ret, k->s.err);
	buf_init(&b);
	if (t->ntasks > 1)
		buf_printf(&b, "[pid %d] ", (int)k->tid);
	tracefmt_line(&b, &k->s, t->sh.strsize);
	if (!trace_restart_line(t, buf_str(&b), k->s.err)) {
		out_call(&t->sh, buf_str(&b), k->s.ret, k->s.err);
		if (k->shared && k->s.ret == 0)
			out_meaning(&t->sh,
			    "fd%d is closed; another descriptor (a dup, or "
			    "another process's) still holds its socket, which "
			    "stays open",
			    (int)k->s.a[0]);
		note_call(&t->sh, &k->c);
	}
	fflush(t->sh.out);
	buf_free(&b);
	if (dup != -1)
		close(dup);
	k->h.fd = -1;
	ptrace(PTRACE_CONT, k->tid, NULL, NULL);
}

/*
 * The program's side of the fork: stops for the tracer, installs the
 * filter that stops it at each socket call, and runs PROGRAM. Never returns.
 */
static void __attribute__((noreturn)) trace_child(char **argv)
{
	struct sock_filter f[64];
	struct sock_fprog prog;
	const long *nr;
	size_t n, i, k = 0;

	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == -1) {
		fprintf(stderr,
		    "sockstep trace: ptrace not permitted (%s): a container "
		    "without CAP_SYS_PTRACE, seccomp, or "
		    "/proc/sys/kernel/yama/ptrace_scope = 3 forbids it\n",
		    strerror(errno));
		_exit(126);
	}
	raise(SIGSTOP);
	nr = tracefmt_numbers(&n);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    AUDIT_ARCH_X86_64, 1, 0);
	f[k++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
	for (i = 0; i < n; i++) /* each a jump to the TRACE at the end */
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
		    (unsigned)nr[i], (unsigned char)(n - i), 0);
	f[k++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[k++] =
	    (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	prog.len = (unsigned short)k;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) == -1) {
		fprintf(stderr, "sockstep trace: seccomp filter: %s\n",
		    strerror(errno));
		_exit(126);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "sockstep trace: %s: %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Handles one stop of task tid with wait status st. */
static void
trace_stop(struct trace *t, pid_t tid, int st)
{
	struct trace_task *k = trace_task_get(t, tid);
	int sig = WSTOPSIG(st), ev = st >> 16;
	unsigned long child;
	long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_TRACESYSGOOD |
	    PTRACE_O_TRACEEXEC | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
	    PTRACE_O_TRACECLONE | PTRACE_O_EXITKILL;

	if (sig == (SIGTRAP | 0x80)) {
		if (k->in)
			trace_leave(t, k);
		else
			ptrace(PTRACE_CONT, tid, NULL, NULL);
	} else if (sig == SIGTRAP && ev == PTRACE_EVENT_SECCOMP)
		trace_enter(t, k);
	else if (sig == SIGTRAP && ev != 0) { /* fork, clone, exec */
		if ((ev == PTRACE_EVENT_FORK || ev == PTRACE_EVENT_VFORK ||
		        ev == PTRACE_EVENT_CLONE) &&
		    ptrace(PTRACE_GETEVENTMSG, tid, NULL, &child) == 0)
			trace_task_get(t, (pid_t)child); /* [pid N] from now */
		ptrace(PTRACE_CONT, tid, NULL, NULL);
	} else if (sig == SIGSTOP && k->fresh) {
		k->fresh = 0;
		if (tid == t->main)
			ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)opts);
		ptrace(PTRACE_CONT, tid, NULL, NULL);
	} else /* a signal for the program: it gets it */
		ptrace(PTRACE_CONT, tid, NULL, (void *)(long)sig);
}

/* Runs argv under the tracer until every traced task has ended. Returns the exit status. */
static int
trace_run(struct trace *t, char **argv)
{
	struct sigaction ign, oint, oquit;
	pid_t pid;
	int st;

	t->main = fork();
	if (t->main == -1) {
		fprintf(stderr, "sockstep trace: fork: %s\n", strerror(errno));
		return 2;
	}
	if (t->main == 0)
		trace_child(argv);
	/* Ctrl-C and Ctrl-\ are the program's: the tracer stays to see it end */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &oint);
	sigaction(SIGQUIT, &ign, &oquit);
	trace_task_get(t, t->main);
	t->status = 0;
	for (;;) {
		pid = waitpid(-1, &st, __WALL);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			if (pid == t->main)
				t->status = WIFEXITED(st) ? WEXITSTATUS(st)
				                          : 128 + WTERMSIG(st);
			trace_task_drop(t, pid);
		} else if (WIFSTOPPED(st))
			trace_stop(t, pid, st);
	}
	sigaction(SIGINT, &oint, NULL);
	sigaction(SIGQUIT, &oquit, NULL);
	while (t->tasks)
		trace_task_drop(t, t->tasks->tid);
	return t->status;
}

/* Prints how to run sockstep trace. */
static void
trace_usage(FILE *fp)
{
	fputs("usage: sockstep trace [-n] [-o FILE] [--] PROGRAM [ARG]...\n"
	      "Runs PROGRAM and prints each of its socket calls as the shell "
	      "prints its own:\nthe strace line, then what it means.\n\n"
	      "  -o, --output=FILE  write the calls to FILE (default: stderr, "
	      "as strace)\n"
	      "  -n, --no-notes     leave out the notes\n"
	      "  -h, --help         show this help and exit\n\n"
	      "Exit status: PROGRAM's (128+N when signal N ended it); 126 "
	      "or 127 when it\ncould not be run; 2 a usage error.\n",
	    fp);
}

/* sockstep trace ...: argv[0] is "trace". Returns sockstep's exit status. */
int
trace_main(int argc, char **argv)
{
	static const struct option longopts[] = { { "output", required_argument,
		                                      NULL, 'o' },
		{ "no-notes", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *path = NULL;
	struct trace t;
	FILE *out = stderr;
	int c, notes = 1, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+o:nh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			path = optarg;
			break;
		case 'n':
			notes = 0;
			break;
		case 'h':
			trace_usage(stdout);
			return 0;
		default:
			fprintf(stderr, "sockstep trace: %s '%s'\n",
			    optopt == 'o' ? "option needs an argument"
			                  : "unknown option",
			    argv[optind - 1]);
			fputs("Try 'sockstep trace --help'.\n", stderr);
			return 2;
		}
	}
	if (optind == argc) {
		fputs("sockstep trace: name a program to run\nTry 'sockstep "
		      "trace --help'.\n",
		    stderr);
		return 2;
	}
	if (path && (out = fopen(path, "we")) == NULL) {
		fprintf(stderr, "sockstep trace: %s: %s\n", path,
		    strerror(errno));
		return 2;
	}
	memset(&t, 0, sizeof(t));
	shell_init(&t.sh, &sys_real, out, stderr);
	t.sh.notes = notes;
	t.sh.others = "another socket (of this program or another)";
	rc = trace_run(&t, argv + optind);
	shell_free(&t.sh);
	if (path)
		fclose(out);
	return rc;
}

#else

/* sockstep trace on an architecture whose system calls it does not decode. */
int
trace_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("sockstep trace: needs x86-64: this build's architecture's "
	      "system calls are not decoded\n",
	    stderr);
	return 2;
}

#endif
