#include "fmt.h"

#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>

#include "buf.h"
#include "sym.h"

/* Appends one byte with strace's escapes; next is the byte after it, or -1. */
static void
fmt_cbyte(struct buf *b, unsigned char c, int next)
{
	switch (c) {
	case '"':
		buf_puts(b, "\\\"");
		return;
	case '\\':
		buf_puts(b, "\\\\");
		return;
	case '\f':
		buf_puts(b, "\\f");
		return;
	case '\n':
		buf_puts(b, "\\n");
		return;
	case '\r':
		buf_puts(b, "\\r");
		return;
	case '\t':
		buf_puts(b, "\\t");
		return;
	case '\v':
		buf_puts(b, "\\v");
		return;
	}
	if (c >= 0x20 && c < 0x7f)
		buf_addc(b, (char)c);
	else if (next >= '0' && next <= '7')
		buf_printf(b, "\\%03o", c);
	else
		buf_printf(b, "\\%o", c);
}

/* Appends data as strace shows a buffer: a quoted C string, cut after max bytes. */
void
fmt_cstring(struct buf *b, const unsigned char *p, size_t len, size_t max)
{
	size_t i, n = len < max ? len : max;

	buf_addc(b, '"');
	for (i = 0; i < n; i++)
		fmt_cbyte(b, p[i], i + 1 < n ? p[i + 1] : -1);
	buf_addc(b, '"');
	if (len > max)
		buf_puts(b, "...");
}

/* Appends data as Python's repr() shows bytes: b'Hello, world\n'. */
void
fmt_pybytes(struct buf *b, const unsigned char *p, size_t len)
{
	char q = '\'';
	size_t i;

	if (memchr(p, '\'', len) && !memchr(p, '"', len))
		q = '"';
	buf_addc(b, 'b');
	buf_addc(b, q);
	for (i = 0; i < len; i++) {
		unsigned char c = p[i];

		if (c == (unsigned char)q || c == '\\')
			buf_printf(b, "\\%c", c);
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c >= 0x20 && c < 0x7f)
			buf_addc(b, (char)c);
		else
			buf_printf(b, "\\x%02x", c);
	}
	buf_addc(b, q);
}

/* Appends a hex dump, 16 bytes a line, each line starting with indent. */
void
fmt_hexdump(struct buf *b, const unsigned char *p, size_t len,
    const char *indent)
{
	size_t off, i;

	for (off = 0; off < len; off += 16) {
		buf_printf(b, "%s%04zx ", indent, off);
		for (i = 0; i < 16; i++) {
			if (off + i < len)
				buf_printf(b, " %02x", p[off + i]);
			else
				buf_puts(b, "   ");
		}
		buf_puts(b, "  |");
		for (i = 0; i < 16 && off + i < len; i++) {
			unsigned char c = p[off + i];

			buf_addc(b, c >= 0x20 && c < 0x7f ? (char)c : '.');
		}
		buf_puts(b, "|\n");
	}
}

/* Appends text a user typed so that control bytes show, cut at 40 bytes. */
void
fmt_visible(struct buf *b, const char *s, size_t len)
{
	size_t i, n = len < 40 ? len : 40;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"')
			buf_addc(b, '"');
		else
			fmt_cbyte(b, c,
			    i + 1 < n ? (unsigned char)s[i + 1] : -1);
	}
	if (len > n)
		buf_puts(b, "...");
}

/* Appends one fd_set as strace shows it, [3 4], or NULL when it is unused. */
void
fmt_fdset(struct buf *b, const fd_set *set, int used, int nfds)
{
	int fd, any = 0;

	if (!used) {
		buf_puts(b, "NULL");
		return;
	}
	buf_addc(b, '[');
	for (fd = 0; fd < nfds; fd++)
		if (FD_ISSET(fd, set))
			buf_printf(b, "%s%d", any++ ? " " : "", fd);
	buf_addc(b, ']');
}

/*
 * Appends n struct epoll_event as strace shows them: one alone for n -1
 * (epoll_ctl's), else a list, [{events=EPOLLIN, data={u32=3, u64=3}}].
 */
void
fmt_epoll_events(struct buf *b, const struct epoll_event *ev, int n)
{
	int i;

	if (n >= 0)
		buf_addc(b, '[');
	for (i = 0; i < (n < 0 ? 1 : n); i++) {
		buf_puts(b, i ? ", {events=" : "{events=");
		sym_format_flags(b, sym_epoll, (long)ev[i].events);
		buf_printf(b, ", data={u32=%u, u64=%llu}}", ev[i].data.u32,
		    (unsigned long long)ev[i].data.u64);
	}
	if (n >= 0)
		buf_addc(b, ']');
}
