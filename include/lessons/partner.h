/* A lesson's partner: the other half of a pair, checked alongside in a second process. */
#ifndef SOCKSTEP_PARTNER_H
#define SOCKSTEP_PARTNER_H

#include <sys/types.h>

struct vars;

struct partner {
	pid_t pid;
	int out; /* its standard output: the summary line */
	const char *name;
};

int partner_start(struct partner *, const char *, const struct vars *, int,
    int);
int partner_wait_listen(struct partner *, int, int);
int partner_finish(struct partner *, int, int, int *, int *);

#endif
