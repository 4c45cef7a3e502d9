/* The lab's two hosts, alpha and beta, on one private link: their namespaces and names. */
#ifndef SOCKSTEP_LABHOST_H
#define SOCKSTEP_LABHOST_H

#include <stddef.h>

#define LABHOST_FD 220 /* the hosts' namespace fds sit at or above this fd */

int labhost_make(char *, size_t);
void labhost_record(char *, size_t);
int labhost_open(int, const char *, unsigned long);
int labhost_find(const char *);
int labhost_here(void);
const char *labhost_name(int);
const char *labhost_addr(int);
int labhost_live(int);
int labhost_net(int);

#endif
