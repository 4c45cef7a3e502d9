/*
 * The event log of the session's connections and its pictures: a message
 * sequence chart with one lane per endpoint (address:port), time running
 * down, each arrow labelled with what went and the call that caused it.
 */
#include "diagram.h"

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "buf.h"
#include "diag.h"
#include "handle.h"
#include "xalloc.h"

#define DIAGRAM_LANES 16 /* lanes drawn; more endpoints are left out */
#define DIAGRAM_CALLW 28 /* widest call label in the text chart */
#define SVG_LEFT 230 /* pixels before the first lane */
#define SVG_GAP 240 /* pixels between lanes */
#define SVG_ROW 30 /* pixels per arrow */
#define SVG_TOP 80 /* pixels above the first arrow */

/* The lanes of a chart: endpoints and the handle names that had them. */
struct lanes {
	char addr[DIAGRAM_LANES][48];
	struct buf name[DIAGRAM_LANES];
	size_t n;
};

/* Makes d an empty log. */
void
diagram_init(struct diagram *d)
{
	memset(d, 0, sizeof(*d));
}

/* Frees the log. */
void
diagram_free(struct diagram *d)
{
	free(d->v);
	free(d->names);
	memset(d, 0, sizeof(*d));
}

/* Copies s into a fixed field of size n, cut short if need be. */
static void
diagram_copy(char *field, size_t n, const char *s)
{
	size_t len = s ? strnlen(s, n - 1) : 0;

	memcpy(field, s ? s : "", len);
	field[len] = '\0';
}

/* Fills in the ends of the arrows kept by handle, from the addresses their handles have now. */
void
diagram_resolve(struct diagram *d)
{
	struct buf a;
	size_t i;

	buf_init(&a);
	for (i = 0; i < d->n; i++) {
		struct diagram_event *e = &d->v[i];

		if (e->h == NULL || !diag_has_addr(handle_local(e->h)) ||
		    !diag_has_addr(handle_peer(e->h)))
			continue;
		buf_reset(&a);
		addr_short(&a, (const struct sockaddr *)handle_local(e->h),
		    sizeof(struct sockaddr_storage));
		diagram_copy(e->back ? e->to : e->from, sizeof(e->from),
		    buf_str(&a));
		buf_reset(&a);
		addr_short(&a, (const struct sockaddr *)handle_peer(e->h),
		    sizeof(struct sockaddr_storage));
		diagram_copy(e->back ? e->from : e->to, sizeof(e->to),
		    buf_str(&a));
		e->h = NULL;
	}
	buf_free(&a);
}

/*
 * Adds every arrow of from to the end of d, in order, and names the lanes
 * of from's handles in t as "who: NAME" (a lesson's, to the shell that
 * played it).
 */
void
diagram_append(struct diagram *d, const struct diagram *from,
    const struct handle_table *t, const char *who)
{
	struct buf a;
	size_t i;

	for (i = 0; i < from->n; i++) {
		struct diagram_event *e;

		if (from->v[i].from[0] == '\0') /* its ends were never known */
			continue;
		e = diagram_add(d, from->v[i].from, from->v[i].to,
		    from->v[i].what, from->v[i].call);
		if (e)
			e->inferred = from->v[i].inferred;
	}
	d->dropped += from->dropped;
	buf_init(&a);
	for (i = 0; from->n && i < t->n; i++) {
		struct diagram_name *n;

		if (!diag_has_addr(handle_local(t->v[i])))
			continue;
		d->names =
		    xrealloc(d->names, (d->nnames + 1) * sizeof(*d->names));
		n = &d->names[d->nnames++];
		buf_reset(&a);
		addr_short(&a, (const struct sockaddr *)handle_local(t->v[i]),
		    sizeof(struct sockaddr_storage));
		diagram_copy(n->addr, sizeof(n->addr), buf_str(&a));
		diagram_copy(n->who, sizeof(n->who), who);
		diagram_copy(n->name, sizeof(n->name), t->v[i]->name);
	}
	buf_free(&a);
}

/*
 * Adds an arrow from endpoint from to endpoint to, saying what went,
 * caused by call; arrows with the same call text in a row share a step.
 * Returns it, or NULL when it is only counted (DIAGRAM_MAX).
 */
