#include "epollinfo.h"

#include <stdio.h>
#include <string.h>

/*
 * Reads what epoll instance epfd of process (or thread) pid watches, from
 * /proc/PID/fdinfo/EPFD's "tfd:" lines, into v (at most max of them):
 * the fd as it was when added, the events, the data and the file's inode.
 * Returns how many, or -1 when the file cannot be read.
 */
int
epollinfo_read(pid_t pid, int epfd, struct epollinfo *v, int max)
{
	char path[64], line[256];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, epfd);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (n < max && fgets(line, sizeof(line), f))
		if (strncmp(line, "tfd:", 4) == 0 &&
		    sscanf(line,
		        "tfd: %d events: %x data: %llx pos:%*s ino:%lx",
		        &v[n].fd, &v[n].events, &v[n].data, &v[n].ino) == 4)
			n++;
	fclose(f);
	return n;
}
