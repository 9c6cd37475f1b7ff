/*
 * Dropping root after everything privileged is open.  iiotd runs as the
 * "iiot" user when it exists, else "nobody" ([iiotd] user overrides).
 * It keeps one capability, CAP_DAC_OVERRIDE, only so that rings created
 * later by root-owned producers (mode 0640) can still be reopened
 * ([iiotd] keep_ring_access = no drops it too).
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
#include "store/store.h"

static void give(const char *path, uid_t uid, gid_t gid)
{
	if (chown(path, uid, gid) && errno != ENOENT)
		log_warn("chown %s", path);
}

static int keep_dac_override(char *err, size_t errlen)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct c[2];

	memset(c, 0, sizeof(c));
	c[0].effective = c[0].permitted = 1U << CAP_DAC_OVERRIDE;
	if (syscall(SYS_capset, &h, c)) {
		snprintf(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int iiotd_privdrop(struct iiotd *d, const char *user, bool keep_dac,
		   char *err, size_t errlen)
{
	struct passwd *pw;
	char path[PATH_MAX + 8];
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0) {
		d->run_uid = geteuid();
		d->run_gid = getegid();
		return 0;
	}
	if (!user) {
		pw = getpwnam("iiot");
		if (!pw)
			pw = getpwnam("nobody");
	} else {
		pw = getpwnam(user);
	}
	if (!pw) {
		snprintf(err, errlen, "user '%s' does not exist",
			 user ? user : "nobody");
		return -1;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		log_warnx("running as root: [iiotd] user = %s", pw->pw_name);
		d->run_uid = 0;
		d->run_gid = getegid();
		return 0;
	}
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
	if (keep_dac && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0)) {
		snprintf(err, errlen, "prctl: %s", strerror(errno));
		return -1;
	}
	if (setgroups(1, &gid) || setresgid(gid, gid, gid) ||
	    setresuid(uid, uid, uid)) {
		snprintf(err, errlen, "cannot drop to %s: %s", pw->pw_name,
			 strerror(errno));
		return -1;
	}
	if (keep_dac && keep_dac_override(err, errlen))
		return -1;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (setuid(0) == 0) {
		snprintf(err, errlen, "still root after dropping privileges");
		return -1;
	}
	d->run_uid = uid;
	d->run_gid = gid;
	log_info("running as %s (uid %u)%s", pw->pw_name, (unsigned)uid,
		 keep_dac ? ", keeping CAP_DAC_OVERRIDE for rings" : "");
	return 0;
}
