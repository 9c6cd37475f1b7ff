/* People and system administration: users, sessions, tokens, audit, settings. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"

static void user_row(void *arg, const struct user *u)
{
	json_array_append_new(arg, json_pack("{sI ss ss sb sb sb sb sI sI}",
		"id", (json_int_t)u->id, "name", u->name, "role", role_name(u->role),
		"mfa", u->totp_on, "disabled", u->disabled, "must_change", u->must_change,
		"locked", u->locked_until > auth_now_ms(),
		"pw_changed", (json_int_t)u->pw_changed, "created", (json_int_t)u->created));
}

void h_users(struct rq *r)
{
	json_t *a = json_array();

	user_list(r->api->db, user_row, a);
	api_reply(r, 200, json_pack("{so}", "users", a));
}

/* A one-time password the new or reset user must change at first login. */
struct one_time_ctx {
	int64_t user_id;	/* reset */
	char name[USER_NAME_MAX + 1];
	enum role role;
	char pw[21];
};

static void one_time_reply(struct rq *r, int code, const struct one_time_ctx *c)
{
	api_reply(r, code, json_pack("{ss ss ss}", "name", c->name, "role", role_name(c->role),
				     "one_time_password", c->pw));
}

/* Hash the one-time password off the loop; done stores it and replies. */
static void one_time_hold(struct rq *r, struct one_time_ctx *c, held_fn done)
{
	struct hash_req hr;

	if (pw_generate(c->pw, sizeof(c->pw))) {
		api_error(r, 500, "no randomness for a one-time password");
		return;
	}
	hr = (struct hash_req){ .new_pw = c->pw };
	api_hold(r, &hr, done, c, sizeof(*c));
	OPENSSL_cleanse(c, sizeof(*c));
}

static void user_add_done(struct rq *r, const struct hash_result *res, void *arg)
{
	const struct one_time_ctx *c = arg;
	int rc;

	if (!res)
		return;
	rc = res->hashed ? user_create_hashed(r->api->db, c->name, c->role, res->encoded, 1) : -1;
	if (rc) {
		api_error(r, rc > 0 ? 409 : 500, rc > 0 ? "user exists" : "cannot create user");
		return;
	}
	one_time_reply(r, 201, c);
}

void h_user_add(struct rq *r)
{
	const char *name = body_str(r->body, "name", USER_NAME_MAX);
	const char *role = body_str(r->body, "role", 16);
	struct one_time_ctx c;
	struct user u;
	int ro;

	if (!name || !user_name_ok(name)) {
		api_error(r, 400, "name: 1-32 characters of A-Z a-z 0-9 . _ -");
		return;
	}
	snprintf(r->target, sizeof(r->target), "%s", name);
	ro = role_parse(role);
	if (ro < 0 || !role_for_users(ro)) {
		api_error(r, 400, "role: one of admin, engineer, operator, viewer, auditor");
		return;
	}
	r->detail = json_pack("{ss}", "role", role_name(ro));
	/* before spending a hash on it; the insert checks again */
	if (user_get(r->api->db, name, &u) == 0) {
		api_error(r, 409, "user exists");
		return;
	}
	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	c.role = ro;
	one_time_hold(r, &c, user_add_done);
}

static int load_user(struct rq *r, struct user *u)
{
	snprintf(r->target, sizeof(r->target), "%s", r->param[0]);
	if (!user_name_ok(r->param[0]) || user_get(r->api->db, r->param[0], u)) {
		api_error(r, 404, "no such user");
		return -1;
	}
	return 0;
}

void h_user_mod(struct rq *r)
{
	json_t *jr = json_object_get(r->body, "role"), *jd = json_object_get(r->body, "disabled");
	struct user u;
	int ro = -1;

	if (load_user(r, &u))
		return;
	if ((!jr && !jd) || (jr && ((ro = role_parse(json_string_value(jr))) < 0 ||
		   !role_for_users(ro))) ||
	    (jd && !json_is_boolean(jd))) {
		api_error(r, 400, "give role (a role name) and/or disabled (boolean)");
		return;
	}
	/* an admin cannot lock themself out by accident */
	if (r->sess && u.id == r->sess->user_id) {
		api_error(r, 409, "change your own account through another admin");
		return;
	}
	r->detail = json_deep_copy(r->body);
	if ((jr && user_set_role(r->api->db, u.id, ro)) ||
	    (jd && user_set_disabled(r->api->db, u.id, json_is_true(jd)))) {
		api_error(r, 500, "cannot update user");
		return;
	}
	session_drop_user(u.id);
	user_get_id(r->api->db, u.id, &u);
	{
		json_t *a = json_array();

		user_row(a, &u);
		api_reply(r, 200, json_incref(json_array_get(a, 0)));
		json_decref(a);
	}
}

