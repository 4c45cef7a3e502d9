/* Lab mode: a private user and network namespace, where capture needs no root. */
#ifndef SOCKSTEP_LAB_H
#define SOCKSTEP_LAB_H

#include <stddef.h>

int lab_enter(char *, size_t);

#endif
