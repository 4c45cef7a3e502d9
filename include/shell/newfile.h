/* Files the shell writes (record, export, diagram --svg): made new, never through a symlink. */
#ifndef SOCKSTEP_NEWFILE_H
#define SOCKSTEP_NEWFILE_H

#include <stdio.h>

struct cmd_args;
struct shell;

int newfile_force(struct cmd_args *);
FILE *newfile_open(struct shell *, const char *, const char *, int);

#endif
