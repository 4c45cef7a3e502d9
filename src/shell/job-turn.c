#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "jobs.h"
#include "shell.h"
#include "sig.h"
#include "xalloc.h"

#define JOB_PROC_FD \
	300 /* where a job's /proc file sits: out of the sockets' way */

/* In a job's thread: hands the shell back to the prompt for the call. */
static void
job_leave(const char *call)
{
	struct job *j = job_self;
	struct jobs *js = &j->sh->jobs;

	pthread_mutex_lock(&js->mu);
	j->call = call;
	j->state = JOB_IN_CALL;
	js->turn = NULL;
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
}

/* In a job's thread, after its call: waits for the prompt to give it the turn. */
static void
job_back(void)
{
	struct job *j = job_self;
	struct jobs *js = &j->sh->jobs;
	int err = errno;

	pthread_mutex_lock(&js->mu);
	j->state = JOB_RETURNED;
	pthread_cond_broadcast(&js->cv);
	while (js->turn != j)
		pthread_cond_wait(&js->cv, &js->mu);
	j->state = JOB_RUNNING;
	pthread_mutex_unlock(&js->mu);
	errno = err;
}

/* The calls that may block, each made outside the turn. */
#define JOB_REAL (job_self->real)

/* accept(2) in a job: the prompt goes on while it waits. */
static int
job_accept(int fd, struct sockaddr *sa, socklen_t *len)
{
	int rc;

	job_leave("accept");
	rc = JOB_REAL->accept(fd, sa, len);
	job_back();
	return rc;
}

/* accept4(2) in a job, as accept. */
static int
job_accept4(int fd, struct sockaddr *sa, socklen_t *len, int flags)
{
	int rc;

	job_leave("accept4");
	rc = JOB_REAL->accept4(fd, sa, len, flags);
	job_back();
	return rc;
}

/* connect(2) in a job. */
static int
job_connect(int fd, const struct sockaddr *sa, socklen_t len)
{
	int rc;

	job_leave("connect");
	rc = JOB_REAL->connect(fd, sa, len);
	job_back();
	return rc;
}

/* send(2) in a job. */
static ssize_t
job_send(int fd, const void *p, size_t len, int flags)
{
	ssize_t rc;

	job_leave("send");
	rc = JOB_REAL->send(fd, p, len, flags);
	job_back();
	return rc;
}

/* recv(2) in a job. */
static ssize_t
job_recv(int fd, void *p, size_t len, int flags)
{
	ssize_t rc;

	job_leave("recv");
	rc = JOB_REAL->recv(fd, p, len, flags);
	job_back();
	return rc;
}

/* sendto(2) in a job. */
static ssize_t
job_sendto(int fd, const void *p, size_t len, int flags,
    const struct sockaddr *sa, socklen_t salen)
{
	ssize_t rc;

	job_leave("sendto");
	rc = JOB_REAL->sendto(fd, p, len, flags, sa, salen);
	job_back();
	return rc;
}

/* recvfrom(2) in a job. */
static ssize_t
job_recvfrom(int fd, void *p, size_t len, int flags, struct sockaddr *sa,
    socklen_t *salen)
{
	ssize_t rc;

	job_leave("recvfrom");
	rc = JOB_REAL->recvfrom(fd, p, len, flags, sa, salen);
	job_back();
	return rc;
}

/*
 * Notes fd as one a poll or select of this job waits on, so that close
 * refuses it: poll holds the socket, and a close would free nothing.
 */
static void
job_wait_on(int fd)
{
	struct job *j = job_self;

	j->waits =
	    xrealloc(j->waits, ((size_t)j->nwaits + 1) * sizeof(*j->waits));
	j->waits[j->nwaits++] = fd;
}

/* poll(2) in a job. */
static int
job_poll(struct pollfd *fds, unsigned long n, int timeout)
{
	unsigned long i;
	int rc;

	for (i = 0; i < n; i++)
		job_wait_on(fds[i].fd);
	job_leave("poll");
	rc = JOB_REAL->poll(fds, n, timeout);
	job_back();
	return rc;
}

/* select(2) in a job. */
static int
job_select(int n, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv)
{
	int fd, rc;

	for (fd = 0; fd < n && fd < FD_SETSIZE; fd++)
		if ((r && FD_ISSET(fd, r)) || (w && FD_ISSET(fd, w)) ||
		    (e && FD_ISSET(fd, e)))
			job_wait_on(fd);
	job_leave("select");
	rc = JOB_REAL->select(n, r, w, e, tv);
	job_back();
	return rc;
}

/* epoll_wait(2) in a job: close refuses the epoll handle while it waits. */
static int
job_epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	int rc;

	job_wait_on(epfd);
	job_leave("epoll_wait");
	rc = JOB_REAL->epoll_wait(epfd, ev, max, timeout);
	job_back();
	return rc;
}

/* Gets the turns ready: nobody's turn but the prompt's. */
void
job_turn_init(struct shell *sh)
{
	pthread_mutex_init(&sh->jobs.mu, NULL);
	pthread_cond_init(&sh->jobs.cv, NULL);
}

/*
 * Makes the calls job j makes: the shell's own, but the blocking ones
 * outside the turn. Done before j's thread starts: other jobs' threads,
 * in their calls, never see them change.
 */
static void
job_turn_ops(struct job *j)
{
	j->real = j->sh->sys;
	j->ops = *j->sh->sys;
	j->ops.accept = job_accept;
	j->ops.accept4 = job_accept4;
	j->ops.connect = job_connect;
	j->ops.send = job_send;
	j->ops.recv = job_recv;
	j->ops.sendto = job_sendto;
	j->ops.recvfrom = job_recvfrom;
	j->ops.poll = job_poll;
	j->ops.select = job_select;
	j->ops.epoll_wait = job_epoll_wait;
}

