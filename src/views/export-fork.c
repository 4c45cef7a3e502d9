/*
 * fork, @NAME lines, exit and waitpid in an exported program: the shell's
 * process and each child run their own statements, in the session's
 * order. Two pipes per child, made before the fork, keep that order as
 * the shell did: before a child's turn the shell's process writes a byte
 * to "go" and reads one from "done"; the child reads "go", runs its
 * statements, and writes "done".
 */
#include "gen.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "session.h"
#include "xalloc.h"

/* The helpers of a C program that forks, before its main. */
static const char gen_c_fork[] =
    "static int ss_me; /* 0 in the shell's process, k + 1 in child k */\n"
    "static int ss_go[64][2], ss_done[64][2]; /* child k's turns */\n"
    "static int ss_status SS_UNUSED;\n\n"
    "/* fork, with the pipes that give child k its turns. */\n"
    "static pid_t\nss_fork(int k)\n{\n\tpid_t pid;\n\n"
    "\tif (pipe(ss_go[k]) == -1 || pipe(ss_done[k]) == -1)\n"
    "\t\treturn -1;\n"
    "\tpid = fork();\n\tif (pid == 0) {\n\t\tss_me = k + 1;\n"
    "\t\tclose(ss_go[k][1]);\n\t\tclose(ss_done[k][0]);\n"
    "\t} else {\n\t\tclose(ss_go[k][0]);\n\t\tclose(ss_done[k][1]);\n"
    "\t}\n\treturn pid;\n}\n\n"
    "/* Before child k's turn: the shell's process says go and waits "
    "for done; child k waits for go. */\n"
    "static void\nss_turn(int k)\n{\n\tchar c = 0;\n\n"
    "\tif (ss_me == 0 && write(ss_go[k][1], &c, 1) == 1 &&\n"
    "\t    read(ss_done[k][0], &c, 1) == -1)\n\t\treturn;\n"
    "\tif (ss_me == k + 1 && read(ss_go[k][0], &c, 1) != 1)\n"
    "\t\t_exit(0); /* the shell's process has gone */\n}\n\n"
    "/* After child k's turn: it says done. */\n"
    "static void\nss_turn_end(int k)\n{\n\tchar c = 0;\n\n"
    "\tif (ss_me == k + 1 && write(ss_done[k][1], &c, 1) != 1)\n"
    "\t\t_exit(0);\n}\n\n"
    "/* A child the session left running waits here, as the shell's did, "
    "for the SIGKILL that ends it. */\n"
    "static void\nss_end(void)\n{\n\tchar c;\n\n"
    "\tif (ss_me == 0)\n\t\treturn;\n"
    "\tif (read(ss_go[ss_me - 1][0], &c, 1) == -1)\n\t\t_exit(1);\n"
    "\t_exit(0);\n}\n\n";

/* The helpers of a Python program that forks. */
static const char gen_py_fork[] =
    "import signal\nimport sys\n\n"
    "ss_me = 0  # 0 in the shell's process, k + 1 in child k\n"
    "ss_go, ss_done = {}, {}  # child k's turns\n\n\n"
    "def ss_fork(k):\n"
    "    \"\"\"fork, with the pipes that give child k its turns.\"\"\"\n"
    "    global ss_me\n"
    "    ss_go[k], ss_done[k] = os.pipe(), os.pipe()\n"
    "    sys.stdout.flush()  # or the child would print it again\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        ss_me = k + 1\n"
    "        os.close(ss_go[k][1])\n        os.close(ss_done[k][0])\n"
    "    else:\n"
    "        os.close(ss_go[k][0])\n        os.close(ss_done[k][1])\n"
    "    return pid\n\n\n"
    "def ss_turn(k):\n"
    "    \"\"\"Before child k's turn: the shell's process says go and "
    "waits\n    for done; child k waits for go.\"\"\"\n"
    "    if ss_me == 0:\n"
    "        os.write(ss_go[k][1], b'.')\n"
    "        os.read(ss_done[k][0], 1)\n"
    "    elif ss_me == k + 1 and not os.read(ss_go[k][0], 1):\n"
    "        os._exit(0)  # the shell's process has gone\n\n\n"
    "def ss_turn_end(k):\n"
    "    \"\"\"After child k's turn: it says done.\"\"\"\n"
    "    if ss_me == k + 1:\n"
    "        sys.stdout.flush()  # os._exit would not\n"
    "        os.write(ss_done[k][1], b'.')\n\n\n"
    "def ss_end():\n"
    "    \"\"\"A child the session left running waits here, as the "
    "shell's\n    did, for the SIGKILL that ends it.\"\"\"\n"
    "    if ss_me != 0:\n"
    "        os.read(ss_go[ss_me - 1][0], 1)\n"
    "        os._exit(0)\n\n\n";

/* Returns the child called name that is not reaped yet, or NULL. */
static struct gen_kid *
gen_kid_find(const struct gen *g, const char *name)
{
	size_t i;

	for (i = g->nkids; i-- > 0;)
		if (!g->kids[i].reaped && strcmp(g->kids[i].name, name) == 0)
			return &g->kids[i];
	return NULL;
}

/* Notes the child fork e made. Returns it, or NULL past GEN_FORKS_MAX. */
static struct gen_kid *
gen_kid_add(struct gen *g, const struct session_entry *e)
{
	struct gen_kid *k;

	if (g->nkids == GEN_FORKS_MAX)
		return NULL;
	g->kids = xrealloc(g->kids, (g->nkids + 1) * sizeof(*g->kids));
	k = &g->kids[g->nkids];
	memset(k, 0, sizeof(*k));
	snprintf(k->name, sizeof(k->name), "%s",
	    e->argc > 1 ? e->argv[1] : "child");
	k->slot = (int)g->nkids++;
	return k;
}