void h_user_del(struct rq *r)
{
	struct user u;

	if (load_user(r, &u))
		return;
	if (r->sess && u.id == r->sess->user_id) {
		api_error(r, 409, "you cannot delete your own account");
		return;
	}
	if (user_delete(r->api->db, u.id)) {
		api_error(r, 500, "cannot delete user");
		return;
	}
	session_drop_user(u.id);
	api_reply(r, 200, json_pack("{sb}", "ok", 1));
}

static void user_reset_done(struct rq *r, const struct hash_result *res, void *arg)
{
	const struct one_time_ctx *c = arg;
	struct user u;

	if (!res)
		return;
	/* deleted while the hash was made */
	if (user_get_id(r->api->db, c->user_id, &u)) {
		api_error(r, 404, "no such user");
		return;
	}
	if (!res->hashed || user_set_pwhash(r->api->db, u.id, res->encoded, 1)) {
		api_error(r, 500, "cannot reset password");
		return;
	}
	session_drop_user(u.id);
	one_time_reply(r, 200, c);
}

void h_user_reset(struct rq *r)
{
	struct one_time_ctx c;
	struct user u;

	if (load_user(r, &u))
		return;
	memset(&c, 0, sizeof(c));
	c.user_id = u.id;
	snprintf(c.name, sizeof(c.name), "%s", u.name);
	c.role = u.role;
	one_time_hold(r, &c, user_reset_done);
}

static void session_row(void *arg, const struct session *s)
{
	static const char *const st[] = { "mfa", "enroll", "ok" };

	/* never the id itself: listing must not let an admin take one over */
	json_array_append_new(arg, json_pack("{ss ss ss ss sI sI}", "user", s->user,
		"role", role_name(s->role), "stage", st[s->stage], "addr", s->addr,
		"created", (json_int_t)s->created, "last_seen", (json_int_t)s->last_seen));
}

void h_sessions(struct rq *r)
{
	json_t *a = json_array();

	session_each(session_row, a);
	api_reply(r, 200, json_pack("{so}", "sessions", a));
}

void h_sessions_del(struct rq *r)
{
	struct user u;

	if (load_user(r, &u))
		return;
	api_reply(r, 200, json_pack("{si}", "ended", session_drop_user(u.id)));
}

static json_t *token_json(const struct token *t)
{
	json_t *o = json_pack("{sI ss ss sI ss sI sb sb}", "id", (json_int_t)t->id,
		"name", t->name, "role", role_name(t->role), "created", (json_int_t)t->created,
		"created_by", t->created_by, "last_used", (json_int_t)t->last_used,
		"revoked", t->revoked, "control", t->control);

	if (o && t->role == ROLE_KIOSK)
		json_object_set_new(o, "dashboard", t->dashboard ?
				    json_integer(t->dashboard) : json_null());
	return o;
}

static void token_row(void *arg, const struct token *t)
{
	json_array_append_new(arg, token_json(t));
}

void h_tokens(struct rq *r)
{
	json_t *a = json_array();

	token_list(r->api->db, token_row, a);
	api_reply(r, 200, json_pack("{so}", "tokens", a));
}

/*
 * "control" of a token's body: 0 or 1, or -1 answered 400.  The grant
 * lets a machine act for device.control without MFA (api/control.c), so
 * only a role that has device.control may carry it.
 */
