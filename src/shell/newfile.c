#include "newfile.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "out.h"
#include "parse.h"
#include "shell.h"

#define NEWFILE_FD_MIN 200 /* out of the way of the sockets' fds */

/*
 * Takes a last argument --force off the arguments.
 * Returns 1 when there was one, else 0.
 */
int
newfile_force(struct cmd_args *a)
{
	if (a->argc == 0 || !parse_is_word(&a->argv[a->argc - 1], "--force"))
		return 0;
	a->argc--;
	return 1;
}

/*
 * Creates path for writing, for the command named cmd: a new file
 * (O_EXCL), never through a symbolic link (O_NOFOLLOW), replacing an
 * existing one only when force (or --force on the command line) says so.
 * The fd is kept above the sockets' so that they get the fds they would.
 * Returns the stream, or NULL after saying why.
 */
FILE *
newfile_open(struct shell *sh, const char *cmd, const char *path, int force)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, fd, high;
	FILE *fp;

	force = force || sh->force;
	flags |= force ? O_TRUNC : O_EXCL;
	if ((fd = open(path, flags, 0644)) == -1) {
		if (errno == EEXIST)
			out_error(sh,
			    "%s: %.200s exists: give another name, or add "
			    "--force to replace it",
			    cmd, path);
		else if (errno == ELOOP)
			out_error(sh,
			    "%s: %.200s is a symbolic link: not followed, "
			    "not replaced",
			    cmd, path);
		else
			out_error(sh, "%s: cannot write %.200s: %s", cmd, path,
			    strerror(errno));
		return NULL;
	}
	if ((high = fcntl(fd, F_DUPFD_CLOEXEC, NEWFILE_FD_MIN)) != -1) {
		close(fd);
		fd = high;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		out_error(sh, "%s: cannot write %.200s: %s", cmd, path,
		    strerror(errno));
		close(fd);
	}
	return fp;
}
