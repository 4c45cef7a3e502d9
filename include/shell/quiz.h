/* Quiz mode: before a call with an expectation, the student says what it will return. */
#ifndef SOCKSTEP_QUIZ_H
#define SOCKSTEP_QUIZ_H

struct shell;
struct stmt;

int quiz_ask(struct shell *, const struct stmt *);
void quiz_judge(struct shell *, const struct stmt *);

#endif
