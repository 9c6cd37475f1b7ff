/*
 * The route table: every API route names one permission (auth/perm.c maps
 * roles to permissions), deny by default.  Dispatch authenticates (cookie
 * session or bearer token), gates half-authenticated sessions, checks the
 * role, CSRF and body, runs the handler and writes the audit row of every
 * state-changing request, allowed or not.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"

enum {
	R_STATE = 1,	/* changes state: CSRF token, audit row */
	R_MFA = 2,	/* reachable while the second factor is owed */
	R_SETUP = 4,	/* reachable while MFA enrolment / password change is owed */
	R_BODY = 8,	/* takes a JSON object body */
	R_SESSION = 16,	/* interactive sessions only, not API tokens */
	R_NOAUDIT = 32,	/* the handler writes its own audit rows */
	R_UPLOAD = 64,	/* a body of up to API_MAX_UPLOAD: a file inside */
	R_ID = 128,	/* {} are Sparkplug ids (seg_id), not only seg_plain */
};

#define GET EVHTTP_REQ_GET
#define POST EVHTTP_REQ_POST
#define PUT EVHTTP_REQ_PUT
#define DEL EVHTTP_REQ_DELETE
#define PATCH EVHTTP_REQ_PATCH

static const struct route {
	int method;
	const char *pattern;	/* "{}" matches one segment */
	enum perm perm;
	int flags;
	handler_fn fn;
} routes[] = {
	{ GET, "/api/v1/health", PERM_PUBLIC, 0, h_health },
	{ GET, "/metrics", PERM_METRICS_READ, 0, h_metrics },
	{ POST, "/api/v1/login", PERM_PUBLIC, R_STATE | R_BODY | R_NOAUDIT, h_login },
	{ POST, "/api/v1/login/totp", PERM_SELF, R_STATE | R_BODY | R_MFA | R_SESSION | R_NOAUDIT, h_login_totp },
	{ POST, "/api/v1/logout", PERM_SELF, R_STATE | R_MFA | R_SETUP | R_SESSION, h_logout },
	{ GET, "/api/v1/session", PERM_SELF, R_MFA | R_SETUP, h_session },
	{ POST, "/api/v1/password", PERM_SELF, R_STATE | R_BODY | R_SETUP | R_SESSION, h_password },
	{ POST, "/api/v1/mfa/enroll", PERM_SELF, R_STATE | R_SETUP | R_SESSION, h_mfa_enroll },
	{ POST, "/api/v1/mfa/confirm", PERM_SELF, R_STATE | R_BODY | R_SETUP | R_SESSION, h_mfa_confirm },
	{ GET, "/api/v1/roles", PERM_SELF, 0, h_roles },
	{ GET, "/api/v1/users", PERM_USER_READ, 0, h_users },
	{ POST, "/api/v1/users", PERM_USER_ADMIN, R_STATE | R_BODY, h_user_add },
	{ PUT, "/api/v1/users/{}", PERM_USER_ADMIN, R_STATE | R_BODY, h_user_mod },
	{ DEL, "/api/v1/users/{}", PERM_USER_ADMIN, R_STATE, h_user_del },
	{ POST, "/api/v1/users/{}/reset", PERM_USER_ADMIN, R_STATE, h_user_reset },
	{ GET, "/api/v1/sessions", PERM_USER_ADMIN, 0, h_sessions },
	{ DEL, "/api/v1/sessions/{}", PERM_USER_ADMIN, R_STATE, h_sessions_del },
	{ GET, "/api/v1/tokens", PERM_USER_ADMIN, 0, h_tokens },
	{ POST, "/api/v1/tokens", PERM_USER_ADMIN, R_STATE | R_BODY, h_token_add },
	{ PUT, "/api/v1/tokens/{}", PERM_USER_ADMIN, R_STATE | R_BODY, h_token_put },
	{ DEL, "/api/v1/tokens/{}", PERM_USER_ADMIN, R_STATE, h_token_del },
	{ GET, "/api/v1/audit", PERM_AUDIT_READ, 0, h_audit },
	/* a background job (h_jobs.c): 202 and the job's id */
	{ POST, "/api/v1/audit/verify", PERM_AUDIT_READ, R_STATE, h_audit_verify },
	{ GET, "/api/v1/jobs", PERM_SELF, 0, h_jobs },
	{ GET, "/api/v1/jobs/{}", PERM_SELF, 0, h_job },
	{ DEL, "/api/v1/jobs/{}", PERM_SELF, R_STATE, h_job_del },
	{ GET, "/api/v1/settings", PERM_SETTINGS_READ, 0, h_settings },
	{ PUT, "/api/v1/settings", PERM_SETTINGS_WRITE, R_STATE | R_BODY, h_settings_put },
	{ GET, "/api/v1/overview", PERM_DEVICE_READ, 0, h_overview },
	{ GET, "/api/v1/devices", PERM_DEVICE_READ, 0, h_devices },
	{ GET, "/api/v1/devices/{}", PERM_DEVICE_READ, 0, h_device },
	{ GET, "/api/v1/devices/{}/history", PERM_DEVICE_READ, 0, h_device_history },
	{ GET, "/api/v1/devices/{}/health", PERM_DEVICE_READ, 0, h_device_health },
	{ PATCH, "/api/v1/devices/{}", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_device_patch },
	{ PUT, "/api/v1/devices/{}/lifecycle", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_device_lifecycle },
	{ GET, "/api/v1/links", PERM_DEVICE_READ, 0, h_links },
	{ GET, "/api/v1/topology", PERM_DEVICE_READ, 0, h_topology },
	{ GET, "/api/v1/search", PERM_DEVICE_READ, 0, h_search },
	{ GET, "/api/v1/diag", PERM_DEVICE_READ, 0, h_diag },
	{ GET, "/api/v1/signals", PERM_DEVICE_READ, 0, h_signals },
	{ GET, "/api/v1/signals/{}/samples", PERM_DEVICE_READ, 0, h_samples },
	{ GET, "/api/v1/capture", PERM_DEVICE_READ, 0, h_capture },
	{ GET, "/api/v1/events", PERM_DEVICE_READ, 0, h_events },
	{ GET, "/api/v1/alerts", PERM_ALERT_READ, 0, h_alerts },
	{ GET, "/api/v1/alerts/counts", PERM_ALERT_READ, 0, h_alert_counts },
	{ GET, "/api/v1/alerts/rules", PERM_ALERT_READ, 0, h_alert_rules },
	{ GET, "/api/v1/analytics", PERM_ALERT_READ, 0, h_analytics },
	{ GET, "/api/v1/analytics/rules", PERM_ALERT_READ, 0, h_rules },
	{ POST, "/api/v1/analytics/rules", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_rule_add },
	{ POST, "/api/v1/analytics/rules/check", PERM_DEVICE_CONTROL, R_STATE | R_BODY | R_NOAUDIT, h_rule_check },
	{ GET, "/api/v1/analytics/rules/{}", PERM_ALERT_READ, 0, h_rule },
	{ PUT, "/api/v1/analytics/rules/{}", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_rule_put },
	{ DEL, "/api/v1/analytics/rules/{}", PERM_DEVICE_CONTROL, R_STATE, h_rule_del },
	{ GET, "/api/v1/analytics/band/{}", PERM_DEVICE_READ, 0, h_band },
	{ GET, "/api/v1/oee", PERM_DEVICE_READ, 0, h_oee },
	{ GET, "/api/v1/oee/report", PERM_DEVICE_READ, 0, h_oee_report },
	{ GET, "/api/v1/oee/downtime", PERM_DEVICE_READ, 0, h_oee_downtime },
	{ GET, "/api/v1/oee/pareto", PERM_DEVICE_READ, 0, h_oee_pareto },
	{ PUT, "/api/v1/oee/downtime/{}", PERM_ALERT_ACK, R_STATE | R_BODY, h_oee_reason },
	{ GET, "/api/v1/reports", PERM_DEVICE_READ, 0, h_reports },
	{ POST, "/api/v1/reports", PERM_ALERT_ACK, R_STATE | R_BODY, h_report_make },
	{ GET, "/api/v1/reports/{}", PERM_DEVICE_READ, 0, h_report },
	{ GET, "/api/v1/evaluation/runs", PERM_SETTINGS_READ, 0, h_eval_runs },
	{ POST, "/api/v1/evaluation/runs", PERM_SETTINGS_WRITE, R_STATE, h_eval_run_now },
	{ GET, "/api/v1/evaluation/runs/{}", PERM_SETTINGS_READ, 0, h_eval_run },
	{ GET, "/api/v1/evaluation/nonconformities", PERM_SETTINGS_READ, 0, h_eval_ncs },
	{ POST, "/api/v1/evaluation/nonconformities/{}/close", PERM_SETTINGS_WRITE, R_STATE | R_BODY, h_eval_nc_close },
	{ GET, "/api/v1/analytics/rules/{}/versions", PERM_ALERT_READ, 0, h_rule_versions },
	{ POST, "/api/v1/analytics/rules/{}/rollback", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_rule_rollback },
	{ GET, "/api/v1/alerts/{}", PERM_ALERT_READ, 0, h_alert },
	{ GET, "/api/v1/alerts/{}/pcap", PERM_ALERT_READ, 0, h_alert_pcap },
	{ POST, "/api/v1/alerts/{}/ack", PERM_ALERT_ACK, R_STATE | R_BODY, h_alert_ack },
	{ POST, "/api/v1/alerts/{}/shelve", PERM_ALERT_ACK, R_STATE | R_BODY, h_alert_shelve },
	{ POST, "/api/v1/alerts/{}/unshelve", PERM_ALERT_ACK, R_STATE | R_BODY, h_alert_unshelve },
	{ POST, "/api/v1/alerts/{}/comment", PERM_ALERT_ACK, R_STATE | R_BODY, h_alert_comment },
	{ GET, "/api/v1/enforcement", PERM_ALERT_READ, 0, h_enforcement },
	{ PUT, "/api/v1/enforcement", PERM_ENFORCE, R_STATE | R_BODY | R_SESSION, h_enforcement_put },
	{ GET, "/api/v1/blocks", PERM_ALERT_READ, 0, h_blocks },
	{ POST, "/api/v1/blocks", PERM_ENFORCE, R_STATE | R_BODY, h_block_add },
	{ DEL, "/api/v1/blocks/{}", PERM_ENFORCE, R_STATE, h_block_del },
	{ GET, "/api/v1/modbus/devices", PERM_DEVICE_READ, 0, h_modbus_devices },
	{ GET, "/api/v1/modbus/devices/{}", PERM_DEVICE_READ, 0, h_modbus_device },
	{ POST, "/api/v1/modbus/devices/{}/write", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_modbus_write },
	{ GET, "/api/v1/mqtt/devices", PERM_DEVICE_READ, 0, h_mqtt_devices },
	{ GET, "/api/v1/mqtt/devices/{}", PERM_DEVICE_READ, 0, h_mqtt_device },
	{ POST, "/api/v1/mqtt/devices", PERM_SETTINGS_WRITE, R_STATE | R_BODY, h_mqtt_device_add },
	{ DEL, "/api/v1/mqtt/devices/{}", PERM_SETTINGS_WRITE, R_STATE, h_mqtt_device_del },
	{ POST, "/api/v1/dcp/identify", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_dcp_identify },
	{ POST, "/api/v1/devices/{}/dcp/{}", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_dcp_device },
	{ GET, "/api/v1/dashboards", PERM_DASH_READ, 0, h_dashboards },
	{ POST, "/api/v1/dashboards", PERM_DASH_EDIT, R_STATE | R_BODY, h_dashboard_add },
	{ POST, "/api/v1/dashboards/import", PERM_DASH_EDIT, R_STATE | R_BODY, h_dashboard_import },
	{ GET, "/api/v1/dashboards/{}", PERM_DASH_READ, 0, h_dashboard },
	{ PUT, "/api/v1/dashboards/{}", PERM_DASH_EDIT, R_STATE | R_BODY, h_dashboard_put },
	{ DEL, "/api/v1/dashboards/{}", PERM_DASH_EDIT, R_STATE, h_dashboard_del },
	{ GET, "/api/v1/dashboards/{}/export", PERM_DASH_READ, 0, h_dashboard_export },
	{ GET, "/api/v1/baseline", PERM_ALERT_READ, 0, h_baseline },
	{ PUT, "/api/v1/baseline", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_baseline_put },
	{ POST, "/api/v1/baseline/learn", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_baseline_learn },
	{ POST, "/api/v1/baseline/entries", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_baseline_add },
	{ POST, "/api/v1/baseline/entries/remove", PERM_DEVICE_CONTROL, R_STATE | R_BODY, h_baseline_remove },
	{ GET, "/api/v1/descriptions", PERM_DEVICE_READ, 0, h_descriptions },
	{ POST, "/api/v1/descriptions", PERM_DEVICE_CONTROL, R_STATE | R_BODY | R_UPLOAD, h_description_add },
	{ GET, "/api/v1/descriptions/{}", PERM_DEVICE_READ, 0, h_description },
	{ DEL, "/api/v1/descriptions/{}", PERM_DEVICE_CONTROL, R_STATE, h_description_del },
	{ GET, "/api/v1/fleet/sites", PERM_DEVICE_READ, 0, h_fleet_sites },
	{ GET, "/api/v1/fleet/sites/{}/nodes", PERM_DEVICE_READ, R_ID, h_fleet_nodes },
	{ GET, "/api/v1/fleet/sites/{}/nodes/{}/devices", PERM_DEVICE_READ, R_ID, h_fleet_devices },
	{ GET, "/api/v1/fleet/sites/{}/nodes/{}/metrics", PERM_DEVICE_READ, R_ID, h_fleet_metrics },
};

