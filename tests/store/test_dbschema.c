/*
 * Schema migrations (daemon/core/dbschema.c) of every database iiot owns:
 * from each earlier version (built here from the steps themselves) to the
 * same schema as a new database, rows kept, a copy of the old database
 * taken first; unversioned databases of older iiots; a newer database
 * refused untouched; a failing step or a copy that cannot be made leaves
 * the database at its version.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/dbschema.h"

static char top[64];
static int ncase;

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/iiot-test-dbschema-XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	return system(cmd);
}

/* a directory of its own per case: copies are named by the file */
static void case_path(const char *name, char *dir, size_t dlen, char *path,
		      size_t plen)
{
	snprintf(dir, dlen, "%s/c%d", top, ncase++);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, plen, "%s/%s", dir, name);
}

static sqlite3 *open_rw(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	return db;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg))
		fail_msg("%s: %s", sql, msg);
}

/* an older database: the first v steps, as that iiot ran them */
static sqlite3 *at_version(const char *path, const struct db_schema *s, int v)
{
	sqlite3 *db = open_rw(path);
	char sql[64];
	int i;

	for (i = 0; i < v; i++)
		exec(db, s->steps[i]);
	snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v);
	exec(db, sql);
	return db;
}

/* the schema as text: every table, index and trigger with its SQL */
static char *schema_text(sqlite3 *db)
{
	sqlite3_stmt *st;
	size_t len = 0, cap = 1;
	char *out = calloc(1, 1);

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT type || ' ' || name ||"
		" ' ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name",
		-1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(st, 0);
		size_t n = strlen(r);

		while (len + n + 2 > cap)
			out = realloc(out, cap *= 2);
		memcpy(out + len, r, n);
		len += n;
		out[len++] = '\n';
		out[len] = 0;
	}
	sqlite3_finalize(st);
	return out;
}

static char *fresh_schema(const struct db_schema *s)
{
	char dir[128], path[192], err[512];
	sqlite3 *db;
	char *t;

	case_path(s->name, dir, sizeof(dir), path, sizeof(path));
	db = open_rw(path);
	assert_int_equal(db_migrate(db, s, err, sizeof(err)), 0);
	assert_int_equal(db_schema_version(db), s->nsteps);
	t = schema_text(db);
	sqlite3_close(db);
	return t;
}

/* the copy of path taken before migrating: its version, -1 when none */
static int copy_version(const char *dir, const char *name)
{
	char up[256], path[512];
	FILE *p;
	sqlite3 *db;
	int v = -1;

	snprintf(up, sizeof(up), "ls -d %s/" DB_UPGRADE_DIR "/*/%s 2>/dev/null",
		 dir, name);
	p = popen(up, "r");
	assert_non_null(p);
	if (fgets(path, sizeof(path), p)) {
		path[strcspn(path, "\n")] = 0;
		assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
						 NULL), SQLITE_OK);
		v = db_schema_version(db);
		sqlite3_close(db);
	}
	pclose(p);
	return v;
}

static void every_database_from_every_version(void **state)
{
	const struct db_schema *const *s;
	char dir[128], path[192], err[512];
	int v;

	(void)state;
	for (s = db_schemas; *s; s++) {
		char *want = fresh_schema(*s);

		assert_true((*s)->nsteps >= 1);
		for (v = 1; v < (*s)->nsteps; v++) {
			sqlite3 *db;
			char *got;

			case_path((*s)->name, dir, sizeof(dir), path, sizeof(path));
			db = at_version(path, *s, v);
			if (db_migrate(db, *s, err, sizeof(err)))
				fail_msg("%s from %d: %s", (*s)->name, v, err);
			assert_int_equal(db_schema_version(db), (*s)->nsteps);
			got = schema_text(db);
			assert_string_equal(got, want);
			free(got);
			sqlite3_close(db);
			/* the copy is the database as it was */
			assert_int_equal(copy_version(dir, (*s)->name), v);
		}
		free(want);
	}
}

/* databases of iiots before versioning: the tables at user_version 0 */
static void unversioned_databases_are_adopted(void **state)
{
	const struct db_schema *const *s;
	char dir[128], path[192], err[512];
	int adopted = 0;

	(void)state;
	for (s = db_schemas; *s; s++) {
		sqlite3 *db;
		int i;

		/* only schemas whose steps create what is missing had such files */
		for (i = 0; i < (*s)->nsteps; i++)
			if (!strstr((*s)->steps[i], "IF NOT EXISTS"))
				break;
		if (i < (*s)->nsteps)
			continue;
		case_path((*s)->name, dir, sizeof(dir), path, sizeof(path));
		db = at_version(path, *s, (*s)->nsteps);
		exec(db, "PRAGMA user_version=0");
		if (db_migrate(db, *s, err, sizeof(err)))
			fail_msg("%s unversioned: %s", (*s)->name, err);
		assert_int_equal(db_schema_version(db), (*s)->nsteps);
		sqlite3_close(db);
		assert_int_equal(copy_version(dir, (*s)->name), 0);
		adopted++;
	}
	assert_true(adopted >= 2);	/* baseline.db, analytics.db at least */
}

