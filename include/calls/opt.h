/* Socket options by name: their level, the shape of their value, and how strace prints it. */
#ifndef SOCKSTEP_OPT_H
#define SOCKSTEP_OPT_H

#include <sys/socket.h>
#include <sys/time.h>
#include <stddef.h>

struct buf;
struct token;

enum opt_kind {
	OPT_INT,
	OPT_BOOL,
	OPT_LINGER,
	OPT_TIMEVAL,
	OPT_ERRNO,
	OPT_SOCKTYPE,
	OPT_STRING /* a name, such as SO_BINDTODEVICE's interface */
};

struct opt {
	const char *name;
	int level;
	int optname;
	enum opt_kind kind;
	int readonly;
};

/* Room for any option value this shell knows. */
union opt_value {
	int i;
	struct linger l;
	struct timeval tv;
	unsigned char raw[64];
};

extern const struct opt opt_table[];

const struct opt *opt_find(const char *);
int opt_parse(const struct opt *, const struct token *, int, union opt_value *,
    socklen_t *, char *, size_t);
void opt_format(struct buf *, const struct opt *, const union opt_value *,
    socklen_t);

#endif