#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/*
 * 1 when the path's decoded segments match pattern, its {} segments
 * pointed to by r->param; -1 when they would but a {} segment holds what
 * the route does not take (seg_plain, or seg_id with R_ID); 0 otherwise.
 */
static int match(const struct route *rt, const struct path_segs *ps,
		 struct rq *r)
{
	const char *pat = rt->pattern + 1, *e;
	size_t i, n;
	int np = 0, bad = 0;

	for (i = 0; i < ps->n; i++, pat = e + 1) {
		e = strchr(pat, '/');
		n = e ? (size_t)(e - pat) : strlen(pat);
		if (n == 2 && !strncmp(pat, "{}", 2)) {
			if (!ps->seg[i][0] || np >= API_MAX_PARAMS)
				return 0;
			if (!seg_plain(ps->seg[i]) &&
			    !((rt->flags & R_ID) && seg_id(ps->seg[i])))
				bad = 1;
			r->param[np++] = (char *)ps->seg[i];
		} else if (strlen(ps->seg[i]) != n ||
			   strncmp(pat, ps->seg[i], n)) {
			return 0;
		}
		if (!e)
			return i + 1 == ps->n ? (bad ? -1 : 1) : 0;
	}
	return 0;
}

/*
 * The decoded path (audit rows, logs) into r->path; its segments are
 * r->segs'.  The API's own segments keep path_clean's rules ([A-Za-z0-9
 * ._-], no hidden names); route parameters are checked by match().
 */