/* C and Python for fork [NAME]: NAME_pid = ss_fork(SLOT), or alone fork(). */
int
gen_fork(struct gen *g, const struct session_entry *e)
{
	struct gen_kid *k = gen_kid_add(g, e);

	if (k == NULL)
		return -1;
	gen_ident(g, k->name);
	if (g->alone)
		buf_puts(g->b, g->py ? "_pid = os.fork()" : "_pid = fork();");
	else
		buf_printf(g->b, "_pid = ss_fork(%d)%s", k->slot,
		    g->py ? "" : ";");
	return 0;
}

/* C and Python for waitpid NAME. */
int
gen_waitpid(struct gen *g, const struct session_entry *e)
{
	struct gen_kid *k = gen_kid_find(g, e->argv[1]);

	if (k == NULL)
		return -1;
	buf_puts(g->b, g->py ? "os.waitpid(" : "waitpid(");
	gen_ident(g, k->name);
	buf_puts(g->b, g->py ? "_pid, 0)" : "_pid, &ss_status, 0);");
	k->reaped = 1;
	return 0;
}

/* C and Python for @NAME exit [STATUS]: _exit(STATUS) in the child. */
int
gen_exit(struct gen *g, const struct session_entry *e)
{
	struct gen_kid *k = gen_kid_find(g, e->kid);

	if (k == NULL)
		return -1;
	buf_printf(g->b, g->py ? "os._exit(%s)" : "_exit(%s);",
	    e->argc > 1 ? e->argv[1] : "0");
	k->exited = 1;
	return 0;
}

/* Returns the block statement e runs in: 0 the shell's, k + 1 child k's, -2 a child not known. */
int
gen_side(const struct gen *g, const struct session_entry *e)
{
	const struct gen_kid *k;

	if (!e->kid[0])
		return 0;
	k = gen_kid_find(g, e->kid);
	return k && !k->exited ? k->slot + 1 : -2;
}

/*
 * Appends to b what ends the open block and begins one for side (-1:
 * none), once the program has forked: a child's block is its turn.
 */
void
gen_switch(struct gen *g, struct buf *b, int side)
{
	if (side == g->side || (g->nkids == 0 && g->side == -1))
		return;
	if (g->side == 0 && !g->py)
		buf_puts(b, "\t}\n");
	else if (g->side > 0)
		buf_printf(b,
		    g->py ? "ss_turn_end(%d)\n" : "\t}\n\tss_turn_end(%d);\n",
		    g->side - 1);
	if (side > 0)
		buf_printf(b, g->py ? "ss_turn(%d)\n" : "\tss_turn(%d);\n",
		    side - 1);
	if (side >= 0)
		buf_printf(b,
		    g->py ? "if ss_me == %d:\n" : "\tif (ss_me == %d) {\n",
		    side);
	g->side = side;
}

/*
 * Before the program's statements: the helpers that fork (C: before
 * main; Python: after the imports), when the session forked. In the
 * first pass over the session, e is each statement; with e NULL, writes.
 */
void
gen_forks_head(struct gen *g, struct buf *b, const struct session_entry *e)
{
	if (e && strcmp(e->argv[0], "fork") == 0)
		gen_kid_add(g, e);
	else if (e == NULL && g->nkids > 0)
		buf_puts(b, g->py ? gen_py_fork : gen_c_fork);
}

/*
 * At the program's end, in the shell's process: as the shell does when it
 * ends, kills each child still running, and reaps each child not reaped.
 */
void
gen_forks_end(struct gen *g, struct buf *b)
{
	const char *lead = g->py ? "" : "\t";
	struct buf *line = g->b;
	size_t i;

	gen_switch(g, b, -1);
	if (g->nkids == 0)
		return;
	g->b = b;
	buf_printf(b, "%sss_end()%s\n", lead, g->py ? "" : ";");
	for (i = 0; i < g->nkids; i++) {
		if (g->kids[i].reaped)
			continue;
		if (!g->kids[i].exited) {
			buf_puts(b, g->py ? "os.kill(" : "\tkill(");
			gen_ident(g, g->kids[i].name);
			buf_puts(b,
			    g->py ? "_pid, signal.SIGKILL)\n"
			          : "_pid, SIGKILL);\n");
		}
		buf_puts(b, g->py ? "os.waitpid(" : "\twaitpid(");
		gen_ident(g, g->kids[i].name);
		buf_puts(b, g->py ? "_pid, 0)\n" : "_pid, &ss_status, 0);\n");
	}
	g->b = line;
}

/* Appends, in C, for each child's name: "pid_t NAME_pid = -1;" (decl), else "(void)NAME_pid;". */
void
gen_forks_decl(struct gen *g, struct buf *b, int decl)
{
	struct buf *line = g->b;
	size_t i, j;

	g->b = b;
	for (i = 0; i < g->nkids; i++) {
		for (j = 0; j < i; j++)
			if (strcmp(g->kids[j].name, g->kids[i].name) == 0)
				break;
		if (j < i)
			continue; /* the same name, forked again */
		buf_puts(b, decl ? "\tpid_t " : "\t(void)");
		gen_ident(g, g->kids[i].name);
		buf_puts(b, decl ? "_pid = -1;\n" : "_pid;\n");
	}
	g->b = line;
}
