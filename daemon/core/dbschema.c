/*
 * Schema migrations shared by every database iiot owns (dbschema.h).
 * Steps are never edited once shipped: a change is a new step, so that an
 * upgrade keeps every row.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/dbfile.h"
#include "core/dbschema.h"
#include "core/log.h"

/* one directory per process: what one start migrated rolls back together */
static char stamp[32];
static pthread_once_t stamp_once = PTHREAD_ONCE_INIT;

static void stamp_init(void)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
}

int db_schema_version(sqlite3 *db)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int is_empty(sqlite3 *db)
{
	sqlite3_stmt *st;
	int n = 1;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1,
			       &st, NULL))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n == 0;
}

static int mkdir_private(const char *dir, char *err, size_t errlen)
{
	if (mkdir(dir, 0700) && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* a consistent copy of db, version `from`, in upgrade/<stamp>/<file> */
static int save_copy(sqlite3 *db, const char *path, int from, char *err,
		     size_t errlen)
{
	char tmp[4096], dir[4096], to[4200];
	sqlite3_stmt *st;
	struct stat sb;
	int rc;

	pthread_once(&stamp_once, stamp_init);
	snprintf(tmp, sizeof(tmp), "%s", path);
	if (snprintf(dir, sizeof(dir), "%s/" DB_UPGRADE_DIR, dirname(tmp)) >=
	    (int)sizeof(dir))
		goto toolong;
	if (mkdir_private(dir, err, errlen))
		return -1;
	if (strlen(dir) + strlen(stamp) + 2 > sizeof(dir))
		goto toolong;
	strcat(dir, "/");
	strcat(dir, stamp);
	if (mkdir_private(dir, err, errlen))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(to, sizeof(to), "%s/%s", dir, basename(tmp));
	if (!lstat(to, &sb)) {
		snprintf(err, errlen, "%s exists already: not overwriting a "
			 "pre-upgrade copy", to);
		return -1;
	}
	if (sqlite3_prepare_v2(db, "VACUUM INTO ?", -1, &st, NULL)) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		return -1;
	}
	sqlite3_bind_text(st, 1, to, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "copy to %s: %s", to, sqlite3_errmsg(db));
		unlink(to);
		return -1;
	}
	chmod(to, 0600);
	log_info("%s: schema version %d saved as %s before migrating", path,
		 from, to);
	return 0;
toolong:
	snprintf(err, errlen, "%s: path too long", path);
	return -1;
}

static int step(sqlite3 *db, const struct db_schema *s, int i, char *err,
		size_t errlen)
{
	char sql[64], *msg = NULL;

	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", i + 1);
	/* each step and its version number commit together */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) ||
	    sqlite3_exec(db, s->steps[i], NULL, NULL, &msg) ||
	    sqlite3_exec(db, sql, NULL, NULL, &msg) ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg)) {
		snprintf(err, errlen, "%s: schema migration %d: %s", s->name,
			 i + 1, msg ? msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -1;
	}
	return 0;
}

int db_migrate(sqlite3 *db, const struct db_schema *s, char *err,
	       size_t errlen)
{
	const char *path = sqlite3_db_filename(db, "main");
	int v = db_schema_version(db), empty, i;

	if (v < 0) {
		snprintf(err, errlen, "%s: %s", s->name, sqlite3_errmsg(db));
		return -1;
	}
	if (v > s->nsteps) {
		snprintf(err, errlen, "%s: schema version %d is newer than this "
			 "iiot's (%d): a newer iiot wrote it; install that one "
			 "again, or put back the copy taken before it migrated "
			 "(iiotctl upgrade rollback)", path && *path ? path :
			 s->name, v, s->nsteps);
		return -1;
	}
	if (v == s->nsteps)
		return 0;
	empty = is_empty(db);
	if (empty < 0) {
		snprintf(err, errlen, "%s: %s", s->name, sqlite3_errmsg(db));
		return -1;
	}
	/* a new database has nothing to lose; a temporary one nowhere to go */
	if (!empty && path && *path && save_copy(db, path, v, err, errlen))
		return -1;
	for (i = v; i < s->nsteps; i++)
		if (step(db, s, i, err, errlen))
			return -1;
	if (!empty)
		log_info("%s: schema version %d -> %d", s->name, v, s->nsteps);
	return 0;
}

sqlite3 *db_open_migrated(const char *path, const struct db_schema *s,
			  char *err, size_t errlen)
{
	sqlite3 *db = NULL;

	if (dbfile_private(path, err, errlen))
		return NULL;
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, db ? sqlite3_errmsg(db) :
			 "out of memory");
		sqlite3_close(db);
		return NULL;
	}
	if (db_migrate(db, s, err, errlen)) {
		sqlite3_close(db);
		return NULL;
	}
	sqlite3_busy_timeout(db, 2000);
	return db;
}