static int path_decode(const char *raw, struct rq *r)
{
	size_t i, o = 0;
	int n;

	if (path_split(raw, &r->segs))
		return -1;
	for (i = 0; i < r->segs.n; i++) {
		n = snprintf(r->path + o, sizeof(r->path) - o, "/%s",
			     r->segs.seg[i]);
		if (n < 0 || (size_t)n >= sizeof(r->path) - o)
			return -1;
		o += (size_t)n;
	}
	return 0;
}

static const char *method_name(int m)
{
	switch (m) {
	case GET: return "GET";
	case POST: return "POST";
	case PUT: return "PUT";
	case DEL: return "DELETE";
	case PATCH: return "PATCH";
	default: return "?";
	}
}

void api_audit(struct api *a, const char *who, const char *addr, const char *action,
	       const char *target, const char *result, json_t *detail)
{
	char *d = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	struct audit_entry e = {
		.ts = auth_now_ms(), .user = who, .addr = addr, .action = action,
		.target = target, .result = result, .detail = d,
	};

	/* an audit row that cannot be written is the daemon's problem, loudly */
	if (a->dbw ? !dbwriter_append(a->dbw, &e) :
	    audit_append(a->audit, who, addr, action, target, result, d))
		fprintf(stderr, "iiotd: api: AUDIT WRITE FAILED: %s %s %s\n", who, action, result);
	free(d);
	json_decref(detail);
}

