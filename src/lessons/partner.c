#include "partner.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "portcheck.h"
#include "shell.h"
#include "var.h"
#include "xalloc.h"

#define PARTNER_SLICE_MS 20 /* how often a wait looks again */

/* Sleeps one slice of a wait. */
static void
partner_nap(void)
{
	struct timespec ts = { 0, PARTNER_SLICE_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Starts sockstep --check on the partner lesson at path, in a child
 * process with the command line's variables; first, when listen_first is
 * set, the child waits (up to bound_s) for something to listen on port.
 * Returns 0, or -1 with errno set.
 */
int
partner_start(struct partner *p, const char *path, const struct vars *vars,
    int bound_s, int listen_first)
{
	char exe[1024], **argv, timeout[16];
	const char *port = var_get(vars, "PORT");
	size_t i, n = 0;
	ssize_t len;
	int fds[2], null, tries;

	if ((len = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) <= 0)
		return -1;
	exe[len] = '\0';
	argv = xcalloc(vars->n * 2 + 8, sizeof(*argv));
	argv[n++] = exe;
	argv[n++] = xstrdup("--check");
	argv[n++] = xstrdup(path);
	snprintf(timeout, sizeof(timeout), "%d", bound_s);
	argv[n++] = xstrdup("--timeout");
	argv[n++] = xstrdup(timeout);
	for (i = 0; i < vars->n; i++) {
		if (!vars->v[i].fixed)
			continue;
		argv[n++] = xstrdup("--var");
		argv[n] = xmalloc(
		    strlen(vars->v[i].name) + strlen(vars->v[i].value) + 2);
		sprintf(argv[n++], "%s=%s", vars->v[i].name, vars->v[i].value);
	}
	if (pipe2(fds, O_CLOEXEC) == -1 || (p->pid = fork()) == -1) {
		for (i = 1; i < n; i++)
			free(argv[i]);
		free(argv);
		return -1;
	}
	if (p->pid == 0) {
		dup2(fds[1], 1);
		if ((null = open("/dev/null", O_RDONLY)) != -1)
			dup2(null, 0);
		setenv("SOCKSTEP_PARTNER", "1", 1);
		tries = bound_s * 1000 / PARTNER_SLICE_MS;
		while (listen_first && port && tries-- > 0 &&
		    !portcheck_listening(atoi(port)))
			partner_nap();
		execv(exe, argv);
		_exit(127);
	}
	close(fds[1]);
	p->out = fds[0];
	for (i = 1; i < n; i++)
		free(argv[i]);
	free(argv);
	return 0;
}

/*
 * Waits up to bound_s seconds until the partner listens on port.
 * Returns 0, or -1 when it ended or never listened.
 */
int
partner_wait_listen(struct partner *p, int port, int bound_s)
{
	int tries = bound_s * 1000 / PARTNER_SLICE_MS;

	while (tries-- > 0) {
		if (portcheck_listening(port))
			return 0;
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid) {
			p->pid = -1;
			return -1;
		}
		partner_nap();
	}
	return -1;
}

/*
 * Ends the partner: stops it when stop is set, else waits up to bound_s
 * seconds for it, and adds the counts of its summary line. Returns its
 * exit status, or -1 when it had to be killed.
 */
int
partner_finish(struct partner *p, int stop, int bound_s, int *passed,
    int *failed)
{
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int status = 0, tries = (bound_s + 5) * 1000 / PARTNER_SLICE_MS;
	int rc = -1, np = 0, nf = 0;
	char *last;

	if (p->pid > 0 && stop)
		kill(p->pid, SIGTERM);
	while (p->pid > 0 && tries-- > 0) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			p->pid = -1;
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
			break;
		}
		partner_nap();
	}
	if (p->pid > 0) {
		kill(p->pid, SIGKILL);
		waitpid(p->pid, &status, 0);
		p->pid = -1;
	}
	while (len < sizeof(buf) - 1 &&
	    ((n = read(p->out, buf + len, sizeof(buf) - 1 - len)) > 0 ||
	        (n == -1 && errno == EINTR)))
		if (n > 0)
			len += (size_t)n;
	buf[len] = '\0';
	close(p->out);
	if (stop)
		return rc;
	while (len > 0 && buf[len - 1] == '\n')
		buf[--len] = '\0';
	last = strrchr(buf, '\n');
	if (sscanf(last ? last + 1 : buf, "%d passed, %d failed", &np, &nf) ==
	    2) {
		*passed += np;
		*failed += nf;
	}
	if (rc != 0 && nf == 0)
		(*failed)++;
	return rc;
}
