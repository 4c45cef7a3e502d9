/*
 * Fuzzes whole lines and lessons: the input is read as a lesson file,
 * line by line through repl_script and shell_run_line, in a fresh shell
 * on the fake socket calls, in one of the five modes (chosen by the
 * input's length). Output goes nowhere. The commands that reach outside
 * the shell are wrapped at link time (see CMakeLists.txt): record writes
 * to /dev/null, lesson and source read no file, and no sleep sleeps.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fake_sys.h"
#include "repl.h"
#include "shell.h"
#include "run.h"

int __real_record_start(struct shell *, const char *, int);
int __wrap_record_start(struct shell *, const char *, int);
int __wrap_lesson_play(struct shell *, const char *);
int __wrap_lesson_run_file(struct shell *, const char *);
int __wrap_nanosleep(const struct timespec *, struct timespec *);

/* record FILE: records to /dev/null whatever FILE is (made new or not). */
int
__wrap_record_start(struct shell *sh, const char *path, int force)
{
	(void)path;
	(void)force;
	return __real_record_start(sh, "/dev/null", 1);
}

/* lesson NAME: there is no lesson (a played lesson uses real sockets). */
int
__wrap_lesson_play(struct shell *sh, const char *name)
{
	(void)sh;
	(void)name;
	return -1;
}

/* source FILE: reads nothing. */
int
__wrap_lesson_run_file(struct shell *sh, const char *path)
{
	(void)sh;
	(void)path;
	return 0;
}

/* Sleeps not at all: expect's waits and play's pace cost no time. */
int
__wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	(void)req;
	(void)rem;
	return 0;
}

/* Discards what the shell prints. */
static ssize_t
fuzz_null_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	(void)buf;
	return (ssize_t)size;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const cookie_io_functions_t null_io = {
		.write = fuzz_null_write,
	};
	static const enum shell_mode modes[] = { MODE_RUN, MODE_CHECK,
		MODE_PLAY, MODE_STEP, MODE_QUIZ };
	static char answers[] = "\n0\nfd\nESTABLISHED\n\n\nq\n";
	struct shell sh;
	FILE *out, *in, *ctl;

	if (size == 0)
		return 0;
	out = fopencookie(NULL, "w", null_io);
	in = fmemopen((void *)data, size, "r");
	ctl = fmemopen(answers, sizeof(answers) - 1, "r");
	if (out == NULL || in == NULL || ctl == NULL)
		__builtin_trap();
	fake_sys_reset();
	shell_init(&sh, &fake_sys, out, out);
	sh.mode = modes[size % 5];
	sh.ctl = ctl;
	sh.delay_ms = 1;
	repl_script(&sh, in, "fuzz.lesson");
	shell_close_all(&sh);
	shell_free(&sh);
	fclose(in);
	fclose(ctl);
	fclose(out);
	return 0;
}
