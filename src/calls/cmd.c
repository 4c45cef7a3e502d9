#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "fmt.h"
#include "text.h"
#include "handle.h"
#include "job.h"
#include "labhost.h"
#include "opt.h"
#include "sym.h"
#include "out.h"
#include "parse.h"
#include "shell.h"

extern const struct cmd_entry cmd_socket_entry;
extern const struct cmd_entry cmd_socketpair_entry;
extern const struct cmd_entry cmd_bind_entry;
extern const struct cmd_entry cmd_listen_entry;
extern const struct cmd_entry cmd_accept_entry;
extern const struct cmd_entry cmd_accept4_entry;
extern const struct cmd_entry cmd_connect_entry;
extern const struct cmd_entry cmd_connect_ex_entry;
extern const struct cmd_entry cmd_send_entry;
extern const struct cmd_entry cmd_sendall_entry;
extern const struct cmd_entry cmd_recv_entry;
extern const struct cmd_entry cmd_sendto_entry;
extern const struct cmd_entry cmd_recvfrom_entry;
extern const struct cmd_entry cmd_sendmsg_entry;
extern const struct cmd_entry cmd_recvmsg_entry;
extern const struct cmd_entry cmd_encode_entry;
extern const struct cmd_entry cmd_decode_entry;
extern const struct cmd_entry cmd_shutdown_entry;
extern const struct cmd_entry cmd_close_entry;
extern const struct cmd_entry cmd_dup_entry;
extern const struct cmd_entry cmd_fork_entry;
extern const struct cmd_entry cmd_waitpid_entry;
extern const struct cmd_entry cmd_dup2_entry;
extern const struct cmd_entry cmd_dup3_entry;
extern const struct cmd_entry cmd_unlink_entry;
extern const struct cmd_entry cmd_getsockname_entry;
extern const struct cmd_entry cmd_getpeername_entry;
extern const struct cmd_entry cmd_setsockopt_entry;
extern const struct cmd_entry cmd_getsockopt_entry;
extern const struct cmd_entry cmd_setblocking_entry;
extern const struct cmd_entry cmd_settimeout_entry;
extern const struct cmd_entry cmd_fcntl_entry;
extern const struct cmd_entry cmd_poll_entry;
extern const struct cmd_entry cmd_select_entry;
extern const struct cmd_entry cmd_epoll_create1_entry;
extern const struct cmd_entry cmd_epoll_ctl_entry;
extern const struct cmd_entry cmd_epoll_wait_entry;
extern const struct cmd_entry cmd_gethostname_entry;
extern const struct cmd_entry cmd_getaddrinfo_entry;
extern const struct cmd_entry cmd_htons_entry;
extern const struct cmd_entry cmd_htonl_entry;
extern const struct cmd_entry cmd_ntohs_entry;
extern const struct cmd_entry cmd_ntohl_entry;
extern const struct cmd_entry cmd_expect_entry;
extern const struct cmd_entry cmd_let_entry;
extern const struct cmd_entry cmd_pause_entry;
extern const struct cmd_entry cmd_lessons_entry;
extern const struct cmd_entry cmd_lesson_entry;
extern const struct cmd_entry cmd_partner_entry;
extern const struct cmd_entry cmd_source_entry;
extern const struct cmd_entry cmd_record_entry;
extern const struct cmd_entry cmd_export_entry;
extern const struct cmd_entry cmd_handles_entry;
extern const struct cmd_entry cmd_jobs_entry;
extern const struct cmd_entry cmd_wait_entry;
extern const struct cmd_entry cmd_cancel_entry;
extern const struct cmd_entry cmd_state_entry;
extern const struct cmd_entry cmd_capture_entry;
extern const struct cmd_entry cmd_lab_entry;
extern const struct cmd_entry cmd_diagram_entry;
extern const struct cmd_entry cmd_trace_entry;
extern const struct cmd_entry cmd_help_entry;
extern const struct cmd_entry cmd_set_entry;
extern const struct cmd_entry cmd_quit_entry;

