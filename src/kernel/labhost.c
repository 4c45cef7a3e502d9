/*
 * The lab's hosts: alpha and beta, each a network namespace and a UTS
 * namespace of its own (its interfaces, its host name) inside the lab's
 * user namespace, joined by a veth pair (eth0 on each side). Both names
 * resolve through the lab's own /etc/hosts, bind-mounted in the lab's
 * mount namespace. The process holds a descriptor of every namespace, so
 * it can make a socket on either host (a socket keeps the network
 * namespace it was made in) and other shells can join through them.
 */
#include "labhost.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rtnl.h"

/* One host of the lab. */
struct labhost {
	const char *name;
	const char *addr; /* on eth0, a /24 */
	int net; /* fd of its network namespace, -1 before the lab */
	int uts; /* fd of its UTS namespace (host name) */
};

static struct labhost labhost_v[] = {
	{ "alpha", "10.0.0.1", -1, -1 },
	{ "beta", "10.0.0.2", -1, -1 },
};
#define LABHOST_N (sizeof(labhost_v) / sizeof(labhost_v[0]))

/* The host this process lives on: -1 outside a lab. */
static int labhost_at = -1;

/*
 * Opens path and moves the fd to LABHOST_FD or above (where the limit of
 * open files allows). Returns it, or -1.
 */
static int
labhost_hold(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), hi;

	if (fd == -1)
		return -1;
	if ((hi = fcntl(fd, F_DUPFD_CLOEXEC, LABHOST_FD)) == -1)
		return fd; /* a low fd, rather than no lab */
	close(fd);
	return hi;
}

/* Holds the calling process's network and UTS namespaces as host i's. Returns 0 or -1. */
static int
labhost_hold_self(size_t i)
{
	labhost_v[i].net = labhost_hold("/proc/self/ns/net");
	labhost_v[i].uts = labhost_hold("/proc/self/ns/uts");
	return labhost_v[i].net == -1 || labhost_v[i].uts == -1 ? -1 : 0;
}

/*
 * Moves the process onto host i: its network namespace (sockets made
 * afterwards are on it) and its UTS namespace (gethostname answers its
 * name). Returns 0, or -1 with errno set.
 */
static int
labhost_go(size_t i)
{
	if (setns(labhost_v[i].net, CLONE_NEWNET) == -1 ||
	    setns(labhost_v[i].uts, CLONE_NEWUTS) == -1)
		return -1;
	labhost_at = (int)i;
	return 0;
}

/* Gives the interfaces of the current host its address and brings them up. Returns 0 or -1. */
static int
labhost_links(size_t i)
{
	struct in_addr a;

	inet_pton(AF_INET, labhost_v[i].addr, &a);
	return rtnl_up("lo") == -1 || rtnl_addr("eth0", a, 24) == -1 ||
	        rtnl_up("eth0") == -1
	    ? -1
	    : 0;
}

/*
 * Lays a copy of /etc/hosts with the lab's names over /etc/hosts in the
 * lab's own mount namespace (the process must be in one), so that
 * getaddrinfo finds alpha and beta. Returns 0, or -1 with errno set.
 */
static int
labhost_hosts(void)
{
	char path[64], text[8192], head[256];
	FILE *in = fopen("/etc/hosts", "re");
	size_t n = in ? fread(text, 1, sizeof(text) - 1, in) : 0, i, k;
	int fd, rc = -1, save;

	if (in)
		fclose(in);
	/* a named file: the kernel binds no unlinked one (ENOENT) */
	snprintf(path, sizeof(path), "/tmp/sockstep-hosts-XXXXXX");
	if ((fd = mkostemp(path, O_CLOEXEC)) == -1)
		return -1;
	fchmod(fd, 0644);
	if (n > 0 && text[n - 1] != '\n')
		text[n++] = '\n';
	/* the lab's names first: they win over any of the same name */
	for (i = 0, k = 0; i < LABHOST_N; i++)
		k += (size_t)snprintf(head + k, sizeof(head) - k, "%s\t%s\n",
		    labhost_v[i].addr, labhost_v[i].name);
	if (write(fd, head, k) == (ssize_t)k &&
	    write(fd, text, n) == (ssize_t)n &&
	    mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0 &&
	    mount(path, "/etc/hosts", "none", MS_BIND, NULL) == 0)
		rc = 0;
	save = errno;
	unlink(path); /* the mount keeps the file */
	close(fd);
	errno = save;
	return rc;
}

