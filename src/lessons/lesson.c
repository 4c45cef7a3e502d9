#include "lesson.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bound.h"
#include "buf.h"
#include "capture.h"
#include "cmd.h"
#include "diagram.h"
#include "expect.h"
#include "labhost.h"
#include "out.h"
#include "parse.h"
#include "pyline.h"
#include "partner.h"
#include "portcheck.h"
#include "repl.h"
#include "shell.h"
#include "run.h"
#include "sig.h"
#include "sys.h"
#include "track.h"
#include "xalloc.h"

#ifndef SOCKSTEP_DATA_DIR
#define SOCKSTEP_DATA_DIR "/usr/local/share/sockstep"
#endif
#define LESSON_DIRS 4
#define LESSON_MAX_BYTES (16 << 20) /* a script read whole */

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
 * wins: $SOCKSTEP_LESSONS, the user's, then ../share/sockstep/lessons
 * beside the program (an installed copy, wherever the prefix), the install
 * prefix's. No build or source tree: tests name theirs in SOCKSTEP_LESSONS.
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

/* Returns 1 when name is a file's (it has a slash or ends in .lesson). */
static int
lesson_is_path(const char *name)
{
	size_t n = strlen(name);

	return strchr(name, '/') != NULL ||
	    (n >= 7 && strcmp(name + n - 7, ".lesson") == 0);
}

/*
 * Finds a lesson: a name with a slash or ending in .lesson is a file; a
 * bare name (echo) is echo.lesson in the lesson folders, never a file of
 * that name in the current folder. Returns 0 with the path in out, or -1.
 */
int
lesson_find(const char *name, char *out, size_t len)
{
	char dirs[LESSON_DIRS][1024];
	int i, n;

	if (lesson_is_path(name)) {
		snprintf(out, len, "%s", name);
		return lesson_exists(name) ? 0 : -1;
	}
	n = lesson_dirs(dirs);
	for (i = 0; i < n; i++) {
		if (snprintf(out, len, "%s/%s.lesson", dirs[i], name) <
		        (int)len &&
		    lesson_exists(out))
			return 0; /* a path cut short is not looked at */
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
	size_t n, i, w = 12;
	char **names = lesson_names(&n);

	for (i = 0; i < n; i++) /* the titles in one column */
		if (strlen(names[i]) > w)
			w = strlen(names[i]);
	for (i = 0; i < n; i++) {
		if (lesson_find(names[i], path, sizeof(path)) == 0)
			lesson_title(path, title, sizeof(title));
		else
			title[0] = '\0';
		out_line(sh, "  %-*s %s", (int)w, names[i], title);
	}
	if (n == 0)
		out_line(sh, "no lessons found");
	lesson_names_free(names, n);
}

/*
 * Reads all of fp into memory, at most LESSON_MAX_BYTES (a stream such as
 * /dev/zero never ends) and until Ctrl-C. Returns the bytes (free them),
 * or NULL with the reason in err.
 */
static char *
lesson_slurp(FILE *fp, size_t *len, char *err, size_t errlen)
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
		if (*len > LESSON_MAX_BYTES || sig_int) {
			snprintf(err, errlen,
			    sig_int ? "interrupted"
			            : "more than %d MiB: too big for a script",
			    LESSON_MAX_BYTES >> 20);
			free(p);
			return NULL;
		}
	} while (n > 0);
	if (ferror(fp)) {
		snprintf(err, errlen, "%s", strerror(errno));
		free(p);
		return NULL;
	}
	return p;
}

/*
 * Notes that sh runs the file st is of, unless it already runs it, or a
 * shell that plays sh does: a file that sources or plays itself, even
 * through others, would never end. Returns 0, or -1 after saying so.
 */
static int
lesson_enter(struct shell *sh, const char *path, const struct stat *st)
{
	const struct shell *s;
	int i;

	for (s = sh; s; s = s->parent)
		for (i = 0; i < s->nrunning; i++)
			if (s->running[i].dev == st->st_dev &&
			    s->running[i].ino == st->st_ino) {
				out_error(sh,
				    "%s is running already: a script that "
				    "sources or plays itself (here or through "
				    "another) would never end",
				    path);
				sh->errors++;
				return -1;
			}
	if (sh->nrunning == SHELL_FILES_MAX) {
		out_error(sh, "%s: scripts run %d deep", path, sh->nrunning);
		sh->errors++;
		return -1;
	}
	sh->running[sh->nrunning].dev = st->st_dev;
	sh->running[sh->nrunning++].ino = st->st_ino;
	return 0;
}