/* Lets go of what job_turn_init made. */
void
job_turn_free(struct shell *sh)
{
	pthread_cond_destroy(&sh->jobs.cv);
	pthread_mutex_destroy(&sh->jobs.mu);
}

/* A job's thread: waits for its first turn, then runs its statement. */
static void *
job_main(void *arg)
{
	struct job *j = arg;
	struct jobs *js = &j->sh->jobs;
	sigset_t usr;
	int rc;

	job_self = j;
	sigemptyset(&usr);
	sigaddset(&usr, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &usr,
	    NULL); /* cancel interrupts its call */
	pthread_mutex_lock(&js->mu);
	j->tid = (pid_t)syscall(SYS_gettid);
	pthread_cond_broadcast(&js->cv);
	while (js->turn != j)
		pthread_cond_wait(&js->cv, &js->mu);
	pthread_mutex_unlock(&js->mu);
	rc = cmd_run(j->sh, &j->st);
	pthread_mutex_lock(&js->mu);
	j->rc = rc;
	j->state = JOB_DONE;
	js->turn = NULL;
	pthread_cond_broadcast(&js->cv);
	pthread_mutex_unlock(&js->mu);
	return NULL;
}

/*
 * Opens /proc/self/task/TID/syscall of j's thread, before the thread makes
 * any call, and moves it to a high fd: a blocked accept holds the lowest
 * free fd, so a file opened while it starts would change its number.
 */
static void
job_turn_open_proc(struct job *j)
{
	struct jobs *js = &j->sh->jobs;
	char path[64];
	int fd;

	pthread_mutex_lock(&js->mu);
	while (j->tid == 0)
		pthread_cond_wait(&js->cv, &js->mu);
	pthread_mutex_unlock(&js->mu);
	snprintf(path, sizeof(path), "/proc/self/task/%ld/syscall",
	    (long)j->tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	j->procfd = fcntl(fd, F_DUPFD_CLOEXEC, JOB_PROC_FD);
	close(fd);
}

/*
 * Starts j's thread with Ctrl-C, SIGTERM and SIGHUP blocked, so that they
 * always reach the prompt's thread and interrupt what it waits in.
 * Returns 0, or an errno.
 */
int
job_turn_spawn(struct job *j)
{
	sigset_t block, old;
	int rc;

	job_turn_ops(j);
	sig_install_cancel();
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	rc = pthread_create(&j->thread, NULL, job_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		job_turn_open_proc(j);
	return rc;
}

/*
 * Gives j's thread the turn and waits until it hands the shell back.
 * Returns j's state as it handed it back (read under the lock).
 */
enum job_state
job_turn_give(struct shell *sh, struct job *j)
{
	struct jobs *js = &sh->jobs;
	enum job_state s;

	pthread_mutex_lock(&js->mu);
	js->turn = j;
	sh->sys = &j->ops;
	pthread_cond_broadcast(&js->cv);
	while (js->turn != NULL)
		pthread_cond_wait(&js->cv, &js->mu);
	sh->sys = j->real;
	s = j->state;
	pthread_mutex_unlock(&js->mu);
	if (s == JOB_DONE)
		pthread_join(j->thread, NULL);
	return s;
}

/* Returns j's state, read under the lock. */
enum job_state
job_turn_state(struct shell *sh, const struct job *j)
{
	enum job_state s;

	pthread_mutex_lock(&sh->jobs.mu);
	s = j->state;
	pthread_mutex_unlock(&sh->jobs.mu);
	return s;
}

/*
 * Waits up to ms milliseconds for any job to change state. Returns 0, or
 * -1 when Ctrl-C came (it is checked every 50 ms).
 */
int
job_turn_wait(struct shell *sh, int ms)
{
	struct timespec ts;
	int slice = ms < 50 ? ms : 50;

	if (sig_int)
		return -1;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)slice * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&sh->jobs.mu);
	pthread_cond_timedwait(&sh->jobs.cv, &sh->jobs.mu, &ts);
	pthread_mutex_unlock(&sh->jobs.mu);
	return sig_int ? -1 : 0;
}

/* Returns 1 when nr is a system call a job's blocking call is made with. */
static int
job_turn_is_call(long nr)
{
	static const long calls[] = {
		SYS_accept,
		SYS_accept4,
		SYS_connect,
		SYS_sendto,
		SYS_recvfrom,
		SYS_sendmsg,
		SYS_recvmsg,
		SYS_ppoll,
		SYS_pselect6,
		SYS_epoll_pwait,
#ifdef SYS_epoll_wait
		SYS_epoll_wait,
#endif
#ifdef SYS_poll
		SYS_poll,
#endif
#ifdef SYS_select
		SYS_select,
#endif
	};
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (calls[i] == nr)
			return 1;
	return 0;
}

/*
 * Returns 1 when the kernel says j's thread sleeps inside its socket call
 * (/proc/self/task/TID/syscall), 0 when it runs or is anywhere else, and
 * 1 when /proc cannot tell (the notice may then come a command later).
 */
int
job_turn_in_kernel(const struct job *j)
{
	char text[64];
	ssize_t n;

	if (j->procfd < 0)
		return 1;
	n = pread(j->procfd, text, sizeof(text) - 1, 0);
	if (n <= 0)
		return 1;
	text[n] = '\0';
	if (text[0] < '0' || text[0] > '9')
		return 0; /* "running" */
	return job_turn_is_call(strtol(text, NULL, 10));
}

/* Sends SIGUSR1 to j's thread, to interrupt its call. Returns 0 or an errno. */
int
job_turn_signal(struct job *j)
{
	return pthread_kill(j->thread, SIGUSR1);
}
