#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "cmd.h"
#include "fmt.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"
#include "xalloc.h"

#define ENCODE_MAX (1024 * 1024)

/* Python's names for encodings that iconv spells differently. */
static const struct {
	const char *python;
	const char *iconv;
} encode_aliases[] = { { "latin-1", "ISO-8859-1" }, { "latin_1", "ISO-8859-1" },
	{ "l1", "ISO-8859-1" }, { "utf_8", "UTF-8" }, { "utf_16", "UTF-16" },
	{ "utf-16-le", "UTF-16LE" }, { "utf-16-be", "UTF-16BE" },
	{ "utf_16_le", "UTF-16LE" }, { "utf_16_be", "UTF-16BE" },
	{ "us-ascii", "ASCII" }, { NULL, NULL } };

/* Returns the iconv name of a Python encoding name. */
static const char *
encode_iconv_name(const char *name)
{
	int i;

	for (i = 0; encode_aliases[i].python; i++)
		if (strcasecmp(encode_aliases[i].python, name) == 0)
			return encode_aliases[i].iconv;
	return name;
}

/*
 * Converts len bytes at in from the encoding from to the encoding to.
 * Returns 0 with the result in out; -1 with errno set: EILSEQ for a
 * byte or character the other side has no way to say, EINVAL for a
 * character cut off at the end; or -2 when iconv knows no such encoding.
 */
static int
encode_convert(const char *to, const char *from, const char *in, size_t len,
    struct buf *out)
{
	char chunk[4096], *ip = (char *)(uintptr_t)in, *op;
	size_t il = len, ol, rc;
	iconv_t cd;
	int e;

	cd = iconv_open(encode_iconv_name(to), encode_iconv_name(from));
	if (cd == (iconv_t)-1)
		return -2;
	for (;;) {
		op = chunk;
		ol = sizeof(chunk);
		rc = il ? iconv(cd, &ip, &il, &op, &ol)
		        : iconv(cd, NULL, NULL, &op, &ol);
		e = errno;
		buf_add(out, chunk, sizeof(chunk) - ol);
		if (rc != (size_t)-1 && il == 0) {
			if (op == chunk)
				break;
			continue;
		}
		if (rc == (size_t)-1 && e != E2BIG) {
			iconv_close(cd);
			errno = e;
			return -1;
		}
	}
	iconv_close(cd);
	return 0;
}

/* Returns the number of characters in the valid UTF-8 text s. */
static long
encode_count_chars(const char *s, size_t len)
{
	long n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

/* Appends UTF-8 text s as Python shows a str: 'café', with escapes. */
static void
encode_pystr(struct buf *b, const char *s, size_t len)
{
	char q = memchr(s, '\'', len) && !memchr(s, '"', len) ? '"' : '\'';
	unsigned char c;
	size_t i;

	buf_addc(b, q);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c == '\\' || c == (unsigned char)q)
			buf_printf(b, "\\%c", c);
		else if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\r')
			buf_puts(b, "\\r");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else if (c == 0xc2 && i + 1 < len &&
		    (unsigned char)s[i + 1] < 0xa0) {
			buf_printf(b, "\\x%02x", (unsigned char)s[i + 1]);
			i++;
		} else
			buf_addc(b, (char)c);
	}
	buf_addc(b, q);
}

/* Keeps what the conversion gave as the last result, for expectations. */
static void
encode_keep(struct shell *sh, const struct buf *b)
{
	sh->last.data = (unsigned char *)xmemdup(b->p ? b->p : "", b->len);
	sh->last.len = b->len;
}

/* Explains a failed conversion the way Python would report it. */
static void
encode_failed(struct shell *sh, int encode, int e, const char *enc)
{
	if (e == EINVAL)
		note_say(sh, "decode.cut",
		    "the bytes end in the middle of a character: a "
		    "recv may cut one in two; receive the rest and decode all "
		    "of it together (Python: UnicodeDecodeError, unexpected "
		    "end of data)");
	else if (encode)
		note_say(sh, "encode.unmappable",
		    "a character of the text has no bytes in %s "
		    "(Python: UnicodeEncodeError)",
		    enc);
	else
		note_say(sh, "decode.invalid",
		    "these bytes are not valid %s (Python: "
		    "UnicodeDecodeError)",
		    enc);
}

/*
 * encode TEXT [ENCODING]: Python's str.encode(), text to bytes;
 * decode DATA [ENCODING]: bytes.decode(), bytes to text. UTF-8 by default.
 */