struct diagram_event *
diagram_add(struct diagram *d, const char *from, const char *to,
    const char *what, const char *call)
{
	struct diagram_event *e;

	if (d->n == 0 ||
	    strncmp(d->v[d->n - 1].call, call, sizeof(e->call) - 1) != 0)
		d->step++;
	if (d->n == DIAGRAM_MAX) {
		d->dropped++;
		return NULL;
	}
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	e = &d->v[d->n++];
	diagram_copy(e->from, sizeof(e->from), from);
	diagram_copy(e->to, sizeof(e->to), to);
	diagram_copy(e->what, sizeof(e->what), what);
	diagram_copy(e->call, sizeof(e->call), call);
	e->step = d->step;
	e->inferred = 0;
	e->h = NULL;
	e->back = 0;
	e->stmt = 0;
	return e;
}

/*
 * Adds an inferred arrow along h's connection (back: from its peer to
 * it) whose ends, call and (what NULL) a send's bytes are filled in when
 * the chart is drawn: the call from the session's statement stmt - 1.
 * Arrows of one statement share a step. Returns it, or NULL (counted).
 */
struct diagram_event *
diagram_add_later(struct diagram *d, const struct handle *h, int back,
    const char *what, size_t stmt)
{
	struct diagram_event *e;
	int same = d->n > 0 && d->v[d->n - 1].stmt == stmt;

	if ((e = diagram_add(d, "", "", what ? what : "", "")) == NULL)
		return NULL;
	e->step = same ? e[-1].step : ++d->step;
	d->step = e->step;
	e->inferred = 1;
	e->h = h;
	e->back = back;
	e->stmt = stmt;
	return e;
}

/* Returns the lane of endpoint a, adding it when there is room; -1 if none. */
static int
diagram_lane(struct lanes *l, const char *a)
{
	size_t i;

	if (*a == '\0') /* an arrow whose ends were never known */
		return -1;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->addr[i], a) == 0)
			return (int)i;
	if (l->n == DIAGRAM_LANES)
		return -1;
	diagram_copy(l->addr[l->n], sizeof(l->addr[0]), a);
	buf_init(&l->name[l->n]);
	return (int)l->n++;
}

/* Finds the lanes of d's events and names each by the handles bound there. */
static void
diagram_lanes(const struct diagram *d, const struct handle_table *t,
    struct lanes *l)
{
	struct buf a;
	size_t i;
	int k;

	l->n = 0;
	for (i = 0; i < d->n; i++) {
		diagram_lane(l, d->v[i].from);
		diagram_lane(l, d->v[i].to);
	}
	buf_init(&a);
	for (i = 0; i < t->n; i++) {
		const struct handle *h = t->v[i];

		if (!diag_has_addr(handle_local(h)))
			continue;
		buf_reset(&a);
		addr_short(&a, (const struct sockaddr *)handle_local(h),
		    sizeof(struct sockaddr_storage));
		for (k = 0; k < (int)l->n; k++)
			if (strcmp(l->addr[k], buf_str(&a)) == 0)
				buf_printf(&l->name[k], "%s%s",
				    l->name[k].len ? "/" : "", h->name);
	}
	buf_free(&a);
	for (k = 0; k < (int)l->n; k++) {
		size_t first = l->name[k].len; /* named by a live handle */

		for (i = 0; i < d->nnames && first == 0; i++)
			if (strcmp(l->addr[k], d->names[i].addr) == 0)
				buf_printf(&l->name[k], "%s%s%s",
				    l->name[k].len ? "/" : d->names[i].who,
				    l->name[k].len ? "" : ": ",
				    d->names[i].name);
	}
	for (k = 0; k < (int)l->n; k++)
		if (l->name[k].len == 0)
			buf_puts(&l->name[k], "peer");
}

/* What a chart with arrows not captured says of them, in two halves that each fit a line of 80. */
static const char *const diagram_inferred_text[2] = {
	"arrows not captured are inferred from the calls, their results and",
	"the states read; capture on shows the segments themselves"
};