/* Every command, in the order help lists them. */
const struct cmd_entry *const cmd_table[] = { &cmd_socket_entry,
	&cmd_socketpair_entry, &cmd_bind_entry, &cmd_listen_entry,
	&cmd_accept_entry, &cmd_accept4_entry, &cmd_connect_entry,
	&cmd_connect_ex_entry, &cmd_send_entry, &cmd_sendall_entry,
	&cmd_recv_entry, &cmd_sendto_entry, &cmd_recvfrom_entry,
	&cmd_sendmsg_entry, &cmd_recvmsg_entry, &cmd_encode_entry,
	&cmd_decode_entry, &cmd_shutdown_entry, &cmd_close_entry,
	&cmd_dup_entry, &cmd_dup2_entry, &cmd_dup3_entry, &cmd_fork_entry,
	&cmd_waitpid_entry, &cmd_unlink_entry, &cmd_getsockname_entry,
	&cmd_getpeername_entry, &cmd_setsockopt_entry, &cmd_getsockopt_entry,
	&cmd_setblocking_entry, &cmd_settimeout_entry, &cmd_fcntl_entry,
	&cmd_poll_entry, &cmd_select_entry, &cmd_epoll_create1_entry,
	&cmd_epoll_ctl_entry, &cmd_epoll_wait_entry, &cmd_gethostname_entry,
	&cmd_getaddrinfo_entry, &cmd_htons_entry, &cmd_htonl_entry,
	&cmd_ntohs_entry, &cmd_ntohl_entry, &cmd_expect_entry, &cmd_let_entry,
	&cmd_pause_entry, &cmd_lessons_entry, &cmd_lesson_entry,
	&cmd_partner_entry, &cmd_source_entry, &cmd_record_entry,
	&cmd_export_entry, &cmd_handles_entry, &cmd_jobs_entry, &cmd_wait_entry,
	&cmd_cancel_entry, &cmd_state_entry, &cmd_capture_entry, &cmd_lab_entry,
	&cmd_diagram_entry, &cmd_trace_entry, &cmd_help_entry, &cmd_set_entry,
	&cmd_quit_entry, NULL };

const char *const cmd_group_names[] = {
	[CMD_GROUP_SETUP] = "making a socket",
	[CMD_GROUP_SERVER] = "server side",
	[CMD_GROUP_CLIENT] = "client side",
	[CMD_GROUP_DATA] = "data",
	[CMD_GROUP_CLOSING] = "closing",
	[CMD_GROUP_PROCS] = "sharing a socket",
	[CMD_GROUP_OPTIONS] = "options and modes",
	[CMD_GROUP_NAMES] = "names and addresses",
	[CMD_GROUP_LESSONS] = "lessons",
	[CMD_GROUP_SHELL] = "the shell",
};

/* Slots of the name index: a power of two, over twice names and aliases. */
#define CMD_INDEX_SLOTS 256

static const struct cmd_entry *cmd_index[CMD_INDEX_SLOTS];
static const char *cmd_index_name[CMD_INDEX_SLOTS];
static int cmd_index_made;

/* Returns the FNV-1a hash of name, cut to the index's slots. */
static size_t
cmd_hash(const char *name)
{
	unsigned h = 2166136261U;

	while (*name)
		h = (h ^ (unsigned char)*name++) * 16777619U;
	return h & (CMD_INDEX_SLOTS - 1);
}

/* Returns the slot where name is, or the empty slot where it would go. */
static size_t
cmd_slot(const char *name)
{
	size_t i = cmd_hash(name);

	while (cmd_index_name[i] && strcmp(cmd_index_name[i], name) != 0)
		i = (i + 1) & (CMD_INDEX_SLOTS - 1);
	return i;
}

/*
 * Puts every command's name and alias in the index, once: shell_init
 * calls it before any job's thread can look a name up.
 */
void
cmd_index_make(void)
{
	const struct cmd_entry *const *c;
	size_t i;

	if (cmd_index_made)
		return;
	cmd_index_made = 1;
	for (c = cmd_table; *c; c++) {
		i = cmd_slot((*c)->name);
		cmd_index_name[i] = (*c)->name;
		cmd_index[i] = *c;
		if ((*c)->alias &&
		    cmd_index[i = cmd_slot((*c)->alias)] == NULL) {
			cmd_index_name[i] = (*c)->alias;
			cmd_index[i] = *c;
		}
	}
}

/* Returns the command called name (or by its alias), or NULL. */
const struct cmd_entry *
cmd_find(const char *name)
{
	cmd_index_make();
	return cmd_index[cmd_slot(name)];
}

/* Returns the edit distance between a and b, 9 for names over 30 bytes. */
int
cmd_distance(const char *a, const char *b)
{
	int d[32][32], i, j, la = (int)strlen(a), lb = (int)strlen(b);

	if (la > 30 || lb > 30)
		return 9;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;

			d[i][j] = sub < del ? (sub < ins ? sub : ins)
			                    : (del < ins ? del : ins);
		}
	}
	return d[la][lb];
}

