/* Other processes as /proc shows them: their state, and the sockets their descriptors hold. */
#ifndef SOCKSTEP_PROC_H
#define SOCKSTEP_PROC_H

#include <sys/types.h>

int proc_state(pid_t);
int proc_holds(pid_t, unsigned long);

#endif
