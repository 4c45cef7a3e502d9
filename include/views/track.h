/*
 * What each call changed in the kernel: TCP state changes of every handle,
 * segments sent and received, packets on lo when capturing, and the event
 * log that diagram draws. Two hooks around each statement (track_resume
 * instead of track_begin before a job's notice).
 */
#ifndef SOCKSTEP_TRACK_H
#define SOCKSTEP_TRACK_H

struct shell;
struct stmt;
struct diagram;
struct capture;
struct capture_seg;
struct buf;

#define TRACK_MAX_LIVE 256 /* more live handles than this: no scan */

void track_init(struct shell *);
void track_free(struct shell *);
void track_begin(struct shell *, const struct stmt *);
void track_resume(struct shell *, const struct stmt *);
void track_end(struct shell *, const struct stmt *, int);
struct diagram *track_diagram(struct shell *);
struct capture *track_capture(struct shell *);
void track_resolve(struct shell *);
void track_seg_what(struct buf *, const struct capture_seg *);
void track_seg_print(struct shell *, const char *, const char *, const char *,
    const struct capture_seg *);

#endif
