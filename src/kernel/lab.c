#include "lab.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

/* Writes text to the file at path. Returns 0, or -1 with errno set. */
static int
lab_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), save;
	ssize_t n;

	if (fd == -1)
		return -1;
	n = write(fd, text, strlen(text));
	save = errno;
	close(fd);
	errno = save;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Brings the namespace's own loopback interface up. Returns 0 or -1. */
static int
lab_lo_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd == -1)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		rc = ioctl(fd, SIOCSIFFLAGS, &ifr);
	}
	close(fd);
	return rc;
}

/*
 * Moves this process into a new user namespace, where it is root, and a
 * new network namespace with only a loopback interface: sockets made
 * afterwards reach nothing outside, nothing outside reaches them, and
 * capture on lo needs no privileges. Call it before making any socket.
 * Returns 0, or -1 with a message in err.
 */
int
lab_enter(char *err, size_t errlen)
{
	char map[64];
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1) {
		snprintf(err, errlen,
		    "--lab: unshare(CLONE_NEWUSER|CLONE_NEWNET)"
		    " failed: %s: this system does not let users make private "
		    "namespaces (a container, or user.max_user_namespaces)",
		    strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (lab_write("/proc/self/setgroups", "deny") == -1 ||
	    lab_write("/proc/self/uid_map", map) == -1) {
		snprintf(err, errlen, "--lab: cannot map the user: %s",
		    strerror(errno));
		return -1;
	}
	snprintf(map, sizeof(map), "0 %u 1", gid);
	if (lab_write("/proc/self/gid_map", map) == -1 || lab_lo_up() == -1) {
		snprintf(err, errlen, "--lab: cannot set up the namespace: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}
