/*
 * Hash-chained audit log.  The chain's head (last seq and hash) is kept in
 * its own table and updated in the same transaction as the append, so
 * removing the newest rows is caught too; triggers refuse UPDATE and any
 * DELETE younger than the retention floor.
 */
#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "auth/auth.h"
#include "core/dbfile.h"
#include "core/dbschema.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

struct audit {
	sqlite3 *db;
	sqlite3_stmt *ins;
};

/* steps of audit.db's schema (core/dbschema.h); never edit a shipped one */
static const char *const steps[] = {
	/* 1: the chain, its head and anchor, append-only triggers */
	"CREATE TABLE IF NOT EXISTS audit(seq INTEGER PRIMARY KEY,"
	" ts INTEGER NOT NULL, user TEXT NOT NULL, addr TEXT NOT NULL,"
	" action TEXT NOT NULL, target TEXT NOT NULL, result TEXT NOT NULL,"
	" detail TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS head(id INTEGER PRIMARY KEY CHECK(id = 1),"
	" seq INTEGER NOT NULL, hash TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS anchor(id INTEGER PRIMARY KEY CHECK(id = 1),"
	" seq INTEGER NOT NULL, prev TEXT NOT NULL);"
	"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit"
	" BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit"
	" WHEN old.ts > (CAST(strftime('%s','now') AS INTEGER) - 180 * 86400) * 1000"
	" BEGIN SELECT RAISE(ABORT, 'audit rows are kept 180 days'); END;",
};

const struct db_schema audit_db_schema = DB_SCHEMA("audit.db", steps);

struct audit *audit_open(const char *path, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (dbfile_private(path, err, errlen)) {
		free(a);
		return NULL;
	}
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(a->db, 5000);
	/* an acknowledged entry must survive a power cut */
	if (sqlite3_exec(a->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;",
			 NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (db_migrate(a->db, &audit_db_schema, err, errlen)) {
		audit_close(a);
		return NULL;
	}
	if (sqlite3_prepare_v2(a->db,
			       "INSERT INTO audit(seq, ts, user, addr, action, target,"
			       " result, detail, prev, hash) VALUES(?,?,?,?,?,?,?,?,?,?)",
			       -1, &a->ins, NULL) != SQLITE_OK)
		goto fail;
	return a;
fail:
	snprintf(err, errlen, "%s: %s", path, a->db ? sqlite3_errmsg(a->db) : "cannot open");
	audit_close(a);
	return NULL;
}

struct audit *audit_open_ro(const char *path, char *err, size_t errlen)
{
	struct audit *a = calloc(1, sizeof(*a));

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* a reader of its own (jobs): WAL lets it walk the chain beside the writer */
	if (sqlite3_open_v2(path, &a->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOFOLLOW |
			    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, a->db ? sqlite3_errmsg(a->db) : "cannot open");
		audit_close(a);
		return NULL;
	}
	sqlite3_busy_timeout(a->db, 5000);
	return a;
}

struct audit *audit_open_dir(const char *state_dir, char *err, size_t errlen)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/audit.db", state_dir);
	return audit_open(path, err, errlen);
}

void audit_close(struct audit *a)
{
	if (!a)
		return;
	sqlite3_finalize(a->ins);
	sqlite3_close(a->db);
	free(a);
}

static void put_field(EVP_MD_CTX *c, const void *p, uint64_t n)
{
	uint8_t len[8];
	int i;

	/* length-prefixed so that no two field splits hash alike */
	for (i = 0; i < 8; i++)
		len[i] = (uint8_t)(n >> (56 - 8 * i));
	EVP_DigestUpdate(c, len, 8);
	EVP_DigestUpdate(c, p, n);
}

static void row_hash(const struct audit_row *r, char out[65])
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	uint8_t md[32];
	char num[2][24];
	unsigned int n = 0;

	snprintf(num[0], sizeof(num[0]), "%lld", (long long)r->seq);
	snprintf(num[1], sizeof(num[1]), "%lld", (long long)r->ts);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	put_field(c, r->prev, strlen(r->prev));
	put_field(c, num[0], strlen(num[0]));
	put_field(c, num[1], strlen(num[1]));
	put_field(c, r->user, strlen(r->user));
	put_field(c, r->addr, strlen(r->addr));
	put_field(c, r->action, strlen(r->action));
	put_field(c, r->target, strlen(r->target));
	put_field(c, r->result, strlen(r->result));
	put_field(c, r->detail, strlen(r->detail));
	EVP_DigestFinal_ex(c, md, &n);
	EVP_MD_CTX_free(c);
	auth_hex(md, 32, out);
}

#define S(x) ((x) ? (x) : "")

