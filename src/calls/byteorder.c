#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "cmd.h"
#include "note.h"
#include "out.h"
#include "parse.h"
#include "shell.h"

/* Appends the n bytes of v, most significant first, as "ff 98". */
static void
byteorder_bytes(struct buf *b, unsigned long v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--)
		buf_printf(b, "%02lx%s", (v >> (8 * i)) & 0xff, i ? " " : "");
}

/* Returns v converted by the named function: htons, htonl, ntohs or ntohl. */
static unsigned long
byteorder_convert(const char *name, unsigned long v)
{
	if (strcmp(name, "htons") == 0)
		return htons((uint16_t)v);
	if (strcmp(name, "ntohs") == 0)
		return ntohs((uint16_t)v);
	if (strcmp(name, "htonl") == 0)
		return htonl((uint32_t)v);
	return ntohl((uint32_t)v);
}

/*
 * htons, htonl, ntohs, ntohl VALUE: converts between this machine's byte
 * order and network order (big-endian), and shows the bytes either way.
 */
static int
cmd_byteorder_exec(struct shell *sh, const struct cmd_entry *cmd,
    struct cmd_args *a)
{
	int n = cmd->name[4] == 's' ? 2 : 4, to_net = cmd->name[0] == 'h';
	int big = htons(1) == 1;
	unsigned long v, r;
	char line[64], err[128];
	struct buf b;
	long arg;

	if (parse_long(&a->argv[0], 0, n == 2 ? 0xffffL : 0xffffffffL, &arg,
	        err, sizeof(err)) == -1)
		return cmd_usage(sh, cmd, "%s", err);
	v = (unsigned long)arg;
	r = byteorder_convert(cmd->name, v);
	snprintf(line, sizeof(line), "%s(%lu)", cmd->name, v);
	out_call(sh, line, (long)r, 0);
	buf_init(&b);
	/* The bytes in memory are v's in network order for hton, r's for ntoh. */
	byteorder_bytes(&b, to_net ? v : r, n);
	if (to_net) {
		out_meaning(sh,
		    "%lu = 0x%0*lx; in network order (big-endian, "
		    "most significant byte first) its bytes are %s",
		    v, 2 * n, v, buf_str(&b));
		if (big)
			note_say(sh, "byteorder.hton",
			    "this machine is big-endian too: the "
			    "number does not change");
		else
			note_say(sh, "byteorder.hton",
			    "this machine is little-endian: it reads "
			    "the bytes %s back as 0x%0*lx = %lu",
			    buf_str(&b), 2 * n, r, r);
	} else {
		if (big)
			out_meaning(sh,
			    "%lu = 0x%0*lx; this machine is "
			    "big-endian, the same order as the network: the "
			    "number does not change",
			    v, 2 * n, v);
		else
			out_meaning(sh,
			    "%lu = 0x%0*lx; this little-endian "
			    "machine keeps it as the bytes %s",
			    v, 2 * n, v, buf_str(&b));
		note_say(sh, "byteorder.ntoh",
		    "read in network order (big-endian), the bytes "
		    "%s are 0x%0*lx = %lu",
		    buf_str(&b), 2 * n, r, r);
	}
	buf_free(&b);
	return CMD_OK;
}

const struct cmd_entry cmd_htons_entry = {
	.name = "htons",
	.usage = "PORT",
	.args_min = 1,
	.args_max = 1,
	.flags = 0,
	.group = CMD_GROUP_NAMES,
	.summary = "a 16-bit number (a port) from host to network byte order",
	.help =
	    "Computes htons(3): the 16-bit number, such as a port, with its "
	    "two bytes in network order (big-endian: the high byte first), "
	    "read back as this machine reads numbers. A socket address "
	    "holds its port this way: strace shows sin_port=htons(65432). "
	    "PORT is decimal or 0x-prefixed hex, 0 to 65535.",
	.errors = "None: it is arithmetic, not a system call.",
	.man = "byteorder(3)",
	.complete = "-",
	.exec = cmd_byteorder_exec,
};

const struct cmd_entry cmd_htonl_entry = {
	.name = "htonl",
	.usage = "NUMBER",
	.args_min = 1,
	.args_max = 1,
	.flags = 0,
	.group = CMD_GROUP_NAMES,
	.summary = "a 32-bit number (an IPv4 address) to network byte order",
	.help =
	    "Computes htonl(3): the 32-bit number, such as an IPv4 address "
	    "(127.0.0.1 is 0x7f000001), with its four bytes in network order "
	    "(big-endian), read back as this machine reads numbers. NUMBER "
	    "is decimal or 0x-prefixed hex, 0 to 4294967295.",
	.errors = "None: it is arithmetic, not a system call.",
	.man = "byteorder(3)",
	.complete = "-",
	.exec = cmd_byteorder_exec,
};

const struct cmd_entry cmd_ntohs_entry = {
	.name = "ntohs",
	.usage = "NUMBER",
	.args_min = 1,
	.args_max = 1,
	.flags = 0,
	.group = CMD_GROUP_NAMES,
	.summary = "a 16-bit number from network to host byte order",
	.help =
	    "Computes ntohs(3), the way back from htons: takes the two "
	    "bytes of NUMBER as they lie in memory and reads them in network "
	    "order (big-endian). ntohs(htons(x)) is x on every machine.",
	.errors = "None: it is arithmetic, not a system call.",
	.man = "byteorder(3)",
	.complete = "-",
	.exec = cmd_byteorder_exec,
};

const struct cmd_entry cmd_ntohl_entry = {
	.name = "ntohl",
	.usage = "NUMBER",
	.args_min = 1,
	.args_max = 1,
	.flags = 0,
	.group = CMD_GROUP_NAMES,
	.summary = "a 32-bit number from network to host byte order",
	.help =
	    "Computes ntohl(3), the way back from htonl: takes the four "
	    "bytes of NUMBER as they lie in memory and reads them in network "
	    "order (big-endian). ntohl(htonl(x)) is x on every machine.",
	.errors = "None: it is arithmetic, not a system call.",
	.man = "byteorder(3)",
	.complete = "-",
	.exec = cmd_byteorder_exec,
};
