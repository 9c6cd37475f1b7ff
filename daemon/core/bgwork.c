/* Subsystem worker threads let go after the privilege drop (bgwork.h). */
#include <event2/event.h>

#include "core/bgwork.h"

static void set_flag(struct bgwork *w, bool *flag)
{
	pthread_mutex_lock(&w->mu);
	*flag = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void begin(evutil_socket_t fd, short ev, void *arg)
{
	struct bgwork *w = arg;

	(void)fd;
	(void)ev;
	set_flag(w, &w->go);
}

int bgwork_start(struct bgwork *w, struct event_base *base, void *(*fn)(void *))
{
	struct timeval now = { 0, 0 };

	w->go = w->stop = false;
	if (pthread_create(&w->thr, NULL, fn, NULL))
		return -1;
	w->running = true;
	event_base_once(base, -1, EV_TIMEOUT, begin, w, &now);
	return 0;
}

bool bgwork_wait_go(struct bgwork *w)
{
	while (!w->go && !w->stop)
		pthread_cond_wait(&w->cv, &w->mu);
	return !w->stop;
}

void bgwork_stop(struct bgwork *w)
{
	if (!w->running)
		return;
	set_flag(w, &w->stop);
	pthread_join(w->thr, NULL);
	w->running = false;
}
