/*
 * SQLite creates a database 0644 less the umask and gives its -wal and -shm
 * files the database's mode, so auth.db, audit.db and the samples database
 * came out readable by every local user.  Each holds what only iiotd may
 * read (password hashes and TOTP seeds, the audit trail, captured traffic):
 * the file is made here first, 0600, and one an older iiotd left more open
 * is closed down, its companions too.  O_NOFOLLOW: iiotd may run this as
 * root in a directory its own user owns, where a planted symlink would
 * otherwise make root create or chmod a file of the planter's choosing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/dbfile.h"

/*
 * O_PATH: closing any other descriptor of a file drops every POSIX lock
 * the process holds on it, so an open()/close() here while iiotd already
 * has the database open (a second connection, the audit writer's, a
 * control command's) silently released SQLite's locks; another process
 * then saw itself as the last user and deleted the live WAL.  An O_PATH
 * descriptor is not a real open and its close leaves the locks alone.
 */
static int private_one(const char *path, int create, char *err, size_t errlen)
{
	char self[64];
	struct stat st;
	int fd, rc = -1;

	if (create) {
		/* a file made here is new: nobody holds a lock on it yet */
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0)
			close(fd);
		else if (errno != EEXIST) {
			snprintf(err, errlen, "%s: %s", path, errno == ELOOP ?
				 "is a symlink; refused" : strerror(errno));
			return -1;
		}
	}
	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (!create && errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st))
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (S_ISLNK(st.st_mode))
		snprintf(err, errlen, "%s: is a symlink; refused", path);
	else if (!S_ISREG(st.st_mode))
		snprintf(err, errlen, "%s: not a regular file; refused", path);
	else
		rc = 0;
	/* through the descriptor, not the name; only the owner (or root) can */
	snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
	if (rc == 0 && (st.st_mode & 077) && chmod(self, st.st_mode & 0600) &&
	    errno != EPERM) {
		snprintf(err, errlen, "%s: chmod: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	return rc;
}

int dbfile_private(const char *path, char *err, size_t errlen)
{
	static const char *const companion[] = { "-wal", "-shm", "-journal" };
	char p[4096];
	size_t i;

	if (private_one(path, 1, err, errlen))
		return -1;
	for (i = 0; i < sizeof(companion) / sizeof(companion[0]); i++) {
		if ((size_t)snprintf(p, sizeof(p), "%s%s", path, companion[i]) >= sizeof(p)) {
			snprintf(err, errlen, "%s: path too long", path);
			return -1;
		}
		if (private_one(p, 0, err, errlen))
			return -1;
	}
	return 0;
}
