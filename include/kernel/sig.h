/* Ctrl-C, SIGPIPE, SIGTERM and SIGHUP: caught, remembered, never fatal. */
#ifndef SOCKSTEP_SIG_H
#define SOCKSTEP_SIG_H

#include <signal.h>

extern volatile sig_atomic_t sig_int;
extern volatile sig_atomic_t sig_pipe;
extern volatile sig_atomic_t sig_end; /* SIGTERM or SIGHUP came: 0 or it */
extern volatile sig_atomic_t sig_last; /* the last signal caught */

void sig_install(void);
void sig_install_cancel(void);
void sig_pipe_ignore(int);
const char *sig_what(void);
int sig_stops_input(void);

#endif