static int control_grant(struct rq *r, enum role ro)
{
	json_t *c = json_object_get(r->body, "control");

	if (c && !json_is_boolean(c)) {
		api_error(r, 400, "control: true or false");
		return -1;
	}
	if (json_is_true(c) && !role_has(ro, PERM_DEVICE_CONTROL)) {
		char why[96];

		snprintf(why, sizeof(why), "control: role %s lacks permission %s",
			 role_name(ro), perm_name(PERM_DEVICE_CONTROL));
		api_error(r, 400, why);
		return -1;
	}
	return json_is_true(c);
}

void h_token_add(struct rq *r)
{
	const char *name = body_str(r->body, "name", 64);
	const char *role = body_str(r->body, "role", 16);
	char tok[TOKEN_LEN + 1];
	int64_t id, dash = 0;
	int ro = role_parse(role), ctl;
	json_t *o;

	if (!name || ro < 0) {
		api_error(r, 400, "name (1-64 characters) and role are required");
		return;
	}
	snprintf(r->target, sizeof(r->target), "%s", name);
	if ((ctl = control_grant(r, ro)) < 0 ||
	    (ro == ROLE_KIOSK && kiosk_dashboard(r, &dash)))
		return;
	r->detail = json_pack("{ss sb}", "role", role_name(ro), "control", ctl);
	if (dash)
		json_object_set_new(r->detail, "dashboard", json_integer(dash));
	if (token_create(r->api->db, name, ro, ctl, dash, r->who, tok, &id)) {
		api_error(r, 500, "cannot create token");
		return;
	}
	/* the only time the token is shown */
	o = json_pack("{sI ss ss sb ss}", "id", (json_int_t)id, "name", name,
		      "role", role_name(ro), "control", ctl, "token", tok);
	if (o && dash)
		json_object_set_new(o, "dashboard", json_integer(dash));
	api_reply(r, 201, o);
}

/* the token id of r->param[0]; 0, or -1 answered 400 */
static int token_id(struct rq *r, int64_t *id)
{
	char *end;

	*id = strtoll(r->param[0], &end, 10);
	snprintf(r->target, sizeof(r->target), "token %s", r->param[0]);
	if (*end || *id <= 0) {
		api_error(r, 400, "token id must be a positive integer");
		return -1;
	}
	return 0;
}

/* the active token of r->param[0]; 0, or -1 answered 400/404 */
static int token_of(struct rq *r, struct token *t)
{
	int64_t id;

	if (token_id(r, &id))
		return -1;
	if (token_get(r->api->db, id, t) || t->revoked) {
		api_error(r, 404, "no such active token");
		return -1;
	}
	return 0;
}

/* {"dashboard": id}: an admin binds a kiosk token to another dashboard */
static void put_dashboard(struct rq *r, struct token *t)
{
	int64_t dash;

	if (kiosk_dashboard(r, &dash))
		return;
	r->detail = json_pack("{sI ss sI sI}", "id", (json_int_t)t->id, "role",
			      role_name(t->role), "dashboard", (json_int_t)dash,
			      "was", (json_int_t)t->dashboard);
	if (token_set_dashboard(r->api->db, t->id, dash)) {
		api_error(r, 500, "cannot change the token");
		return;
	}
	t->dashboard = dash;
	api_reply(r, 200, token_json(t));
}

/*
 * {"control": bool}: an admin gives or takes back a token's control
 * grant; a kiosk token's {"dashboard": id}: its dashboard
 */
void h_token_put(struct rq *r)
{
	struct token t;
	int ctl;

	if (token_of(r, &t))
		return;
	snprintf(r->target, sizeof(r->target), "token %.60s", t.name);
	if (t.role == ROLE_KIOSK && json_object_get(r->body, "dashboard")) {
		put_dashboard(r, &t);
		return;
	}
	if (!json_object_get(r->body, "control")) {
		api_error(r, 400, t.role == ROLE_KIOSK ? "dashboard: the id of "
			  "a shared dashboard" : "control: true or false");
		return;
	}
	if ((ctl = control_grant(r, t.role)) < 0)
		return;
	r->detail = json_pack("{sI ss sb sb}", "id", (json_int_t)t.id, "role",
			      role_name(t.role), "control", ctl, "was", t.control);
	if (token_set_control(r->api->db, t.id, ctl)) {
		api_error(r, 500, "cannot change the token");
		return;
	}
	t.control = ctl;
	api_reply(r, 200, token_json(&t));
}

