/* Arguments that several commands share: addresses, on/off, handle fds in call lines. */
#ifndef SOCKSTEP_ARG_H
#define SOCKSTEP_ARG_H

struct shell;
struct cmd_entry;
struct handle;
struct token;
struct addr;

int arg_addr(struct shell *, const struct cmd_entry *, const struct handle *,
    const struct token *, int, struct addr *);
int arg_bool(const struct token *, int *);

#endif
