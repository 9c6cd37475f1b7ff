/*
 * The first start: no default password.  iiotd makes the web user "admin"
 * with a one-time password and puts it where it cannot be lost: on the
 * console (stderr, still the terminal while a daemonising iiotd starts;
 * see core/main.c) and in state_dir/first-run-password, 0600 and owned by
 * root, which the log names.  The file goes at the first sign-in that
 * passes a password check: by then the secret has served its purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "core/daemon.h"
#include "core/iiotd.h"
#include "core/log.h"

#define FIRSTRUN_FILE	"first-run-password"

static void firstrun_path(const struct api *a, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", a->d->state_dir, FIRSTRUN_FILE);
}

/* 0600, created fresh (never through a planted link or an old file) */
static int firstrun_write(const struct api *a, const char *pw)
{
	char path[PATH_MAX + 32], text[256];
	int fd, n, rc = 0;

	firstrun_path(a, path, sizeof(path));
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_warn("api: %s", path);
		return -1;
	}
	n = snprintf(text, sizeof(text), "# iiot first run: sign in at %s as 'admin' with this "
		     "one-time password\n# (this file is removed at the first sign-in)\n%s\n",
		     a->url, pw);
	if (write(fd, text, (size_t)n) != n || fsync(fd)) {
		log_warn("api: %s", path);
		rc = -1;
	}
	OPENSSL_cleanse(text, sizeof(text));
	close(fd);
	if (rc)
		unlink(path);
	return rc;
}

int firstrun_admin(struct api *a)
{
	char pw[21], path[PATH_MAX + 32];
	int rc;

	if (user_count(a->db) != 0)
		return 0;
	if (pw_generate(pw, sizeof(pw))) {
		log_warnx("api: no randomness for the first admin password");
		return -1;
	}
	if (user_create(a->db, "admin", ROLE_ADMIN, pw, 1))
		return -1;
	api_audit(a, "iiotd", "local", "user.create", "admin", AUDIT_OK,
		  json_pack("{ss ss}", "role", "admin", "reason", "first run"));
	fprintf(stderr, "iiotd: first run: sign in at %s as 'admin' with the one-time password: %s\n"
		"iiotd: (change it and enrol TOTP at the first login)\n", a->url, pw);
	fflush(stderr);
	firstrun_path(a, path, sizeof(path));
	/* root's (made with O_EXCL, never through a link), not the user's,
	 * whose identity the rest of the start uses in state_dir */
	iiotd_fs_user(a->d, false);
	rc = firstrun_write(a, pw);
	iiotd_fs_user(a->d, true);
	if (rc == 0) {
		fprintf(stderr, "iiotd: the password is also in %s until the first sign-in\n", path);
		log_info("api: first run: the one-time password of 'admin' is in %s "
			 "(root only; removed at the first sign-in)", path);
	} else {
		log_warnx("api: first run: the one-time password of 'admin' was shown on "
			  "the console only; if it is lost: iiotctl user reset-password admin");
	}
	OPENSSL_cleanse(pw, sizeof(pw));
	return 0;
}

void firstrun_forget(struct api *a)
{
	char path[PATH_MAX + 32];

	firstrun_path(a, path, sizeof(path));
	if (unlink(path) == 0)
		log_info("api: first sign-in: removed %s", path);
	else if (errno != ENOENT)
		log_warn("api: cannot remove %s", path);
}