void api_settings_load(struct api *a)
{
	struct api_settings *s = &a->set;
	char v[65];

	s->lock_threshold = (int)setting_int(a->db, "lockout.threshold");
	s->lock_ms = setting_int(a->db, "lockout.minutes") * 60000;
	s->idle_ms = setting_int(a->db, "session.idle_minutes") * 60000;
	s->idle_admin_ms = setting_int(a->db, "session.idle_minutes_admin") * 60000;
	s->abs_ms = setting_int(a->db, "session.absolute_hours") * 3600000;
	setting_get(a->db, "password.profile", v, sizeof(v));
	s->profile = !strcmp(v, "gbt22239") ? PW_GBT22239 : PW_STANDARD;
	s->max_age_ms = s->profile == PW_GBT22239 ?
			setting_int(a->db, "password.max_age_days") * 86400000 : 0;
	setting_get(a->db, "site.name", s->site, sizeof(s->site));
	if (a->idle_override_ms)
		s->idle_ms = s->idle_admin_ms = a->idle_override_ms;
}

static void peer(struct evhttp_request *req, char *out, size_t len)
{
	struct evhttp_connection *c = evhttp_request_get_connection(req);
	char *addr = NULL;
	ev_uint16_t port = 0;

	if (c)
		evhttp_connection_get_peer(c, &addr, &port);
	snprintf(out, len, "%s", addr ? addr : "?");
}

