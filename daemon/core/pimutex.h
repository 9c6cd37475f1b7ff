/*
 * Mutexes the capture thread shares with other threads (the store's
 * queue, alerts, analytics, the monitor queue) inherit the priority of
 * the threads waiting for them: a holder preempted on a loaded machine -
 * the API thread reading alerts, the store writer swapping its queue - is
 * run at the capture thread's real-time priority until it lets go,
 * instead of holding capture up behind every other runnable task.
 * Uncontended, such a mutex costs what a plain one does (no system call).
 */
#ifndef IIOTD_PIMUTEX_H
#define IIOTD_PIMUTEX_H

#include <pthread.h>

static inline void pimutex_init(pthread_mutex_t *mu)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	/* without PI support it is a plain mutex: still correct */
	pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
	pthread_mutex_init(mu, &a);
	pthread_mutexattr_destroy(&a);
}

#endif
