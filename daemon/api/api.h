/*
 * The HTTPS API inside iiotd: one evhttp server on the daemon's event loop
 * behind OpenSSL bufferevents.  Files: tls.c (context, self-signed
 * certificate), http.c (server, limits, headers, replies), parse.c (cookie,
 * query and body parsers, fuzzed), routes.c (route × permission table,
 * dispatch, CSRF, audit), h_*.c (handlers), held.c (requests waiting
 * for a password job on auth/hash_worker.c), durable.c (replies waiting
 * for their audit batch on auth/dbwriter.c), jobs.c (background jobs), static.c (web/ files), sse.c
 * (live stream), data.c (model/store adapter), subsys_api.c (hooks).
 */
#ifndef IIOT_API_H
#define IIOT_API_H

#include <event2/http.h>
#include <jansson.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/parse.h"
#include "auth/audit.h"
#include "auth/authdb.h"
#include "auth/dbwriter.h"
#include "auth/hash_worker.h"
#include "auth/session.h"

#define API_MAX_BODY		(64 * 1024)
#define API_MAX_UPLOAD		(1000 * 1024)	/* R_UPLOAD routes, under evhttp's 1 MiB */
#define API_MAX_HEADERS		(16 * 1024)
#define API_TIMEOUT_S		30
#define API_MAX_SSE		64
#define API_COOKIE		"__Host-iiot"
#define API_MAX_PARAMS		2
#define API_HASH_THREADS	1	/* [api] hash_threads: leave the loop its core */
#define API_HASH_QUEUE		16	/* [api] hash_queue: 17 checks, 0.5-2 s of waiting */
#define API_BUSY_RETRY_S	"1"	/* Retry-After of a 503 when the queue is full */
#define API_BUSY_LOG_MS		10000	/* at most one "busy" log line this often */

struct iiotd;
struct sse_client;

struct api_settings {
	int lock_threshold;
	int64_t lock_ms, idle_ms, idle_admin_ms, abs_ms, max_age_ms;
	enum pw_profile profile;
	char site[65];
};

struct api {
	struct iiotd *d;
	struct event_base *base;
	struct evhttp *http;
	SSL_CTX *ssl;
	struct authdb *db;
	struct audit *audit;
	char webroot[4096];
	char url[300];
	struct api_settings set;
	int64_t idle_override_ms;	/* [api] session_idle, 0: settings */
	struct event *tick;
	struct sse_client *sse;
	int nsse;
	struct capsnap *snap;		/* what requests read (data.c) */
	struct hash_worker *hw;		/* Argon2id off the loop */
	struct readpool *render;	/* api_job renderings off the loop */
	struct dbwriter *dbw;		/* audit and auth commits off the loop */
	int auth_dbw;			/* auth.db's id in dbw */
	struct jobs *jobs;		/* long work off the loop (jobs.c) */
	uint64_t requests, errors, held;	/* held: waiting for a password job */
	uint64_t busy_unlogged;		/* 503s since the last "busy" log line */
	int64_t busy_log_next;		/* ms */
};

/* One request on its way through routes.c. */
struct rq {
	struct api *api;
	struct evhttp_request *req;
	int method;			/* EVHTTP_REQ_* */
	char path[256];
	const char *query;		/* raw query string or NULL */
	char *param[API_MAX_PARAMS];	/* {x} segments of the route */
	struct path_segs segs;		/* the path's decoded segments */
	json_t *body;			/* parsed JSON object, or NULL */
	char addr[48];
	struct session *sess;		/* cookie login */
	int must_change;		/* password change owed (reset, expiry) */
	int via_token;
	int token_control;		/* the token's control grant (control.c) */
	int64_t kiosk_dash;		/* a kiosk token's dashboard (kiosk.c) */
	char who[40];			/* user name or "token:<name>" */
	enum role role;
	int status;
	bool denied;			/* refused by a gate: audited as denied */
	char target[128];		/* for the audit row */
	json_t *detail;			/* for the audit row, stolen */
	int flags;			/* the route's R_* flags (routes.c) */
	int held;			/* handed to held.c: the dispatcher lets go */
	int defer;			/* the reply waits for the writer (durable.c) */
	struct evbuffer *out;		/* that reply, until then */
	int out_code;
	int64_t auth_changes;		/* authdb_changes() when the request came */
};

