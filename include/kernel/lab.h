/* Lab mode: a private user and network namespace, where capture needs no root; named, shared by shells. */
#ifndef SOCKSTEP_LAB_H
#define SOCKSTEP_LAB_H

#include <stddef.h>

int lab_enter(char *, size_t);
int lab_enter_named(const char *, int *, char *, size_t);

#endif