/* Frees the text of the script lesson_read gave, which sh no longer runs. */
static void
lesson_leave(struct shell *sh, char *text)
{
	sh->nrunning--;
	free(text);
}

/*
 * Reads the script at path whole, a regular file or a stream of at most
 * LESSON_MAX_BYTES, and closes it, so that the first socket gets fd 3 as
 * in the docs; sh runs it until lesson_leave. Returns the bytes, or NULL
 * after saying why (not readable, or running already).
 */
static char *
lesson_read(struct shell *sh, const char *path, size_t *len)
{
	struct stat st;
	char err[128];
	char *text;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		out_error(sh, "cannot open %s: %s", path, strerror(errno));
		sh->errors++;
		return NULL;
	}
	if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(fp);
		out_error(sh, "cannot read %s: a directory", path);
		sh->errors++;
		return NULL;
	}
	if (fstat(fileno(fp), &st) == -1 || lesson_enter(sh, path, &st) == -1) {
		fclose(fp);
		return NULL;
	}
	text = lesson_slurp(fp, len, err, sizeof(err));
	fclose(fp);
	if (text == NULL) {
		sh->nrunning--;
		out_error(sh, "cannot read %s: %s", path, err);
		sh->errors++;
	}
	return text;
}

/* Runs the script text, named path in messages. Returns its exit status. */
static int
lesson_run_text(struct shell *sh, const char *path, char *text, size_t len)
{
	const char *src = sh->src;
	long line = sh->line;
	FILE *mem;
	int rc = 0;

	sh->line = 0;
	if (len > 0 && (mem = fmemopen(text, len, "r")) != NULL) {
		rc = repl_script(sh, mem, path);
		fclose(mem);
	}
	sh->src = src;
	sh->line = line;
	return rc;
}

/*
 * Runs the script in path ("-" for stdin) in sh.
 * Returns the exit status: 0, 2 after a usage or syntax error.
 */
int
lesson_run_file(struct shell *sh, const char *path)
{
	size_t len;
	char *text;
	int rc;

	if (strcmp(path, "-") == 0)
		return repl_script(sh, stdin, "<stdin>");
	if ((text = lesson_read(sh, path, &len)) == NULL)
		return sig_int ? 130 : 2;
	rc = lesson_run_text(sh, path, text, len);
	lesson_leave(sh, text);
	return rc;
}

/* Returns 1 when a line is narration (>) or a title (==): no statements. */
static int
lesson_is_narration(const char *s, size_t len)
{
	size_t i = strspn(s, " \t");

	return i < len &&
	    (s[i] == '>' || (s[i] == '=' && i + 1 < len && s[i + 1] == '='));
}

/* Returns 1 when one of n tokens holds a variable, known only as it runs. */
static int
lesson_has_var(const struct token *t, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (t[i].kind == TOK_WORD && strchr(t[i].text, '$'))
			return 1;
	return 0;
}

/* Reads a statement of the scan: its checks, and what the runner needs. */
static void
lesson_scan_stmt(struct shell *sh, const struct stmt *st,
    struct lesson_scan *sc)
{
	struct expectation e;
	const char *name = st->argv[0].text;
	char err[256], canon[32];