/* http.c */
int http_start(struct api *a, const char *listen, char *err, size_t errlen);
void http_stop(struct api *a);
void http_headers(struct evhttp_request *req, const char *ctype);
void api_reply(struct rq *r, int code, json_t *body);	/* steals body */
void api_error(struct rq *r, int code, const char *reason);
void api_reply_bytes(struct rq *r, int code, const char *json, size_t n);
struct evbuffer;
/* 200 with b (freed) as ctype; fname: a download of that name */
void api_reply_text(struct rq *r, const char *ctype, const char *fname,
		    struct evbuffer *b);
/* 200 with o as an indented JSON download named fname (500: no memory) */
void api_reply_download(struct rq *r, const json_t *o, const char *fname);
/* 200 with a report's printable page (h_reports.c) */
void api_reply_report_html(struct rq *r, const json_t *rep,
			   const char *fname);
void api_set_cookie(struct rq *r, const char *sid);	/* NULL clears */
/* send a reply kept back by a deferring request; frees b */
void api_send_deferred(struct evhttp_request *req, int code, struct evbuffer *b);

/*
 * durable.c: send r's kept-back reply once everything the writer was
 * handed so far (r's audit row, the auth database's commits) is on disk;
 * at once when nothing is pending.
 */
void api_reply_durable(struct rq *r);

/* tls.c */
/* group: the daemon's, to read the self-signed material root makes in
 * <state_dir>/tls/ ((gid_t)-1: leave it) */
SSL_CTX *tls_ctx(const char *cert, const char *key, const char *state_dir,
		 gid_t group, char *err, size_t errlen);

/* routes.c */
void routes_dispatch(struct api *a, struct evhttp_request *req);
/* latency.c: time the request per route class; the histograms for stats */
void api_latency_begin(struct evhttp_request *req);
json_t *api_latency_json(void);
/* after the reply: the audit row of a state change, then r's JSON is freed */
void rq_end(struct rq *r);
void api_settings_load(struct api *a);
void api_audit(struct api *a, const char *who, const char *addr, const char *action,
	       const char *target, const char *result, json_t *detail);

/*
 * held.c: run a password job for r and finish r later in resume, on the
 * loop thread.  ctx (len bytes) is copied and handed to resume.  resume
 * gets res NULL when the client went away: it must not reply then.
 * 0: held, r now belongs to held.c; 1: queue full, r answered 503;
 * -1: r answered 500.
 */
typedef void (*held_fn)(struct rq *r, const struct hash_result *res, void *ctx);
int api_hold(struct rq *r, const struct hash_req *hr, held_fn resume,
	     const void *ctx, size_t len);

/*
 * held.c: a request answered from a reader thread (store/readpool.h), so
 * that neither SQL nor a large rendering runs on the loop.  work runs on
 * a reader with its read-only connection (db NULL: err says why), or,
 * when no_db is set, on the API's renderer thread, which never waits for
 * the store (renderings of the snapshot: device and link lists), and
 * fills status and body (malloc'd JSON) or why; the loop then answers
 * with them, or reply does when set (headers, caches).  j is malloc'd
 * and belongs to held.c from the call on (freed with its body, also when
 * the client leaves first).  0: deferred; 1: readers busy, r answered
 * 503; -1: r answered 500.
 */
struct sqlite3;
struct api_job {
	void (*work)(struct api_job *j, struct sqlite3 *db, const char *err);
	void (*reply)(struct api_job *j, struct rq *r);
	bool no_db;			/* reads the snapshot only */
	struct api *api;		/* set by api_defer */
	void *held;			/* held.c's */
	int status;
	char *body;
	size_t len;
	const char *why;		/* static */
};
int api_defer(struct rq *r, struct api_job *j);
/* data.c, in work: answer with o rendered (stolen; NULL: 500) */
void api_job_json(struct api_job *j, json_t *o);

