/*
 * Login, second factor, logout, own session, password change and TOTP
 * enrolment.  Every login attempt is audited here, whatever its outcome,
 * except refusals for a full password-check queue (counted and logged by
 * held.c).  Password checks run on the hash worker: the handlers hold the
 * request and finish in their *_done continuation.
 */
#include <openssl/crypto.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/parse.h"

static const char *stage_name(enum sess_stage s)
{
	return s == SESS_MFA ? "mfa" : s == SESS_ENROLL ? "enroll" : "ok";
}

static json_t *session_json(struct rq *r, const struct session *se, int must_change)
{
	json_t *perms = json_array();
	int p;

	for (p = 0; p < PERM_COUNT; p++)
		if (role_has(se->role, p))
			json_array_append_new(perms, json_string(perm_name(p)));
	return json_pack("{ss ss ss ss sb so ss sI sb}", "user", se->user,
			 "role", role_name(se->role), "stage", stage_name(se->stage),
			 "csrf", se->csrf, "must_change", must_change,
			 "permissions", perms, "site", r->api->set.site,
			 "idle_ms", (json_int_t)(se->role == ROLE_ADMIN ?
						 r->api->set.idle_admin_ms : r->api->set.idle_ms),
			 "mfa", se->mfa_ok);
}

static void login_audit(struct rq *r, const char *user, const char *result, const char *why)
{
	api_audit(r->api, user, r->addr, "login", user, result,
		  why ? json_pack("{ss}", "reason", why) : NULL);
}

/* What a held login needs once its password check is back. */
struct login_ctx {
	char name[USER_NAME_MAX + 1];
	int found;
	int64_t user_id, gen;
};

/*
 * Lockout, per address and per account, for every step that checks a
 * secret (password, second factor, the old password of a change): the
 * refusal is answered and its reason returned, NULL when neither is locked.
 */
static const char *lock_refusal(struct rq *r, const struct user *u, int64_t now)
{
	if (addr_locked(r->addr, now)) {
		api_error(r, 429, "too many failed logins from this address; try again later");
		return "source address locked";
	}
	if (u && u->locked_until > now) {
		api_error(r, 423, "account locked after repeated failures; try again later");
		return "account locked";
	}
	return NULL;
}

/* The same for a step that writes its own audit rows, under action: 1 when it answered. */
static int auth_locked(struct rq *r, const char *action, const char *name,
		       const struct user *u, int64_t now)
{
	const char *why = lock_refusal(r, u, now);

	if (why)
		api_audit(r->api, name, r->addr, action, name, AUDIT_DENIED,
			  json_pack("{ss}", "reason", why));
	return why != NULL;
}

static int login_locked(struct rq *r, const char *name, const struct user *u, int64_t now)
{
	return auth_locked(r, "login", name, u, now);
}

static void count_failure(struct rq *r, const struct user *u)
{
	struct api_settings *s = &r->api->set;

	addr_failed(r->addr, auth_now_ms(), s->lock_threshold, s->lock_ms);
	if (u)
		user_login_failed(r->api->db, u->id, s->lock_threshold, s->lock_ms);
}

/* Fully authenticated: the account's and this address's failures are forgiven. */
static void auth_succeeded(struct rq *r, const struct user *u)
{
	user_login_ok(r->api->db, u->id);
	addr_ok(r->addr);
}

static void login_ok(struct rq *r, const struct user *u)
{
	struct api_settings *s = &r->api->set;
	int64_t now = auth_now_ms();
	enum sess_stage stage;
	struct session *se;

	/* the one-time password has served: its file goes (firstrun.c) */
	firstrun_forget(r->api);
	stage = u->totp_on ? SESS_MFA :
		setting_mfa_required(r->api->db, u->role) ? SESS_ENROLL : SESS_FULL;
	/*
	 * The failure counters reset only once the user is fully signed in:
	 * resetting them here, before a second factor, let anyone who knows
	 * the password guess codes for ever (4 wrong, password, 4 wrong, ...).
	 */
	if (stage == SESS_FULL)
		auth_succeeded(r, u);
	se = session_new(u->id, u->name, u->role, u->gen, stage, r->addr);
	if (!se) {
		api_error(r, 503, "no session available");
		return;
	}
	api_set_cookie(r, se->id);
	login_audit(r, u->name, stage == SESS_FULL ? AUDIT_OK : AUDIT_PASSWORD_OK, NULL);
	api_reply(r, 200, session_json(r, se, u->must_change ||
				       (s->max_age_ms && now - u->pw_changed > s->max_age_ms)));
}