	if (st->has_expect) {
		if (!lesson_has_var(st->expect, st->nexpect) &&
		    expect_parse(st, &e, err, sizeof(err)) == -1) {
			out_error(sh, "%s", err);
			sc->errors++;
		} else
			sc->checks++;
	}
	if (strcmp(name, "expect") == 0 && st->argc == 3) {
		if (!lesson_has_var(&st->argv[2], 1) &&
		    expect_state_name(st->argv[2].text, canon, sizeof(canon),
		        err, sizeof(err)) == -1) {
			out_error(sh, "expect: %s", err);
			sc->errors++;
		} else
			sc->checks++;
	} else if (strcmp(name, "let") == 0 && st->argc == 3)
		var_set(&sc->lets, st->argv[1].text, st->argv[2].text, 0);
	else if (strcmp(name, "let") == 0 && st->argc == 4) /* NAME port H */
		var_set(&sc->lets, st->argv[1].text, "1", 0); /* known later */
	else if (strcmp(name, "partner") == 0 && st->argc == 2) {
		snprintf(sc->partner, sizeof(sc->partner), "%s",
		    st->argv[1].text);
		sc->partner_line = sh->line;
	} else if (strcmp(name, "listen") == 0)
		sc->listens = 1;
	else if (strcmp(name, "lab") == 0)
		sc->lab = 1;
	else if (strcmp(name, "bind") == 0 && st->argc == 4 &&
	    sc->bind_line == 0 && strlen(st->argv[3].text) < 64 &&
	    strlen(st->argv[2].text) < 64) {
		snprintf(sc->bind_port, sizeof(sc->bind_port), "%s",
		    st->argv[3].text);
		snprintf(sc->bind_addr, sizeof(sc->bind_addr), "%s",
		    st->argv[2].text);
		sc->bind_line = sh->line;
	}
}

/*
 * Reads a lesson through before anything runs: every line must parse and
 * every expectation and state name must be one the shell can check.
 * Says what is wrong as FILE:LINE: and counts it in sc->errors.
 */
void
lesson_scan(struct shell *sh, const char *path, const char *text, size_t len,
    struct lesson_scan *sc)
{
	const char *p = text, *end = text + len, *nl;
	const char *src = sh->src;
	long line = sh->line;
	struct parsed ps;
	char err[256];
	size_t n;
	int i;

	memset(sc, 0, sizeof(*sc));
	sh->src = path;
	sh->line = 0;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3; /* a byte order mark */
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		sh->line++;
		if (lesson_is_narration(p, n) || pyline_detect(p, n))
			continue; /* Python is read as it runs (pyline.c) */
		if (parse_line(p, n, &ps, err, sizeof(err)) == -1) {
			out_error(sh, "%s", err);
			sc->errors++;
			continue;
		}
		for (i = 0; i < ps.n; i++)
			if (ps.v[i].argc > 0 &&
			    ps.v[i].argv[0].kind == TOK_WORD)
				lesson_scan_stmt(sh, &ps.v[i], sc);
		parse_free(&ps);
	}
	sh->src = src;
	sh->line = line;
}

/*
 * Writes into out what a token of the scan stands for: its variable's
 * value ($NAME or ${NAME}, named in var) or itself. Returns out, or NULL
 * when the variable has no value yet.
 */
static const char *
lesson_scan_value(const struct shell *sh, const struct lesson_scan *sc,
    const char *v, char *var, size_t len)
{
	*var = '\0';
	if (*v != '$')
		return v;
	snprintf(var, len, "%s", v + 1 + (v[1] == '{'));
	var[strcspn(var, "}")] = '\0';
	if ((v = var_get(&sh->vars, var)) == NULL)
		v = var_get(&sc->lets, var);
	return v;
}

/*
 * Fills want with the address and fixed port of the lesson's first bind,
 * with the variable that holds the port in var ("" when written as a
 * number). Returns 0, or -1 when there is none, the kernel chooses the
 * port, or the address is not one to look up.
 */
static int
lesson_scan_bind(const struct shell *sh, const struct lesson_scan *sc,
    struct portcheck_want *want, char *var, size_t len)
{
	const char *port, *addr;
	char avar[64];
	char *end;
	long n;

	memset(want, 0, sizeof(*want));
	port = lesson_scan_value(sh, sc, sc->bind_port, var, len);
	addr = lesson_scan_value(sh, sc, sc->bind_addr, avar, sizeof(avar));
	if (port == NULL || addr == NULL || sc->bind_line == 0)
		return -1;
	n = strtol(port, &end, 10);
	if (*port == '\0' || *end || n <= 0 || n > 65535)
		return -1;
	want->port = (int)n;
	if (strcmp(addr, "localhost") == 0)
		addr = "127.0.0.1";
	if (*addr == '\0')
		want->family = AF_INET; /* '': INADDR_ANY */
	else if (inet_pton(AF_INET, addr, want->addr) == 1)
		want->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, want->addr) == 1)
		want->family = AF_INET6;
	else
		return -1;
	return 0;
}

