/*
 * Dropping root.  iiotd runs as the "iiot" user when it exists, else
 * "nobody" ([iiotd] user overrides), with that user's groups and no
 * capability at all: not in the effective, permitted, inheritable, ambient
 * or bounding set, and no_new_privs set.  Rings stay readable because
 * producers make them group iiot mode 0660 (libshm's SHM_GROUP) and
 * iiotd's user is in that group.
 *
 * Two steps: iiotd_priv_prepare() before any thread exists (the bounding
 * set, no_new_privs and the inheritable set are per thread: every thread
 * made later inherits them), iiotd_privdrop() once everything privileged
 * is open (the uid change reaches every thread).
 */
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/ctlsock.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "libshm.h"
#include "store/store.h"

static void give(const char *path, uid_t uid, gid_t gid)
{
	if (chown(path, uid, gid) && errno != ENOENT)
		log_warn("chown %s", path);
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
	char path[PATH_MAX + 8];
	uid_t uid = d->run_uid;
	gid_t gid = d->run_gid;

	if (!d->drop)
		return 0;
	/* what the dropped daemon still writes: its state */
	give(d->state_dir, uid, gid);
	if (d->store) {
		const char *db = store_path(d->store);

		give(db, uid, gid);
		snprintf(path, sizeof(path), "%s-wal", db);
		give(path, uid, gid);
		snprintf(path, sizeof(path), "%s-shm", db);
		give(path, uid, gid);
	}
	if (d->ctl && ctlsock_chown(d->ctl, uid, ctlsock_gid(d->ctl) ==
				    getegid() ? gid : ctlsock_gid(d->ctl)))
		log_warn("chown %s", d->ctl_path);
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