/* One row into an open transaction; *prev is the chain's head, moved on. */
static int append_one(struct audit *a, const struct audit_entry *e, int64_t ts,
		      int64_t *seq, char prev[65])
{
	struct audit_row r = {
		.ts = ts, .user = S(e->user), .addr = S(e->addr),
		.action = S(e->action), .target = S(e->target), .result = S(e->result),
		.detail = S(e->detail), .seq = *seq + 1, .prev = prev,
	};
	char hash[65];
	int rc;

	row_hash(&r, hash);
	sqlite3_reset(a->ins);
	sqlite3_bind_int64(a->ins, 1, r.seq);
	sqlite3_bind_int64(a->ins, 2, r.ts);
	sqlite3_bind_text(a->ins, 3, r.user, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->ins, 4, r.addr, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->ins, 5, r.action, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->ins, 6, r.target, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->ins, 7, r.result, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->ins, 8, r.detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->ins, 9, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(a->ins, 10, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(a->ins) == SQLITE_DONE ? 0 : -1;
	sqlite3_reset(a->ins);
	if (!rc) {
		*seq = r.seq;
		memcpy(prev, hash, 65);
	}
	return rc;
}

int audit_append_batch(struct audit *a, const struct audit_entry *e, size_t n)
{
	char prev[65] = GENESIS;
	sqlite3_stmt *st = NULL;
	int64_t seq = 0, ts = auth_now_ms();
	size_t i;
	int rc = -1;

	if (!a->ins || sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(a->db, "SELECT seq, hash FROM head WHERE id = 1", -1,
			       &st, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(st) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		snprintf(prev, sizeof(prev), "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	st = NULL;
	for (i = 0; i < n; i++)
		if (append_one(a, &e[i], e[i].ts ? e[i].ts : ts, &seq, prev))
			goto out;
	if (sqlite3_prepare_v2(a->db, "INSERT OR REPLACE INTO head(id, seq, hash) VALUES(1, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, prev, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(st);
	/* one commit, one fsync (synchronous=FULL), for the whole batch */
	if (!rc && sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		rc = -1;
	if (rc)
		sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

const char *audit_result_of(int status, bool gate)
{
	if (status < 400)
		return AUDIT_OK;
	if (gate || status == 401 || status == 403 || status == 423 ||
	    status == 429)
		return AUDIT_DENIED;
	return AUDIT_FAIL;
}

int audit_append(struct audit *a, const char *user, const char *addr,
		 const char *action, const char *target, const char *result,
		 const char *detail)
{
	struct audit_entry e = {
		.user = user, .addr = addr, .action = action, .target = target,
		.result = result, .detail = detail,
	};

	return audit_append_batch(a, &e, 1);
}

static void row_from(sqlite3_stmt *st, struct audit_row *r)
{
	r->seq = sqlite3_column_int64(st, 0);
	r->ts = sqlite3_column_int64(st, 1);
	r->user = (const char *)sqlite3_column_text(st, 2);
	r->addr = (const char *)sqlite3_column_text(st, 3);
	r->action = (const char *)sqlite3_column_text(st, 4);
	r->target = (const char *)sqlite3_column_text(st, 5);
	r->result = (const char *)sqlite3_column_text(st, 6);
	r->detail = (const char *)sqlite3_column_text(st, 7);
	r->prev = (const char *)sqlite3_column_text(st, 8);
	r->hash = (const char *)sqlite3_column_text(st, 9);
	r->user = S(r->user);
	r->addr = S(r->addr);
	r->action = S(r->action);
	r->target = S(r->target);
	r->result = S(r->result);
	r->detail = S(r->detail);
	r->prev = S(r->prev);
	r->hash = S(r->hash);
}

#define COLS "seq, ts, user, addr, action, target, result, detail, prev, hash"

static int bad(struct audit_report *r, int64_t seq, const char *why)
{
	r->bad_seq = seq;
	snprintf(r->reason, sizeof(r->reason), "row %lld: %s", (long long)seq, why);
	return 1;
}

int audit_verify(struct audit *a, struct audit_report *r)
{
	return audit_verify_progress(a, r, NULL, NULL);
}

/* rows between two progress calls: often enough to cancel promptly */
#define VERIFY_STEP 8192

int audit_verify_progress(struct audit *a, struct audit_report *r,
			  int (*progress)(void *arg, int64_t done, int64_t total), void *arg)
{
	char expect_prev[65] = GENESIS, h[65];
	int64_t expect_seq = 1, head_seq = 0, total;
	char head_hash[65] = "";
	sqlite3_stmt *st = NULL;
	struct audit_row row;
	int rc = 0, s;

	memset(r, 0, sizeof(*r));
	if (sqlite3_exec(a->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	/* after retention pruning the chain starts at the anchor */
	if (sqlite3_prepare_v2(a->db, "SELECT seq, prev FROM anchor WHERE id = 1",
			       -1, &st, NULL) != SQLITE_OK)
		goto err;
	if (sqlite3_step(st) == SQLITE_ROW) {
		expect_seq = sqlite3_column_int64(st, 0);
		snprintf(expect_prev, sizeof(expect_prev), "%s",
			 (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(a->db, "SELECT seq, hash FROM head WHERE id = 1",
			       -1, &st, NULL) != SQLITE_OK)
		goto err;
	if (sqlite3_step(st) == SQLITE_ROW) {
		head_seq = sqlite3_column_int64(st, 0);
		snprintf(head_hash, sizeof(head_hash), "%s",
			 (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	/* the head says how many rows there should be: no count(*) scan first */
	total = head_seq >= expect_seq ? head_seq - expect_seq + 1 : 0;
	if (progress && progress(arg, 0, total)) {
		st = NULL;
		goto cancelled;
	}
	if (sqlite3_prepare_v2(a->db, "SELECT " COLS " FROM audit ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		goto err;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		row_from(st, &row);
		r->rows++;
		if (progress && r->rows % VERIFY_STEP == 0 &&
		    progress(arg, r->rows, total > r->rows ? total : r->rows))
			goto cancelled;
		if (row.seq != expect_seq) {
			rc = bad(r, expect_seq, row.seq > expect_seq ?
				 "missing (deleted)" : "out of sequence (inserted)");
			break;
		}
		if (strcmp(row.prev, expect_prev)) {
			rc = bad(r, row.seq, "does not link to the row before it");
			break;
		}
		row_hash(&row, h);
		if (strcmp(h, row.hash)) {
			rc = bad(r, row.seq, "contents do not match its hash (edited)");
			break;
		}
		memcpy(expect_prev, h, sizeof(h));
		expect_seq++;
	}
	if (s != SQLITE_ROW && s != SQLITE_DONE)
		goto err;
	if (!rc && (head_seq != expect_seq - 1 ||
		    (head_seq && strcmp(head_hash, expect_prev))))
		rc = bad(r, expect_seq, "the newest rows are missing (head mismatch)");
	sqlite3_finalize(st);
	sqlite3_exec(a->db, "COMMIT", NULL, NULL, NULL);
	return rc;
cancelled:
	sqlite3_finalize(st);
	sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
	snprintf(r->reason, sizeof(r->reason), "cancelled");
	return -2;
err:
	/* the reason before ROLLBACK replaces it */
	snprintf(r->reason, sizeof(r->reason), "%s", sqlite3_errmsg(a->db));
	sqlite3_finalize(st);
	sqlite3_exec(a->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

int audit_list(struct audit *a, int64_t before, int limit,
	       void (*cb)(void *arg, const struct audit_row *row), void *arg)
{
	sqlite3_stmt *st;
	struct audit_row row;
	int n = 0;

	if (sqlite3_prepare_v2(a->db, "SELECT " COLS " FROM audit WHERE seq < ?"
			       " ORDER BY seq DESC LIMIT ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, before > 0 ? before : INT64_MAX);
	sqlite3_bind_int(st, 2, limit);
	while (sqlite3_step(st) == SQLITE_ROW) {
		row_from(st, &row);
		cb(arg, &row);
		n++;
	}
	sqlite3_finalize(st);
	return n;
}

static void export_row(void *arg, const struct audit_row *r)
{
	json_t *o = json_pack("{sI sI ss ss ss ss ss ss ss ss}", "seq", (json_int_t)r->seq,
			      "ts", (json_int_t)r->ts, "user", r->user, "addr", r->addr,
			      "action", r->action, "target", r->target, "result", r->result,
			      "detail", r->detail, "prev", r->prev, "hash", r->hash);

	if (o) {
		json_dumpf(o, arg, JSON_COMPACT);
		fputc('\n', arg);
		json_decref(o);
	}
}

int audit_export(struct audit *a, FILE *f)
{
	sqlite3_stmt *st;
	struct audit_row row;

	if (sqlite3_prepare_v2(a->db, "SELECT " COLS " FROM audit ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		row_from(st, &row);
		export_row(f, &row);
	}
	sqlite3_finalize(st);
	return ferror(f) ? -1 : 0;
}

int audit_prune(struct audit *a, int days)
{
	int64_t cut;
	int rc;

	if (days < AUDIT_MIN_RETENTION_DAYS)
		days = AUDIT_MIN_RETENTION_DAYS;
	cut = auth_now_ms() - (int64_t)days * 86400000;
	if (sqlite3_exec(a->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return -1;
	{
		char sql[512];

		/* the first surviving row becomes the verified start */
		snprintf(sql, sizeof(sql),
			 "INSERT OR REPLACE INTO anchor(id, seq, prev)"
			 " SELECT 1, seq, prev FROM audit WHERE ts >= %lld ORDER BY seq LIMIT 1;"
			 "DELETE FROM audit WHERE ts < %lld;", (long long)cut, (long long)cut);
		rc = sqlite3_exec(a->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
	}
	sqlite3_exec(a->db, rc ? "ROLLBACK" : "COMMIT", NULL, NULL, NULL);
	return rc;
}
