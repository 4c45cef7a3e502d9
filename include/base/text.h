/* Text without printf's machinery: numbers, bounded copies, plain formats. */
#ifndef SOCKSTEP_TEXT_H
#define SOCKSTEP_TEXT_H

#include <stdarg.h>
#include <stddef.h>

/* Room for any long in decimal, sign and NUL included. */
#define TEXT_LONG_MAX 21

char *text_long(char *, long);
char *text_ulong(char *, unsigned long);
void text_copy(char *, size_t, const char *);
int text_vplain(char *, size_t, size_t *, const char *, va_list)
    __attribute__((format(printf, 4, 0)));

#endif
