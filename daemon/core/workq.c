/* Job FIFOs, worker threads and loop wakeups shared by iiotd's pools. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include "core/workq.h"

void workq_push(struct workq_fifo *f, struct workq_node *n)
{
	n->next = NULL;
	if (f->tail)
		f->tail->next = n;
	else
		f->head = n;
	f->tail = n;
}

struct workq_node *workq_pop(struct workq_fifo *f)
{
	struct workq_node *n = f->head;

	if (n) {
		f->head = n->next;
		if (!f->head)
			f->tail = NULL;
	}
	return n;
}

void workq_unlink(struct workq_fifo *f, struct workq_node *n)
{
	struct workq_node **pp, *prev = NULL;

	for (pp = &f->head; *pp; prev = *pp, pp = &(*pp)->next)
		if (*pp == n) {
			*pp = n->next;
			if (f->tail == n)
				f->tail = prev;
			return;
		}
}

int workq_start(pthread_t *th, int n, void *(*fn)(void *), void *arg,
		const char *name, int *started)
{
	sigset_t all, old;
	int i, rc = 0;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	for (i = 0; i < n && !rc; i++) {
		rc = pthread_create(&th[i], NULL, fn, arg);
		if (!rc) {
			pthread_setname_np(th[i], name);
			(*started)++;
		}
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = rc;
	return rc ? -1 : 0;
}

void workq_wake(int efd)
{
	uint64_t one = 1;
	ssize_t n;

	/* only fails when the counter is about to overflow: the loop wakes anyway */
	n = write(efd, &one, sizeof(one));
	(void)n;
}
