/*
 * The state directory of "iiotctl user" and "iiotctl audit", and whose
 * rights they use there.  The directory is iiotd's user's: run as root,
 * iiotctl opens and creates files in it with that owner's file-system
 * identity, so a link left there gets root nothing and what it makes
 * stays the daemon's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/iiotd.h"
#include "ctl.h"

const char *ctl_state_dir(int *argc, char ***argv)
{
	const char *d = getenv("IIOT_STATE_DIR");

	if (*argc >= 3 && !strcmp((*argv)[1], "--state")) {
		d = (*argv)[2];
		*argc -= 2;
		*argv += 2;
	}
	return d && *d ? d : IIOTD_DEFAULT_STATE_DIR;
}

int ctl_as_state_owner(const char *dir)
{
	struct stat st;

	if (geteuid() != 0)
		return 0;
	if (stat(dir, &st)) {
		fprintf(stderr, "iiotctl: %s: %m\n", dir);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "iiotctl: %s is not a directory\n", dir);
		return -1;
	}
	if (st.st_uid == 0)
		return 0;
	/* the group first, while the fs uid is still root's */
	setfsgid(st.st_gid);
	setfsuid(st.st_uid);
	if ((uid_t)setfsuid((uid_t)-1) != st.st_uid) {
		fprintf(stderr, "iiotctl: cannot act as uid %u in %s\n",
			(unsigned)st.st_uid, dir);
		return -1;
	}
	return 0;
}
