/* Route netlink, as `ip` speaks it: a veth pair, an address, a link up. */
#ifndef SOCKSTEP_RTNL_H
#define SOCKSTEP_RTNL_H

#include <netinet/in.h>

int rtnl_veth(const char *, const char *, int);
int rtnl_addr(const char *, struct in_addr, int);
int rtnl_up(const char *);

#endif
