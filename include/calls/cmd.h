/* The command table: the single source of names, usage, help and dispatch. */
#ifndef SOCKSTEP_CMD_H
#define SOCKSTEP_CMD_H

#include <stdarg.h>

struct shell;
struct token;
struct stmt;
struct handle;

#define CMD_OK 0
#define CMD_ERR (-1) /* usage error: nothing was called */

#define CMD_HANDLE 0x1 /* argument 1 must name a live handle */
#define CMD_NEWNAME 0x2 /* creates a handle, optionally named */
#define CMD_BACKGROUND \
	0x4 /* may run in the background: a call that can block */
#define CMD_READS 0x8 /* only reads: its calls change no socket's state */
#define CMD_ANYFD 0x10 /* its handles may be epoll handles, not sockets */
#define CMD_PROCESS \
	0x20 /* with '&' runs as a process of its own (cmd_args.background) */

enum cmd_group {
	CMD_GROUP_SETUP,
	CMD_GROUP_SERVER,
	CMD_GROUP_CLIENT,
	CMD_GROUP_DATA,
	CMD_GROUP_CLOSING,
	CMD_GROUP_OPTIONS,
	CMD_GROUP_NAMES,
	CMD_GROUP_LESSONS,
	CMD_GROUP_SHELL,
	CMD_GROUP_COUNT
};

struct cmd_args {
	int argc;
	const struct token *argv;
	struct handle *h; /* argument 1, resolved when CMD_HANDLE */
	int background; /* CMD_PROCESS: the statement ends in '&' */
};

struct cmd_entry {
	const char *name;
	const char *alias;
	const char *usage; /* arguments, after the name */
	int args_min;
	int args_max;
	unsigned flags;
	enum cmd_group group;
	const char *summary; /* one line for the list */
	const char *help; /* what it does, in plain sentences */
	const char *errors; /* common errors and what they mean */
	const char *man; /* the man page to read */
	const char *complete; /* what Tab offers for each argument (complete.c) */
	int (
	    *exec)(struct shell *, const struct cmd_entry *, struct cmd_args *);
};

extern const struct cmd_entry *const cmd_table[];
extern const char *const cmd_group_names[];

void cmd_index_make(void);
void cmd_index_make(void);
const struct cmd_entry *cmd_find(const char *);
const char *cmd_suggest(const char *);
int cmd_distance(const char *, const char *);
int cmd_usage(struct shell *, const struct cmd_entry *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
int cmd_run(struct shell *, const struct stmt *);
int cmd_closed(struct shell *, const struct cmd_entry *, const struct handle *);
int cmd_handle_arg(struct shell *, const struct cmd_entry *,
    const struct token *, struct handle **);
int cmd_new_name(struct shell *, const struct cmd_entry *, const struct token *,
    const char *, char *);

#endif
