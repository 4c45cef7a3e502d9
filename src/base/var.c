#include "var.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xalloc.h"

/* Frees every variable. */
void
var_free(struct vars *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++) {
		free(vs->v[i].name);
		free(vs->v[i].value);
	}
	free(vs->v);
	vs->v = NULL;
	vs->n = 0;
}

/* Returns 1 when s is a variable name: a letter or '_', then letters, digits, '_'. */
int
var_name_ok(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* Returns the variable called name, or NULL. */
static struct var *
var_find(const struct vars *vs, const char *name)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		if (strcmp(vs->v[i].name, name) == 0)
			return &vs->v[i];
	return NULL;
}

/*
 * Sets name to value. A variable fixed from the command line keeps its
 * value unless fixed is set again. Returns 1 when the value changed, else 0.
 */
int
var_set(struct vars *vs, const char *name, const char *value, int fixed)
{
	struct var *v = var_find(vs, name);

	if (v && v->fixed && !fixed)
		return 0;
	if (v == NULL) {
		vs->v = xrealloc(vs->v, (vs->n + 1) * sizeof(*vs->v));
		v = &vs->v[vs->n++];
		v->name = xstrdup(name);
		v->value = NULL;
	}
	free(v->value);
	v->value = xstrdup(value);
	v->fixed = fixed;
	return 1;
}

/* Returns the value of name, or NULL when it is not set. */
const char *
var_get(const struct vars *vs, const char *name)
{
	const struct var *v = var_find(vs, name);

	return v ? v->value : NULL;
}

/*
 * Steps over s[i] as the parser will read it, tracking quotes in *quote:
 * '"', '\'' or 'b' (b'...', where backslash escapes). Returns how many
 * bytes to copy as they are (2 for an escape inside quotes), or 0.
 */
static size_t
var_quote(const char *s, size_t len, size_t i, int *quote)
{
	if ((*quote == '"' || *quote == 'b') && s[i] == '\\' && i + 1 < len)
		return 2;
	if (*quote == 0 && s[i] == '\'' && i > 0 &&
	    (s[i - 1] == 'b' || s[i - 1] == 'B') &&
	    (i == 1 || strchr(" \t;", s[i - 2])))
		*quote = 'b';
	else if (*quote == 0 && (s[i] == '"' || s[i] == '\''))
		*quote = s[i];
	else if (*quote && s[i] == (*quote == 'b' ? '\'' : *quote))
		*quote = 0;
	return 0;
}

/*
 * Copies s into out with each '$' that var_expand would read doubled, so
 * that var_expand gives s back: how a recorded line keeps its dollars.
 */
void
var_escape(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, n;
	int quote = 0;

	while (i < len) {
		if ((n = var_quote(s, len, i, &quote)) != 0) {
			buf_add(out, s + i, n);
			i += n;
			continue;
		}
		if (s[i] == '$' && quote != '\'' && quote != 'b')
			buf_addc(out, '$');
		buf_addc(out, s[i++]);
	}
}

/*
 * Copies line into out with $NAME and ${NAME} replaced by their values;
 * $$ is a dollar, and text inside '...' (or b'...') is left alone. A $ not followed by
 * a name stays as it is. Returns 0, or -1 with a message for an unknown
 * variable.
 */
int
var_expand(const struct vars *vs, const char *s, size_t len, struct buf *out,
    char *err, size_t errlen)
{
	char name[64];
	size_t i = 0, n;
	int quote = 0, brace;
	const char *val;

	buf_reset(out);
	if (memchr(s, '$', len) == NULL) { /* most lines: nothing to expand */
		buf_add(out, s, len);
		return 0;
	}
	while (i < len) {
		if ((n = var_quote(s, len, i, &quote)) != 0) {
			buf_add(out, s + i, n);
			i += n;
			continue;
		}
		if (s[i] != '$' || quote == '\'' || quote == 'b' ||
		    i + 1 >= len) {
			buf_addc(out, s[i++]);
			continue;
		}
		if (s[i + 1] == '$') {
			buf_addc(out, '$');
			i += 2;
			continue;
		}
		brace = s[i + 1] == '{';
		n = 0;
		while (i + 1 + brace + n < len && n < sizeof(name) - 1 &&
		    (isalnum((unsigned char)s[i + 1 + brace + n]) ||
		        s[i + 1 + brace + n] == '_'))
			n++;
		if (n == 0 || isdigit((unsigned char)s[i + 1 + brace]) ||
		    (brace && (i + 2 + n >= len || s[i + 2 + n] != '}'))) {
			buf_addc(out, s[i++]);
			continue;
		}
		memcpy(name, s + i + 1 + brace, n);
		name[n] = '\0';
		if ((val = var_get(vs, name)) == NULL) {
			snprintf(err, errlen,
			    "unknown variable $%s (let %s VALUE "
			    "sets one)",
			    name, name);
			return -1;
		}
		buf_puts(out, val);
		i += 1 + brace + n + brace;
	}
	buf_str(out);
	return 0;
}
