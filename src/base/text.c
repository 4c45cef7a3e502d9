#include "text.h"

#include <string.h>

/*
 * Writes v in decimal into out (TEXT_LONG_MAX bytes) and returns it: the
 * hot call lines' numbers, without printf's machinery.
 */
char *
text_long(char *out, long v)
{
	if (v >= 0)
		return text_ulong(out, (unsigned long)v);
	out[0] = '-';
	text_ulong(out + 1, 0UL - (unsigned long)v);
	return out;
}

/* Writes v in decimal into out (TEXT_LONG_MAX bytes) and returns it. */
char *
text_ulong(char *out, unsigned long v)
{
	char tmp[TEXT_LONG_MAX], *p = tmp + sizeof(tmp);

	*--p = '\0';
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	memcpy(out, p, (size_t)(tmp + sizeof(tmp) - p));
	return out;
}

/* Copies string s into out of size bytes, cut to fit and NUL-ended. */
void
text_copy(char *out, size_t size, const char *s)
{
	size_t n = strnlen(s, size - 1);

	memcpy(out, s, n);
	out[n] = '\0';
}

/* Appends the n bytes at s to out (of cap bytes) at *len, if they fit. */
static int
text_put(char *out, size_t cap, size_t *len, const char *s, size_t n)
{
	if (*len + n >= cap)
		return -1;
	memcpy(out + *len, s, n);
	*len += n;
	return 0;
}

/*
 * Formats fmt with ap into out (cap bytes, from *len on) as printf would,
 * when its only conversions are %s, %d, %u, %ld, %lu, %zu and %% and it
 * fits: every call's lines, without printf's machinery. Returns 0, or -1
 * (out of no use) for any other conversion or a line too long.
 */
int
text_vplain(char *out, size_t cap, size_t *len, const char *fmt, va_list ap)
{
	const char *p, *q, *s;
	char n[TEXT_LONG_MAX];
	int rc = 0;
	va_list aq;

	va_copy(aq, ap);
	for (p = fmt; rc == 0 && *(q = strchrnul(p, '%')) != '\0'; p = q + 1) {
		rc = text_put(out, cap, len, p, (size_t)(q - p));
		q++; /* at the conversion: q ends on its last letter */
		if (q[0] == 'z' && q[1] == 'u')
			s = text_ulong(n, va_arg(aq, size_t)), q++;
		else if (q[0] == 'l' && q[1] == 'd')
			s = text_long(n, va_arg(aq, long)), q++;
		else if (q[0] == 'l' && q[1] == 'u')
			s = text_ulong(n, va_arg(aq, unsigned long)), q++;
		else if (*q == 's')
			s = va_arg(aq, const char *);
		else if (*q == 'd')
			s = text_long(n, va_arg(aq, int));
		else if (*q == 'u')
			s = text_ulong(n, va_arg(aq, unsigned));
		else if (*q == '%')
			s = "%";
		else
			s = NULL, rc = -1; /* another conversion: printf's */
		if (rc == 0 && s == NULL)
			s = "(null)"; /* as glibc's printf shows it */
		if (rc == 0)
			rc = text_put(out, cap, len, s, strlen(s));
	}
	if (rc == 0)
		rc = text_put(out, cap, len, p, strlen(p));
	va_end(aq);
	return rc;
}
