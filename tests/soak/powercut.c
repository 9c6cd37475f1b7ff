/*
 * Power-loss emulation for tests/soak/powerloss.soak (LD_PRELOAD).
 *
 * A disk keeps, after a power cut, what was fsynced; writes since the last
 * fsync may be gone.  This shim keeps that disk beside the real one: each
 * fsync or fdatasync of a regular file under $POWERCUT_DIR, once the real
 * call returned, copies the file as it is then to the same relative path
 * under $POWERCUT_SHADOW (through a temporary name and rename, so a kill
 * mid-copy leaves the previous synced image).  The caller sees its sync
 * return only after the copy: whatever it acknowledged after a sync is in
 * the shadow.  Kill the process at any point and the shadow is the disk
 * as if every unsynced write was lost; the harness starts from it.
 *
 * The harness seeds the shadow with the directory as it was at start
 * (files present then count as synced).  Files never synced (SQLite's
 * -shm, a WAL nobody committed to) are absent from it, as after a cut.
 * Counts: $POWERCUT_SHADOW/.powercut holds "syncs N copied_bytes N",
 * rewritten at each sync.
 *
 * A slow disk: $POWERCUT_SYNC_DELAY_MS makes each sync of a file under
 * $POWERCUT_DIR take that much longer (no shadow needed).  Not
 * installed, tests only.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int fsync(int fd);
int fdatasync(int fd);

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static uint64_t nsyncs, ncopied;

static int (*real_fsync)(int);
static int (*real_fdatasync)(int);

/* the path of fd relative to $POWERCUT_DIR, or NULL when outside it */
static const char *tracked(int fd, char *buf, size_t len)
{
	const char *dir = getenv("POWERCUT_DIR");
	char link[64];
	struct stat st;
	size_t dl;
	ssize_t n;

	if (!dir || fstat(fd, &st) || !S_ISREG(st.st_mode))
		return NULL;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, len - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	dl = strlen(dir);
	if (strncmp(buf, dir, dl) || buf[dl] != '/')
		return NULL;
	return buf + dl + 1;
}

static void save_counts(const char *shadow)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/.powercut", shadow);
	f = fopen(path, "w");
	if (!f)
		return;
	fprintf(f, "syncs %llu copied_bytes %llu\n", (unsigned long long)nsyncs,
		(unsigned long long)ncopied);
	fclose(f);
}

/* the file behind fd, as it is now, becomes the synced image of rel */
static void copy_synced(int fd, const char *rel)
{
	const char *shadow = getenv("POWERCUT_SHADOW");
	char dst[PATH_MAX], tmp[PATH_MAX + 32], buf[1 << 16];
	off_t off = 0;
	ssize_t n;
	int out;

	if (!shadow)
		return;
	snprintf(dst, sizeof(dst), "%s/%s", shadow, rel);
	snprintf(tmp, sizeof(tmp), "%s.powercut-tmp", dst);
	pthread_mutex_lock(&mu);
	out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		goto out;
	while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
		if (write(out, buf, (size_t)n) != n)
			break;
		off += n;
	}
	close(out);
	if (n == 0 && !rename(tmp, dst)) {
		nsyncs++;
		ncopied += (uint64_t)off;
		save_counts(shadow);
	} else {
		unlink(tmp);
	}
out:
	pthread_mutex_unlock(&mu);
}

/* before the real sync: a slow disk holds the caller this long */
static void slow(int fd)
{
	const char *ms = getenv("POWERCUT_SYNC_DELAY_MS");
	char buf[PATH_MAX];
	struct timespec ts;
	long v;

	if (!ms || (v = strtol(ms, NULL, 10)) <= 0 || !tracked(fd, buf, sizeof(buf)))
		return;
	ts.tv_sec = v / 1000;
	ts.tv_nsec = (v % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

static int synced(int fd, int rc)
{
	char buf[PATH_MAX];
	const char *rel;
	int e = errno;

	if (rc == 0 && (rel = tracked(fd, buf, sizeof(buf))))
		copy_synced(fd, rel);
	errno = e;
	return rc;
}

int fsync(int fd)
{
	if (!real_fsync)
		real_fsync = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	slow(fd);
	return synced(fd, real_fsync(fd));
}

int fdatasync(int fd)
{
	if (!real_fdatasync)
		real_fdatasync = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	slow(fd);
	return synced(fd, real_fdatasync(fd));
}
