/* Unit tests of daemon/auth: TOTP vectors, Argon2id, audit chain, users. */
#include <errno.h>
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

#include "auth/audit.h"
#include "auth/authdb.h"
#include "auth/seal.h"
#include "auth/session.h"
#include "core/dbschema.h"

/*
 * Linked with -Wl,--wrap=getrandom (daemon/auth/build.mk): the kernel's
 * randomness can be made to fail, which it cannot be made to here.
 */
ssize_t __real_getrandom(void *buf, size_t n, unsigned int flags);
ssize_t __wrap_getrandom(void *buf, size_t n, unsigned int flags);
static int getrandom_fails;

ssize_t __wrap_getrandom(void *buf, size_t n, unsigned int flags)
{
	if (getrandom_fails) {
		errno = ENOSYS;
		return -1;
	}
	return __real_getrandom(buf, n, flags);
}

/* RFC 6238 appendix B */
static void rfc6238_vectors(void **state)
{
	static const struct { int64_t t; uint32_t sha1, sha256, sha512; } v[] = {
		{ 59, 94287082, 46119246, 90693936 },
		{ 1111111109, 7081804, 68084774, 25091201 },
		{ 1111111111, 14050471, 67062674, 99943326 },
		{ 1234567890, 89005924, 91819424, 93441116 },
		{ 2000000000, 69279037, 90698825, 38618901 },
		{ 20000000000LL, 65353130, 77737706, 47863826 },
	};
	const uint8_t *k1 = (const uint8_t *)"12345678901234567890";
	const uint8_t *k2 = (const uint8_t *)"12345678901234567890123456789012";
	const uint8_t *k5 = (const uint8_t *)"1234567890123456789012345678901234567890123456789012345678901234";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(totp_at(TOTP_SHA1, k1, 20, v[i].t, 8), v[i].sha1);
		assert_int_equal(totp_at(TOTP_SHA256, k2, 32, v[i].t, 8), v[i].sha256);
		assert_int_equal(totp_at(TOTP_SHA512, k5, 64, v[i].t, 8), v[i].sha512);
	}
	/* RFC 4226 appendix D, counters 0 and 9 */
	assert_int_equal(hotp(TOTP_SHA1, k1, 20, 0, 6), 755224);
	assert_int_equal(hotp(TOTP_SHA1, k1, 20, 9, 6), 520489);
}

static void totp_window_and_replay(void **state)
{
	const uint8_t *k = (const uint8_t *)"12345678901234567890";
	int64_t now = 1700000000, step = now / 30;
	char code[8];

	(void)state;
	snprintf(code, sizeof(code), "%06u", totp_at(TOTP_SHA1, k, 20, now - 30, 6));
	assert_int_equal(totp_check(k, 20, code, now, 0), step - 1);
	snprintf(code, sizeof(code), "%06u", totp_at(TOTP_SHA1, k, 20, now + 30, 6));
	assert_int_equal(totp_check(k, 20, code, now, 0), step + 1);
	snprintf(code, sizeof(code), "%06u", totp_at(TOTP_SHA1, k, 20, now - 60, 6));
	assert_int_equal(totp_check(k, 20, code, now, 0), 0);
	snprintf(code, sizeof(code), "%06u", totp_at(TOTP_SHA1, k, 20, now, 6));
	assert_int_equal(totp_check(k, 20, code, now, 0), step);
	/* the same code again: replay */
	assert_int_equal(totp_check(k, 20, code, now, step), -1);
	assert_int_equal(totp_check(k, 20, "12345", now, 0), 0);
	assert_int_equal(totp_check(k, 20, "12a456", now, 0), 0);
}

static void base32(void **state)
{
	char out[64];
	uint8_t back[32];

	(void)state;
	assert_int_equal(base32_encode((const uint8_t *)"foobar", 6, out, sizeof(out)), 10);
	assert_string_equal(out, "MZXW6YTBOI");	/* RFC 4648 §10, unpadded */
	assert_int_equal(base32_decode("MZXW6YTBOI======", back, sizeof(back)), 6);
	assert_memory_equal(back, "foobar", 6);
	assert_int_equal(base32_decode("MZ1W", back, sizeof(back)), -1);
}

