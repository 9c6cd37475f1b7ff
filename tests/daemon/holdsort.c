/*
 * Test-only LD_PRELOAD shim: holds a background job in the middle of its
 * work.  qsort called on a job thread (named "iiotd-job", daemon/api/jobs.c)
 * while the file $IIOT_HOLD exists first appends one line to
 * $IIOT_HOLD.seen, then waits until $IIOT_HOLD is removed.  A pcap export
 * sorts its frames there, so tests/daemon/live.t can keep exports running
 * for as long as it asks the daemon other things, and know they run on job
 * threads: qsort anywhere else is never held.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef void (*qsort_fn)(void *, size_t, size_t, int (*)(const void *, const void *));

static void hold(void)
{
	const char *f = getenv("IIOT_HOLD");
	struct timespec ts = { 0, 10 * 1000000L };
	char name[16] = "", seen[PATH_MAX];
	int fd;

	if (!f || access(f, F_OK) ||
	    pthread_getname_np(pthread_self(), name, sizeof(name)) ||
	    strcmp(name, "iiotd-job"))
		return;
	snprintf(seen, sizeof(seen), "%s.seen", f);
	fd = open(seen, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dprintf(fd, "held\n");
		close(fd);
	}
	while (!access(f, F_OK))
		nanosleep(&ts, NULL);
}

void qsort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	static qsort_fn real;

	if (!real)
		real = (qsort_fn)dlsym(RTLD_NEXT, "qsort");
	hold();
	real(base, n, size, cmp);
}
