/*
 * Sessions live in iiotd's memory only: a restart logs everyone out, and
 * logout, password change or a role change end them on the server.
 */
#ifndef IIOT_SESSION_H
#define IIOT_SESSION_H

#include <stdint.h>

#include "auth/auth.h"
#include "auth/totp.h"

#define SESSION_MAX	1024
#define SESSION_ID_HEX	64	/* 256 random bits */

enum sess_stage {
	SESS_MFA,	/* password accepted, second factor still owed */
	SESS_ENROLL,	/* password accepted, MFA required but not set up yet */
	SESS_FULL,
};

struct session {
	char id[SESSION_ID_HEX + 1];
	char csrf[SESSION_ID_HEX + 1];
	int64_t user_id, gen;	/* gen: the user's row generation at login */
	char user[33];
	enum role role;
	enum sess_stage stage;
	int64_t created, last_seen;	/* wall clock ms, shown */
	/* monotonic ms, what the timeouts measure: a step of the wall clock
	 * (NTP, date -s) neither ends every session nor lengthens one */
	int64_t mono_created, mono_seen;
	char addr[48];
	uint8_t enroll_secret[TOTP_SECRET];	/* pending TOTP enrolment */
	int enrolling;
	int mfa_fails;
	int mfa_ok;		/* a TOTP code was checked in this session */
};

struct session *session_new(int64_t user_id, const char *user, enum role role,
			    int64_t gen, enum sess_stage stage, const char *addr);
/* NULL when unknown or expired (expired ones are dropped); mono: auth_mono_ms() */
struct session *session_find(const char *id, int64_t mono, int64_t idle_ms, int64_t abs_ms);
/* a fresh id (and CSRF token) for a session moving to a higher stage */
int session_rotate(struct session *s);
void session_drop(struct session *s);
int session_drop_user(int64_t user_id);
void session_each(void (*cb)(void *, const struct session *), void *arg);
void session_clear(void);
/* constant-time string equality for secrets */
int secret_eq(const char *a, const char *b);

/* Lockout by source address, beside the per-account one in auth.db. */
int addr_locked(const char *addr, int64_t now);
void addr_failed(const char *addr, int64_t now, int threshold, int64_t lock_ms);
void addr_ok(const char *addr);
void addr_clear(void);

#endif