/* Back on the loop with the password check's answer (auth/hash_worker.h). */
static void login_done(struct rq *r, const struct hash_result *res, void *arg)
{
	struct login_ctx *c = arg;
	struct user u;
	int found;

	if (!res) {
		login_audit(r, c->name, AUDIT_FAIL, "connection closed before the password check finished");
		return;
	}
	/* decide on the row as it is now: it may have changed while the check ran */
	found = c->found && user_get_id(r->api->db, c->user_id, &u) == 0 && u.gen == c->gen;
	/*
	 * Logins checked alongside this one may have locked the account or the
	 * address meanwhile.  The lock answers then, right password or not, so
	 * parallel guesses learn nothing past the threshold; wrong ones count.
	 */
	if (login_locked(r, c->name, found ? &u : NULL, auth_now_ms())) {
		if (!res->match)
			count_failure(r, found ? &u : NULL);
		return;
	}
	if (!res->match || !found || u.disabled) {
		count_failure(r, found ? &u : NULL);
		login_audit(r, c->name, AUDIT_FAIL, !found && c->found ? "account changed during sign-in" :
			    found && u.disabled ? "account disabled" : "bad credentials");
		api_error(r, 401, "invalid user name or password");
		return;
	}
	login_ok(r, &u);
}

void h_login(struct rq *r)
{
	const char *name = body_str(r->body, "username", USER_NAME_MAX);
	const char *pw = body_str(r->body, "password", PW_MAX_LEN);
	struct login_ctx c;
	struct hash_req hr;
	struct user u;

	if (!name || !pw || !user_name_ok(name)) {
		login_audit(r, name && user_name_ok(name) ? name : "-", AUDIT_FAIL, "malformed request");
		api_error(r, 400, "username and password are required");
		return;
	}
	memset(&c, 0, sizeof(c));
	c.found = user_get(r->api->db, name, &u) == 0;
	if (login_locked(r, name, c.found ? &u : NULL, auth_now_ms()))
		return;
	snprintf(c.name, sizeof(c.name), "%s", name);
	if (c.found) {
		c.user_id = u.id;
		c.gen = u.gen;
	}
	/* an unknown user is checked against a dummy hash: both take as long */
	hr = (struct hash_req){ .encoded = c.found ? u.pwhash : NULL, .pw = pw };
	/*
	 * A refusal for a full queue checked no password: it is counted and
	 * logged (held.c) but neither audited nor held against the address or
	 * account one by one.  Each audit row is a synchronous write on this
	 * loop, and a flood from elsewhere must not lock bystanders out.
	 */
	if (api_hold(r, &hr, login_done, &c, sizeof(c)) < 0)
		login_audit(r, name, AUDIT_FAIL, "password check failed to start");
}

/* 0 when the session is now fully authenticated, else -1 and answered. */
static int second_factor_ok(struct rq *r, struct session *se, const struct user *u)
{
	/* a new id once fully authenticated: a planted id is worth nothing */
	if (session_rotate(se)) {
		session_drop(se);
		r->sess = NULL;
		api_set_cookie(r, NULL);
		api_error(r, 500, "no randomness for a session id");
		return -1;
	}
	se->stage = SESS_FULL;
	se->mfa_ok = 1;
	se->mfa_fails = 0;
	se->enrolling = 0;
	api_set_cookie(r, se->id);
	auth_succeeded(r, u);
	return 0;
}

void h_login_totp(struct rq *r)
{
	const char *code = body_str(r->body, "code", 16);
	struct session *se = r->sess;
	struct api_settings *s = &r->api->set;
	uint8_t key[TOTP_SECRET];
	int64_t step = 0;
	struct user u;

	if (se->stage != SESS_MFA) {
		api_error(r, 409, "no second factor pending");
		return;
	}
	if (!code) {
		api_error(r, 400, "code is required");
		return;
	}
	if (user_get_id(r->api->db, se->user_id, &u)) {
		api_error(r, 500, "cannot read the account");
		return;
	}
	/* a code is a secret like the password: the same locks, checked first */
	if (auth_locked(r, "login.mfa", u.name, &u, auth_now_ms()))
		return;
	if (user_totp_get(r->api->db, u.id, key)) {
		api_error(r, 500, "cannot read the TOTP secret");
		return;
	}
	if (strlen(code) == TOTP_DIGITS)
		step = totp_check(key, TOTP_SECRET, code, time(NULL), u.totp_last_step);
	else if (user_recovery_use(r->api->db, u.id, code))
		step = -2;
	OPENSSL_cleanse(key, sizeof(key));
	if (step > 0 || step == -2) {
		if (step > 0)
			user_totp_used(r->api->db, u.id, step);
		if (second_factor_ok(r, se, &u))
			return;
		api_audit(r->api, u.name, r->addr, "login.mfa", u.name, AUDIT_OK,
			  json_pack("{ss}", "factor", step > 0 ? "totp" : "recovery-code"));
		api_reply(r, 200, session_json(r, se, r->must_change));
		return;
	}
	count_failure(r, &u);
	api_audit(r->api, u.name, r->addr, "login.mfa", u.name, AUDIT_FAIL,
		  json_pack("{ss}", "reason", step == -1 ? "code already used" : "wrong code"));
	if (++se->mfa_fails >= s->lock_threshold) {
		session_drop(se);
		api_set_cookie(r, NULL);
	}
	api_error(r, 401, step == -1 ? "code already used" : "wrong code");
}

