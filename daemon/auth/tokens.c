/* API tokens for machines: random, shown once, stored as SHA-256. */
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "auth/authdb_int.h"

static void tok_hash(const char *tok, char out[65])
{
	uint8_t md[32];
	unsigned int n = 0;

	EVP_Digest(tok, strlen(tok), md, &n, EVP_sha256(), NULL);
	auth_hex(md, 32, out);
}

int token_create(struct authdb *a, const char *name, enum role role,
		 int control, int64_t dashboard, const char *by,
		 char out[TOKEN_LEN + 1], int64_t *id)
{
	uint8_t r[32];
	char h[65];

	if (auth_random(r, sizeof(r)))
		return -1;
	memcpy(out, TOKEN_PREFIX, 5);
	auth_hex(r, sizeof(r), out + 5);
	tok_hash(out, h);
	if (authdb_exec(a, "INSERT INTO tokens(name, role, hash, created,"
			" created_by, control, dashboard) VALUES(?,?,?,?,?,?,?)",
			"tttitii", name, role_name(role), h, auth_now_ms(), by,
			(int64_t)!!control, dashboard))
		return -1;
	*id = sqlite3_last_insert_rowid(a->db);
	return 0;
}

#define TCOLS "id, name, role, created, created_by, last_used, revoked, control, dashboard"

static void token_from(sqlite3_stmt *st, struct token *t)
{
	int r;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	snprintf(t->name, sizeof(t->name), "%s", (const char *)sqlite3_column_text(st, 1));
	r = role_parse((const char *)sqlite3_column_text(st, 2));
	t->role = r < 0 ? ROLE_VIEWER : (enum role)r;
	t->created = sqlite3_column_int64(st, 3);
	snprintf(t->created_by, sizeof(t->created_by), "%s",
		 (const char *)sqlite3_column_text(st, 4));
	t->last_used = sqlite3_column_int64(st, 5);
	t->revoked = sqlite3_column_int(st, 6);
	t->control = sqlite3_column_int(st, 7);
	t->dashboard = sqlite3_column_int64(st, 8);
}

int token_check(struct authdb *a, const char *tok, struct token *t)
{
	sqlite3_stmt *st;
	char h[65];
	int rc;

	if (strlen(tok) != TOKEN_LEN || strncmp(tok, TOKEN_PREFIX, 5))
		return 1;
	tok_hash(tok, h);
	if (sqlite3_prepare_v2(a->db, "SELECT " TCOLS " FROM tokens WHERE hash = ?"
			       " AND revoked = 0", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, h, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		token_from(st, t);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 1 : -1;
	/* last use to the minute is enough and spares a write per request */
	if (auth_now_ms() - t->last_used > 60000)
		authdb_exec(a, "UPDATE tokens SET last_used = ? WHERE id = ?", "ii",
			    auth_now_ms(), t->id);
	return 0;
}

int token_get(struct authdb *a, int64_t id, struct token *t)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(a->db, "SELECT " TCOLS " FROM tokens WHERE id = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		token_from(st, t);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 1 : -1;
}

int token_revoke(struct authdb *a, int64_t id)
{
	if (authdb_exec(a, "UPDATE tokens SET revoked = 1 WHERE id = ? AND revoked = 0", "i", id))
		return -1;
	return sqlite3_changes(a->db) == 1 ? 0 : 1;
}

int token_set_control(struct authdb *a, int64_t id, int control)
{
	if (authdb_exec(a, "UPDATE tokens SET control = ? WHERE id = ? AND revoked = 0",
			"ii", (int64_t)!!control, id))
		return -1;
	return sqlite3_changes(a->db) == 1 ? 0 : 1;
}

int token_set_dashboard(struct authdb *a, int64_t id, int64_t dashboard)
{
	if (authdb_exec(a, "UPDATE tokens SET dashboard = ? WHERE id = ? AND revoked = 0",
			"ii", dashboard, id))
		return -1;
	return sqlite3_changes(a->db) == 1 ? 0 : 1;
}

int token_list(struct authdb *a, void (*cb)(void *, const struct token *), void *arg)
{
	sqlite3_stmt *st;
	struct token t;

	if (sqlite3_prepare_v2(a->db, "SELECT " TCOLS " FROM tokens ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		token_from(st, &t);
		cb(arg, &t);
	}
	sqlite3_finalize(st);
	return 0;
}