/* Returns the command a mistyped name most likely meant: the first it begins, else the closest. NULL if none is close. */
const char *
cmd_suggest(const char *name)
{
	const struct cmd_entry *const *c;
	const char *best = NULL;
	size_t len = strlen(name);
	int d, bestd = 3;

	for (c = cmd_table; *c && len >= 2; c++)
		if (strncmp((*c)->name, name, len) == 0)
			return (*c)->name;
	for (c = cmd_table; *c; c++) {
		d = cmd_distance(name, (*c)->name);
		if (d < bestd ||
		    (d == bestd && best && strncmp(name, (*c)->name, 1) == 0 &&
		        strncmp(name, best, 1) != 0)) {
			bestd = d;
			best = (*c)->name;
		}
	}
	return bestd <= 2 ? best : NULL;
}

/* Returns 1 when s is a plain decimal number. */
static int
cmd_is_number(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/*
 * Resolves a token naming a live handle, by name or fd number.
 * Returns 0 and sets *out, or prints a usage error and returns CMD_ERR.
 */
int
cmd_handle_arg(struct shell *sh, const struct cmd_entry *cmd,
    const struct token *t, struct handle **out)
{
	struct handle *h;
	struct buf shown;
	int rc;

	if (cmd_is_number(t->text) && t->len < 8) {
		h = handle_by_fd(&sh->handles, atoi(t->text));
		if (h == NULL)
			return cmd_usage(sh, cmd,
			    "no handle has fd %s "
			    "(handles lists them)",
			    t->text);
	} else
		h = t->len < HANDLE_NAME_MAX
		    ? handle_find(&sh->handles, t->text)
		    : NULL;
	if (h && h->fd >= 0 && h->epoll && !(cmd->flags & CMD_ANYFD))
		return cmd_usage(sh, cmd,
		    "%s is an epoll instance, not a socket: %s takes a "
		    "socket (epoll_ctl and epoll_wait use %s)",
		    h->name, cmd->name, h->name);
	if (h && h->fd >= 0) {
		*out = h;
		return 0;
	}
	if (h)
		return cmd_closed(sh, cmd, h);
	buf_init(&shown);
	fmt_visible(&shown, t->text, t->len);
	rc = cmd_usage(sh, cmd, "no handle named '%s' (handles lists them)",
	    buf_str(&shown));
	buf_free(&shown);
	return rc;
}

/* Returns 1 when name is the C name of a constant, as written (AF_INET, SHUT_WR, SO_LINGER, ...). */
static int
cmd_is_constant(const char *name)
{
	static const struct sym *const tables[] = { sym_family, sym_socktype,
		sym_sockflag, sym_proto, sym_level, sym_shut, sym_msg,
		sym_errno, sym_tcp_state, sym_epoll, sym_epoll_op,
		sym_epoll_flag, NULL };
	const struct sym *const *t;
	const char *p;
	long v;

	for (p = name; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			return 0; /* C constants are upper case: skip the tables */
	for (t = tables; *t; t++)
		if (sym_value(*t, name, &v) == 0 && sym_name(*t, v) &&
		    strcmp(sym_name(*t, v), name) == 0)
			return 1;
	return opt_find(name) != NULL &&
	    strcmp(opt_find(name)->name, name) == 0;
}

/*
 * Picks the name of a handle about to be made: the one in t, checked, or
 * prefix1, prefix2, ... when t is NULL. out has HANDLE_NAME_MAX bytes.
 * Returns 0, or prints a usage error and returns CMD_ERR.
 */
int
cmd_new_name(struct shell *sh, const struct cmd_entry *cmd,
    const struct token *t, const char *prefix, char *out)
{
	char err[256];
	int id;

	if (t == NULL) {
		handle_auto_name(&sh->handles, prefix, out, HANDLE_NAME_MAX);
		return 0;
	}
	if (t->kind != TOK_WORD ||
	    handle_name_check(&sh->handles, t->text, err, sizeof(err)) == -1)
		return cmd_usage(sh, cmd, "%s",
		    t->kind != TOK_WORD
		        ? "a handle name is a bare word, not a quoted string"
		        : err);
	if (cmd_find(t->text))
		return cmd_usage(sh, cmd,
		    "'%s' is a command; name the handle "
		    "something else (like srv, cli, conn)",
		    t->text);
	if (cmd_is_constant(t->text))
		return cmd_usage(sh, cmd,
		    "'%s' is the name of a constant; name "
		    "the handle something else (like srv, cli, conn)",
		    t->text);
	if ((id = job_naming(sh, t->text)) != 0)
		return cmd_usage(sh, cmd,
		    "job [%d] gives its new socket the name %s when it "
		    "returns; choose another name",
		    id, t->text);
	text_copy(out, HANDLE_NAME_MAX, t->text);
	if (job_current())
		text_copy(job_current()->newname, HANDLE_NAME_MAX, out);
	return 0;
}

/* Refuses cmd with '&', naming the commands that run in the background. */
static int
cmd_not_background(struct shell *sh, const struct cmd_entry *cmd)
{
	const struct cmd_entry *const *c;
	struct buf b;
	int rc;

	buf_init(&b);
	for (c = cmd_table; *c; c++)
		if ((*c)->flags & CMD_BACKGROUND) {
			buf_puts(&b, b.len ? ", " : "");
			buf_puts(&b, (*c)->name);
		}
	rc = cmd_usage(sh, cmd,
	    "runs in the foreground only; these run in the background with "
	    "'&': %s, and a program run with trace",
	    buf_str(&b));
	buf_free(&b);
	return rc;
}

/*
 * Enters the network namespace of the lab host h is on, when that is not
 * the shell's own, so that a call and what its notes read (sock_diag)
 * see h's host. Returns 1 when it did: the caller comes back.
 */
static int
cmd_away(const struct handle *h)
{
	return h && h->host >= 0 && h->host != labhost_here() &&
	    labhost_net(h->host) == 0;
}

/*
 * Runs one statement: finds the command, checks the argument count and
 * the handle argument, then calls its exec.
 * Returns CMD_OK, or CMD_ERR on a usage error.
 */
int
cmd_run(struct shell *sh, const struct stmt *st)
{
	const struct cmd_entry *cmd;
	const struct token *name;
	struct cmd_args args;
	const char *hint;
	struct buf shown;
	int n = st->argc - 1, rc, away, job;

	sh->last.made = 0;
	free(sh->last.data);
	sh->last.data = NULL;
	sh->last.len = 0;
	sh->last.fromlen = 0;
	if (st->argc == 0)
		return CMD_OK;
	name = &st->argv[0];
	if (name->kind != TOK_WORD) {
		buf_init(&shown);
		fmt_visible(&shown, name->text, name->len);
		out_error(sh,
		    "a command name is a bare word: write %s, not a "
		    "quoted string",
		    buf_str(&shown));
		buf_free(&shown);
		sh->errors++;
		return CMD_ERR;
	}
	cmd = cmd_find(name->text);
	if (cmd == NULL) {
		buf_init(&shown);
		fmt_visible(&shown, name->text, name->len);
		hint = cmd_suggest(name->text);
		if (hint)
			out_error(sh,
			    "unknown command '%s'; did you mean %s? "
			    "(help lists commands)",
			    buf_str(&shown), hint);
		else
			out_error(sh,
			    "unknown command '%s' (help lists "
			    "commands)",
			    buf_str(&shown));
		buf_free(&shown);
		sh->errors++;
		return CMD_ERR;
	}
	if (st->background && !(cmd->flags & (CMD_BACKGROUND | CMD_PROCESS)))
		return cmd_not_background(sh, cmd);
	if (n < cmd->args_min)
		return cmd_usage(sh, cmd, "missing argument%s",
		    cmd->args_min - n > 1 ? "s" : "");
	if (cmd->args_max >= 0 && n > cmd->args_max)
		return cmd_usage(sh, cmd,
		    "too many arguments (%d given, at "
		    "most %d)",
		    n, cmd->args_max);
	args.argc = n;
	args.argv = st->argv + 1;
	args.h = NULL;
	args.background = st->background;
	if ((cmd->flags & CMD_HANDLE) &&
	    cmd_handle_arg(sh, cmd, &args.argv[0], &args.h) == CMD_ERR)
		return CMD_ERR;
	job = st->background && !(cmd->flags & CMD_PROCESS);
	if (job && args.h)
		args.h->fresh = 0; /* its call may bind it */
	/* what was printed reaches the file before a call that can block */
	if (!job && (cmd->flags & CMD_BACKGROUND) && out_flush(sh) == -1)
		return CMD_ERR;
	away = cmd_away(args.h);
	if (job) /* its thread stays on the handle's host */
		rc = sh->jobs.start(sh, cmd, st, args.h);
	else
		rc = cmd->exec(sh, cmd, &args);
	if (away)
		labhost_net(labhost_here());
	if (args.h && !job)
		args.h->fresh = 0; /* a call on it may have bound it */
	return rc;
}
