/* Users in auth.db: accounts, lockout, TOTP seeds, recovery codes. */
#include <ctype.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/authdb_int.h"
#include "core/dbfile.h"
#include "core/dbschema.h"

/* steps of auth.db's schema (core/dbschema.h); never edit a shipped one */
static const char *const steps[] = {
	/* 1: accounts, recovery codes, API tokens, settings */
	"CREATE TABLE IF NOT EXISTS users(id INTEGER PRIMARY KEY,"
	" name TEXT UNIQUE NOT NULL, role TEXT NOT NULL, pwhash TEXT NOT NULL,"
	" pw_changed INTEGER NOT NULL, must_change INTEGER NOT NULL DEFAULT 0,"
	" totp BLOB, totp_on INTEGER NOT NULL DEFAULT 0,"
	" totp_last_step INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0, locked_until INTEGER NOT NULL DEFAULT 0,"
	" gen INTEGER NOT NULL DEFAULT 1, disabled INTEGER NOT NULL DEFAULT 0,"
	" created INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS recovery(user_id INTEGER NOT NULL,"
	" hash TEXT NOT NULL, used INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS tokens(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" role TEXT NOT NULL, hash TEXT UNIQUE NOT NULL, created INTEGER NOT NULL,"
	" created_by TEXT NOT NULL, last_used INTEGER NOT NULL DEFAULT 0,"
	" revoked INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE IF NOT EXISTS settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);",
	/* 2: dashboards (auth/dashdb.h): a user's own (owner) or a role's (share) */
	"CREATE TABLE dashboards(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	" owner TEXT, share TEXT, is_default INTEGER NOT NULL DEFAULT 0,"
	" doc TEXT NOT NULL, created INTEGER NOT NULL, updated INTEGER NOT NULL,"
	" updated_by TEXT NOT NULL, CHECK((owner IS NULL) != (share IS NULL)));"
	"CREATE INDEX dashboards_owner ON dashboards(owner);",
	/* 3: an API token's control grant (api/control.c), off for old ones */
	"ALTER TABLE tokens ADD COLUMN control INTEGER NOT NULL DEFAULT 0;",
	/* 4: the dashboard a kiosk token is bound to (api/kiosk.c), 0: none */
	"ALTER TABLE tokens ADD COLUMN dashboard INTEGER NOT NULL DEFAULT 0;",
};

const struct db_schema auth_db_schema = DB_SCHEMA("auth.db", steps);

