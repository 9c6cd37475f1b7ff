/*
 * Ring directory watch (inotify) on the capture thread's loop: calls fn
 * whenever something is created, renamed into or closed after writing in
 * a watched ring directory, so a new producer's ring is attached at once.
 */
#ifndef IIOTD_RINGWATCH_H
#define IIOTD_RINGWATCH_H

#include <stdbool.h>
#include <stdint.h>

struct event_base;
struct ringwatch;

typedef void (*ringwatch_fn)(void *arg);

/* NULL only when out of memory; without inotify it watches nothing */
struct ringwatch *ringwatch_new(struct event_base *base, ringwatch_fn fn,
				void *arg);
/* Watch ring_path's directory; again after it was missing or removed. */
void ringwatch_add(struct ringwatch *w, const char *ring_path);
/* IN_Q_OVERFLOW seen (events lost; the tick and the callback catch up) */
uint64_t ringwatch_overflows(const struct ringwatch *w);
void ringwatch_free(struct ringwatch *w);

#endif
