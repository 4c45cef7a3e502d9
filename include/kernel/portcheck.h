/* Ports a lesson names: who holds one, whether one listens, a free one. */
#ifndef SOCKSTEP_PORTCHECK_H
#define SOCKSTEP_PORTCHECK_H

#include <stddef.h>

int portcheck_holder(int, char *, size_t);
int portcheck_listening(int);
int portcheck_free(void);

#endif
