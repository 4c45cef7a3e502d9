/* sockstep trace: a real program's socket calls, printed and explained as the shell's own. */
#ifndef SOCKSTEP_TRACE_H
#define SOCKSTEP_TRACE_H

int trace_main(int, char **);

#endif
