/* Unit tests of proc.c and child_status: other processes as /proc shows them, wait statuses as strace shows them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"
#include "proc.h"

/* Returns the inode of the socket fd holds. */
static unsigned long
ino_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (unsigned long)st.st_ino;
}

/* A process's own state, a child's zombie state, and no process. */
static void
test_state(void **state)
{
	siginfo_t si;
	pid_t pid;

	(void)state;
	assert_int_equal(proc_state(getpid()), 'R');
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(7);
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(proc_state(pid), 'Z');
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_int_equal(proc_state(pid), 0); /* reaped: no such process */
}

/* A socket is held while a descriptor for it is open, and not after. */
static void
test_holds(void **state)
{
	unsigned long a, b;
	int sv[2];

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	a = ino_of(sv[0]);
	b = ino_of(sv[1]);
	assert_int_equal(proc_holds(getpid(), a), 1);
	assert_int_equal(proc_holds(getpid(), b), 1);
	close(sv[0]);
	assert_int_equal(proc_holds(getpid(), a), 0);
	assert_int_equal(proc_holds(getpid(), b), 1);
	close(sv[1]);
	assert_int_equal(proc_holds(getpid(), b), 0);
	assert_int_equal(proc_holds(getpid(), 0), 0);
}

/* Wait statuses are written as strace decodes them. */
static void
test_status(void **state)
{
	char s[128];
	int st;
	pid_t pid;

	(void)state;
	child_status(s, sizeof(s), 3 << 8);
	assert_string_equal(s, "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	child_status(s, sizeof(s), st);
	assert_string_equal(s, "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_holds),
		cmocka_unit_test(test_status),
	};

	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}
