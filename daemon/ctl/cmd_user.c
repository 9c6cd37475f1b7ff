/* iiotctl user list | reset-password [--mfa] NAME: local account recovery. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/audit.h"
#include "auth/authdb.h"
#include "core/iiotd.h"
#include "ctl.h"

static void list_one(void *arg, const struct user *u)
{
	char buf[32] = "-";
	time_t t = (time_t)(u->pw_changed / 1000);

	(void)arg;
	strftime(buf, sizeof(buf), "%Y-%m-%d", gmtime(&t));
	printf("%-20s %-9s mfa=%-3s %-8s pw-changed=%s%s\n", u->name, role_name(u->role),
	       u->totp_on ? "on" : "off", u->disabled ? "disabled" : "enabled", buf,
	       u->locked_until > auth_now_ms() ? " LOCKED" : "");
}

static int reset(struct authdb *db, const char *dir, const char *name, int mfa)
{
	char pw[21], err[512], who[64];
	struct passwd *pwd = getpwuid(getuid());
	struct audit *a;
	struct user u;

	if (user_get(db, name, &u)) {
		fprintf(stderr, "iiotctl: no user '%s'\n", name);
		return 1;
	}
	if (pw_generate(pw, sizeof(pw))) {
		fprintf(stderr, "iiotctl: no randomness for a one-time password\n");
		return 1;
	}
	if (user_set_password(db, u.id, pw, 1) ||
	    (mfa && user_totp_set(db, u.id, (const uint8_t *)"\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 0))) {
		fprintf(stderr, "iiotctl: cannot update '%s'\n", name);
		return 1;
	}
	snprintf(who, sizeof(who), "iiotctl:%s", pwd ? pwd->pw_name : "?");
	a = audit_open_dir(dir, err, sizeof(err));
	if (!a || audit_append(a, who, "local", "user.reset-password", name, AUDIT_OK,
			       mfa ? "{\"mfa\":\"cleared\"}" : NULL)) {
		fprintf(stderr, "iiotctl: audit log: %s\n", a ? "append failed" : err);
		audit_close(a);
		return 1;
	}
	audit_close(a);
	/* the only time this secret exists in clear */
	printf("one-time password for %s: %s\n(must be changed at the next login%s)\n",
	       name, pw, mfa ? "; TOTP must be enrolled again" : "");
	return 0;
}

static int run_user(int argc, char **argv)
{
	const char *dir = ctl_state_dir(&argc, &argv);
	struct authdb *db;
	char err[512];
	int rc = 2, mfa = 0;

	if (argc >= 3 && !strcmp(argv[1], "reset-password") && !strcmp(argv[2], "--mfa")) {
		mfa = 1;
		argc--;
		argv++;
		argv[1] = "reset-password";
	}
	if (!(argc == 2 && !strcmp(argv[1], "list")) &&
	    !(argc == 3 && !strcmp(argv[1], "reset-password"))) {
		fprintf(stderr, "usage: iiotctl user [--state DIR] list | reset-password [--mfa] NAME\n");
		return 2;
	}
	if (ctl_as_state_owner(dir))
		return 1;
	db = authdb_open(dir, err, sizeof(err));
	if (!db) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "list"))
		rc = user_list(db, list_one, NULL) ? 1 : 0;
	else
		rc = reset(db, dir, argv[2], mfa);
	authdb_close(db);
	return rc;
}

const struct ctl_cmd cmd_user = {
	.name = "user",
	.args = "[--state DIR] list|reset-password NAME",
	.help = "list web users, or give one a new one-time password",
	.run = run_user,
};