void h_token_del(struct rq *r)
{
	int64_t id;
	int rc;

	if (token_id(r, &id))
		return;
	rc = token_revoke(r->api->db, id);
	if (rc) {
		api_error(r, rc > 0 ? 404 : 500, rc > 0 ? "no such active token" : "cannot revoke");
		return;
	}
	api_reply(r, 200, json_pack("{sb}", "ok", 1));
}

static void audit_row(void *arg, const struct audit_row *a)
{
	json_t *d = json_loads(a->detail, 0, NULL);

	json_array_append_new(arg, json_pack("{sI sI ss ss ss ss ss so ss}", "seq", (json_int_t)a->seq,
		"ts", (json_int_t)a->ts, "user", a->user, "addr", a->addr, "action", a->action,
		"target", a->target, "result", a->result,
		"detail", d ? d : json_string(a->detail), "hash", a->hash));
}

void h_audit(struct rq *r)
{
	int64_t before, limit;
	json_t *a;

	if (query_int(r->query, "before", 0, INT64_MAX, 0, &before) ||
	    query_int(r->query, "limit", 1, 1000, 100, &limit)) {
		api_error(r, 400, "before: a sequence number; limit: 1-1000");
		return;
	}
	a = json_array();
	if (audit_list(r->api->audit, before, (int)limit, audit_row, a) < 0) {
		json_decref(a);
		api_error(r, 500, "cannot read the audit log");
		return;
	}
	api_reply(r, 200, json_pack("{so}", "entries", a));
}

void h_settings(struct rq *r)
{
	const struct setting_def *d;
	json_t *out = json_array();
	char v[128];
	size_t i, n;

	d = setting_defs(&n);
	for (i = 0; i < n; i++) {
		json_t *o;

		setting_get(r->api->db, d[i].key, v, sizeof(v));
		o = json_pack("{ss ss ss ss}", "key", d[i].key, "value", v, "default", d[i].def,
			      "help", d[i].help);
		if (d[i].min || d[i].max) {
			json_object_set_new(o, "min", json_integer(d[i].min));
			json_object_set_new(o, "max", json_integer(d[i].max));
		}
		if (d[i].choices) {
			json_t *c = json_array();
			const char *const *p;

			for (p = d[i].choices; *p; p++)
				json_array_append_new(c, json_string(*p));
			json_object_set_new(o, "choices", c);
		}
		json_array_append_new(out, o);
	}
	api_reply(r, 200, json_pack("{so}", "settings", out));
}

void h_settings_put(struct rq *r)
{
	const char *key, *why = NULL;
	char val[80], old[80];
	json_t *v, *changes = json_object();

	/* validate everything first: all or nothing */
	json_object_foreach(r->body, key, v) {
		if (!json_is_string(v) && !json_is_integer(v)) {
			why = "values must be strings or integers";
			break;
		}
		if (json_is_integer(v))
			snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(v));
		else
			snprintf(val, sizeof(val), "%s", json_string_value(v));
		if (setting_check(key, val, &why))
			break;
	}
	if (!why && !json_object_size(r->body))
		why = "no settings given";
	if (why) {
		char msg[160];

		snprintf(msg, sizeof(msg), "%s%s%s", key ? key : "", key ? ": " : "", why);
		json_decref(changes);
		api_error(r, 400, msg);
		return;
	}
	json_object_foreach(r->body, key, v) {
		if (json_is_integer(v))
			snprintf(val, sizeof(val), "%lld", (long long)json_integer_value(v));
		else
			snprintf(val, sizeof(val), "%s", json_string_value(v));
		setting_get(r->api->db, key, old, sizeof(old));
		if (setting_set(r->api->db, key, val, &why)) {
			char msg[160];

			api_settings_load(r->api);
			r->detail = changes;
			snprintf(msg, sizeof(msg), "%s: %s", key, why);
			api_error(r, 400, msg);
			return;
		}
		json_object_set_new(changes, key, json_pack("{ss ss}", "old", old, "new", val));
	}
	snprintf(r->target, sizeof(r->target), "settings");
	api_settings_load(r->api);
	r->detail = json_pack("{sO}", "changes", changes);
	api_reply(r, 200, json_pack("{so}", "changes", changes));
}
