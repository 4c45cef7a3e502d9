/* Plain-language notes under a call, each printed from the call's record. */
#ifndef SOCKSTEP_NOTE_H
#define SOCKSTEP_NOTE_H

#include <stdio.h>

struct call;
struct shell;

void note_meanings_make(void);
void note_call(struct shell *, const struct call *);
void note_say(struct shell *, const char *, const char *, ...)
    __attribute__((format(printf, 3, 4)));
void note_list(FILE *);
const char *note_fam_name(unsigned);

#endif