static void rows_survive_the_migration(void **state)
{
	char dir[128], path[192], err[512];
	sqlite3_stmt *st;
	sqlite3 *db;

	(void)state;
	assert_true(store_db_schema.nsteps >= 3);
	case_path("iiot.db", dir, sizeof(dir), path, sizeof(path));
	db = at_version(path, &store_db_schema, 2);
	exec(db, "INSERT INTO signals(id, name, device, unit) VALUES(7, 'temp', 'plc1', 'C');"
		 "INSERT INTO roll_1s VALUES(7, 1000, 1, 2, 3, 2);"
		 "INSERT INTO devices(label, id, kind) VALUES('plc1', 3, 'ecat');");
	assert_int_equal(db_migrate(db, &store_db_schema, err, sizeof(err)), 0);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT s.name, r.count, d.kind"
		" FROM signals s JOIN roll_1s r ON r.signal = s.id"
		" JOIN devices d ON d.label = s.device", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "temp");
	assert_int_equal(sqlite3_column_int(st, 1), 2);
	assert_string_equal((const char *)sqlite3_column_text(st, 2), "ecat");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void newer_database_is_refused_untouched(void **state)
{
	const struct db_schema *const *s;
	char dir[128], path[192], err[512], up[256];
	struct stat sb;

	(void)state;
	for (s = db_schemas; *s; s++) {
		sqlite3 *db;
		char *before, *after, sql[64];

		case_path((*s)->name, dir, sizeof(dir), path, sizeof(path));
		db = at_version(path, *s, (*s)->nsteps);
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", (*s)->nsteps + 1);
		exec(db, sql);
		before = schema_text(db);
		assert_int_equal(db_migrate(db, *s, err, sizeof(err)), -1);
		assert_non_null(strstr(err, "is newer than this iiot's"));
		assert_non_null(strstr(err, "iiotctl upgrade rollback"));
		assert_non_null(strstr(err, (*s)->name));
		assert_int_equal(db_schema_version(db), (*s)->nsteps + 1);
		after = schema_text(db);
		assert_string_equal(before, after);
		free(before);
		free(after);
		sqlite3_close(db);
		snprintf(up, sizeof(up), "%s/" DB_UPGRADE_DIR, dir);
		assert_int_not_equal(stat(up, &sb), 0);
	}
}

static const char *const two_steps[] = {
	"CREATE TABLE a(x);",
	"CREATE TABLE b(x); INSERT INTO nowhere VALUES(1);",
};
static const struct db_schema broken = DB_SCHEMA("broken.db", two_steps);

static void failed_step_leaves_the_version(void **state)
{
	char dir[128], path[192], err[512];
	sqlite3_stmt *st;
	sqlite3 *db;

	(void)state;
	case_path("broken.db", dir, sizeof(dir), path, sizeof(path));
	db = at_version(path, &broken, 1);
	assert_int_equal(db_migrate(db, &broken, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "broken.db: schema migration 2"));
	assert_int_equal(db_schema_version(db), 1);
	/* step 2's table went with its failed transaction */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master"
					    " WHERE name = 'b'", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void no_copy_no_migration(void **state)
{
	char dir[128], path[192], err[512], up[256];
	sqlite3 *db;
	FILE *f;

	(void)state;
	case_path("iiot.db", dir, sizeof(dir), path, sizeof(path));
	db = at_version(path, &store_db_schema, 1);
	/* where the copies go is taken by a file */
	snprintf(up, sizeof(up), "%s/" DB_UPGRADE_DIR, dir);
	f = fopen(up, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(db_migrate(db, &store_db_schema, err, sizeof(err)), -1);
	assert_non_null(strstr(err, DB_UPGRADE_DIR));
	assert_int_equal(db_schema_version(db), 1);
	sqlite3_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_database_from_every_version),
		cmocka_unit_test(unversioned_databases_are_adopted),
		cmocka_unit_test(rows_survive_the_migration),
		cmocka_unit_test(newer_database_is_refused_untouched),
		cmocka_unit_test(failed_step_leaves_the_version),
		cmocka_unit_test(no_copy_no_migration),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