/* Returns 1 when one of d's arrows was inferred, not captured. */
static int
diagram_inferred(const struct diagram *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].inferred && d->v[i].from[0])
			return 1;
	return 0;
}

/* Frees the lane names. */
static void
diagram_lanes_free(struct lanes *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		buf_free(&l->name[i]);
}

/* Writes s into line at column x, at most n characters. */
static void
diagram_put(char *line, size_t x, const char *s, size_t n)
{
	size_t len = strlen(s);

	memcpy(line + x, s, len < n ? len : n);
}

/* Prints a line with trailing blanks cut. */
static void
diagram_flush(FILE *f, char *line, size_t w)
{
	while (w > 0 && line[w - 1] == ' ')
		w--;
	fprintf(f, "%.*s\n", (int)w, line);
}

/* Prints the chart in text: lanes across, time down. */
void
diagram_text(const struct diagram *d, const struct handle_table *t, FILE *f)
{
	struct lanes l;
	size_t i, k, gap = 24, w, a, b, lo, hi, left = 0;
	char *line;
	int fl, tl;

	if (d->n == 0) {
		fputs("no connections yet: the diagram shows TCP segments the "
		      "shell's calls caused\n",
		    f);
		return;
	}
	diagram_lanes(d, t, &l);
	for (i = 0; i < d->n; i++) {
		if (strlen(d->v[i].call) > left)
			left = strlen(d->v[i].call);
		if (strlen(d->v[i].what) + 8 > gap)
			gap = strlen(d->v[i].what) + 8;
	}
	for (k = 0; k < l.n; k++) {
		if (l.name[k].len + 2 > gap)
			gap = l.name[k].len + 2;
		if (strlen(l.addr[k]) + 2 > gap)
			gap = strlen(l.addr[k]) + 2;
	}
	left = (left > DIAGRAM_CALLW ? DIAGRAM_CALLW : left) + 2;
	w = left + (l.n - 1) * gap + gap;
	line = xcalloc(1, w + 1);
	for (k = 0; k < 3; k++) {
		memset(line, ' ', w);
		for (i = 0; i < l.n; i++)
			diagram_put(line, left + i * gap,
			    k == 0       ? buf_str(&l.name[i])
			        : k == 1 ? l.addr[i]
			                 : "|",
			    gap - 1);
		diagram_flush(f, line, w);
	}
	for (i = 0; i < d->n; i++) {
		const struct diagram_event *e = &d->v[i];

		memset(line, ' ', w);
		for (k = 0; k < l.n; k++)
			line[left + k * gap] = '|';
		if (i == 0 || d->v[i - 1].step != e->step)
			diagram_put(line, 0, e->call, left - 2);
		fl = diagram_lane(&l, e->from);
		tl = diagram_lane(&l, e->to);
		if (fl < 0 || tl < 0 || fl == tl) {
			diagram_flush(f, line, w);
			continue;
		}
		a = left + (size_t)fl * gap;
		b = left + (size_t)tl * gap;
		lo = a < b ? a : b;
		hi = a < b ? b : a;
		memset(line + lo + 1, '-', hi - lo - 1);
		if (a < b)
			line[hi - 1] = '>';
		else
			line[lo + 1] = '<';
		line[lo + 3] = ' ';
		diagram_put(line, lo + 4, e->what, hi - lo - 7);
		line[lo + 4 +
		    (strlen(e->what) < hi - lo - 7 ? strlen(e->what)
		                                   : hi - lo - 7)] = ' ';
		diagram_flush(f, line, w);
	}
	if (d->dropped)
		fprintf(f, "(%zu later arrows not kept)\n", d->dropped);
	if (diagram_inferred(d))
		fprintf(f, "(%s\n %s)\n", diagram_inferred_text[0],
		    diagram_inferred_text[1]);
	free(line);
	diagram_lanes_free(&l);
}

/* Prints s as XML text: markup characters escaped, others made plain ASCII. */
static void
diagram_xml(FILE *f, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '&')
			fputs("&amp;", f);
		else if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c < 0x20 || c >= 0x7f)
			fputc('?', f);
		else
			fputc(c, f);
	}
}

