/*
 * What every pool of worker threads in iiotd shares (auth/hash_worker.c,
 * store/readpool.c): a FIFO of jobs linked through their first member,
 * threads started with every signal blocked (signals belong to the main
 * loop, where libevent handles them), and the eventfd that wakes the main
 * loop when a job is done.  Locking is the pool's own.
 */
#ifndef IIOTD_WORKQ_H
#define IIOTD_WORKQ_H

#include <pthread.h>

struct workq_node {
	struct workq_node *next;
};

struct workq_fifo {
	struct workq_node *head, *tail;
};

void workq_push(struct workq_fifo *f, struct workq_node *n);
struct workq_node *workq_pop(struct workq_fifo *f);
/* Takes n out wherever it is; nothing when it is not there. */
void workq_unlink(struct workq_fifo *f, struct workq_node *n);

/*
 * Start n threads running fn(arg), named name; *started counts those that
 * run.  0, or -1 with errno when one could not be started (those started
 * keep running: the caller stops them).
 */
int workq_start(pthread_t *th, int n, void *(*fn)(void *), void *arg,
		const char *name, int *started);
/* Wake the loop watching efd (an eventfd). */
void workq_wake(int efd);

#endif