void h_logout(struct rq *r)
{
	snprintf(r->target, sizeof(r->target), "%s", r->sess->user);
	session_drop(r->sess);
	r->sess = NULL;
	api_set_cookie(r, NULL);
	api_reply(r, 200, json_pack("{sb}", "ok", 1));
}

void h_session(struct rq *r)
{
	if (!r->sess) {
		api_reply(r, 200, json_pack("{ss ss}", "user", r->who, "role", role_name(r->role)));
		return;
	}
	api_reply(r, 200, session_json(r, r->sess, r->must_change));
}

/* What a held password change needs once the old password is checked. */
struct pwchange_ctx {
	char sid[SESSION_ID_HEX + 1];
	int64_t user_id, gen;
	const char *why;	/* policy refusal of the new password (static text) */
	int same;
};

/*
 * The old password of a change is a guess like a login's: without the
 * locks, anyone holding a session (an unattended browser) could try
 * passwords for ever, and a right guess replaced the password.
 */
static int password_locked(struct rq *r, const struct user *u)
{
	const char *why = lock_refusal(r, u, auth_now_ms());

	if (why)
		r->detail = json_pack("{ss}", "reason", why);
	return why != NULL;
}

static void password_done(struct rq *r, const struct hash_result *res, void *arg)
{
	struct pwchange_ctx *c = arg;
	struct api_settings *s = &r->api->set;
	struct session *se, *n;
	enum sess_stage stage;
	struct user u;
	int mfa_ok;

	if (!res)
		return;
	/* the session or the account may have changed while the check ran */
	se = session_find(c->sid, auth_mono_ms(), s->idle_ms > s->idle_admin_ms ? s->idle_ms :
			  s->idle_admin_ms, s->abs_ms);
	if (!se || user_get_id(r->api->db, c->user_id, &u) || u.gen != c->gen) {
		api_error(r, 401, "the session ended during the password change");
		return;
	}
	r->sess = se;
	/* as for a login: checks that ran alongside may have locked it meanwhile */
	if (password_locked(r, &u)) {
		if (!res->match)
			count_failure(r, &u);
		return;
	}
	if (!res->match) {
		count_failure(r, &u);
		api_error(r, 403, "current password is wrong");
		return;
	}
	if (c->same || c->why) {
		api_error(r, 400, c->same ? "the new password must differ from the old one" : c->why);
		return;
	}
	if (!res->hashed || user_set_pwhash(r->api->db, u.id, res->encoded, 0) ||
	    user_get_id(r->api->db, u.id, &u)) {
		api_error(r, 500, "cannot store the password");
		return;
	}
	/* every other session of this user ends; this one continues under a new id */
	stage = se->stage;
	mfa_ok = se->mfa_ok;
	session_drop_user(u.id);
	n = session_new(u.id, u.name, u.role, u.gen, stage, r->addr);
	r->sess = n;
	if (!n) {
		api_error(r, 503, "no session available");
		return;
	}
	n->mfa_ok = mfa_ok;
	api_set_cookie(r, n->id);
	api_reply(r, 200, session_json(r, n, 0));
}

void h_password(struct rq *r)
{
	const char *old = body_str(r->body, "old", PW_MAX_LEN);
	const char *new = body_str(r->body, "new", PW_MAX_LEN);
	struct session *se = r->sess;
	struct pwchange_ctx c;
	struct hash_req hr;
	const char *why;
	struct user u;

	snprintf(r->target, sizeof(r->target), "%s", se->user);
	if (!old || !new) {
		api_error(r, 400, "old and new passwords are required");
		return;
	}
	if (user_get_id(r->api->db, se->user_id, &u)) {
		api_error(r, 500, "user vanished");
		return;
	}
	if (password_locked(r, &u))
		return;
	memset(&c, 0, sizeof(c));
	snprintf(c.sid, sizeof(c.sid), "%s", se->id);
	c.user_id = u.id;
	c.gen = u.gen;
	c.same = !strcmp(old, new);
	if (!c.same && pw_policy(r->api->set.profile, u.name, new, &why))
		c.why = why;
	/* the new one is hashed only when it will be stored, in the same job */
	hr = (struct hash_req){ .encoded = u.pwhash, .pw = old,
				.new_pw = c.same || c.why ? NULL : new };
	api_hold(r, &hr, password_done, &c, sizeof(c));
}

