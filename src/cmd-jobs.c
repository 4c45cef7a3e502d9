#include <stdio.h>

#include "cmd.h"
#include "job.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "sig.h"

/* Reads a job number argument. Returns the job's index, or CMD_ERR. */
static int
jobs_arg(struct shell *sh, const struct cmd_entry *cmd, const struct token *t)
{
	char err[128];
	long id;
	int i;

	if (parse_long(t, 1, 1000000, &id, err, sizeof(err)) == -1)
		return cmd_usage(sh, cmd, "job number: %s", err);
	if ((i = job_find(sh, (int)id)) == -1)
		return cmd_usage(sh, cmd, "no job [%ld] (jobs lists them)", id);
	return i;
}

/* jobs: the background calls still waiting. */
static int
cmd_jobs_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	int i;

	(void)cmd;
	(void)a;
	if (sh->jobs.n == 0)
		out_line(sh, "no background calls (accept srv & starts one)");
	for (i = 0; i < sh->jobs.n; i++)
		out_line(sh, "[%d] %s &   (waits until %s, fd %d, is ready)",
		    sh->jobs.v[i].id, sh->jobs.v[i].text, sh->jobs.v[i].hname,
		    sh->jobs.v[i].fd);
	return CMD_OK;
}

/* wait [N]: waits for job N (or every job) to be ready and run; Ctrl-C stops waiting. */
static int
cmd_wait_exec(struct shell *sh, const struct cmd_entry *cmd, struct cmd_args *a)
{
	int id = 0, i;

	if (a->argc == 1) {
		if ((i = jobs_arg(sh, cmd, &a->argv[0])) == CMD_ERR)
			return CMD_ERR;
		id = sh->jobs.v[i].id;
	}
	if (sh->jobs.n == 0)
		out_line(sh, "no background calls to wait for");
	sig_int = 0;
	while (sh->jobs.n > 0 && (id == 0 || job_find(sh, id) >= 0)) {
		if (job_check(sh, -1) == -1) {
			out_meaning(sh,
			    "wait interrupted (Ctrl-C); the job%s "
			    "still wait%s",
			    sh->jobs.n == 1 ? "" : "s",
			    sh->jobs.n == 1 ? "s" : "");
			break;
		}
	}
	return CMD_OK;
}

/* cancel N: forgets job N; its call is never made. */
static int
cmd_cancel_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int i = jobs_arg(sh, cmd, &a->argv[0]);

	if (i == CMD_ERR)
		return CMD_ERR;
	out_meaning(sh,
	    "[%d] cancelled: %s was never called, so nothing "
	    "changed",
	    sh->jobs.v[i].id, sh->jobs.v[i].text);
	job_drop(sh, i);
	return CMD_OK;
}

const struct cmd_entry cmd_jobs_entry = {
	.name = "jobs",
	.usage = "",
	.args_min = 0,
	.args_max = 0,
	.group = CMD_GROUP_SHELL,
	.summary = "list the background calls still waiting",
	.help =
	    "Lists the calls started with '&' (accept srv &, recv conn "
	    "1024 &) that still wait for their handle to be ready. Such a "
	    "call is made exactly once, the moment poll(2) says the handle is "
	    "ready, so it returns at once; its call line and meaning then "
	    "come as a job notice after the command that made it ready, such "
	    "as a connect.",
	.errors = "",
	.man = "sockstep(1), poll(2)",
	.complete = "",
	.exec = cmd_jobs_exec,
};

const struct cmd_entry cmd_wait_entry = {
	.name = "wait",
	.usage = "[N]",
	.args_min = 0,
	.args_max = 1,
	.group = CMD_GROUP_SHELL,
	.summary = "wait for background call N (or all) to be made",
	.help = "Waits, with poll(2), until background job N (or every job) "
	        "is ready and its call has been made and shown. Ctrl-C stops "
	        "waiting; the jobs go on waiting.",
	.errors = "",
	.man = "sockstep(1), poll(2)",
	.complete = "-",
	.exec = cmd_wait_exec,
};

const struct cmd_entry cmd_cancel_entry = {
	.name = "cancel",
	.usage = "N",
	.args_min = 1,
	.args_max = 1,
	.group = CMD_GROUP_SHELL,
	.summary = "forget background call N; it is never made",
	.help = "Forgets background job N. Its call was not made yet (a "
	        "background call is made only when its handle is ready), so "
	        "nothing changes in the kernel.",
	.errors = "",
	.man = "sockstep(1)",
	.complete = "-",
	.exec = cmd_cancel_exec,
};
