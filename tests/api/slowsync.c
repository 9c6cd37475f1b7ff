/*
 * Test-only LD_PRELOAD shim: a slow disk.  fsync and fdatasync on files
 * whose path contains one of the ':'-separated $IIOT_SLOWSYNC_MATCH
 * (every file when unset) sleep
 * $IIOT_SLOWSYNC_MS first (default 500), and each such call is counted in
 * the file $IIOT_SLOWSYNC_COUNT (one line per call) when set, so tests can
 * tell how many syncs a set of commits cost.  Used by tests/api/writer.t.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int matches(const char *path, const char *list)
{
	char want[256];
	const char *e;
	size_t n;

	for (; *list; list = *e ? e + 1 : e) {
		e = strchrnul(list, ':');
		n = (size_t)(e - list);
		if (!n || n >= sizeof(want))
			continue;
		memcpy(want, list, n);
		want[n] = 0;
		if (strstr(path, want))
			return 1;
	}
	return 0;
}

static int slow(int fd)
{
	const char *m = getenv("IIOT_SLOWSYNC_MATCH");
	const char *ms = getenv("IIOT_SLOWSYNC_MS");
	const char *cnt = getenv("IIOT_SLOWSYNC_COUNT");
	char link[64], path[PATH_MAX];
	ssize_t n;
	long d = ms ? atol(ms) : 500;
	struct timespec ts = { d / 1000, (d % 1000) * 1000000L };

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = 0;
	if (m && !matches(path, m))
		return 0;
	if (cnt) {
		int c = open(cnt, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

		if (c >= 0) {
			dprintf(c, "%s\n", path);
			close(c);
		}
	}
	nanosleep(&ts, NULL);
	return 1;
}

int fdatasync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	slow(fd);
	return real(fd);
}

int fsync(int fd)
{
	static int (*real)(int);

	if (!real)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	slow(fd);
	return real(fd);
}
