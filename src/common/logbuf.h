/*
 * logbuf.h — a line log written in blocks by a thread of its own.
 *
 * Writers copy their line into a buffer under a mutex and return: no system
 * call per line. A flusher thread writes the buffer out when it is half full,
 * when its oldest line has waited `flush_ms`, and at close. A line is never
 * split between two writes and lines of one thread keep their order. A
 * writer finding the buffer full waits for the flusher (no line is dropped).
 * What a SIGKILL catches in the buffer (at most flush_ms of lines) is lost.
 */
#ifndef BO_COMMON_LOGBUF_H
#define BO_COMMON_LOGBUF_H

#include <stddef.h>

typedef struct bo_logbuf bo_logbuf;

/* Starts a log writing to fd (not closed at the end); NULL when out of
 * memory or threads. */
bo_logbuf *bo_logbuf_open(int fd, int flush_ms);
/* Appends one line (the caller's text, newline included); longer lines are
 * cut to the buffer's size. */
void bo_logbuf_write(bo_logbuf *lb, const char *line, size_t n);
/* Writes what is left, stops the thread and frees the log. NULL is fine. */
void bo_logbuf_close(bo_logbuf *lb);

#endif