/* Who is asking: 0 with r->sess or r->via_token set, 1 anonymous, -1 bad token */
static int authenticate(struct rq *r)
{
	struct evkeyvalq *h = evhttp_request_get_input_headers(r->req);
	const char *auth = evhttp_find_header(h, "Authorization");
	const char *cookie = evhttp_find_header(h, "Cookie");
	struct api_settings *s = &r->api->set;
	char sid[SESSION_ID_HEX + 8];
	int64_t now = auth_now_ms(), mono;
	struct session *se;
	struct token t;
	struct user u;

	if (auth) {
		if (strncmp(auth, "Bearer ", 7) || token_check(r->api->db, auth + 7, &t))
			return -1;
		r->via_token = 1;
		r->token_control = t.control;
		r->kiosk_dash = t.dashboard;
		r->role = t.role;
		snprintf(r->who, sizeof(r->who), "token:%.30s", t.name);
		return 0;
	}
	if (cookie_get(cookie, API_COOKIE, sid, sizeof(sid)))
		return 1;
	mono = auth_mono_ms();
	se = session_find(sid, mono, s->idle_ms > s->idle_admin_ms ? s->idle_ms : s->idle_admin_ms,
			  s->abs_ms);
	if (!se)
		return 1;
	if (mono - se->mono_seen > (se->role == ROLE_ADMIN ? s->idle_admin_ms : s->idle_ms)) {
		session_drop(se);
		return 1;
	}
	/* a password change, role change or lock since login ends the session */
	if (user_get_id(r->api->db, se->user_id, &u) || u.gen != se->gen || u.disabled) {
		session_drop(se);
		return 1;
	}
	se->last_seen = now;
	se->mono_seen = mono;
	r->sess = se;
	r->must_change = u.must_change ||
			 (s->max_age_ms && now - u.pw_changed > s->max_age_ms);
	r->role = se->role;
	snprintf(r->who, sizeof(r->who), "%s", se->user);
	return 0;
}

static int gate(struct rq *r, const struct route *rt)
{
	struct session *se = r->sess;
	const char *csrf;
	int who;

	who = authenticate(r);
	if (rt->perm == PERM_PUBLIC && !(rt->flags & R_SESSION))
		return 0;
	if (who < 0) {
		api_error(r, 401, "invalid or revoked API token");
		return -1;
	}
	if (who > 0) {
		api_error(r, 401, "login required");
		return -1;
	}
	se = r->sess;
	if ((rt->flags & R_SESSION) && !se) {
		api_error(r, 403, "this route needs an interactive session, not an API token");
		return -1;
	}
	if (se && se->stage == SESS_MFA && !(rt->flags & R_MFA)) {
		api_error(r, 403, "second factor required");
		return -1;
	}
	if (se && (se->stage == SESS_ENROLL || r->must_change) &&
	    !(rt->flags & (R_SETUP | R_MFA))) {
		api_error(r, 403, r->must_change ? "password change required" :
			  "MFA enrolment required");
		return -1;
	}
	if (!role_has(r->role, rt->perm)) {
		char why[96];

		snprintf(why, sizeof(why), "role %s lacks permission %s", role_name(r->role),
			 perm_name(rt->perm));
		api_error(r, 403, why);
		return -1;
	}
	if (r->role == ROLE_KIOSK && kiosk_gate(r, rt->pattern))
		return -1;
	if (se && (rt->flags & R_STATE)) {
		csrf = evhttp_find_header(evhttp_request_get_input_headers(r->req), "X-CSRF-Token");
		if (!csrf || !secret_eq(csrf, se->csrf)) {
			api_error(r, 403, "CSRF token missing or wrong");
			return -1;
		}
	}
	return 0;
}