/*
 * Makes the lab's hosts, in a process that has just entered new user,
 * network, UTS and mount namespaces (they become alpha's): beta's
 * namespaces, the link between them, the addresses, the host names and
 * /etc/hosts. The process lives on alpha afterwards. Returns 0, or -1
 * with a message in err.
 */
int
labhost_make(char *err, size_t errlen)
{
	const char *step = "the host names";

	if (sethostname("alpha", 5) == -1 || labhost_hold_self(0) == -1)
		goto fail;
	step = "beta's namespaces";
	if (unshare(CLONE_NEWNET | CLONE_NEWUTS) == -1 ||
	    sethostname("beta", 4) == -1 || labhost_hold_self(1) == -1 ||
	    labhost_go(0) == -1)
		goto fail;
	step = "the link (a veth pair)";
	if (rtnl_veth("eth0", "eth0", labhost_v[1].net) == -1)
		goto fail;
	step = "the addresses";
	if (labhost_links(0) == -1 || labhost_go(1) == -1 ||
	    labhost_links(1) == -1 || labhost_go(0) == -1)
		goto fail;
	step = "/etc/hosts";
	if (labhost_hosts() == -1)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "--lab: cannot set up %s: %s", step,
	    strerror(errno));
	return -1;
}

/* Writes the fds of every host's namespaces, for a member's entry: "NET UTS NET UTS". */
void
labhost_record(char *out, size_t n)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < LABHOST_N && len < n; i++)
		len += (size_t)snprintf(out + len, n - len, " %d %d",
		    labhost_v[i].net, labhost_v[i].uts);
}

/*
 * Opens the hosts' namespaces through the fds that live process pid
 * holds, listed in rec (labhost_record's text), checking that alpha's
 * network namespace has inode ino; then, once the caller has joined the
 * lab's user and mount namespaces, labhost_net and the rest work.
 * Returns 0, or -1 (gone, or not that lab).
 */
int
labhost_open(int pid, const char *rec, unsigned long ino)
{
	char path[64], *end;
	struct stat st;
	size_t i;
	long fd;

	for (i = 0; i < LABHOST_N; i++) {
		int *slot[2] = { &labhost_v[i].net, &labhost_v[i].uts }, k;

		for (k = 0; k < 2; k++) {
			fd = strtol(rec, &end, 10);
			if (end == rec || fd < 0)
				return -1;
			rec = end;
			snprintf(path, sizeof(path), "/proc/%d/fd/%ld", pid,
			    fd);
			if (*slot[k] != -1)
				close(*slot[k]);
			if ((*slot[k] = labhost_hold(path)) == -1)
				return -1;
		}
	}
	if (fstat(labhost_v[0].net, &st) == -1 ||
	    (unsigned long)st.st_ino != ino)
		return -1;
	return 0;
}

/* Returns the index of host name, or -1 when the lab has none of that name. */
int
labhost_find(const char *name)
{
	size_t i;

	for (i = 0; i < LABHOST_N; i++)
		if (strcmp(labhost_v[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Returns the host the process lives on, or -1 outside a lab. */
int
labhost_here(void)
{
	return labhost_at;
}

/* Returns host i's name. */
const char *
labhost_name(int i)
{
	return labhost_v[i].name;
}

/* Returns host i's address on the link. */
const char *
labhost_addr(int i)
{
	return labhost_v[i].addr;
}

/* Moves the process onto host i for good (--host). Returns 0, or -1 with errno set. */
int
labhost_live(int i)
{
	return labhost_go((size_t)i);
}

/*
 * Enters host i's network namespace only: a socket made next is on host
 * i; the shell's host name and home stay. Returns 0, or -1 with errno set.
 */
int
labhost_net(int i)
{
	return setns(labhost_v[i].net, CLONE_NEWNET);
}
