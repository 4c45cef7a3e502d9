#include "lesson.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "out.h"
#include "repl.h"
#include "shell.h"
#include "run.h"
#include "sys.h"
#include "xalloc.h"

#ifndef SOCKSTEP_DATA_DIR
#define SOCKSTEP_DATA_DIR "/usr/local/share/sockstep"
#endif
#ifndef SOCKSTEP_SOURCE_DIR
#define SOCKSTEP_SOURCE_DIR "."
#endif

#define LESSON_DIRS 5

/* Writes the folder of the running program into dir. Returns 0 or -1. */
static int
lesson_exe_dir(char *dir, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", dir, len - 1);
	char *slash;

	if (n <= 0)
		return -1;
	dir[n] = '\0';
	if ((slash = strrchr(dir, '/')) == NULL)
		return -1;
	*slash = '\0';
	return 0;
}

/*
 * Fills dirs with the folders lessons are looked for in, first match
 * wins: the user's, then ../share/sockstep/lessons beside the program (an
 * installed copy, wherever the prefix), the install prefix's, the source
 * tree's.
 */
static int
lesson_dirs(char dirs[LESSON_DIRS][1024])
{
	const char *env = getenv("SOCKSTEP_LESSONS");
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	char exe[900];
	int n = 0;

	if (env && *env)
		snprintf(dirs[n++], 1024, "%s", env);
	if (xdg && *xdg == '/')
		snprintf(dirs[n++], 1024, "%s/sockstep/lessons", xdg);
	else if (home && *home)
		snprintf(dirs[n++], 1024, "%s/.local/share/sockstep/lessons",
		    home);
	if (lesson_exe_dir(exe, sizeof(exe)) == 0)
		snprintf(dirs[n++], 1024, "%s/../share/sockstep/lessons", exe);
	snprintf(dirs[n++], 1024, "%s/lessons", SOCKSTEP_DATA_DIR);
	snprintf(dirs[n++], 1024, "%s/lessons", SOCKSTEP_SOURCE_DIR);
	return n;
}

/* Returns 1 when path is a readable regular file. */
static int
lesson_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	    access(path, R_OK) == 0;
}

/*
 * Finds a lesson by file path or by name (echo finds echo.lesson in the
 * lesson folders). Returns 0 with the path in out, or -1.
 */
int
lesson_find(const char *name, char *out, size_t len)
{
	char dirs[LESSON_DIRS][1024];
	int i, n;

	if (lesson_exists(name)) {
		snprintf(out, len, "%s", name);
		return 0;
	}
	if (strchr(name, '/'))
		return -1;
	n = lesson_dirs(dirs);
	for (i = 0; i < n; i++) {
		snprintf(out, len, "%s/%s.lesson", dirs[i], name);
		if (lesson_exists(out))
			return 0;
	}
	return -1;
}

/* Writes into out the first title (== ...) of a lesson file, or "". */
static void
lesson_title(const char *path, char *out, size_t len)
{
	char line[512];
	FILE *fp = fopen(path, "r");

	*out = '\0';
	if (fp == NULL)
		return;
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "==", 2) == 0) {
			snprintf(out, len, "%s",
			    line + 2 + strspn(line + 2, " "));
			out[strcspn(out, "\r\n")] = '\0';
			break;
		}
	}
	fclose(fp);
}

/* Compares two names for qsort. */
static int
lesson_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Returns the names of every lesson lesson_find can reach, sorted, each
 * once, and their number in *n. Free with lesson_names_free.
 */
char **
lesson_names(size_t *n)
{
	char dirs[LESSON_DIRS][1024];
	char **names = NULL;
	size_t l, i, k = 0;
	struct dirent *de;
	DIR *d;
	int j, nd = lesson_dirs(dirs);

	*n = 0;
	for (j = 0; j < nd; j++) {
		if ((d = opendir(dirs[j])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			l = strlen(de->d_name);
			if (l <= 7 || strcmp(de->d_name + l - 7, ".lesson"))
				continue;
			names = xrealloc(names, (*n + 1) * sizeof(*names));
			names[(*n)++] = xmemdup(de->d_name, l - 7);
		}
		closedir(d);
	}
	if (*n)
		qsort(names, *n, sizeof(*names), lesson_cmp);
	for (i = 0; i < *n; i++) {
		if (k > 0 && strcmp(names[i], names[k - 1]) == 0)
			free(names[i]);
		else
			names[k++] = names[i];
	}
	*n = k;
	return names;
}

/* Frees a list from lesson_names. */
void
lesson_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Prints every lesson that lesson_find can reach, one line each. */
void
lesson_list(struct shell *sh)
{
	char path[2048], title[256];
	size_t n, i;
	char **names = lesson_names(&n);

	for (i = 0; i < n; i++) {
		if (lesson_find(names[i], path, sizeof(path)) == 0)
			lesson_title(path, title, sizeof(title));
		else
			title[0] = '\0';
		out_line(sh, "  %-12s %s", names[i], title);
	}
	if (n == 0)
		out_line(sh, "no lessons found");
	lesson_names_free(names, n);
}

/* Reads all of fp into memory. Returns the bytes (free them), or NULL on error. */
static char *
lesson_slurp(FILE *fp, size_t *len)
{
	char *p = NULL;
	size_t cap = 0, n;

	*len = 0;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			p = xrealloc(p, cap + 1);
		}
		n = fread(p + *len, 1, cap - *len, fp);
		*len += n;
	} while (n > 0);
	if (ferror(fp)) {
		free(p);
		return NULL;
	}
	return p;
}

