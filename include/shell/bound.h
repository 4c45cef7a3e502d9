/* How long one call of a checked lesson may block before it counts as hung. */
#ifndef SOCKSTEP_BOUND_H
#define SOCKSTEP_BOUND_H

#include <signal.h>

#define BOUND_DEFAULT_S 10 /* seconds a call may block in --check */

extern volatile sig_atomic_t bound_expired;

struct shell;
struct stmt;

int bound_arm(struct shell *);
void bound_disarm(struct shell *);
const char *bound_waits_for(const char *);

#endif
