/*
 * auth.db: users, recovery codes, API tokens and settings, in a database
 * opened with synchronous=FULL under the state directory, beside the key
 * that seals TOTP secrets.
 */
#ifndef IIOT_AUTHDB_H
#define IIOT_AUTHDB_H

#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "auth/password.h"
#include "auth/totp.h"

#define USER_NAME_MAX	32
#define RECOVERY_CODES	10
#define TOKEN_PREFIX	"iiot_"
#define TOKEN_LEN	(5 + 64)	/* prefix + 256 bits in hex */

struct authdb;

struct user {
	int64_t id;
	char name[USER_NAME_MAX + 1];
	enum role role;
	char pwhash[PW_ENCODED_MAX];
	int64_t pw_changed, created;	/* ms */
	int must_change, totp_on, disabled, failures;
	int64_t totp_last_step, locked_until, gen;
};

struct token {
	int64_t id, created, last_used;
	char name[65], created_by[USER_NAME_MAX + 1];
	enum role role;
	int revoked;
	int control;	/* may act for device.control without MFA (api/control.c) */
	int64_t dashboard;	/* a kiosk token's: all it may read (api/kiosk.c) */
};

struct authdb *authdb_open(const char *dir, char *err, size_t errlen);
void authdb_close(struct authdb *db);
/*
 * For iiotd's own connection, whose commits the writer thread makes
 * durable (auth/dbwriter.h): synchronous=NORMAL and no automatic
 * checkpoint, so no commit on this connection waits for the disk.
 */
int authdb_defer_sync(struct authdb *db);
/* rows changed on this connection since it was opened */
int64_t authdb_changes(struct authdb *db);

int user_name_ok(const char *name);
/* 0 found, 1 none, -1 error */
int user_get(struct authdb *db, const char *name, struct user *u);
int user_get_id(struct authdb *db, int64_t id, struct user *u);
int user_count(struct authdb *db);
/* 0, 1 when the name exists, -1 error */
int user_create(struct authdb *db, const char *name, enum role role,
		const char *pw, int must_change);
/* the same with a hash made elsewhere (auth/hash_worker.h) */
int user_create_hashed(struct authdb *db, const char *name, enum role role,
		       const char *pwhash, int must_change);
/* the next four bump gen, which ends the user's sessions */
int user_set_password(struct authdb *db, int64_t id, const char *pw, int must_change);
int user_set_pwhash(struct authdb *db, int64_t id, const char *pwhash, int must_change);
int user_set_role(struct authdb *db, int64_t id, enum role role);
int user_set_disabled(struct authdb *db, int64_t id, int disabled);
int user_delete(struct authdb *db, int64_t id);
int user_list(struct authdb *db, void (*cb)(void *, const struct user *), void *arg);
/* failures counted per account; locks for lock_ms when threshold is hit */
int user_login_failed(struct authdb *db, int64_t id, int threshold, int64_t lock_ms);
int user_login_ok(struct authdb *db, int64_t id);

/* TOTP: the secret is sealed (AES-256-GCM) at rest */
int user_totp_set(struct authdb *db, int64_t id, const uint8_t secret[TOTP_SECRET], int on);
int user_totp_get(struct authdb *db, int64_t id, uint8_t secret[TOTP_SECRET]);
int user_totp_enable(struct authdb *db, int64_t id, int on);
int user_totp_used(struct authdb *db, int64_t id, int64_t step);
/* fills codes[RECOVERY_CODES][12]; stores only their hashes */
int user_recovery_new(struct authdb *db, int64_t id, char codes[][12]);
/* 1 when code was an unused recovery code (now used), 0 otherwise */
int user_recovery_use(struct authdb *db, int64_t id, const char *code);

/* API tokens: shown once, stored as SHA-256 */
int token_create(struct authdb *db, const char *name, enum role role,
		 int control, int64_t dashboard, const char *by,
		 char out[TOKEN_LEN + 1], int64_t *id);
/* 0 valid (t filled), 1 unknown or revoked, -1 error */
int token_check(struct authdb *db, const char *tok, struct token *t);
/* 0 found (revoked ones too), 1 none, -1 error */
int token_get(struct authdb *db, int64_t id, struct token *t);
int token_revoke(struct authdb *db, int64_t id);
/* the control grant of an active token: 0, 1 no such active token, -1 */
int token_set_control(struct authdb *db, int64_t id, int control);
/* the dashboard of an active token: 0, 1 no such active token, -1 */
int token_set_dashboard(struct authdb *db, int64_t id, int64_t dashboard);
int token_list(struct authdb *db, void (*cb)(void *, const struct token *), void *arg);

/* Settings: a fixed registry of keys with validators (settings.c). */
struct setting_def {
	const char *key, *def, *help;
	long min, max;		/* integer range, or min = max = 0: text */
	const char *const *choices;	/* NULL-terminated, or NULL */
};
const struct setting_def *setting_defs(size_t *n);
/* copies the value (or its default) into buf */
int setting_get(struct authdb *db, const char *key, char *buf, size_t len);
long setting_int(struct authdb *db, const char *key);
/* 0, or -1 with a reason in why (unknown key, out of range) */
int setting_check(const char *key, const char *value, const char **why);
int setting_set(struct authdb *db, const char *key, const char *value, const char **why);
/* is MFA required for this role (setting mfa.required_roles) */
int setting_mfa_required(struct authdb *db, enum role r);

#endif
