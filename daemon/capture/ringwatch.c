/*
 * Ring directory watch: libshm builds a ring under a temporary name and
 * renames it into place (ring_prod.c), so IN_MOVED_TO in the ring's
 * directory says a new ring is there to attach.  A restarted producer of
 * the same geometry takes the old file over instead: no name changes, but
 * every producer opens and closes its wake FIFO read-only once it is
 * ready (shm_own_wake_fifo), so IN_CLOSE_NOWRITE on a ".wake" says so.
 * IN_CREATE covers the module's nodes; IN_CLOSE_WRITE a producer that
 * ends.  Any of them makes capture
 * look at its rings at once instead of on the next one-second tick, which
 * stays as the fallback: no inotify, a directory that does not exist yet
 * (the tick adds the watch again), or a queue overflow (events lost: the
 * callback looks at every ring anyway).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <event2/event.h>

#include "capture/ringwatch.h"
#include "core/log.h"

#define RINGWATCH_MAX_DIRS	16
#define RINGWATCH_MASK		(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | \
				 IN_CLOSE_NOWRITE | IN_ONLYDIR)

struct ringwatch {
	int fd;
	struct event *ev;
	ringwatch_fn fn;
	void *arg;
	uint64_t overflows;
	size_t ndirs;
	struct {
		char path[256];
		int wd;		/* -1: not watched (yet) */
		int warned;	/* errno logged once */
	} dirs[RINGWATCH_MAX_DIRS];
};

/*
 * Readers close files here all the time (iiotctl rings, our own stats
 * reads of an ended ring): of the read-only closes only a wake FIFO's
 * counts, which consumers open once per attach.
 */
static bool relevant(const struct inotify_event *ev)
{
	size_t n;

	if (ev->mask & (IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE |
			IN_Q_OVERFLOW))
		return true;
	if (!(ev->mask & IN_CLOSE_NOWRITE) || !ev->len)
		return false;
	n = strnlen(ev->name, ev->len);
	return n > 5 && !strcmp(ev->name + n - 5, ".wake");
}

static void on_events(evutil_socket_t fd, short what, void *arg)
{
	struct ringwatch *w = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;
	ssize_t n;

	(void)what;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		const char *p = buf;

		while (p < buf + n) {
			const struct inotify_event *ev = (const void *)p;
			size_t i;

			if (ev->mask & IN_Q_OVERFLOW)
				w->overflows++;
			if (ev->mask & IN_IGNORED)	/* directory gone */
				for (i = 0; i < w->ndirs; i++)
					if (w->dirs[i].wd == ev->wd)
						w->dirs[i].wd = -1;
			if (relevant(ev))
				any = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (n < 0 && errno != EAGAIN && errno != EINTR)
		log_warn("capture: reading the ring directory watch");
	if (any)
		w->fn(w->arg);
}

struct ringwatch *ringwatch_new(struct event_base *base, ringwatch_fn fn,
				void *arg)
{
	struct ringwatch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fn = fn;
	w->arg = arg;
	w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (w->fd < 0) {
		log_warn("capture: no ring directory watch (rings are "
			 "looked for every second)");
		return w;
	}
	w->ev = event_new(base, w->fd, EV_READ | EV_PERSIST, on_events, w);
	if (!w->ev || event_add(w->ev, NULL)) {
		log_warnx("capture: cannot add the ring directory watch");
		if (w->ev)
			event_free(w->ev);
		w->ev = NULL;
		close(w->fd);
		w->fd = -1;
	}
	return w;
}

/* The directory a ring path lives in, into dir (false: none or too long). */
static bool dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	if (!slash)
		return false;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= len)
		return false;
	memcpy(dir, path, n);
	dir[n] = '\0';
	return true;
}

void ringwatch_add(struct ringwatch *w, const char *ring_path)
{
	char dir[256];
	size_t i;

	if (!w || w->fd < 0 || !dir_of(ring_path, dir, sizeof(dir)))
		return;
	for (i = 0; i < w->ndirs; i++)
		if (!strcmp(w->dirs[i].path, dir))
			break;
	if (i == w->ndirs) {
		if (w->ndirs == RINGWATCH_MAX_DIRS)
			return;		/* the tick still finds its rings */
		snprintf(w->dirs[i].path, sizeof(w->dirs[i].path), "%s", dir);
		w->dirs[i].wd = -1;
		w->ndirs++;
	}
	if (w->dirs[i].wd >= 0)
		return;
	w->dirs[i].wd = inotify_add_watch(w->fd, dir, RINGWATCH_MASK);
	if (w->dirs[i].wd < 0) {
		/* no directory yet is usual before the first producer */
		if (errno != ENOENT && w->dirs[i].warned != errno)
			log_warn("capture: cannot watch %s (rings there are "
				 "looked for every second)", dir);
		w->dirs[i].warned = errno;
		return;
	}
	w->dirs[i].warned = 0;
	log_debug("capture: watching %s for new rings", dir);
}

uint64_t ringwatch_overflows(const struct ringwatch *w)
{
	return w ? w->overflows : 0;
}

void ringwatch_free(struct ringwatch *w)
{
	if (!w)
		return;
	if (w->ev)
		event_free(w->ev);
	if (w->fd >= 0)
		close(w->fd);
	free(w);
}
