/*
 * iiotctl upgrade [--state DIR] status | migrate | rollback
 *
 * status: each database's schema version beside this iiot's, the copies
 * taken before migrating (DIR/upgrade/<time>/) and a failed upgrade
 * check's marker.  migrate: with iiotd stopped (its state lock), bring
 * every database in DIR to this iiot's schema as iiotd's start would, the
 * copies taken first (the package's postinst runs it).  rollback: with
 * iiotd stopped, put the newest set of copies back, integrity-checked
 * first, the newer databases' WAL and shm removed, then mark the set
 * rolled back and name the earlier iiot to install before starting it
 * (DIR/upgrade/previous-version, which the package's postinst writes).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/daemon.h"
#include "core/dbschema.h"
#include "ctl.h"

#define ROLLED_BACK	".rolled-back"
#define PREVIOUS	DB_UPGRADE_DIR "/previous-version"
#define CHECK_FAILED	DB_UPGRADE_DIR "/check-failed"

/* user_version of a database file, read only; -1 when unreadable */
static int file_version(const char *path)
{
	sqlite3 *db = NULL;
	int v = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
			    NULL) == SQLITE_OK)
		v = db_schema_version(db);
	sqlite3_close(db);
	return v;
}

static int integrity_ok(const char *path)
{
	sqlite3_stmt *st = NULL;
	sqlite3 *db = NULL;
	int ok = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW,
			    NULL) == SQLITE_OK &&
	    !sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) &&
	    sqlite3_step(st) == SQLITE_ROW)
		ok = !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ok;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names in dir (directories or files as asked), sorted; count or -1 */
static int names(const char *dir, int dirs, char ***out)
{
	struct dirent *de;
	char **v = NULL;
	int n = 0;
	DIR *d = opendir(dir);

	*out = NULL;
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		char **nv;

		if (de->d_name[0] == '.' ||
		    (dirs ? de->d_type != DT_DIR : de->d_type != DT_REG))
			continue;
		nv = realloc(v, (size_t)(n + 1) * sizeof(*v));
		if (!nv || !(nv[n] = strdup(de->d_name))) {
			v = nv ? nv : v;
			break;
		}
		v = nv;
		n++;
	}
	closedir(d);
	qsort(v, (size_t)n, sizeof(*v), cmp_name);
	*out = v;
	return n;
}

static void free_names(char **v, int n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

static int status(const char *state)
{
	char path[4400], up[2200], **sets, **files;
	int i, j, n, m, v;

	for (i = 0; db_schemas[i]; i++) {
		const struct db_schema *s = db_schemas[i];

		snprintf(path, sizeof(path), "%s/%s", state, s->name);
		v = access(path, F_OK) ? -2 : file_version(path);
		printf("%-14s ", s->name);
		if (v == -2)
			printf("absent (this iiot writes schema %d)\n", s->nsteps);
		else if (v < 0)
			printf("unreadable\n");
		else
			printf("schema %d, this iiot %d%s\n", v, s->nsteps,
			       v > s->nsteps ? ": NEWER, iiotd refuses it" :
			       v < s->nsteps ? ": migrates at the next start" : "");
	}
	snprintf(up, sizeof(up), "%s/" DB_UPGRADE_DIR, state);
	n = names(up, 1, &sets);
	for (i = 0; i < n; i++) {
		printf("copies taken before migrating: %s/%s\n", up, sets[i]);
		snprintf(path, sizeof(path), "%s/%s", up, sets[i]);
		m = names(path, 0, &files);
		for (j = 0; j < m; j++) {
			snprintf(path, sizeof(path), "%s/%s/%s", up, sets[i], files[j]);
			printf("  %-14s schema %d\n", files[j], file_version(path));
		}
		free_names(files, m);
	}
	free_names(sets, n);
	snprintf(path, sizeof(path), "%s/" CHECK_FAILED, state);
	if (!access(path, F_OK))
		printf("the last upgrade failed its check: %s\n", path);
	return 0;
}

/* every database present in state to this iiot's schema */
static int migrate(const char *state)
{
	char path[4400], err[4600];
	sqlite3 *db;
	int i, lock, v, rc = 0;

	lock = statelock_take(state, err, sizeof(err));
	if (lock < 0) {
		fprintf(stderr, "iiotctl: refusing to migrate: %s\n", err);
		return 1;
	}
	for (i = 0; db_schemas[i]; i++) {
		const struct db_schema *s = db_schemas[i];

		snprintf(path, sizeof(path), "%s/%s", state, s->name);
		if (access(path, F_OK))
			continue;
		db = NULL;
		if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
				    SQLITE_OPEN_NOFOLLOW, NULL) != SQLITE_OK) {
			fprintf(stderr, "iiotctl: %s: %s\n", path,
				db ? sqlite3_errmsg(db) : "out of memory");
			sqlite3_close(db);
			rc = 1;
			continue;
		}
		sqlite3_busy_timeout(db, 5000);
		v = db_schema_version(db);
		if (db_migrate(db, s, err, sizeof(err))) {
			fprintf(stderr, "iiotctl: %s\n", err);
			rc = 1;
		} else if (v != s->nsteps) {
			printf("%s: schema %d -> %d\n", s->name, v, s->nsteps);
		}
		sqlite3_close(db);
	}
	close(lock);
	return rc;
}

