/*
 * Route netlink requests (rtnetlink(7)) made in the calling process's
 * network namespace: what `ip link add NAME type veth peer name PEER
 * netns NS`, `ip addr add` and `ip link set up` send, so the lab needs
 * no `ip` command. Each request waits for the kernel's acknowledgement.
 */
#include "rtnl.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A request being built: the header, its body and attributes. */
struct rtnl_req {
	struct nlmsghdr *h;
	char buf[1024];
};

/* Starts a request of type with flags and a body of len bytes. */
static void *
rtnl_start(struct rtnl_req *r, int type, int flags, size_t len)
{
	memset(r->buf, 0, sizeof(r->buf));
	r->h = (struct nlmsghdr *)r->buf;
	r->h->nlmsg_type = (unsigned short)type;
	r->h->nlmsg_flags = (unsigned short)(NLM_F_REQUEST | NLM_F_ACK | flags);
	r->h->nlmsg_len = (unsigned)NLMSG_LENGTH(len);
	return NLMSG_DATA(r->h);
}

/* Appends attribute type holding len bytes of data. Returns it. */
static struct rtattr *
rtnl_attr(struct rtnl_req *r, int type, const void *data, size_t len)
{
	struct rtattr *a =
	    (struct rtattr *)(r->buf + NLMSG_ALIGN(r->h->nlmsg_len));

	a->rta_type = (unsigned short)type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	r->h->nlmsg_len =
	    (unsigned)(NLMSG_ALIGN(r->h->nlmsg_len) + RTA_ALIGN(a->rta_len));
	return a;
}

/* Closes nested attribute a, opened by rtnl_attr with no data. */
static void
rtnl_end(struct rtnl_req *r, struct rtattr *a)
{
	a->rta_len = (unsigned short)(r->buf + r->h->nlmsg_len - (char *)a);
}

/* Sends the request and reads the kernel's answer. Returns 0, or -1 with errno set. */
static int
rtnl_talk(struct rtnl_req *r)
{
	struct sockaddr_nl nl = { .nl_family = AF_NETLINK };
	char ans[1024];
	struct nlmsghdr *h = (struct nlmsghdr *)ans;
	int fd, rc = -1, err = EPROTO;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd == -1)
		return -1;
	if (sendto(fd, r->buf, r->h->nlmsg_len, 0, (struct sockaddr *)&nl,
	        sizeof(nl)) == (ssize_t)r->h->nlmsg_len &&
	    (n = recv(fd, ans, sizeof(ans), 0)) >= (ssize_t)NLMSG_HDRLEN &&
	    h->nlmsg_type == NLMSG_ERROR &&
	    (size_t)n >= NLMSG_LENGTH(sizeof(struct nlmsgerr))) {
		err = -((struct nlmsgerr *)NLMSG_DATA(h))->error;
		rc = err == 0 ? 0 : -1;
	} else if (errno)
		err = errno;
	close(fd);
	errno = err;
	return rc;
}

/*
 * Makes a veth pair: name here, peer in the network namespace that fd
 * netns refers to. Returns 0, or -1 with errno set.
 */
int
rtnl_veth(const char *name, const char *peer, int netns)
{
	struct rtnl_req r;
	struct ifinfomsg *ifi;
	struct rtattr *info, *data, *end;

	rtnl_start(&r, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifi));
	rtnl_attr(&r, IFLA_IFNAME, name, strlen(name) + 1);
	info = rtnl_attr(&r, IFLA_LINKINFO, NULL, 0);
	rtnl_attr(&r, IFLA_INFO_KIND, "veth", 4);
	data = rtnl_attr(&r, IFLA_INFO_DATA, NULL, 0);
	end = rtnl_attr(&r, VETH_INFO_PEER, NULL, 0);
	/* the peer's own ifinfomsg, then its attributes */
	r.h->nlmsg_len += (unsigned)NLMSG_ALIGN(sizeof(*ifi));
	rtnl_attr(&r, IFLA_IFNAME, peer, strlen(peer) + 1);
	rtnl_attr(&r, IFLA_NET_NS_FD, &netns, sizeof(netns));
	rtnl_end(&r, end);
	rtnl_end(&r, data);
	rtnl_end(&r, info);
	return rtnl_talk(&r);
}

/* Gives interface name the IPv4 address addr/prefix. Returns 0, or -1 with errno set. */
int
rtnl_addr(const char *name, struct in_addr addr, int prefix)
{
	struct rtnl_req r;
	struct ifaddrmsg *ifa;
	unsigned idx = if_nametoindex(name);

	if (idx == 0)
		return -1;
	ifa = rtnl_start(&r, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
	    sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_index = idx;
	rtnl_attr(&r, IFA_LOCAL, &addr, sizeof(addr));
	rtnl_attr(&r, IFA_ADDRESS, &addr, sizeof(addr));
	return rtnl_talk(&r);
}

/* Brings interface name up. Returns 0, or -1 with errno set. */
int
rtnl_up(const char *name)
{
	struct rtnl_req r;
	struct ifinfomsg *ifi;
	unsigned idx = if_nametoindex(name);

	if (idx == 0)
		return -1;
	ifi = rtnl_start(&r, RTM_NEWLINK, 0, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = (int)idx;
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return rtnl_talk(&r);
}
