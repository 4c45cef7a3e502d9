#include <stdio.h>

#include "cmd.h"
#include "jobs.h"
#include "out.h"
#include "parse.h"
#include "procjob.h"
#include "shell.h"
#include "sig.h"

/*
 * Reads a job number argument. Returns the job's index, JOBS_DONE for a
 * job that has finished (when done_ok), or CMD_ERR.
 */
#define JOBS_DONE (-2)
static int
jobs_arg(struct shell *sh, const struct cmd_entry *cmd, const struct token *t,
    int done_ok)
{
	char err[128];
	long id;
	int i;

	if (parse_long(t, 1, 1000000, &id, err, sizeof(err)) == -1)
		return cmd_usage(sh, cmd, "job number: %s", err);
	if ((i = job_find(sh, (int)id)) >= 0)
		return i;
	if (id <= sh->jobs.next_id && done_ok)
		return JOBS_DONE;
	if (id <= sh->jobs.next_id)
		return cmd_usage(sh, cmd, "job [%ld] has finished", id);
	return cmd_usage(sh, cmd, "no job [%ld] (jobs lists them)", id);
}

/* jobs: the background calls still running, and where each one is. */
static int
cmd_jobs_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	int i;

	(void)cmd;
	(void)a;
	if (procjob_list(sh) == 0 && sh->jobs.n == 0)
		out_line(sh, "no background calls (accept srv & starts one)");
	for (i = 0; i < sh->jobs.n; i++) {
		struct job *j = sh->jobs.v[i];

		if (job_turn_state(sh, j) == JOB_RETURNED)
			out_line(sh, "[%d] %s &   (its %s returned)", j->id,
			    j->text, j->call);
		else if (j->fd >= 0)
			out_line(sh, "[%d] %s &   (blocked in %s on %s, fd %d)",
			    j->id, j->text, j->call, j->hname, j->fd);
		else
			out_line(sh, "[%d] %s &   (blocked in %s)", j->id,
			    j->text, j->call);
	}
	return CMD_OK;
}

/*
 * wait [N]: waits for job N (or every job) to return; Ctrl-C stops
 * waiting. A job already shown needs no wait, so a script's output is
 * the same whether its notice came before the wait or during it.
 */
static int
cmd_wait_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	int id = 0, i, rc;
	long n;

	if (a->argc == 1 &&
	    parse_long(&a->argv[0], 1, 1000000, &n, NULL, 0) == 0 &&
	    procjob_exists(sh, (int)n))
		id = (int)n; /* a traced program's */
	else if (a->argc == 1) {
		if ((i = jobs_arg(sh, cmd, &a->argv[0], 1)) == CMD_ERR)
			return CMD_ERR;
		if (i == JOBS_DONE) /* shown already: nothing to wait for */
			return CMD_OK;
		id = sh->jobs.v[i]->id;
	}
	if (sh->jobs.n == 0 && sh->procs == NULL)
		out_line(sh, "no background calls to wait for");
	sig_int = 0;
	if ((id == 0 || !procjob_exists(sh, id)) && job_wait(sh, id) == -1) {
		out_meaning(sh,
		    "wait interrupted (%s); the job%s still run%s "
		    "(jobs lists them)",
		    sig_what(), sh->jobs.n == 1 ? "" : "s",
		    sh->jobs.n == 1 ? "s" : "");
		return CMD_OK;
	}
	if ((id == 0 || procjob_exists(sh, id)) &&
	    (rc = procjob_wait(sh, id)) != 0)
		out_meaning(sh,
		    "wait %s; the program still runs (jobs lists it)",
		    rc == -1 ? "interrupted" : "gave up: the bound passed");
	return CMD_OK;
}

/* cancel N: interrupts job N's call and shows how it ended. */
static int
cmd_cancel_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int i = jobs_arg(sh, cmd, &a->argv[0], 0);

	if (i == CMD_ERR)
		return CMD_ERR;
	job_cancel(sh, i);
	return CMD_OK;
}

const struct cmd_entry cmd_jobs_entry = {
	.name = "jobs",
	.usage = "",
	.args_min = 0,
	.args_max = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "list the background calls still running",
	.help =
	    "Lists the calls started with '&' (accept srv &, recv conn "
	    "1024 &, connect cli srv &, send cli DATA &) and the call each "
	    "is blocked in. A background call is the same real blocking call, "
	    "made at once in a thread of its own, so the prompt stays free; "
	    "when it returns, its call line and meaning come as a numbered "
	    "job notice, usually right after the command that let it go on "
	    "(such as a connect; wait N makes sure), or at the prompt when "
	    "something outside woke it. A program started with trace "
	    "PROGRAM & is listed too, while it runs.",
	.errors = "",
	.man = "sockstep(1), pthreads(7)",
	.complete = "",
	.exec = cmd_jobs_exec,
};

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.usage = "[N]",
	.args_min = 0,
	.args_max = 1,
	.group = CMD_GROUP_SHELL,
	.summary = "wait for background call N (or every one) to return",
	.help = "Waits until background job N (or every job) has returned "
	        "and been shown, as a program waits for a thread; for a job "
	        "already shown it returns at once, silently. A notice usually "
	        "follows the command that let the call return, but a wake-up "
	        "can come a moment later (the end of a handshake is handled on "
	        "another CPU): a script that needs the result next writes wait "
	        "N. For a program traced in the background (trace PROGRAM &) "
	        "wait N waits until it has ended, showing its lines as they "
	        "come, within the check's bound. Ctrl-C stops waiting; the "
	        "jobs go on.",
	.errors = "",
	.man = "sockstep(1), pthread_join(3)",
	.complete = "-",
	.exec = cmd_wait_exec,
};

const struct cmd_entry cmd_cancel_entry = {
	.name = "cancel",
	.usage = "N",
	.args_min = 1,
	.args_max = 1,
	.group = CMD_GROUP_SHELL,
	.summary = "interrupt background call N and show how it ended",
	.help = "Sends SIGUSR1 to job N's thread, which interrupts its "
	        "blocking call as Ctrl-C interrupts one at the prompt: "
	        "the call returns -1 EINTR (a send that had sent part of its "
	        "data returns that count), and the job notice shows it. An "
	        "interrupted connect still completes in the kernel.",
	.errors = "",
	.man = "sockstep(1), pthread_kill(3), signal(7)",
	.complete = "-",
	.exec = cmd_cancel_exec,
};