static json_t *qr_svg(const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	size_t cap, len = 0;
	char *svg;
	int x, y, w;
	json_t *j;

	if (!q)
		return json_null();
	w = q->width;
	cap = 256 + (size_t)w * (size_t)w * 24;
	svg = malloc(cap);
	if (!svg) {
		QRcode_free(q);
		return json_null();
	}
	len += (size_t)snprintf(svg + len, cap - len,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"-4 -4 %d %d\" "
		"shape-rendering=\"crispEdges\"><rect x=\"-4\" y=\"-4\" width=\"%d\" height=\"%d\" "
		"fill=\"#fff\"/><path fill=\"#000\" d=\"", w + 8, w + 8, w + 8, w + 8);
	for (y = 0; y < w; y++)
		for (x = 0; x < w; x++)
			if (q->data[y * w + x] & 1)
				len += (size_t)snprintf(svg + len, cap - len, "M%d %dh1v1h-1z", x, y);
	snprintf(svg + len, cap - len, "\"/></svg>");
	QRcode_free(q);
	j = json_string(svg);
	free(svg);
	return j;
}

void h_mfa_enroll(struct rq *r)
{
	struct session *se = r->sess;
	char b32[64], uri[256];

	snprintf(r->target, sizeof(r->target), "%s", se->user);
	if (auth_random(se->enroll_secret, TOTP_SECRET)) {
		api_error(r, 500, "no randomness");
		return;
	}
	se->enrolling = 1;
	base32_encode(se->enroll_secret, TOTP_SECRET, b32, sizeof(b32));
	snprintf(uri, sizeof(uri), "otpauth://totp/iiot:%s?secret=%s&issuer=iiot"
		 "&algorithm=SHA1&digits=6&period=30", se->user, b32);
	api_reply(r, 200, json_pack("{ss ss so}", "secret", b32, "otpauth", uri,
				    "qr_svg", qr_svg(uri)));
}

void h_mfa_confirm(struct rq *r)
{
	const char *code = body_str(r->body, "code", 8);
	char codes[RECOVERY_CODES][12];
	struct session *se = r->sess;
	json_t *list, *reply;
	struct user u;
	int64_t step;
	int i;

	snprintf(r->target, sizeof(r->target), "%s", se->user);
	if (!se->enrolling) {
		api_error(r, 409, "no enrolment in progress");
		return;
	}
	if (!code) {
		api_error(r, 400, "code is required");
		return;
	}
	step = totp_check(se->enroll_secret, TOTP_SECRET, code, time(NULL), 0);
	if (step <= 0) {
		api_error(r, 400, "wrong code; check the authenticator's clock");
		return;
	}
	/* the recovery codes first: TOTP is not turned on without them */
	if (user_get_id(r->api->db, se->user_id, &u) ||
	    user_recovery_new(r->api->db, u.id, codes) ||
	    user_totp_set(r->api->db, u.id, se->enroll_secret, 1) ||
	    user_totp_used(r->api->db, u.id, step)) {
		api_error(r, 500, "cannot store the TOTP secret");
		return;
	}
	OPENSSL_cleanse(se->enroll_secret, TOTP_SECRET);
	if (second_factor_ok(r, se, &u)) {
		OPENSSL_cleanse(codes, sizeof(codes));
		return;
	}
	list = json_array();
	for (i = 0; i < RECOVERY_CODES; i++)
		json_array_append_new(list, json_string(codes[i]));
	OPENSSL_cleanse(codes, sizeof(codes));
	reply = session_json(r, se, r->must_change);
	json_object_set_new(reply, "recovery_codes", list);
	api_reply(r, 200, reply);
}

void h_roles(struct rq *r)
{
	json_t *out = json_array(), *perms;
	int ro, p;

	for (ro = 0; ro < ROLE_COUNT; ro++) {
		perms = json_array();
		for (p = 0; p < PERM_COUNT; p++)
			if (role_has(ro, p))
				json_array_append_new(perms, json_string(perm_name(p)));
		json_array_append_new(out, json_pack("{ss so sb}", "name", role_name(ro),
						     "permissions", perms, "mfa_required",
						     setting_mfa_required(r->api->db, ro)));
	}
	api_reply(r, 200, json_pack("{so}", "roles", out));
}
