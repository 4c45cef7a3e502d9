#include "proc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Returns the state letter of process pid in /proc/PID/stat (R, S, Z,
 * ...), or 0 when it cannot be read (no such process, or reaped).
 */
int
proc_state(pid_t pid)
{
	char path[64], line[512], *p;
	FILE *f;
	int st = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	/* after the name in parentheses, which may hold any byte */
	if (fgets(line, sizeof(line), f) && (p = strrchr(line, ')')) &&
	    p[1] == ' ' && p[2])
		st = (unsigned char)p[2];
	fclose(f);
	return st;
}

/*
 * Calls fn with the inode of each socket a descriptor of process pid
 * holds, as /proc/PID/fd links them ("socket:[INODE]"); stops when fn
 * returns non-zero. Returns that value, 0, or -1 when the folder cannot
 * be read.
 */
static int
proc_each_socket(pid_t pid, int (*fn)(unsigned long, void *), void *arg)
{
	char path[64], link[96], target[64];
	struct dirent *e;
	unsigned long ino;
	ssize_t n;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%.16s", path, e->d_name);
		if ((n = readlink(link, target, sizeof(target) - 1)) <= 0)
			continue;
		target[n] = '\0';
		if (sscanf(target, "socket:[%lu]", &ino) == 1)
			rc = fn(ino, arg);
	}
	closedir(d);
	return rc;
}

/* proc_each_socket callback: 1 when ino is the inode looked for. */
static int
proc_is(unsigned long ino, void *arg)
{
	return ino == *(unsigned long *)arg;
}

/* Returns 1 when a descriptor of process pid holds the socket of inode ino, else 0. */
int
proc_holds(pid_t pid, unsigned long ino)
{
	return ino != 0 && proc_each_socket(pid, proc_is, &ino) == 1;
}