static int read_body(struct rq *r)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
	const char *ct = evhttp_find_header(evhttp_request_get_input_headers(r->req),
					    "Content-Type");
	size_t n = evbuffer_get_length(in);
	size_t max = (r->flags & R_UPLOAD) ? API_MAX_UPLOAD : API_MAX_BODY;
	const char *why;

	if (n > max) {
		api_error(r, 413, (r->flags & R_UPLOAD) ?
			  "request body larger than 1000 KiB" :
			  "request body larger than 64 KiB");
		return -1;
	}
	/* a JSON content type cannot be sent cross-site without a preflight */
	if (!ct || strncmp(ct, "application/json", 16)) {
		api_error(r, 415, "Content-Type must be application/json");
		return -1;
	}
	r->body = body_object((const char *)evbuffer_pullup(in, -1), n, max, &why);
	if (!r->body) {
		api_error(r, 400, why);
		return -1;
	}
	return 0;
}

void routes_dispatch(struct api *a, struct evhttp_request *req)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *raw = uri ? evhttp_uri_get_path(uri) : NULL;
	const struct route *rt = NULL;
	struct rq r;
	int path_seen = 0, m;
	size_t i;

	a->requests++;
	memset(&r, 0, sizeof(r));
	r.api = a;
	r.req = req;
	r.method = evhttp_request_get_command(req);
	if (!raw || !*raw)
		raw = "/";
	/* /metrics where Prometheus looks for it, gated like the API */
	if (strncmp(raw, "/api/", 5) && strcmp(raw, "/metrics")) {
		static_serve(a, req, raw);
		return;
	}
	if (path_decode(raw, &r)) {
		api_error(&r, 400, "malformed path");
		return;
	}
	r.query = evhttp_uri_get_query(uri);
	for (i = 0; i < N_ROUTES; i++) {
		m = match(&routes[i], &r.segs, &r);
		if (!m)
			continue;
		path_seen = path_seen > 0 ? 1 : m;
		if (m > 0 && routes[i].method == r.method) {
			rt = &routes[i];
			break;
		}
	}
	if (!rt) {
		/* a name the route cannot hold: refused as before, not 404 */
		if (path_seen < 0)
			api_error(&r, 400, "malformed path");
		else
			api_error(&r, path_seen ? 405 : 404, path_seen ?
				  "method not allowed" : "no such route");
		return;
	}
	peer(req, r.addr, sizeof(r.addr));
	snprintf(r.who, sizeof(r.who), "-");
	r.flags = rt->flags;
	r.defer = (rt->flags & R_STATE) != 0;
	r.auth_changes = authdb_changes(a->db);
	if (gate(&r, rt) == 0 && (!(rt->flags & R_BODY) || read_body(&r) == 0)) {
		/* one snapshot for the whole request */
		api_snap_refresh(r.api);
		rt->fn(&r);
	}
	/* a held request is finished by held.c once its password job is done */
	if (!r.held)
		rq_end(&r);
}

void rq_end(struct rq *r)
{
	if ((r->flags & R_STATE) && !(r->flags & R_NOAUDIT)) {
		char action[300];

		snprintf(action, sizeof(action), "%s %s", method_name(r->method), r->path);
		if (!r->detail)
			r->detail = json_object();
		json_object_set_new(r->detail, "status", json_integer(r->status));
		/* a lock's refusal (423, 429) is a denial like a login's */
		api_audit(r->api, r->who, r->addr, action, r->target,
			  audit_result_of(r->status, r->denied), r->detail);
		r->detail = NULL;
	}
	/* this request's auth commits reach the disk in the writer's next batch */
	if (r->api->dbw && authdb_changes(r->api->db) != r->auth_changes)
		dbwriter_dirty(r->api->dbw, r->api->auth_dbw);
	api_reply_durable(r);
	json_decref(r->detail);
	json_decref(r->body);
	r->detail = NULL;
	r->body = NULL;
}
