/*
 * A subsystem's worker thread (scheduled backups, the self-evaluation):
 * made at start, while iiotd is still root, and let go on the event
 * loop's first turn, that is after the privilege drop, so whatever it
 * writes is iiotd's user's.  mu and cv are the subsystem's to guard and
 * signal its own state with too.
 */
#ifndef IIOTD_BGWORK_H
#define IIOTD_BGWORK_H

#include <pthread.h>
#include <stdbool.h>

struct event_base;

struct bgwork {
	pthread_t thr;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running, go, stop;
};

#define BGWORK_INIT { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER }

/* fn on a thread of its own; 0, or -1 when no thread could be made */
int bgwork_start(struct bgwork *w, struct event_base *base, void *(*fn)(void *));
/* in fn, with mu held: wait for the loop's first turn; false when stopped before */
bool bgwork_wait_go(struct bgwork *w);
/* ask fn to end (stop, signalled under mu) and join it; nothing when not running */
void bgwork_stop(struct bgwork *w);

#endif
