/* Tables of C constant names and their values, read in both directions. */
#ifndef SOCKSTEP_SYM_H
#define SOCKSTEP_SYM_H

struct buf;

struct sym {
	const char *name;
	long value;
};

extern const struct sym sym_family[];
extern const struct sym sym_socktype[];
extern const struct sym sym_sockflag[];
extern const struct sym sym_oflag[];
extern const struct sym sym_fcntl_cmd[];
extern const struct sym sym_cloexec[];
extern const struct sym sym_proto[];
extern const struct sym sym_level[];
extern const struct sym sym_shut[];
extern const struct sym sym_msg[];
extern const struct sym sym_poll[];
extern const struct sym sym_epoll[];
extern const struct sym sym_epoll_op[];
extern const struct sym sym_epoll_flag[];
extern const struct sym sym_errno[];
extern const struct sym sym_tcp_state[];

int sym_value(const struct sym *, const char *, long *);
int sym_flags(const struct sym *, const char *, long *);
const char *sym_name(const struct sym *, long);
void sym_format_flags(struct buf *, const struct sym *, long);
void sym_format_oflags(struct buf *, long);
const char *sym_errno_name(int);

#endif
