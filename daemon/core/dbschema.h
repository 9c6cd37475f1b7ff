/*
 * Versioned schemas of iiot's SQLite databases (docs/operations.md,
 * "Upgrades").  PRAGMA user_version counts the steps a database has had;
 * a binary knows nsteps of them.  Before the first step on a database
 * that holds anything, a copy of it goes to <its directory>/upgrade/<UTC
 * time of this process's first migration>/<file name>, which "iiotctl
 * upgrade rollback" puts back.  A database newer than the binary is
 * refused untouched.
 */
#ifndef IIOT_DBSCHEMA_H
#define IIOT_DBSCHEMA_H

#include <stddef.h>

struct sqlite3;

struct db_schema {
	const char *name;		/* file name, for messages */
	const char *const *steps;	/* steps[i] takes version i to i + 1 */
	int nsteps;			/* the version this binary writes */
};

#define DB_SCHEMA(n, s) { (n), (s), (int)(sizeof(s) / sizeof((s)[0])) }

/* where pre-migration copies go, below a database's directory */
#define DB_UPGRADE_DIR	"upgrade"

/* every database iiot owns, each defined beside the code that uses it */
extern const struct db_schema store_db_schema;		/* iiot.db */
extern const struct db_schema auth_db_schema;		/* auth.db */
extern const struct db_schema audit_db_schema;		/* audit.db */
extern const struct db_schema alerts_db_schema;		/* alerts.db */
extern const struct db_schema baseline_db_schema;	/* baseline.db */
extern const struct db_schema analytics_db_schema;	/* analytics.db */
extern const struct db_schema eval_db_schema;		/* eval.db */
extern const struct db_schema desc_db_schema;		/* descriptions.db */
extern const struct db_schema *const db_schemas[];	/* NULL-terminated */

/*
 * A private database file (core/dbfile.h) opened read-write, created
 * when missing, brought to s->nsteps, with a 2 s busy timeout; NULL with
 * the reason in err.
 */
struct sqlite3 *db_open_migrated(const char *path, const struct db_schema *s,
				 char *err, size_t errlen);

/* PRAGMA user_version, or -1 */
int db_schema_version(struct sqlite3 *db);

/*
 * Bring db (opened read-write on a file) to s->nsteps: 0, or -1 with the
 * reason in err (the database is as it was: each step commits with its
 * version number, a failed one rolls back).
 */
int db_migrate(struct sqlite3 *db, const struct db_schema *s, char *err,
	       size_t errlen);

#endif