static int
cmd_encode_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int encode = strcmp(cmd->name, "encode") == 0, rc, e;
	const char *enc = a->argc > 1 ? a->argv[1].text : "utf-8";
	struct buf line, res, shown;
	char emsg[256], *in;
	size_t len;
	long ret;

	if (parse_data(&a->argv[0], &in, &len, emsg, sizeof(emsg)) == -1)
		return cmd_usage(sh, cmd, "%s", emsg);
	if (len > ENCODE_MAX) {
		free(in);
		return cmd_usage(sh, cmd,
		    "%zu bytes is too long (at most %d "
		    "here)",
		    len, ENCODE_MAX);
	}
	buf_init(&res);
	rc = encode ? encode_convert(enc, "UTF-8", in, len, &res)
	            : encode_convert("UTF-8", enc, in, len, &res);
	e = errno;
	if (rc == -2) {
		free(in);
		buf_free(&res);
		return cmd_usage(sh, cmd,
		    "unknown encoding '%.40s' (utf-8, "
		    "latin-1, ascii, cp1252, utf-16, ...)",
		    enc);
	}
	buf_init(&line);
	buf_printf(&line, "%s(", cmd->name);
	if (encode)
		encode_pystr(&line, in, len);
	else
		fmt_pybytes(&line, (const unsigned char *)in, len);
	buf_printf(&line, ", '%s')", enc);
	if (rc == 0 && encode)
		ret = (long)res.len;
	else if (rc == 0)
		ret = encode_count_chars(res.p ? res.p : "", res.len);
	else
		ret = -1;
	out_call(sh, buf_str(&line), ret, e);
	buf_init(&shown);
	if (rc == -1)
		encode_failed(sh, encode, e, enc);
	else if (encode) {
		encode_keep(sh, &res);
		fmt_pybytes(&shown, (const unsigned char *)res.p, res.len);
		out_meaning(sh, "%s", buf_str(&shown));
		note_say(sh, "encode.count",
		    "%ld character%s became %zu byte%s: what send "
		    "takes",
		    encode_count_chars(in, len),
		    encode_count_chars(in, len) == 1 ? "" : "s", res.len,
		    res.len == 1 ? "" : "s");
	} else {
		encode_keep(sh, &res);
		encode_pystr(&shown, res.p ? res.p : "", res.len);
		out_meaning(sh, "%s", buf_str(&shown));
		note_say(sh, "decode.count",
		    "%zu byte%s became %ld character%s of text (a "
		    "Python str)",
		    len, len == 1 ? "" : "s", ret, ret == 1 ? "" : "s");
	}
	buf_free(&shown);
	buf_free(&line);
	buf_free(&res);
	free(in);
	return CMD_OK;
}

const struct cmd_entry cmd_encode_entry = {
	.name = "encode",
	.usage = "TEXT [ENCODING]",
	.args_min = 1,
	.args_max = 2,
	.flags = 0,
	.group = CMD_GROUP_DATA,
	.summary = "turn text into bytes (Python's str.encode)",
	.help =
	    "Python's str.encode(): turns TEXT, as typed, into the bytes "
	    "that stand for it in ENCODING (utf-8 when left out; latin-1, "
	    "ascii, cp1252, utf-16, ... by iconv(3)). A socket carries bytes, "
	    "never text: send takes bytes. The value is how many bytes came "
	    "out, and the bytes are shown as Python shows them.",
	.errors = "EILSEQ: a character has no bytes in that encoding (Python "
	          "raises UnicodeEncodeError).",
	.man = "iconv(3), utf-8(7)",
	.complete = "- encoding",
	.exec = cmd_encode_exec,
};

const struct cmd_entry cmd_decode_entry = {
	.name = "decode",
	.usage = "DATA [ENCODING]",
	.args_min = 1,
	.args_max = 2,
	.flags = 0,
	.group = CMD_GROUP_DATA,
	.summary = "turn bytes into text (Python's bytes.decode)",
	.help =
	    "Python's bytes.decode(): reads DATA (b'caf\\xc3\\xa9', "
	    "0x636166c3a9, \"...\") as text in ENCODING (utf-8 when left out; "
	    "latin-1, ascii, cp1252, utf-16, ... by iconv(3)). What recv "
	    "returns is bytes; decoding is the program's job. The value is "
	    "how many characters came out; the text is shown as Python shows "
	    "a str.",
	.errors =
	    "EINVAL: the bytes end in the middle of a character (a recv "
	    "can cut one in two). EILSEQ: the bytes are not valid in that "
	    "encoding. Python raises UnicodeDecodeError for both.",
	.man = "iconv(3), utf-8(7)",
	.complete = "- encoding",
	.exec = cmd_encode_exec,
};
