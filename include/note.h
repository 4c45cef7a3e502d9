/* Plain-language notes on what an errno means after a given call. */
#ifndef SOCKSTEP_NOTE_H
#define SOCKSTEP_NOTE_H

struct shell;
struct handle;

void note_errno(struct shell *, const char *, int, const struct handle *,
    const char *);

#endif