/* the version the package was upgraded from, checked as a Debian version */
static int previous_version(const char *state, char *v, size_t len)
{
	static const char ok[] = "0123456789abcdefghijklmnopqrstuvwxyz"
				 "ABCDEFGHIJKLMNOPQRSTUVWXYZ.+~:-";
	char path[2300];
	FILE *f;
	int n = 0;

	snprintf(path, sizeof(path), "%s/" PREVIOUS, state);
	f = fopen(path, "re");
	if (!f)
		return 0;
	if (fgets(v, (int)len, f)) {
		v[strcspn(v, "\n")] = 0;
		n = *v && strspn(v, ok) == strlen(v);
	}
	fclose(f);
	return n;
}

/* how to get the iiot back that wrote the restored databases */
static void previous(const char *state)
{
	char v[128];

	if (!previous_version(state, v, sizeof(v))) {
		printf("start the iiot that wrote them\n");
		return;
	}
	printf("install the iiot that wrote them before starting iiotd:\n"
	       "  apt install iiotd=%s iiotctl=%s iiot-web=%s iiot-helpers=%s\n"
	       "(apt takes it from /var/cache/apt/archives when it is still there)\n",
	       v, v, v, v);
}

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	ssize_t r;
	int in, out, rc = -1;

	in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out >= 0) {
		while ((r = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)r) != r)
				break;
		rc = r == 0 && !fsync(out) ? 0 : -1;
		if (close(out))
			rc = -1;
	}
	close(in);
	if (rc)
		unlink(to);
	return rc;
}

/* the newest set not rolled back yet, or NULL */
static char *newest_set(const char *up)
{
	char **sets, *pick = NULL;
	int i, n = names(up, 1, &sets);

	for (i = n - 1; i >= 0 && !pick; i--) {
		size_t l = strlen(sets[i]), k = strlen(ROLLED_BACK);

		if (l <= k || strcmp(sets[i] + l - k, ROLLED_BACK))
			pick = strdup(sets[i]);
	}
	free_names(sets, n);
	return pick;
}

static const char *const journals[] = { "-wal", "-shm", "-journal", NULL };

static int put_back(const char *state, const char *set, char **files, int m)
{
	char from[4200], tmp[4300], to[4200], j[4300];
	int i, k;

	for (i = 0; i < m; i++) {
		snprintf(from, sizeof(from), "%s/" DB_UPGRADE_DIR "/%s/%s", state,
			 set, files[i]);
		snprintf(to, sizeof(to), "%s/%s", state, files[i]);
		snprintf(tmp, sizeof(tmp), "%s.rollback", to);
		unlink(tmp);
		if (copy_file(from, tmp)) {
			fprintf(stderr, "iiotctl: copy %s to %s: %m\n", from, tmp);
			return -1;
		}
		/* never the newer database's WAL on the older one */
		for (k = 0; journals[k]; k++) {
			snprintf(j, sizeof(j), "%s%s", to, journals[k]);
			if (unlink(j) && errno != ENOENT) {
				fprintf(stderr, "iiotctl: remove %s: %m\n", j);
				return -1;
			}
		}
		if (rename(tmp, to)) {
			fprintf(stderr, "iiotctl: rename %s: %m\n", tmp);
			return -1;
		}
		printf("restored %s (schema %d) from %s\n", files[i],
		       file_version(to), from);
	}
	return 0;
}

static int rollback(const char *state)
{
	char up[2200], path[4400], done[4500], err[512], **files = NULL, *set;
	int i, m = 0, lock, rc = 1;

	lock = statelock_take(state, err, sizeof(err));
	if (lock < 0) {
		fprintf(stderr, "iiotctl: refusing to roll back: %s\n", err);
		return 1;
	}
	snprintf(up, sizeof(up), "%s/" DB_UPGRADE_DIR, state);
	set = newest_set(up);
	if (!set) {
		fprintf(stderr, "iiotctl: nothing to roll back: no copy taken "
			"before a migration in %s\n", up);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s", up, set);
	m = names(path, 0, &files);
	if (m <= 0) {
		fprintf(stderr, "iiotctl: %s holds no database\n", path);
		goto out;
	}
	/* every copy checked before any database is replaced */
	for (i = 0; i < m; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", up, set, files[i]);
		if (!integrity_ok(path)) {
			fprintf(stderr, "iiotctl: %s fails its integrity check; "
				"nothing replaced\n", path);
			goto out;
		}
	}
	if (put_back(state, set, files, m))
		goto out;
	snprintf(path, sizeof(path), "%s/%s", up, set);
	snprintf(done, sizeof(done), "%s%s", path, ROLLED_BACK);
	if (rename(path, done))
		fprintf(stderr, "iiotctl: rename %s: %m\n", path);
	printf("rolled back to the databases of %s; ", set);
	previous(state);
	rc = 0;
out:
	free_names(files, m > 0 ? m : 0);
	free(set);
	close(lock);
	return rc;
}

static int run_upgrade(int argc, char **argv)
{
	const char *state = ctl_state_dir(&argc, &argv);

	if (argc != 2 || (strcmp(argv[1], "status") && strcmp(argv[1], "migrate") &&
			  strcmp(argv[1], "rollback"))) {
		fprintf(stderr, "usage: iiotctl upgrade [--state DIR] status | migrate | rollback\n");
		return 2;
	}
	if (strlen(state) > 2048) {
		fprintf(stderr, "iiotctl: state directory name too long\n");
		return 1;
	}
	if (ctl_as_state_owner(state))
		return 1;
	if (!strcmp(argv[1], "status"))
		return status(state);
	return !strcmp(argv[1], "migrate") ? migrate(state) : rollback(state);
}

const struct ctl_cmd cmd_upgrade = {
	.name = "upgrade",
	.args = "[--state DIR] status|migrate|rollback",
	.help = "schema versions; migrate with copies first; put back the databases saved before the last migration",
	.run = run_upgrade,
};
