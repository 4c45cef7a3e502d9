/* Background calls: accept srv & waits for readiness, then makes the call. */
#ifndef SOCKSTEP_JOB_H
#define SOCKSTEP_JOB_H

struct shell;
struct stmt;
struct handle;

struct job {
	int id;
	int fd; /* the handle's fd when the job began */
	char hname[32];
	char *text; /* the statement, as it will run */
};

struct jobs {
	struct job *v;
	int n;
	int next_id;
};

void job_add(struct shell *, const struct stmt *, const struct handle *);
int job_check(struct shell *, int);
int job_find(const struct shell *, int);
void job_drop(struct shell *, int);
void job_free(struct shell *);

#endif
