/* One session: its handles, settings, where input comes from, and the last call. */
#ifndef SOCKSTEP_SHELL_H
#define SOCKSTEP_SHELL_H

#include <stdio.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>

#include "handle.h"
#include "job.h"
#include "var.h"

struct sys_ops;
struct stmt;
struct session;

/* What SIGPIPE does during a send: caught (the shell's own way), ignored, or its default in a child. */
#define SHELL_SIGPIPE_CATCH 0
#define SHELL_SIGPIPE_IGNORE 1
#define SHELL_SIGPIPE_DEFAULT 2
struct track;

/* What the last system call of a command returned, for expectations. */
struct call_result {
	int made; /* a call was made */
	long ret;
	int err; /* errno when ret is -1 */
	unsigned char *data; /* bytes received, if any */
	size_t len;
	struct sockaddr_storage from; /* recvfrom: who sent them */
	socklen_t fromlen; /* 0 when no one is known */
};

/* How lines are run: as typed, or as a lesson played, stepped, checked or quizzed. */
enum shell_mode { MODE_RUN, MODE_PLAY, MODE_STEP, MODE_CHECK, MODE_QUIZ };

/* A script being run, by its identity in the file system. */
#define SHELL_FILES_MAX 40 /* at most 16 sourced + 16 played + slack */
struct shell_file {
	dev_t dev;
	ino_t ino;
};

struct procjob;

struct shell {
	const struct sys_ops *sys;
	struct handle_table handles;
	FILE *out;
	FILE *err;
	const char *src; /* script name for messages; NULL at the prompt */
	long line; /* current line of the script or the prompt */
	int interactive;
	int color; /* colour on out */
	int color_err; /* colour on err */
	int notes; /* plain-language notes under calls */
	int hex; /* hex dump of received data */
	int strsize; /* bytes of data shown in a call line */
	int sigpipe; /* SHELL_SIGPIPE_*: what a send meets */
	int python; /* the Python line under each call */
	int out_tty; /* out is a terminal (lines wrap); -1 not asked yet */
	int note_ids; /* notes start with their id (SOCKSTEP_NOTE_IDS, for tests) */
	const char *
	    others; /* who holds a socket of no handle; NULL: another program */
	struct session *session; /* the statements run so far, for export */
	int quit;
	int flush_lines; /* flush after each line: out is read as it comes */
	int errors; /* usage and syntax errors so far */
	struct call_result last;
	enum shell_mode mode;
	int delay_ms; /* pause between steps when playing */
	int passed; /* expectations met */
	int failed; /* expectations not met */
	int asked; /* quiz questions asked */
	int right; /* quiz answers right */
	FILE *ctl; /* where step and quiz read the user's answers */
	FILE *record; /* where record writes the session, or NULL */
	char answer[64]; /* the quiz answer given for the current step */
	int depth; /* scripts being sourced, one inside another */
	int nest; /* lessons this one is played inside (lesson NAME) */
	const struct shell *parent; /* the shell that plays this one, or NULL */
	struct shell_file running[SHELL_FILES_MAX]; /* scripts being run */
	int nrunning;
	struct vars vars;
	struct jobs jobs; /* background calls, each in a thread of its own */
	int states; /* a line per TCP state change after a call */
	int segments; /* segments each call sent and received */
	struct track *track; /* state changes, capture, diagram (track.c) */
	int bound_s; /* seconds a call may block in check mode (set timeout) */
	int bound_cli; /* the same from --timeout, which wins; 0 if not given */
	int bound_on; /* bound_timer runs for the statement being run */
	timer_t bound_timer;
	int timed_out; /* the statement being finished ran out of time */
	int stopped; /* a lesson stopped at a failure: the rest is not run */
	int not_run; /* expectations of a stopped lesson left unchecked */
	int force; /* export, record and diagram may replace a file */
	int to_pause; /* step mode: run on to the next pause (key c) */
	int py_imported; /* import socket was answered once (pyline.c) */
	const char *typed; /* a call that can block, as typed at the prompt */
	struct procjob *procs; /* programs traced in the background (procjob.c) */
};

/* state.c */
void shell_where(struct shell *, char *, size_t);

#endif