/* firstrun.c: the first admin, its one-time password on the console and in
 * a root-only file in state_dir; forget removes that file (first sign-in) */
int firstrun_admin(struct api *a);
void firstrun_forget(struct api *a);

/* static.c */
void static_serve(struct api *a, struct evhttp_request *req, const char *path);

/* sse.c */
void sse_open(struct rq *r);
void sse_tick(struct api *a);
void sse_close_all(struct api *a);
/* One event to every stream whose role has perm. */
void sse_event(struct api *a, const char *event, const char *data, enum perm perm);

/* h_health.c: the health verdict, {"status", "checks"}; *failed when "failed" */
json_t *health_verdict(struct api *a, bool *failed);

/* handlers: h_auth.c, h_admin.c, h_data.c */
typedef void (*handler_fn)(struct rq *r);
#define H(n) void n(struct rq *r);
H(h_health) H(h_metrics) H(h_login) H(h_login_totp) H(h_logout) H(h_session) H(h_password)
H(h_mfa_enroll) H(h_mfa_confirm)
H(h_users) H(h_user_add) H(h_user_mod) H(h_user_del) H(h_user_reset) H(h_roles)
H(h_sessions) H(h_sessions_del) H(h_tokens) H(h_token_add) H(h_token_put) H(h_token_del)
H(h_audit) H(h_audit_verify) H(h_settings) H(h_settings_put)
H(h_overview) H(h_devices) H(h_device) H(h_device_history) H(h_device_lifecycle)
H(h_device_patch)
H(h_links) H(h_topology) H(h_search) H(h_signals) H(h_samples) H(h_capture) H(h_events)
H(h_alerts) H(h_alert_counts) H(h_alert_rules) H(h_alert) H(h_alert_pcap)
H(h_alert_ack) H(h_alert_shelve) H(h_alert_unshelve) H(h_alert_comment)
H(h_analytics) H(h_diag) H(h_device_health)
H(h_rules) H(h_rule) H(h_rule_versions) H(h_rule_add) H(h_rule_put)
H(h_rule_del) H(h_rule_rollback) H(h_rule_check)
H(h_enforcement) H(h_enforcement_put) H(h_blocks) H(h_block_add) H(h_block_del)
H(h_baseline) H(h_baseline_put) H(h_baseline_learn) H(h_baseline_add)
H(h_baseline_remove)
H(h_band) H(h_oee) H(h_oee_report) H(h_oee_downtime) H(h_oee_pareto) H(h_oee_reason)
H(h_reports) H(h_report) H(h_report_make)
H(h_eval_runs) H(h_eval_run_now) H(h_eval_run) H(h_eval_ncs) H(h_eval_nc_close)
H(h_jobs) H(h_job) H(h_job_del)
H(h_modbus_devices) H(h_modbus_device) H(h_modbus_write)
H(h_mqtt_devices) H(h_mqtt_device) H(h_mqtt_device_add) H(h_mqtt_device_del)
H(h_dcp_identify) H(h_dcp_device)
H(h_dashboards) H(h_dashboard) H(h_dashboard_add) H(h_dashboard_import)
H(h_dashboard_put) H(h_dashboard_del) H(h_dashboard_export)
H(h_descriptions) H(h_description) H(h_description_add) H(h_description_del)
H(h_fleet_sites) H(h_fleet_nodes) H(h_fleet_devices) H(h_fleet_metrics)
#undef H

/*
 * control.c: the gate of every control action.  control_gate: a session
 * that passed MFA, or an API token with its control grant ("what" names
 * the action in the refusal) and, for
 * id != 0, the device in one of the lifecycle states in the bit mask
 * states (1 << MODEL_LC_*); control_rate: at most per_device and per_user
 * actions a minute (0: no limit), counting this one when allowed.  Both
 * 0, or -1 with the request answered (403, 409, 429) and nothing to send.
 */
int control_gate(struct rq *r, unsigned int id, const char *what,
		 unsigned int states);
int control_rate(struct rq *r, unsigned int id, unsigned int per_device,
		 unsigned int per_user);
/*
 * The same without a request (the control socket's, localctl.c): 0, or
 * the status (409, 429) with why.
 */