static void argon2id_params(void **state)
{
	char h[PW_ENCODED_MAX];
	const char *why;

	(void)state;
	assert_int_equal(pw_hash("correct horse battery", h, sizeof(h)), 0);
	assert_non_null(strstr(h, "$argon2id$v=19$m=19456,t=2,p=1$"));
	assert_true(pw_verify(h, "correct horse battery"));
	assert_false(pw_verify(h, "correct horse batterx"));
	assert_false(pw_verify("$argon2i$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA", "x"));
	assert_int_equal(pw_policy(PW_STANDARD, "bob", "short", &why), -1);
	assert_int_equal(pw_policy(PW_STANDARD, "bob", "twelve chars", &why), 0);
	assert_int_equal(pw_policy(PW_STANDARD, "operator", "xxoperatorxxyy", &why), -1);
	assert_int_equal(pw_policy(PW_GBT22239, "bob", "alllowercaseletters", &why), -1);
	assert_int_equal(pw_policy(PW_GBT22239, "bob", "Mixed-Case-Letters", &why), 0);
	assert_int_equal(pw_generate(h, 21), 0);
	assert_int_equal(strlen(h), 20);
	assert_int_equal(pw_policy(PW_GBT22239, "admin", h, &why), 0);
}

static char tmpdir[64];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/iiot-test-auth.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static struct audit *fresh_audit(char *path, size_t len, int rows)
{
	char err[256], what[32];
	struct audit *a;
	int i;

	snprintf(path, len, "%s/audit-%d.db", tmpdir, rand());
	a = audit_open(path, err, sizeof(err));
	assert_non_null(a);
	for (i = 1; i <= rows; i++) {
		snprintf(what, sizeof(what), "setting %d", i);
		assert_int_equal(audit_append(a, "admin", "127.0.0.1", "PUT /api/v1/settings",
					      what, "ok", "{\"v\":1}"), 0);
	}
	return a;
}

/* one result word per outcome, whichever door: a gate's refusal (its
 * status, or the lifecycle's 409 marked as a gate) is denied, any other
 * 4xx or 5xx fail */
