/* The shell's own commands (cmd-shell.c): what set offers Tab. */
#ifndef SOCKSTEP_CMD_SHELL_H
#define SOCKSTEP_CMD_SHELL_H

const char *cmd_set_name(int);
const char *const *cmd_set_words(const char *);

#endif
