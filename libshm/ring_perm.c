/*
 * Who may open a ring: its producer and the group SHM_GROUP.  iiotd keeps
 * no capability after start-up, so a ring it drains must be group SHM_GROUP
 * with mode 0660 (its wake FIFO too, and SHM_DIR searchable by that group)
 * and iiotd's user a member of the group.  Producers set this up on what
 * they create, through descriptors; a consumer that cannot open a ring
 * says which of these is missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm_internal.h"

static gid_t ring_gid(void)
{
	struct group *g = getgrnam(SHM_GROUP);

	return g ? g->gr_gid : (gid_t)-1;
}

/*
 * Our own file or directory (never someone else's) gets the ring group and
 * at least mode bits `want`.  No group SHM_GROUP on this host: the mode
 * alone (a consumer running as the producer's user or group still opens).
 */
static void give_to_group(int fd, mode_t want)
{
	gid_t gid = ring_gid();
	struct stat st;

	if (fstat(fd, &st) || st.st_uid != geteuid())
		return;
	/* a producer outside the group cannot give it away: the consumer's
	 * error explains (shm_explain_open) */
	if (gid != (gid_t)-1 && st.st_gid != gid)
		(void)!fchown(fd, (uid_t)-1, gid);
	if ((st.st_mode & want) != want)
		(void)!fchmod(fd, (st.st_mode & 07777) | want);
}

void shm_own_ring_fd(int fd)
{
	give_to_group(fd, 0660);
}

void shm_own_ring_dir(const char *dir, bool created)
{
	int fd;

	/* an existing directory is its owner's business, except ours */
	if (!created && strcmp(dir, SHM_DIR))
		return;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	give_to_group(fd, 0750);
	close(fd);
}

void shm_own_wake_fifo(const char *wpath)
{
	struct stat st;
	int fd;

	/* O_NONBLOCK: a FIFO's read end opens without a writer */
	fd = open(wpath, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	if (!fstat(fd, &st) && S_ISFIFO(st.st_mode))
		give_to_group(fd, 0660);
	close(fd);
}

static const char *user_name(char *buf, size_t len)
{
	struct passwd *pw = getpwuid(geteuid());

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "uid %u", (unsigned)geteuid());
	return buf;
}

static bool in_ring_group(void)
{
	gid_t gid = ring_gid(), groups[256];
	int i, n;

	if (gid == (gid_t)-1)
		return false;
	if (getegid() == gid)
		return true;
	n = getgroups(256, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

static void explain_denied(const char *path)
{
	char user[64], dir[256], *slash;
	struct stat st;

	user_name(user, sizeof(user));
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	if (ring_gid() == (gid_t)-1) {
		shm_set_error("cannot open ring %s: Permission denied, and "
			      "there is no group %s: create it, add user %s "
			      "to it and restart the producer (rings are "
			      "group %s mode 0660)", path, SHM_GROUP, user,
			      SHM_GROUP);
	} else if (!in_ring_group()) {
		shm_set_error("cannot open ring %s: Permission denied: add "
			      "user %s to group %s (usermod -aG %s %s) and "
			      "restart it", path, user, SHM_GROUP, SHM_GROUP,
			      user);
	} else if (lstat(path, &st)) {
		shm_set_error("cannot open ring %s: Permission denied: its "
			      "directory %s must be searchable by group %s "
			      "(mode 0750 or wider)", path, dir, SHM_GROUP);
	} else {
		shm_set_error("cannot open ring %s: Permission denied: the "
			      "ring is uid %u gid %u mode %04o; a ring must be "
			      "group %s mode 0660 (restart its producer)",
			      path, (unsigned)st.st_uid, (unsigned)st.st_gid,
			      (unsigned)(st.st_mode & 07777), SHM_GROUP);
	}
}

int shm_explain_open(const char *path, int err)
{
	if (err == EACCES || err == EPERM)
		explain_denied(path);
	else if (err == ELOOP)
		shm_set_error("cannot open ring %s: it is a symbolic link, "
			      "which is never followed: configure the ring's "
			      "own path", path);
	else
		shm_set_error("cannot open ring %s: %s", path, strerror(err));
	return -err;
}