struct model;
int control_lifecycle(const struct model *m, unsigned int id,
		      const char *what, unsigned int states, char *why,
		      size_t len);
int control_rate_check(const char *who, unsigned int id,
		       unsigned int per_device, unsigned int per_user,
		       char *why, size_t len);

/*
 * A control action of the control socket's operator (localctl.c), on the
 * calling (reader) thread, waiting for the device: the gate without the
 * second factor, then the action.  The status (200 done or a dry run's
 * frame in *reply; else why), and *detail for the audit row (or NULL);
 * *gate true when the device's lifecycle refused it (audited as denied,
 * as the API's control_gate does).  dcp_local: op on device id, or
 * identify with id 0.  who: the operator, whom the rate limits count.
 */
int dcp_local(const struct model *m, const char *op, unsigned int id,
	      json_t *body, const char *who, json_t **detail, json_t **reply,
	      bool *gate, char *why, size_t len);
int modbus_local(const struct model *m, const char *key, json_t *body,
		 const char *who, json_t **detail, json_t **reply, bool *gate,
		 char *why, size_t len);

/*
 * kiosk.c: a kiosk token reads only what its dashboard shows.
 * kiosk_gate: 0, or -1 answered 403 (route pattern and r->param);
 * kiosk_signals: drops the signals it does not show from GET /signals's
 * reply; kiosk_dashboard: the body's "dashboard", a shared one, or -1
 * answered 400.
 */
int kiosk_gate(struct rq *r, const char *pattern);
void kiosk_signals(struct rq *r, json_t *reply);
int kiosk_dashboard(struct rq *r, int64_t *id);
/*
 * The live stream of a kiosk token bound to dash (sse.c): kiosk_live,
 * the snapshot live narrowed to what the dashboard shows (a new
 * reference), NULL when the dashboard is gone or no longer shared (the
 * stream ends); kiosk_event, whether a named event (only "alert" today)
 * is one its widgets show.
 */
json_t *kiosk_live(struct api *a, int64_t dash, json_t *live);
bool kiosk_event(struct api *a, int64_t dash, const char *event);

/* h_jobs.c: a job's end, audited (jobs_new's end callback; arg: the api) */
struct job_end;
void api_job_ended(void *arg, const struct job_end *e);

/* h_alerts.c: the alerts subsystem's listener (alertsys_listen) */
struct alert_change;
void api_alert_changed(void *arg, const struct alert_change *c);

/* data.c: the model and store behind the data routes */
/* Take the newest capture snapshot for what follows (data.c). */
void api_snap_refresh(struct api *a);
json_t *data_overview(struct api *a);
/* Any thread, on a snapshot's model (NULL: none): {"devices", "total"} */
struct model;
json_t *data_devices(struct api *a, struct model *m);
/* o[label_key] labels a device: its alias (the snapshot's) as o[key] */
void data_alias_add(struct api *a, json_t *o, const char *label_key,
		    const char *key);
json_t *data_device(struct api *a, uint32_t id);
/* A device's history as a job for api_defer; NULL: no such device. */
struct api_job *data_history_job(struct api *a, uint32_t id, int limit);
/* 200, or 400/404/409 with why naming the allowed states and moves */
int data_lifecycle(struct api *a, uint32_t id, const char *state, const char *who,
		   char *why, size_t whylen);
json_t *data_links(struct model *m, uint32_t device);	/* any thread */
json_t *data_signals(struct api *a, uint32_t device);
/* topology.c: {"nodes", "links"} of the newest snapshot, event loop */
json_t *data_topology(struct api *a);
/* A signal's samples as a job for api_defer; NULL with why (404: "no such signal"). */
struct api_job *data_samples_job(struct api *a, uint32_t signal, int64_t from_ms, int64_t to_ms,
				 const char *rollup, int max_points, const char **why);
/* On a reader thread: the newest capture snapshot for a job (capsnap_put it). */
struct capsnap *data_job_snapshot(struct api_job *j);
json_t *data_capture(struct api *a);
json_t *data_live(struct api *a);

#endif