/*
 * Looks, before a checked lesson runs, whether another program listens
 * where it binds a fixed port, and says who and how to point the lesson
 * elsewhere (a connection or TIME_WAIT there stops the bind itself: its
 * EADDRINUSE ends the lesson). Returns 1 when the port is taken, else 0.
 */
static int
lesson_port_busy(struct shell *sh, const char *path,
    const struct lesson_scan *sc)
{
	struct portcheck_want want;
	char var[64], who[256];

	if (lesson_scan_bind(sh, sc, &want, var, sizeof(var)) == -1 ||
	    !portcheck_holder(&want, who, sizeof(who)))
		return 0;
	sh->src = path;
	sh->line = sc->bind_line;
	if (*var)
		out_error(sh,
		    "port %d is taken (%s): bind would fail; run the lesson "
		    "on another port with --var %s=N",
		    want.port, who, var);
	else
		out_error(sh,
		    "port %d is taken (%s): bind would fail; the lesson "
		    "names the port itself (a let variable would let "
		    "--var move it)",
		    want.port, who);
	sh->src = NULL;
	sh->line = 0;
	return 1;
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
 * Writes into out the lesson name in the folder of the lesson at path
 * (a partner beside it). Returns 0, or -1 when there is none.
 */
static int
lesson_beside(const char *path, const char *name, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (strchr(name, '/'))
		return -1;
	snprintf(out, len, "%.*s%s.lesson", slash ? (int)(slash - path + 1) : 0,
	    path, name);
	return lesson_exists(out) ? 0 : -1;
}

/* What the lessons of one command line add up to. */
struct lesson_totals {
	int passed;
	int failed;
	int not_run;
	int asked;
	int right;
};

/* Returns 1 when the lesson is checked with its partner alongside. */
static int
lesson_wants_partner(const struct lesson_opts *o, const struct lesson_scan *sc)
{
	return o->mode == MODE_CHECK && !o->alone && *sc->partner != '\0' &&
	    getenv("SOCKSTEP_PARTNER") == NULL;
}

/*
 * Starts the partner a checked lesson declares (partner NAME), on a free
 * port unless --var PORT names one; the side that does not listen starts
 * once the other listens. Returns 0 (started, or none to start), or -1
 * after saying why not.
 */
static int
lesson_partner_start(struct shell *sh, const struct lesson_opts *o,
    const char *path, const struct lesson_scan *sc, struct partner *pa)
{
	char ppath[2048];
	int bound = o->bound_s > 0 ? o->bound_s : BOUND_DEFAULT_S;

	pa->pid = 0;
	if (!lesson_wants_partner(o, sc))
		return 0;
	pa->name = sc->partner;
	sh->line = sc->partner_line;
	if (lesson_beside(path, sc->partner, ppath, sizeof(ppath)) == -1 &&
	    lesson_find(sc->partner, ppath, sizeof(ppath)) == -1) {
		out_error(sh, "its partner lesson '%s' is nowhere to be found",
		    sc->partner);
		return -1;
	}
	if (partner_start(pa, ppath, &sh->vars, bound, sc->listens) == -1) {
		out_error(sh, "cannot start its partner %s: %s", sc->partner,
		    strerror(errno));
		pa->pid = 0;
		return -1;
	}
	if (!sc->listens &&
	    partner_wait_listen(pa, atoi(var_get(&sh->vars, "PORT")), bound) ==
	        -1) {
		out_error(sh,
		    "its partner %s did not listen on port %s "
		    "within %d s",
		    sc->partner, var_get(&sh->vars, "PORT"), bound);
		partner_finish(pa, 1, bound, &sh->passed, &sh->failed);
		pa->pid = 0;
		return -1;
	}
	return 0;
}

/*
 * Reads a lesson through, then runs it (with its partner, when checked)
 * unless it has a syntax error or its fixed port is taken.
 * Returns its exit status as a script.
 */
static int
lesson_run_checked(struct shell *sh, const struct lesson_opts *o,
    const char *path)
{
	struct lesson_scan sc;
	struct partner pa;
	char *text, port[16];
	size_t len;
	int rc = 1, ran = 0;
	int bound = o->bound_s > 0 ? o->bound_s : BOUND_DEFAULT_S;

	if ((text = lesson_read(sh, path, &len)) == NULL)
		return sig_int ? 130 : 2;
	lesson_scan(sh, path, text, len, &sc);
	pa.pid = 0;
	sh->src = path; /* where a message about the whole lesson points */
	if (lesson_wants_partner(o, &sc) &&
	    var_get(&sh->vars, "PORT") == NULL) {
		snprintf(port, sizeof(port), "%d", portcheck_free());
		var_set(&sh->vars, "PORT", port, 1); /* the pair's own port */
	}
	if (sc.errors) {
		sh->failed += sc.errors;
		rc = 2;
	} else if (o->mode == MODE_CHECK &&
	    (!sc.lab || labhost_here() >= 0) && /* a new lab's ports are free */
	    lesson_port_busy(sh, path, &sc))
		sh->failed++;
	else if (lesson_partner_start(sh, o, path, &sc, &pa) == -1)
		sh->failed++;
	else {
		rc = lesson_run_text(sh, path, text, len);
		ran = 1;
	}
	sh->src = NULL;
	if (!ran) /* stopped before its first line */
		sh->not_run += sc.checks;
	if (pa.pid > 0)
		partner_finish(&pa, sh->failed > 0, bound, &sh->passed,
		    &sh->failed);
	var_free(&sc.lets);
	lesson_leave(sh, text);
	return rc;
}

/* Writes into out a lesson's name for a label: its file name without .lesson. */
static const char *
lesson_label(const char *path, char *out, size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t n = strlen(base);

	if (n >= 7 && strcmp(base + n - 7, ".lesson") == 0)
		n -= 7;
	snprintf(out, len, "%.*s", (int)n, base);
	return out;
}

/*
 * Runs one lesson file in a fresh shell in the mode of o, adding its
 * counts to the totals. Returns its exit status as a script.
 */
static int
lesson_one(const struct lesson_opts *o, const char *path, FILE *out,
    struct lesson_totals *t)
{
	struct shell sh;
	char err[512], label[64];
	int rc;

	shell_init(&sh, &sys_real, out, stderr);
	sh.mode = o->mode;
	sh.delay_ms = o->delay_ms;
	sh.color = o->color;
	sh.color_err = o->color && isatty(2);
	sh.notes = o->notes;
	sh.bound_cli = o->bound_s;
	sh.force = o->force;
	sh.nest = o->nest;
	sh.parent = o->parent;
	if (!o->notes || (o->mode == MODE_CHECK && !o->verbose))
		sh.states = sh.segments = 0; /* nobody sees them */
	lesson_copy_vars(&sh, o->vars);
	if (o->capture && capture_start(track_capture(&sh), err, sizeof(err))) {
		fprintf(stderr, "sockstep: capture: %s\n", err);
		shell_free(&sh);
		return 2;
	}
	rc = lesson_run_checked(&sh, o, path);
	if (o->diagram)
		track_resolve(&sh); /* while its handles are open */
	shell_close_all(&sh);
	if (o->diagram)
		diagram_append(o->diagram, track_diagram(&sh), &sh.handles,
		    lesson_label(path, label, sizeof(label)));
	if (o->mode == MODE_CHECK && o->verbose)
		fprintf(stderr, "%s: %d passed, %d failed\n", path, sh.passed,
		    sh.failed);
	if (rc == 0 && sh.failed && o->mode != MODE_CHECK &&
	    o->mode != MODE_QUIZ)
		rc = 1; /* played to a failure the instructor saw */
	t->passed += sh.passed;
	t->failed += sh.failed;
	t->not_run += sh.not_run;
	t->asked += sh.asked;
	t->right += sh.right;
	shell_free(&sh);
	return rc;
}

/*
 * Writes into out the lesson name closest to name ("half-close" for
 * "halfclose"). Returns 0, or -1 when none is close.
 */
int
lesson_suggest(const char *name, char *out, size_t len)
{
	size_t n, i;
	char **names = lesson_names(&n);
	int d, best = 3, found = -1;

	for (i = 0; i < n; i++) {
		if ((d = cmd_distance(name, names[i])) < best) {
			best = d;
			snprintf(out, len, "%s", names[i]);
			found = 0;
		}
	}
	lesson_names_free(names, n);
	return found;
}

/* Says why name is no lesson: a directory, unreadable, or not found. */
static void
lesson_not_found(const char *name)
{
	struct stat st;
	char near[256];

	if (stat(name, &st) == 0 && S_ISDIR(st.st_mode))
		fprintf(stderr,
		    "sockstep: %s: is a directory, not a lesson file\n", name);
	else if (stat(name, &st) == 0 && access(name, R_OK) != 0)
		fprintf(stderr, "sockstep: %s: %s\n", name, strerror(errno));
	else if (stat(name, &st) == 0 && !S_ISREG(st.st_mode))
		fprintf(stderr, "sockstep: %s: not a regular file\n", name);
	else if (!strchr(name, '/') &&
	    lesson_suggest(name, near, sizeof(near)) == 0)
		fprintf(stderr,
		    "sockstep: no lesson '%s'; did you mean %s? (sockstep -c "
		    "lessons lists them)\n",
		    name, near);
	else
		fprintf(stderr,
		    "sockstep: no lesson '%s' (sockstep -c "
		    "lessons lists them)\n",
		    name);
}

/* Prints the summary of check mode: N passed, M failed[, K not run]. */
static void
lesson_summary(const struct lesson_totals *t)
{
	if (t->not_run)
		printf("%d passed, %d failed, %d not run\n", t->passed,
		    t->failed, t->not_run);
	else
		printf("%d passed, %d failed\n", t->passed, t->failed);
}

/*
 * Runs lessons named on the command line in one mode (check mode with no
 * names checks every shipped lesson). Check mode prints "N passed, M
 * failed" and returns 1 on any mismatch; a lesson that cannot be found or
 * has a syntax error returns 2.
 */
int
lesson_main(const struct lesson_opts *o, char **names, int n)
{
	static const cookie_io_functions_t null_io = {
		.write = lesson_null_write,
	};
	struct lesson_totals t;
	int i, rc, status = 0;
	char path[2048];
	FILE *out = stdout, *null = NULL;
	char **all = NULL;
	size_t nall = 0;

	memset(&t, 0, sizeof(t));
	if (n == 0 && o->mode == MODE_CHECK) {
		all = lesson_names(&nall);
		names = all;
		n = (int)nall;
		if (n == 0) {
			fputs("sockstep: no lessons to check: none is installed "
			      "and SOCKSTEP_LESSONS names no folder of them\n",
			    stderr);
			return 2;
		}
	}
	if (o->mode == MODE_CHECK && !o->verbose) {
		null = fopencookie(NULL, "w", null_io);
		if (null)
			out = null;
	}
	for (i = 0; i < n && !(sig_int && !bound_expired); i++) {
		if (lesson_find(names[i], path, sizeof(path)) == -1) {
			lesson_not_found(names[i]);
			status = 2;
			continue;
		}
		rc = lesson_one(o, path, out, &t);
		if (rc == 2)
			status = 2;
		else if (rc != 0 && status == 0)
			status = rc;
	}
	if (null)
		fclose(null);
	if (o->mode == MODE_CHECK) {
		lesson_summary(&t);
		if (t.failed && status == 0)
			status = 1;
	}
	if (o->mode == MODE_QUIZ)
		printf("score: %d of %d right\n", t.right, t.asked);
	fflush(stdout);
	if (all)
		lesson_names_free(all, nall);
	return status;
}

/*
 * Plays a lesson at the prompt in a fresh shell of its own. Returns its
 * exit status as a script, or -1 when there is no such lesson.
 */
int
lesson_play(struct shell *sh, const char *name)
{
	struct lesson_totals t;
	struct lesson_opts o;
	char path[2048];

	if (lesson_find(name, path, sizeof(path)) == -1)
		return -1;
	memset(&t, 0, sizeof(t));
	memset(&o, 0, sizeof(o));
	o.mode = MODE_PLAY;
	o.delay_ms = sh->delay_ms;
	o.color = sh->color;
	o.notes = sh->notes;
	o.vars = &sh->vars;
	o.force = sh->force;
	o.nest = sh->nest + 1;
	o.parent = sh;
	o.capture = track_capture(sh)->fd >= 0;
	o.diagram = track_diagram(sh);
	return lesson_one(&o, path, sh->out, &t);
}