struct authdb *authdb_open(const char *dir, char *err, size_t errlen)
{
	struct authdb *a = calloc(1, sizeof(*a));
	char path[4096];

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	if (seal_key_load(path, a->key)) {
		snprintf(err, errlen, "%s: cannot read or create the sealing key", path);
		free(a);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/auth.db", dir);
	if (dbfile_private(path, err, errlen)) {
		authdb_close(a);
		return NULL;
	}
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(a->db, 5000);
	if (sqlite3_exec(a->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "PRAGMA secure_delete=ON;", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (db_migrate(a->db, &auth_db_schema, err, errlen)) {
		authdb_close(a);
		return NULL;
	}
	return a;
fail:
	snprintf(err, errlen, "%s: %s", path, a->db ? sqlite3_errmsg(a->db) : "cannot open");
	authdb_close(a);
	return NULL;
}

int authdb_defer_sync(struct authdb *a)
{
	return sqlite3_exec(a->db, "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0;",
			    NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int64_t authdb_changes(struct authdb *a)
{
	return sqlite3_total_changes64(a->db);
}

void authdb_close(struct authdb *a)
{
	if (!a)
		return;
	sqlite3_close(a->db);
	OPENSSL_cleanse(a->key, sizeof(a->key));
	free(a);
}

int user_name_ok(const char *name)
{
	size_t i, n = strlen(name);

	if (n < 1 || n > USER_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("._-", name[i]))
			return 0;
	return 1;
}

#define UCOLS "id, name, role, pwhash, pw_changed, must_change, totp_on," \
	      " totp_last_step, failures, locked_until, gen, disabled, created"

static void user_from(sqlite3_stmt *st, struct user *u)
{
	const char *s;
	int r;

	memset(u, 0, sizeof(*u));
	u->id = sqlite3_column_int64(st, 0);
	snprintf(u->name, sizeof(u->name), "%s", (const char *)sqlite3_column_text(st, 1));
	r = role_parse((const char *)sqlite3_column_text(st, 2));
	/* an unknown role in the database gets the least privilege */
	u->role = r < 0 ? ROLE_VIEWER : (enum role)r;
	s = (const char *)sqlite3_column_text(st, 3);
	snprintf(u->pwhash, sizeof(u->pwhash), "%s", s ? s : "");
	u->pw_changed = sqlite3_column_int64(st, 4);
	u->must_change = sqlite3_column_int(st, 5);
	u->totp_on = sqlite3_column_int(st, 6);
	u->totp_last_step = sqlite3_column_int64(st, 7);
	u->failures = sqlite3_column_int(st, 8);
	u->locked_until = sqlite3_column_int64(st, 9);
	u->gen = sqlite3_column_int64(st, 10);
	u->disabled = sqlite3_column_int(st, 11);
	u->created = sqlite3_column_int64(st, 12);
}

static int get_one(struct authdb *a, const char *sql, const char *name,
		   int64_t id, struct user *u)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (name)
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		user_from(st, u);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int user_get(struct authdb *a, const char *name, struct user *u)
{
	return get_one(a, "SELECT " UCOLS " FROM users WHERE name = ?", name, 0, u);
}

int user_get_id(struct authdb *a, int64_t id, struct user *u)
{
	return get_one(a, "SELECT " UCOLS " FROM users WHERE id = ?", NULL, id, u);
}

int user_count(struct authdb *a)
{
	sqlite3_stmt *st;
	int n = -1;

	if (sqlite3_prepare_v2(a->db, "SELECT count(*) FROM users", -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* Run sql with "?"s bound from a format: i = int64, t = text. */
int authdb_exec(struct authdb *a, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int i, rc;

	if (sqlite3_prepare_v2(a->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	va_start(ap, fmt);
	for (i = 0; fmt[i]; i++) {
		if (fmt[i] == 'i')
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
		else
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return 1;
	return rc == SQLITE_DONE ? 0 : -1;
}

int user_create_hashed(struct authdb *a, const char *name, enum role role,
		       const char *pwhash, int must_change)
{
	int64_t now = auth_now_ms();

	if (!user_name_ok(name))
		return -1;
	return authdb_exec(a, "INSERT INTO users(name, role, pwhash, pw_changed,"
			 " must_change, created) VALUES(?,?,?,?,?,?)", "tttiii",
			 name, role_name(role), pwhash, now, (int64_t)must_change, now);
}

int user_create(struct authdb *a, const char *name, enum role role,
		const char *pw, int must_change)
{
	char h[PW_ENCODED_MAX];

	if (!user_name_ok(name) || pw_hash(pw, h, sizeof(h)))
		return -1;
	return user_create_hashed(a, name, role, h, must_change);
}

int user_set_pwhash(struct authdb *a, int64_t id, const char *pwhash, int must_change)
{
	return authdb_exec(a, "UPDATE users SET pwhash = ?, pw_changed = ?, must_change = ?,"
			 " gen = gen + 1, failures = 0, locked_until = 0 WHERE id = ?",
			 "tiii", pwhash, auth_now_ms(), (int64_t)must_change, id);
}

int user_set_password(struct authdb *a, int64_t id, const char *pw, int must_change)
{
	char h[PW_ENCODED_MAX];

	if (pw_hash(pw, h, sizeof(h)))
		return -1;
	return user_set_pwhash(a, id, h, must_change);
}

int user_set_role(struct authdb *a, int64_t id, enum role role)
{
	return authdb_exec(a, "UPDATE users SET role = ?, gen = gen + 1 WHERE id = ?",
			 "ti", role_name(role), id);
}

int user_set_disabled(struct authdb *a, int64_t id, int disabled)
{
	return authdb_exec(a, "UPDATE users SET disabled = ?, gen = gen + 1 WHERE id = ?",
			 "ii", (int64_t)disabled, id);
}

int user_delete(struct authdb *a, int64_t id)
{
	if (authdb_exec(a, "DELETE FROM recovery WHERE user_id = ?", "i", id) ||
	    authdb_exec(a, "DELETE FROM dashboards WHERE owner ="
			" (SELECT name FROM users WHERE id = ?)", "i", id))
		return -1;
	return authdb_exec(a, "DELETE FROM users WHERE id = ?", "i", id);
}

int user_list(struct authdb *a, void (*cb)(void *, const struct user *), void *arg)
{
	sqlite3_stmt *st;
	struct user u;

	if (sqlite3_prepare_v2(a->db, "SELECT " UCOLS " FROM users ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		user_from(st, &u);
		cb(arg, &u);
	}
	sqlite3_finalize(st);
	return 0;
}

int user_login_failed(struct authdb *a, int64_t id, int threshold, int64_t lock_ms)
{
	int64_t until = auth_now_ms() + lock_ms;

	return authdb_exec(a, "UPDATE users SET failures = failures + 1,"
			 " locked_until = CASE WHEN failures + 1 >= ? THEN ? ELSE locked_until END"
			 " WHERE id = ?", "iii", (int64_t)threshold, until, id);
}

int user_login_ok(struct authdb *a, int64_t id)
{
	return authdb_exec(a, "UPDATE users SET failures = 0, locked_until = 0 WHERE id = ?",
			 "i", id);
}

int user_totp_set(struct authdb *a, int64_t id, const uint8_t secret[TOTP_SECRET], int on)
{
	uint8_t sealed[TOTP_SECRET + SEAL_OVERHEAD];
	sqlite3_stmt *st;
	int rc;

	if (seal(a->key, secret, TOTP_SECRET, sealed))
		return -1;
	if (sqlite3_prepare_v2(a->db, "UPDATE users SET totp = ?, totp_on = ?,"
			       " totp_last_step = 0 WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_blob(st, 1, sealed, sizeof(sealed), SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 2, on);
	sqlite3_bind_int64(st, 3, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int user_totp_get(struct authdb *a, int64_t id, uint8_t secret[TOTP_SECRET])
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(a->db, "SELECT totp FROM users WHERE id = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_bytes(st, 0) == TOTP_SECRET + SEAL_OVERHEAD)
		rc = unseal(a->key, sqlite3_column_blob(st, 0),
			    TOTP_SECRET + SEAL_OVERHEAD, secret);
	sqlite3_finalize(st);
	return rc;
}

int user_totp_enable(struct authdb *a, int64_t id, int on)
{
	return authdb_exec(a, "UPDATE users SET totp_on = ? WHERE id = ?", "ii", (int64_t)on, id);
}

int user_totp_used(struct authdb *a, int64_t id, int64_t step)
{
	/* only forward: a code once accepted can never be accepted again */
	return authdb_exec(a, "UPDATE users SET totp_last_step = max(totp_last_step, ?)"
			 " WHERE id = ?", "ii", step, id);
}

static void sha256_hex(const char *s, char out[65])
{
	uint8_t md[32];
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), md, &n, EVP_sha256(), NULL);
	auth_hex(md, 32, out);
}

int user_recovery_new(struct authdb *a, int64_t id, char codes[][12])
{
	char h[65];
	int i;

	/* 10 characters from a 56-letter set: ~58 bits, single use */
	for (i = 0; i < RECOVERY_CODES; i++)
		if (pw_generate(codes[i], 11)) {
			/* the old codes stay: nothing is changed without new ones */
			OPENSSL_cleanse(codes, (size_t)RECOVERY_CODES * sizeof(codes[0]));
			return -1;
		}
	if (authdb_exec(a, "DELETE FROM recovery WHERE user_id = ?", "i", id) ||
	    authdb_exec(a, "DELETE FROM dashboards WHERE owner ="
			" (SELECT name FROM users WHERE id = ?)", "i", id))
		return -1;
	for (i = 0; i < RECOVERY_CODES; i++) {
		sha256_hex(codes[i], h);
		if (authdb_exec(a, "INSERT INTO recovery(user_id, hash) VALUES(?, ?)", "it", id, h))
			return -1;
	}
	return 0;
}

int user_recovery_use(struct authdb *a, int64_t id, const char *code)
{
	char h[65];

	if (strlen(code) != 10)
		return 0;
	sha256_hex(code, h);
	if (authdb_exec(a, "UPDATE recovery SET used = 1 WHERE user_id = ? AND hash = ?"
		      " AND used = 0", "it", id, h))
		return 0;
	return sqlite3_changes(a->db) == 1;
}
