#include "lab.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "labhost.h"

/* This shell's entry in a named lab's folder, removed as it leaves. */
static char lab_member[512];
static char lab_folder[400];

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

/*
 * Moves this process into a new user namespace, where it is root, and
 * new network, UTS and mount namespaces, and makes the lab's two hosts
 * there (labhost_make): sockets made afterwards reach nothing outside,
 * nothing outside reaches them, and capture needs no privileges. The
 * process lives on alpha. Call it before making any socket. Returns 0,
 * or -1 with a message in err.
 */
int
lab_enter(char *err, size_t errlen)
{
	char map[64];
	unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS |
	        CLONE_NEWNS) == -1) {
		snprintf(err, errlen,
		    "--lab: unshare(CLONE_NEWUSER|CLONE_NEWNET|CLONE_NEWUTS|"
		    "CLONE_NEWNS)"
		    " failed: %s: %s",
		    strerror(errno),
		    errno == ENOSPC
		        ? "no more user namespaces may be made here "
		          "(sysctl user.max_user_namespaces is 0, or used up)"
		        : errno == EINVAL
		        ? "a process running threads cannot change its user "
		          "namespace"
		        : "this system does not let users make private "
		          "namespaces (sysctl kernel.unprivileged_userns_clone "
		          "is 0, or a container's policy)");
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
	if (lab_write("/proc/self/gid_map", map) == -1) {
		snprintf(err, errlen, "--lab: cannot map the group: %s",
		    strerror(errno));
		return -1;
	}
	return labhost_make(err, errlen);
}

/* Removes this shell's entry from its lab's folder, and the folder once empty. */
static void
lab_leave(void)
{
	if (lab_member[0] && unlink(lab_member) == 0)
		rmdir(lab_folder); /* fails while other shells are in it */
}

/*
 * Makes (or opens) the folder where named labs meet: $XDG_RUNTIME_DIR/
 * sockstep-labs, else /tmp/sockstep-labs-UID; it must be this user's own
 * folder, closed to others, not a symbolic link. Returns an fd, or -1.
 */
static int
lab_open_folder(char *err, size_t errlen)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int fd;

	if (run && *run == '/')
		snprintf(lab_folder, sizeof(lab_folder), "%.300s/sockstep-labs",
		    run);
	else
		snprintf(lab_folder, sizeof(lab_folder),
		    "/tmp/sockstep-labs-%u", (unsigned)getuid());
	if (mkdir(lab_folder, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "--lab: %s: %s", lab_folder,
		    strerror(errno));
		return -1;
	}
	fd = open(lab_folder, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1 || st.st_uid != getuid() ||
	    (st.st_mode & 077) != 0) {
		snprintf(err, errlen,
		    "--lab: %s is not a folder of this user's own, closed to "
		    "others",
		    lab_folder);
		if (fd != -1)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * Joins lab member pid's user and mount namespaces, then alpha (whose
 * namespaces labhost_open has opened); the working folder stays where it
 * was. Returns 0, or -1 with errno set.
 */
static int
lab_join_pid(int pid)
{
	char path[64], cwd[4096];
	int ufd, mfd, rc = -1, save;

	snprintf(path, sizeof(path), "/proc/%d/ns/user", pid);
	ufd = open(path, O_RDONLY | O_CLOEXEC);
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", pid);
	mfd = open(path, O_RDONLY | O_CLOEXEC);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		cwd[0] = '\0';
	if (ufd != -1 && mfd != -1 && setns(ufd, CLONE_NEWUSER) == 0 &&
	    setns(mfd, CLONE_NEWNS) == 0 && labhost_live(0) == 0)
		rc = 0;
	save = errno;
	/* setns(CLONE_NEWNS) moved it to /: the same path, in the copy */
	if (cwd[0] && chdir(cwd) == -1 && rc == 0) {
		save = errno;
		rc = -1;
	}
	if (ufd != -1)
		close(ufd);
	if (mfd != -1)
		close(mfd);
	errno = save;
	return rc;
}

/*
 * Joins the namespaces of a live member of lab name, listed in folder fd
 * as NAME.PID holding the inode of alpha's network namespace and the fds
 * of the hosts' namespaces (labhost_record); removes the entries of
 * members gone. Returns 0 when joined, 1 when there is none, -1 with
 * errno set when a member was there but could not be joined.
 */
static int
lab_join_member(int dfd, const char *name)
{
	struct dirent *e;
	char buf[256], *rest;
	size_t n = strlen(name);
	int found = 1, fd, pid;
	unsigned long ino;
	ssize_t len;
	DIR *d;

	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL)
		return 1;
	while (found && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, name, n) != 0 || e->d_name[n] != '.' ||
		    (pid = atoi(e->d_name + n + 1)) <= 0)
			continue;
		fd = openat(dfd, e->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		len = fd == -1 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd != -1)
			close(fd);
		buf[len > 0 ? len : 0] = '\0';
		ino = strtoul(buf, &rest, 10);
		if (labhost_open(pid, rest, ino) == -1)
			unlinkat(dfd, e->d_name, 0); /* gone: its pid reused */
		else
			found = lab_join_pid(pid) == 0 ? 0 : -1;
	}
	closedir(d);
	return found;
}

/*
 * Enters the lab called name: joins the namespaces of a shell of this
 * user already in it, or makes them (lab_enter) when there is none, and
 * lists this shell as a member until it exits. Sets *joined. Returns 0,
 * or -1 with a message in err.
 */
int
lab_enter_named(const char *name, int *joined, char *err, size_t errlen)
{
	char entry[64], ino[256];
	struct stat st;
	int dfd, fd, rc = 0;

	if (!*name || strlen(name) > 32 ||
	    strspn(name,
	        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	        "0123456789_-") != strlen(name)) {
		snprintf(err, errlen,
		    "--lab=NAME: a name of letters, digits, _ and -, at most 32");
		return -1;
	}
	if ((dfd = lab_open_folder(err, errlen)) == -1)
		return -1;
	flock(dfd, LOCK_EX); /* one shell at a time joins or makes it */
	rc = lab_join_member(dfd, name);
	*joined = rc == 0;
	if (rc == -1)
		snprintf(err, errlen,
		    "--lab=%s: cannot join the shell already in it: %s", name,
		    strerror(errno));
	else if (rc == 1)
		rc = lab_enter(err, errlen);
	snprintf(entry, sizeof(entry), "%s.%d", name, (int)getpid());
	if (rc == 0 &&
	    (stat("/proc/self/ns/net", &st) == -1 ||
	        (fd = openat(dfd, entry,
	             O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	             0600)) == -1)) {
		snprintf(err, errlen,
		    "--lab=%s: cannot list this shell in %s: %s", name,
		    lab_folder, strerror(errno));
		rc = -1;
	} else if (rc == 0) {
		snprintf(ino, sizeof(ino), "%lu", (unsigned long)st.st_ino);
		labhost_record(ino + strlen(ino), sizeof(ino) - strlen(ino));
		if (write(fd, ino, strlen(ino)) != (ssize_t)strlen(ino)) {
			snprintf(err, errlen, "--lab=%s: writing %s: %s", name,
			    entry, strerror(errno));
			rc = -1;
		}
		close(fd);
		snprintf(lab_member, sizeof(lab_member), "%s/%s", lab_folder,
		    entry);
		atexit(lab_leave);
	}
	flock(dfd, LOCK_UN);
	close(dfd);
	return rc;
}
