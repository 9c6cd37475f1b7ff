/*
 * Dropping root.  iiotd runs as the "iiot" user when it exists, else
 * "nobody" ([iiotd] user overrides), with that user's groups and no
 * capability at all: not in the effective, permitted, inheritable, ambient
 * or bounding set, and no_new_privs set.  Rings stay readable because
 * producers make them group iiot mode 0660 (libshm's SHM_GROUP) and
 * iiotd's user is in that group.
 *
 * Steps: iiotd_priv_prepare() before any thread exists (the bounding set,
 * no_new_privs and the inheritable set are per thread: every thread made
 * later inherits them); iiotd_state_dir() hands the state directory to
 * the user; what is opened in it before the drop is opened with the
 * user's file-system identity (iiotd_fs_user), so a link the user left
 * there gets root nothing; iiotd_privdrop() once everything privileged is
 * open (the uid change reaches every thread).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "libshm.h"

/*
 * Files older versions made as root in the state directory, before it
 * became the user's to write: handed over through their descriptors, and
 * only plain files with one link (never what a link points to).
 */
static const char *const old_root_files[] = {
	IIOTD_DB_NAME, IIOTD_DB_NAME "-wal", IIOTD_DB_NAME "-shm",
	"auth.db", "auth.db-wal", "auth.db-shm",
	"audit.db", "audit.db-wal", "audit.db-shm", "secret.key",
	"alerts.db", "alerts.db-wal", "alerts.db-shm",
	"analytics.db", "analytics.db-wal", "analytics.db-shm",
	"baseline.db", "baseline.db-wal", "baseline.db-shm", "iiotd.lock", NULL
};

static void hand_over(int dfd, const char *name, uid_t uid, gid_t gid)
{
	struct stat st;
	int fd;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC);
	if (fd < 0)
		return;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_nlink == 1 &&
	    st.st_uid == 0 && fchown(fd, uid, gid))
		log_warn("chown %s", name);
	close(fd);
}

/*
 * Root follows state_dir itself (an administrator may link it elsewhere):
 * that is only safe while its parent is not the user's, who could swap
 * state_dir for a link to any directory root would then hand over.
 */
static int check_parent(const struct iiotd *d, char *err, size_t errlen)
{
	char parent[PATH_MAX];
	struct stat st;

	snprintf(parent, sizeof(parent), "%s", d->state_dir);
	if (stat(dirname(parent), &st) || st.st_uid != d->run_uid)
		return 0;
	snprintf(err, errlen, "state_dir %s: its parent %s belongs to %s, who "
		 "could replace state_dir with a link: make the parent root's",
		 d->state_dir, parent, d->run_user);
	return -1;
}

int iiotd_state_dir(struct iiotd *d, char *err, size_t errlen)
{
	size_t i;
	int fd;

	if (mkdir(d->state_dir, 0750) && errno != EEXIST) {
		snprintf(err, errlen, "state_dir %s: %s", d->state_dir,
			 strerror(errno));
		return -1;
	}
	if (!d->drop)
		return 0;
	if (check_parent(d, err, errlen))
		return -1;
	fd = open(d->state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fchown(fd, d->run_uid, d->run_gid)) {
		snprintf(err, errlen, "state_dir %s: %s", d->state_dir,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; old_root_files[i]; i++)
		hand_over(fd, old_root_files[i], d->run_uid, d->run_gid);
	close(fd);
	return 0;
}

void iiotd_fs_user(struct iiotd *d, bool user)
{
	if (!d->drop)
		return;
	/* the group first while still root; back to root's uid first */
	if (user) {
		setfsgid(d->run_gid);
		setfsuid(d->run_uid);
	} else {
		setfsuid(0);
		setfsgid(0);
	}
}

/* Every capability this kernel knows, out of the bounding set: even a
 * set-uid-root binary could not give one back. */
static int drop_bounding(char *err, size_t errlen)
{
	int cap;

	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)) {
			if (errno == EINVAL)	/* past the last one */
				break;
			snprintf(err, errlen, "cannot drop capability %d from "
				 "the bounding set: %s", cap, strerror(errno));
			return -1;
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s",
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* What is left after the uid change must be nothing. */
static int check_no_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct c[2];

	memset(c, 0, sizeof(c));
	if (syscall(SYS_capget, &h, c)) {
		snprintf(err, errlen, "capget: %s", strerror(errno));
		return -1;
	}
	if (c[0].effective | c[0].permitted | c[0].inheritable |
	    c[1].effective | c[1].permitted | c[1].inheritable) {
		snprintf(err, errlen, "capabilities left after dropping root");
		return -1;
	}
	return 0;
}