/* Returns the colour of an arrow: RST red, FIN blue, SYN green, else black. */
static const char *
diagram_colour(const char *what)
{
	if (strstr(what, "RST"))
		return "#c0392b";
	if (strstr(what, "FIN"))
		return "#2962a8";
	if (strstr(what, "SYN"))
		return "#2e7d32";
	return "#222222";
}

/*
 * Writes the chart as an SVG picture, one arrow per event.
 * Returns 0, or -1 when writing failed.
 */
int
diagram_svg(const struct diagram *d, const struct handle_table *t, FILE *f)
{
	struct lanes l;
	size_t i, k, width, height;
	int fl, tl;

	diagram_lanes(d, t, &l);
	width = SVG_LEFT + (l.n ? l.n - 1 : 0) * SVG_GAP + 120;
	height = SVG_TOP + (d->n + 2) * SVG_ROW;
	fprintf(f,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%zu\" "
	    "height=\"%zu\" viewBox=\"0 0 %zu %zu\" font-family=\"monospace\" "
	    "font-size=\"12\">\n",
	    width, height, width, height);
	fputs("<title>sockstep: the session's TCP connections</title>\n"
	      "<defs><marker id=\"head\" markerWidth=\"10\" markerHeight=\"8\" "
	      "refX=\"10\" refY=\"4\" orient=\"auto\"><path d=\"M0,0 L10,4 L0,8 "
	      "z\" fill=\"context-stroke\"/></marker></defs>\n"
	      "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
	    f);
	for (k = 0; k < l.n; k++) {
		size_t x = SVG_LEFT + k * SVG_GAP;

		fprintf(f,
		    "<text x=\"%zu\" y=\"24\" text-anchor=\"middle\" "
		    "font-weight=\"bold\">",
		    x);
		diagram_xml(f, buf_str(&l.name[k]));
		fprintf(f,
		    "</text>\n<text x=\"%zu\" y=\"42\" "
		    "text-anchor=\"middle\">",
		    x);
		diagram_xml(f, l.addr[k]);
		fprintf(f,
		    "</text>\n<line class=\"lane\" x1=\"%zu\" y1=\"52\" "
		    "x2=\"%zu\" y2=\"%zu\" stroke=\"#999\" "
		    "stroke-dasharray=\"4 3\"/>\n",
		    x, x, height - SVG_ROW);
	}
	for (i = 0; i < d->n; i++) {
		const struct diagram_event *e = &d->v[i];
		size_t y = SVG_TOP + i * SVG_ROW, x1, x2;

		if (i == 0 || d->v[i - 1].step != e->step) {
			fprintf(f, "<text x=\"8\" y=\"%zu\" fill=\"#555\">",
			    y + 4);
			diagram_xml(f, e->call);
			fputs("</text>\n", f);
		}
		fl = diagram_lane(&l, e->from);
		tl = diagram_lane(&l, e->to);
		if (fl < 0 || tl < 0 || fl == tl)
			continue;
		x1 = SVG_LEFT + (size_t)fl * SVG_GAP;
		x2 = SVG_LEFT + (size_t)tl * SVG_GAP;
		fprintf(f,
		    "<line class=\"arrow\" x1=\"%zu\" y1=\"%zu\" "
		    "x2=\"%zu\" y2=\"%zu\" stroke=\"%s\" stroke-width=\"1.5\" "
		    "marker-end=\"url(#head)\"/>\n",
		    x1, y, x2, y + 8, diagram_colour(e->what));
		fprintf(f,
		    "<text x=\"%zu\" y=\"%zu\" text-anchor=\"middle\" "
		    "fill=\"%s\">",
		    (x1 + x2) / 2, y - 3, diagram_colour(e->what));
		diagram_xml(f, e->what);
		fputs("</text>\n", f);
	}
	if (diagram_inferred(d))
		fprintf(f,
		    "<text x=\"8\" y=\"%zu\" fill=\"#555\">%s %s</text>\n",
		    height - 12, diagram_inferred_text[0],
		    diagram_inferred_text[1]);
	fputs("</svg>\n", f);
	diagram_lanes_free(&l);
	return ferror(f) ? -1 : 0;
}
