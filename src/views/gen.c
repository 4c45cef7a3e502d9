/* What the generators of an exported program share: its identifiers. */
#include "gen.h"

#include "buf.h"

/* Appends a handle name as an identifier of C and Python ('-' becomes '_'). */
void
gen_ident(struct gen *g, const char *name)
{
	for (; *name; name++)
		buf_addc(g->b, *name == '-' ? '_' : *name);
}