/*
 * Runs the script in path ("-" for stdin) in sh. A file is read whole and
 * closed first, so that the first socket gets fd 3 as in the docs.
 * Returns the exit status: 0, 2 after a usage or syntax error.
 */
int
lesson_run_file(struct shell *sh, const char *path)
{
	const char *src = sh->src;
	long line = sh->line;
	FILE *fp, *mem;
	size_t len;
	char *text;
	int rc = 0;

	if (strcmp(path, "-") == 0)
		return repl_script(sh, stdin, "<stdin>");
	if ((fp = fopen(path, "r")) == NULL) {
		out_error(sh, "cannot open %s: %s", path, strerror(errno));
		sh->errors++;
		return 2;
	}
	text = lesson_slurp(fp, &len);
	fclose(fp);
	if (text == NULL) {
		out_error(sh, "cannot read %s", path);
		sh->errors++;
		return 2;
	}
	sh->line = 0;
	if (len > 0 && (mem = fmemopen(text, len, "r")) != NULL) {
		rc = repl_script(sh, mem, path);
		fclose(mem);
	}
	free(text);
	sh->src = src;
	sh->line = line;
	return rc;
}

/* Discards what is written to it: the output of a lesson being checked. */
static ssize_t
lesson_null_write(void *cookie, const char *buf, size_t size)
{
	(void)cookie;
	(void)buf;
	return (ssize_t)size;
}

/* Copies the fixed variables of the command line into sh. */
static void
lesson_copy_vars(struct shell *sh, const struct vars *vs)
{
	size_t i;

	for (i = 0; vs && i < vs->n; i++)
		var_set(&sh->vars, vs->v[i].name, vs->v[i].value, 1);
}

/*
 * Runs one lesson file in a fresh shell in the mode of o, adding its
 * counts to the totals. Returns its exit status as a script.
 */
static int
lesson_one(const struct lesson_opts *o, const char *path, FILE *out,
    int *passed, int *failed, int *asked, int *right)
{
	struct shell sh;
	int rc;

	shell_init(&sh, &sys_real, out, stderr);
	sh.mode = o->mode;
	sh.delay_ms = o->delay_ms;
	sh.color = o->color;
	sh.color_err = o->color && isatty(2);
	sh.notes = o->notes;
	if (!o->notes || (o->mode == MODE_CHECK && !o->verbose))
		sh.states = sh.segments = 0; /* nobody sees them */
	lesson_copy_vars(&sh, o->vars);
	rc = lesson_run_file(&sh, path);
	shell_close_all(&sh);
	if (o->mode == MODE_CHECK && o->verbose)
		fprintf(stderr, "%s: %d passed, %d failed\n", path, sh.passed,
		    sh.failed);
	*passed += sh.passed;
	*failed += sh.failed;
	*asked += sh.asked;
	*right += sh.right;
	shell_free(&sh);
	return rc;
}

/* Says why name is no lesson: a directory, unreadable, or not found. */
static void
lesson_not_found(const char *name)
{
	struct stat st;

	if (stat(name, &st) == 0 && S_ISDIR(st.st_mode))
		fprintf(stderr,
		    "sockstep: %s: is a directory, not a lesson file\n", name);
	else if (stat(name, &st) == 0 && access(name, R_OK) != 0)
		fprintf(stderr, "sockstep: %s: %s\n", name, strerror(errno));
	else if (stat(name, &st) == 0 && !S_ISREG(st.st_mode))
		fprintf(stderr, "sockstep: %s: not a regular file\n", name);
	else
		fprintf(stderr,
		    "sockstep: no lesson '%s' (sockstep -c "
		    "lessons lists them)\n",
		    name);
}

/*
 * Runs lessons named on the command line in one mode. Check mode prints
 * "N passed, M failed" and returns 1 on any mismatch; a lesson that cannot
 * be found or has a syntax error returns 2.
 */
int
lesson_main(const struct lesson_opts *o, char **names, int n)
{
	static const cookie_io_functions_t null_io = {
		.write = lesson_null_write,
	};
	int i, rc, status = 0, passed = 0, failed = 0, asked = 0, right = 0;
	char path[2048];
	FILE *out = stdout, *null = NULL;

	if (o->mode == MODE_CHECK && !o->verbose) {
		null = fopencookie(NULL, "w", null_io);
		if (null)
			out = null;
	}
	for (i = 0; i < n; i++) {
		if (lesson_find(names[i], path, sizeof(path)) == -1) {
			lesson_not_found(names[i]);
			status = 2;
			continue;
		}
		rc = lesson_one(o, path, out, &passed, &failed, &asked, &right);
		if (rc == 2)
			status = 2;
		else if (rc != 0 && status == 0)
			status = rc;
	}
	if (null)
		fclose(null);
	if (o->mode == MODE_CHECK) {
		printf("%d passed, %d failed\n", passed, failed);
		if (failed && status == 0)
			status = 1;
	}
	if (o->mode == MODE_QUIZ)
		printf("score: %d of %d right\n", right, asked);
	fflush(stdout);
	return status;
}

/* Plays a lesson at the prompt in a fresh shell of its own. Returns 0 or -1. */
int
lesson_play(struct shell *sh, const char *name)
{
	struct lesson_opts o;
	char path[2048];
	int passed = 0, failed = 0, asked = 0, right = 0;

	if (lesson_find(name, path, sizeof(path)) == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	o.mode = MODE_PLAY;
	o.delay_ms = sh->delay_ms;
	o.color = sh->color;
	o.notes = sh->notes;
	o.vars = &sh->vars;
	lesson_one(&o, path, sh->out, &passed, &failed, &asked, &right);
	return 0;
}
