/* Child processes of the shell (fork): made, driven with @NAME, reaped, ended. */
#ifndef SOCKSTEP_CHILD_H
#define SOCKSTEP_CHILD_H

#include <sys/types.h>

struct buf;
struct shell;
struct shell_kid;
struct stmt;

struct shell_kid *child_find(struct shell *, const char *);
pid_t child_fork(struct shell *, const char *);
int child_is_at(const struct stmt *);
int child_run(struct shell *, const struct stmt *);
int child_ask(struct shell *, struct shell_kid *, const struct buf *);
void child_forget(struct shell *, struct shell_kid *);
pid_t child_reap(struct shell *, struct shell_kid *);
void child_end_all(struct shell *);
void child_status(char *, size_t, int);
void child_say(struct shell *, const struct shell_kid *);

#endif