/* Root keeps its effective and permitted sets until the uid change;
 * nothing is inheritable across an exec. */
static int clear_inheritable(char *err, size_t errlen)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct c[2];

	memset(c, 0, sizeof(c));
	if (syscall(SYS_capget, &h, c))
		goto fail;
	c[0].inheritable = c[1].inheritable = 0;
	if (syscall(SYS_capset, &h, c))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "capset: %s", strerror(errno));
	return -1;
}

/* Rings are group SHM_GROUP: say so at start when the user is not in it. */
static void check_ring_group(const char *name)
{
	struct group *g = getgrnam(SHM_GROUP);
	gid_t groups[256];
	int i, n;

	if (!g) {
		log_warnx("no group %s: rings made by other users cannot be "
			  "opened (create it and add user %s to it)",
			  SHM_GROUP, name);
		return;
	}
	n = getgroups(256, groups);
	for (i = 0; i < n; i++)
		if (groups[i] == g->gr_gid)
			return;
	if (getegid() != g->gr_gid)
		log_warnx("user %s is not in group %s: it cannot open rings "
			  "made by others (usermod -aG %s %s)", name,
			  SHM_GROUP, SHM_GROUP, name);
}

int iiotd_priv_prepare(struct iiotd *d, const char *user, char *err,
		       size_t errlen)
{
	struct passwd *pw;

	d->run_uid = geteuid();
	d->run_gid = getegid();
	d->drop = false;
	if (geteuid() != 0)
		return 0;
	pw = getpwnam(user ? user : "iiot");
	if (!pw && !user)
		pw = getpwnam("nobody");
	if (!pw) {
		snprintf(err, errlen, "user '%s' does not exist",
			 user ? user : "nobody");
		return -1;
	}
	if (pw->pw_uid == 0) {
		log_warnx("running as root: [iiotd] user = %s", pw->pw_name);
		return 0;
	}
	snprintf(d->run_user, sizeof(d->run_user), "%s", pw->pw_name);
	d->run_uid = pw->pw_uid;
	d->run_gid = pw->pw_gid;
	d->drop = true;
	if (drop_bounding(err, errlen) || clear_inheritable(err, errlen))
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* root needs no groups of its own: take the user's now, so what is
	 * opened in its name before the drop sees the same groups */
	if (initgroups(pw->pw_name, pw->pw_gid)) {
		snprintf(err, errlen, "groups of %s: %s", pw->pw_name,
			 strerror(errno));
		return -1;
	}
	return 0;
}

int iiotd_privdrop(struct iiotd *d, char *err, size_t errlen)
{
	uid_t uid = d->run_uid;
	gid_t gid = d->run_gid;

	if (!d->drop)
		return 0;
	if (setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		snprintf(err, errlen, "cannot drop to %s: %s", d->run_user,
			 strerror(errno));
		return -1;
	}
	if (check_no_caps(err, errlen))
		return -1;
	if (setuid(0) == 0) {
		snprintf(err, errlen, "still root after dropping privileges");
		return -1;
	}
	check_ring_group(d->run_user);
	log_info("running as %s (uid %u), without capabilities", d->run_user,
		 (unsigned)uid);
	return 0;
}