static void audit_result_words(void **state)
{
	static const struct { int status; bool gate; const char *want; } c[] = {
		{ 200, false, AUDIT_OK }, { 201, false, AUDIT_OK },
		{ 401, false, AUDIT_DENIED }, { 403, false, AUDIT_DENIED },
		{ 423, false, AUDIT_DENIED }, { 429, false, AUDIT_DENIED },
		{ 409, true, AUDIT_DENIED }, { 409, false, AUDIT_FAIL },
		{ 400, false, AUDIT_FAIL }, { 404, false, AUDIT_FAIL },
		{ 502, false, AUDIT_FAIL }, { 503, false, AUDIT_FAIL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		assert_string_equal(audit_result_of(c[i].status, c[i].gate), c[i].want);
}

static void audit_chain(void **state)
{
	struct audit_report r;
	struct audit *a;
	char path[128];

	(void)state;
	a = fresh_audit(path, sizeof(path), 5);
	assert_int_equal(audit_verify(a, &r), 0);
	assert_int_equal(r.rows, 5);
	/* the triggers refuse edits through SQL */
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "UPDATE audit SET result='fail' WHERE seq=2",
						  NULL, NULL, NULL), SQLITE_OK);
		assert_int_not_equal(sqlite3_exec(db, "DELETE FROM audit WHERE seq=2",
						  NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	audit_close(a);

	/* edited row */
	a = fresh_audit(path, sizeof(path), 5);
	raw_exec(path, "DROP TRIGGER audit_no_update; UPDATE audit SET user='eve' WHERE seq=3");
	assert_int_equal(audit_verify(a, &r), 1);
	assert_int_equal(r.bad_seq, 3);
	assert_non_null(strstr(r.reason, "edited"));
	audit_close(a);

	/* deleted row in the middle */
	a = fresh_audit(path, sizeof(path), 5);
	raw_exec(path, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=2");
	assert_int_equal(audit_verify(a, &r), 1);
	assert_int_equal(r.bad_seq, 2);
	audit_close(a);

	/* newest row deleted */
	a = fresh_audit(path, sizeof(path), 5);
	raw_exec(path, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq=5");
	assert_int_equal(audit_verify(a, &r), 1);
	assert_non_null(strstr(r.reason, "newest"));
	audit_close(a);

	/* a row inserted, even with a plausible hash chain pointer */
	a = fresh_audit(path, sizeof(path), 5);
	raw_exec(path, "DROP TRIGGER audit_no_update; UPDATE audit SET seq = seq + 100 WHERE seq >= 3;"
		 "UPDATE audit SET seq = seq - 99 WHERE seq >= 103;"
		 "INSERT INTO audit SELECT 3, ts, 'eve', addr, action, target, result, detail,"
		 " hash, hash FROM audit WHERE seq = 2");
	assert_int_equal(audit_verify(a, &r), 1);
	audit_close(a);

	/* appending after a verify keeps the chain intact */
	a = fresh_audit(path, sizeof(path), 2);
	assert_int_equal(audit_verify(a, &r), 0);
	assert_int_equal(audit_append(a, NULL, NULL, "login", "bob", "fail", NULL), 0);
	assert_int_equal(audit_verify(a, &r), 0);
	assert_int_equal(r.rows, 3);
	audit_close(a);
}

static void users_tokens_settings(void **state)
{
	char err[256], tok[TOKEN_LEN + 1], codes[RECOVERY_CODES][12], val[64];
	uint8_t sec[TOTP_SECRET], back[TOTP_SECRET];
	struct authdb *db;
	struct user u;
	struct token t;
	const char *why;
	int64_t id, gen;
	int i;

	(void)state;
	db = authdb_open(tmpdir, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(user_count(db), 0);
	assert_int_equal(user_create(db, "alice", ROLE_ENGINEER, "alice's long password", 0), 0);
	assert_int_equal(user_create(db, "alice", ROLE_VIEWER, "another long password", 0), 1);
	assert_int_equal(user_create(db, "bad name", ROLE_VIEWER, "another long password", 0), -1);
	assert_int_equal(user_get(db, "alice", &u), 0);
	assert_int_equal(u.role, ROLE_ENGINEER);
	assert_true(pw_verify(u.pwhash, "alice's long password"));
	assert_int_equal(user_get(db, "nobody", &u), 1);

	/* lockout after the threshold */
	user_get(db, "alice", &u);
	for (i = 0; i < 5; i++)
		assert_int_equal(user_login_failed(db, u.id, 5, 60000), 0);
	user_get(db, "alice", &u);
	assert_true(u.locked_until > auth_now_ms());
	user_login_ok(db, u.id);
	user_get(db, "alice", &u);
	assert_int_equal(u.locked_until, 0);

	/* password change bumps the generation that sessions check */
	gen = u.gen;
	assert_int_equal(user_set_password(db, u.id, "a brand new password", 0), 0);
	user_get(db, "alice", &u);
	assert_true(u.gen > gen);

	/* TOTP secret sealed at rest */
	memset(sec, 0x5a, sizeof(sec));
	assert_int_equal(user_totp_set(db, u.id, sec, 1), 0);
	assert_int_equal(user_totp_get(db, u.id, back), 0);
	assert_memory_equal(sec, back, sizeof(sec));

	/* recovery codes work once */
	assert_int_equal(user_recovery_new(db, u.id, codes), 0);
	assert_int_equal(user_recovery_use(db, u.id, codes[3]), 1);
	assert_int_equal(user_recovery_use(db, u.id, codes[3]), 0);
	assert_int_equal(user_recovery_use(db, u.id, "nonsense00"), 0);

	/* tokens: shown once, checked by hash, revocable */
	assert_int_equal(token_create(db, "mes", ROLE_VIEWER, 0, 0, "alice", tok, &id), 0);
	assert_int_equal(strlen(tok), TOKEN_LEN);
	assert_int_equal(token_check(db, tok, &t), 0);
	assert_int_equal(t.role, ROLE_VIEWER);
	tok[10] ^= 1;
	assert_int_equal(token_check(db, tok, &t), 1);
	tok[10] ^= 1;
	assert_int_equal(t.control, 0);
	/* the control grant: given and taken back by id, kept with the token */
	assert_int_equal(token_set_control(db, id, 1), 0);
	assert_int_equal(token_check(db, tok, &t), 0);
	assert_int_equal(t.control, 1);
	assert_int_equal(token_get(db, id, &t), 0);
	assert_int_equal(t.control, 1);
	assert_int_equal(token_set_control(db, id + 1000, 1), 1);
	assert_int_equal(token_revoke(db, id), 0);
	assert_int_equal(token_check(db, tok, &t), 1);
	assert_int_equal(token_set_control(db, id, 0), 1);

	/* settings: registry and ranges */
	assert_int_equal(setting_int(db, "lockout.threshold"), 5);
	assert_int_equal(setting_set(db, "lockout.threshold", "7", &why), 0);
	assert_int_equal(setting_int(db, "lockout.threshold"), 7);
	assert_int_equal(setting_set(db, "lockout.threshold", "0", &why), -1);
	assert_int_equal(setting_set(db, "lockout.threshold", "7x", &why), -1);
	assert_int_equal(setting_set(db, "no.such", "1", &why), -1);
	assert_int_equal(setting_set(db, "audit.retention_days", "30", &why), -1);
	assert_int_equal(setting_set(db, "password.profile", "gbt22239", &why), 0);
	assert_int_equal(setting_set(db, "password.profile", "lax", &why), -1);
	setting_get(db, "password.profile", val, sizeof(val));
	assert_string_equal(val, "gbt22239");
	assert_true(setting_mfa_required(db, ROLE_ADMIN));
	assert_false(setting_mfa_required(db, ROLE_VIEWER));
	assert_int_equal(setting_set(db, "mfa.required_roles", "admin,nobody", &why), -1);
	authdb_close(db);

	/* the raw database never holds the TOTP secret in clear */
	{
		char path[128];
		FILE *f;
		size_t n;
		static uint8_t buf[1 << 20];

		snprintf(path, sizeof(path), "%s/auth.db", tmpdir);
		f = fopen(path, "rb");
		assert_non_null(f);
		n = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		assert_null(memmem(buf, n, sec, sizeof(sec)));
	}
}

static void perms_deny_by_default(void **state)
{
	int r, p;

	(void)state;
	for (r = 0; r < ROLE_COUNT; r++)
		assert_true(role_has(r, PERM_PUBLIC) && (r == ROLE_KIOSK || role_has(r, PERM_SELF)));
	/* a wall screen's token reads, never writes, and has no session */
	for (p = 0; p < PERM_COUNT; p++)
		assert_int_equal(role_has(ROLE_KIOSK, p), p == PERM_PUBLIC || p == PERM_DEVICE_READ ||
				 p == PERM_ALERT_READ || p == PERM_DASH_READ);
	assert_false(role_for_users(ROLE_KIOSK));
	assert_true(role_for_users(ROLE_VIEWER));
	assert_false(role_has(ROLE_VIEWER, PERM_DASH_SHARE));
	assert_true(role_has(ROLE_ENGINEER, PERM_DASH_SHARE));
	assert_true(role_has(ROLE_ADMIN, PERM_SETTINGS_WRITE));
	assert_false(role_has(ROLE_ENGINEER, PERM_SETTINGS_WRITE));
	assert_false(role_has(ROLE_VIEWER, PERM_DEVICE_CONTROL));
	assert_false(role_has(ROLE_AUDITOR, PERM_DEVICE_READ));
	assert_true(role_has(ROLE_AUDITOR, PERM_AUDIT_READ));
	assert_false(role_has(ROLE_OPERATOR, PERM_AUDIT_READ));
	for (p = 0; p < PERM_COUNT; p++)
		assert_false(role_has(ROLE_COUNT, p));
	assert_false(role_has(ROLE_ADMIN, PERM_COUNT));
	assert_int_equal(role_parse("auditor"), ROLE_AUDITOR);
	assert_int_equal(role_parse("root"), -1);
}

static void sessions(void **state)
{
	struct session *s;
	char old[SESSION_ID_HEX + 1];
	int64_t now = auth_mono_ms();

	(void)state;
	session_clear();
	s = session_new(1, "alice", ROLE_ADMIN, 1, SESS_MFA, "10.0.0.1");
	assert_non_null(s);
	assert_int_equal(strlen(s->id), 64);
	assert_string_not_equal(s->id, s->csrf);
	snprintf(old, sizeof(old), "%s", s->id);
	assert_ptr_equal(session_find(old, now, 60000, 3600000), s);
	assert_int_equal(session_rotate(s), 0);
	assert_null(session_find(old, now, 60000, 3600000));
	snprintf(old, sizeof(old), "%s", s->id);
	/* idle expiry drops the session */
	assert_null(session_find(old, now + 61000, 60000, 3600000));
	assert_null(session_find(old, now, 60000, 3600000));
	/* the absolute limit holds however busy the session is */
	s = session_new(3, "carol", ROLE_VIEWER, 1, SESS_FULL, "10.0.0.3");
	snprintf(old, sizeof(old), "%s", s->id);
	s->mono_created = now;
	s->mono_seen = now + 3600000;
	assert_non_null(session_find(old, now + 3600000, 60000, 3600001));
	assert_null(session_find(old, now + 3600002, 60000, 3600001));
	s = session_new(2, "bob", ROLE_VIEWER, 1, SESS_FULL, "10.0.0.2");
	snprintf(old, sizeof(old), "%s", s->id);
	assert_int_equal(session_drop_user(2), 1);
	assert_null(session_find(old, now, 60000, 3600000));
	/* the timeouts measure the monotonic clock: a session whose wall
	 * clock times say a day went by (a step forward) lives on */
	s = session_new(4, "dave", ROLE_VIEWER, 1, SESS_FULL, "10.0.0.4");
	snprintf(old, sizeof(old), "%s", s->id);
	s->created -= 86400000;
	s->last_seen -= 86400000;
	assert_ptr_equal(session_find(old, auth_mono_ms(), 60000, 3600000), s);

	addr_clear();
	assert_false(addr_locked("10.0.0.9", now));
	for (int i = 0; i < 5; i++)
		addr_failed("10.0.0.9", now, 5, 1000);
	assert_true(addr_locked("10.0.0.9", now));
	assert_false(addr_locked("10.0.0.9", now + 1001));
	assert_false(addr_locked("10.0.0.8", now));
}

/*
 * Regression: when getrandom() failed, pw_generate() used zeros, so the
 * one-time admin password and the recovery codes were the same fixed
 * strings on every such system.  Every secret now fails hard instead.
 */
static void getrandom_failure_makes_no_predictable_secret(void **state)
{
	char err[256], tok[TOKEN_LEN + 1], codes[RECOVERY_CODES][12], h[PW_ENCODED_MAX];
	char old[RECOVERY_CODES][12];
	uint8_t sec[TOTP_SECRET], sealed[TOTP_SECRET + SEAL_OVERHEAD], key[SEAL_KEY];
	char path[128];
	struct authdb *db;
	struct user u;
	int64_t id;

	(void)state;
	db = authdb_open(tmpdir, err, sizeof(err));
	assert_non_null(db);
	if (user_get(db, "grace", &u))
		assert_int_equal(user_create(db, "grace", ROLE_ENGINEER, "grace's long password", 0), 0);
	assert_int_equal(user_get(db, "grace", &u), 0);
	memset(sec, 0x5a, sizeof(sec));

	assert_int_equal(user_recovery_new(db, u.id, codes), 0);
	memcpy(old, codes, sizeof(old));
	getrandom_fails = 1;
	memset(h, 'x', sizeof(h));
	assert_int_equal(pw_generate(h, 21), -1);
	assert_int_equal(h[0], 0);
	memset(codes, 0, sizeof(codes));
	assert_int_equal(user_recovery_new(db, u.id, codes), -1);
	assert_int_equal(codes[0][0], 0);
	assert_int_equal(pw_hash("a long enough password", h, sizeof(h)), -1);
	assert_int_equal(token_create(db, "mes", ROLE_VIEWER, 0, 0, "grace", tok, &id), -1);
	memset(key, 0, sizeof(key));
	assert_int_equal(seal(key, sec, sizeof(sec), sealed), -1);
	assert_null(session_new(u.id, u.name, u.role, u.gen, SESS_FULL, "10.0.0.1"));
	snprintf(path, sizeof(path), "%s/new-secret.key", tmpdir);
	assert_int_equal(seal_key_load(path, key), -1);
	getrandom_fails = 0;
	/* nothing was changed without new codes: the old ones still work */
	assert_int_equal(user_recovery_use(db, u.id, old[0]), 1);

	/* and once the kernel answers again, all is well */
	assert_int_equal(user_recovery_new(db, u.id, codes), 0);
	assert_int_equal(strlen(codes[0]), 10);
	assert_int_equal(user_recovery_use(db, u.id, codes[0]), 1);
	authdb_close(db);
}

/*
 * Regression: the databases and the sealing key are opened by root in a
 * directory iiotd's user owns: a symlink planted there was followed (a
 * 0644 audit.db, or a key read from any root-only file).  Refused now.
 */
static void state_files_refuse_symlinks(void **state)
{
	char dir[128], path[160], err[256];
	uint8_t key[SEAL_KEY];
	struct audit *a;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/sym", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	/* a root-only file of the right size, standing for any other */
	snprintf(path, sizeof(path), "%s/root-only", dir);
	memset(key, 7, sizeof(key));
	{
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		assert_int_equal(fwrite(key, 1, sizeof(key), f), sizeof(key));
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/secret.key", dir);
	assert_int_equal(symlink("root-only", path), 0);
	assert_int_equal(seal_key_load(path, key), -1);
	assert_null(authdb_open(dir, err, sizeof(err)));
	snprintf(path, sizeof(path), "%s/audit.db", dir);
	assert_int_equal(symlink("planted.db", path), 0);
	assert_null(audit_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "is a symlink; refused"));
	snprintf(path, sizeof(path), "%s/planted.db", dir);
	assert_int_equal(access(path, F_OK), -1);
	/* a real one: 0600 whatever the umask */
	snprintf(path, sizeof(path), "%s/real.db", dir);
	a = audit_open(path, err, sizeof(err));
	assert_non_null(a);
	assert_int_equal(audit_append(a, "admin", "local", "x", "y", "ok", NULL), 0);
	{
		struct stat st;

		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		snprintf(path, sizeof(path), "%s/real.db-wal", dir);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	audit_close(a);
}

/*
 * An auth.db of schema 2 (before the control grant) keeps its tokens,
 * each without the grant, and takes the grant afterwards.
 */
static void token_control_grant_on_old_db(void **state)
{
	char dir[128], path[160], err[256];
	struct authdb *db;
	struct token t;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/old", tmpdir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/auth.db", dir);
	/* the shipped steps 1 and 2, as an iiot of schema 2 left it */
	raw_exec(path, auth_db_schema.steps[0]);
	raw_exec(path, auth_db_schema.steps[1]);
	raw_exec(path, "INSERT INTO tokens(name, role, hash, created, created_by)"
		 " VALUES('scada', 'engineer', 'ab', 1, 'alice');"
		 "PRAGMA user_version = 2;");
	chmod(path, 0600);
	db = authdb_open(dir, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(token_get(db, 1, &t), 0);
	assert_string_equal(t.name, "scada");
	assert_int_equal(t.role, ROLE_ENGINEER);
	assert_int_equal(t.control, 0);
	assert_int_equal(token_set_control(db, 1, 1), 0);
	assert_int_equal(token_get(db, 1, &t), 0);
	assert_int_equal(t.control, 1);
	assert_int_equal(t.dashboard, 0);
	assert_int_equal(token_set_dashboard(db, 1, 7), 0);
	assert_int_equal(token_get(db, 1, &t), 0);
	assert_int_equal(t.dashboard, 7);
	authdb_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc6238_vectors),
		cmocka_unit_test(totp_window_and_replay),
		cmocka_unit_test(base32),
		cmocka_unit_test(argon2id_params),
		cmocka_unit_test(audit_result_words),
		cmocka_unit_test(audit_chain),
		cmocka_unit_test(users_tokens_settings),
		cmocka_unit_test(token_control_grant_on_old_db),
		cmocka_unit_test(perms_deny_by_default),
		cmocka_unit_test(sessions),
		cmocka_unit_test(getrandom_failure_makes_no_predictable_secret),
		cmocka_unit_test(state_files_refuse_symlinks),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
