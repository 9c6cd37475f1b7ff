/*
 * One iiotd per state directory: an exclusive flock(2) on state_dir/iiotd.lock,
 * held for the daemon's life and released by the kernel when it dies (so a
 * crash leaves nothing to clean up).  A second iiotd on the same directory
 * would share the databases and take over the first one's control socket;
 * it refuses to start instead, before it touches either.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/daemon.h"

#define LOCK_NAME	"iiotd.lock"

int statelock_take(const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], pid[24];
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, LOCK_NAME) >= (int)sizeof(path)) {
		snprintf(err, errlen, "state_dir too long");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		int e = errno;

		n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			snprintf(err, errlen, "another iiotd%s%s%s runs on state_dir %s "
				 "(%s is locked); not starting", *pid ? " (pid " : "", pid,
				 *pid ? ")" : "", dir, path);
		else
			snprintf(err, errlen, "flock %s: %s", path, strerror(e));
		close(fd);
		return -1;
	}
	/* the pid is for people; the lock is the flock, not the contents */
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}
