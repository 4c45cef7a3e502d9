/* Ctrl-C and SIGPIPE: caught, remembered, never fatal. */
#ifndef SOCKSTEP_SIG_H
#define SOCKSTEP_SIG_H

#include <signal.h>

extern volatile sig_atomic_t sig_int;
extern volatile sig_atomic_t sig_pipe;

void sig_install(void);
void sig_install_cancel(void);

#endif
