/*
 * Prints the id and families of every note rule of src/note.c, one per
 * line: the list the catalogue test (catalogue.py) walks.
 */
#include <stdio.h>

#include "note.h"

int
main(void)
{
	note_list(stdout);
	return ferror(stdout) ? 1 : 0;
}
