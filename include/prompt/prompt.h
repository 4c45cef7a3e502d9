/* The interactive prompt: reads lines with the line editor and runs them. */
#ifndef SOCKSTEP_PROMPT_H
#define SOCKSTEP_PROMPT_H

struct shell;

int prompt_run(struct shell *);

#endif
