/* status, devices, device, links, signals, stats, history, lifecycle. */
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "alerts/alertsys.h"
#include "analytics/analytics.h"
#include "api/localctl.h"
#include "api/syshealth.h"
#include "enforce/enforce.h"
#include "auth/audit.h"
#include "capture/capture.h"
#include "core/ctlcmds.h"
#include "core/ctlproto.h"
#include "core/ctlsock.h"
#include "core/daemon.h"
#include "core/devalias.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "desc/descsys.h"
#include "diag/health.h"
#include "libshm.h"
#include "model/model.h"
#include "south/modbus.h"
#include "south/mqtt.h"
#include "store/readpool.h"
#include "store/store.h"

static json_t *ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

static json_t *fail(const char *why)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", why);
}

/* The reader pool's counters: its queries in flight, refused, cancelled. */
static json_t *readers_json(struct readpool *p)
{
	struct readpool_counters c;
	json_t *o = json_object();

	readpool_get_counters(p, &c);
	json_object_set_new(o, "threads", json_integer(readpool_threads(p)));
#define READPOOL_X_JSON(n, dsc) \
	json_object_set_new(o, #n, json_integer((json_int_t)c.n));
	READPOOL_COUNTERS(READPOOL_X_JSON)
#undef READPOOL_X_JSON
	return o;
}

static json_t *store_json(struct store *s, struct readpool *readers)
{
	struct store_disk dk;
	struct store_counters c;
	json_t *o = json_object();

	if (!s)
		return o;
	if (readers)
		json_object_set_new(o, "readers", readers_json(readers));
	store_get_counters(s, &c);
	json_object_set_new(o, "path", json_string(store_path(s)));
	json_object_set_new(o, "disk_bytes",
			    json_integer((json_int_t)store_disk_bytes(s)));
#define STORE_X_JSON(n, dsc) \
	json_object_set_new(o, #n, json_integer((json_int_t)c.n));
	STORE_COUNTERS(STORE_X_JSON)
#undef STORE_X_JSON
	json_object_set_new(o, "commit_seconds", store_commit_json(s));
	store_get_disk(s, &dk);
	json_object_set_new(o, "disk_degraded", json_boolean(dk.degraded));
	json_object_set_new(o, "disk_free_bytes",
			    json_integer((json_int_t)dk.free_bytes));
	return o;
}

static json_t *ctl_json(struct ctlsock *cs)
{
	struct ctlsock_counters c;
	json_t *o = json_object();

	if (!cs)
		return o;
	ctlsock_get_counters(cs, &c);
#define CTLSOCK_X_JSON(n, dsc) \
	json_object_set_new(o, #n, json_integer((json_int_t)c.n));
	CTLSOCK_COUNTERS(CTLSOCK_X_JSON)
#undef CTLSOCK_X_JSON
	return o;
}

/*
 * The one counter table: "iiotctl stats" and the API's /metrics both read
 * it from here, so a counter added to a subsystem shows in both.  Capture
 * and model counters come from the newest capture snapshot.
 */
void iiotd_stats(struct iiotd *d, json_t *o)
{
	struct capsnap *snap = d->capture ? capture_snapshot(d->capture) :
			       NULL;
	struct model *m = snap ? snap->model : NULL;

	if (snap) {
		json_object_set_new(o, "capture",
				    capsnap_counters_json(snap));
		json_object_set_new(o, "rings", capsnap_rings_json(snap));
	}
	if (m) {
		json_object_set_new(o, "model", model_counters_json(m));
		json_object_set_new(o, "links", model_links_json(m));
	}
	capsnap_put(snap);
	json_object_set_new(o, "store", store_json(d->store, d->readers));
	json_object_set_new(o, "ctl", ctl_json(d->ctl));
	iiotd_subsys_stats(d, o);
}

static json_t *status(struct iiotd *d, const struct capsnap *snap)
{
	struct model *m = snap ? snap->model : NULL;
	json_t *o = ok();
	uint64_t now = shm_now_ns();

	json_object_set_new(o, "version", json_string(IIOTD_VERSION));
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "uid", json_integer(geteuid()));
	json_object_set_new(o, "uptime_s", json_integer(
		(json_int_t)((now - d->start_ns) / 1000000000ULL)));
	json_object_set_new(o, "config", json_string(
		d->conf_path ? d->conf_path : "(embedded defaults)"));
	if (m) {
		json_object_set_new(o, "devices", json_integer(
			(json_int_t)model_device_count(m)));
		json_object_set_new(o, "online", json_integer(
			(json_int_t)model_devices_online(m)));
		json_object_set_new(o, "links", json_integer(
			(json_int_t)model_link_count(m)));
		json_object_set_new(o, "signals", json_integer(
			(json_int_t)model_signal_count(m)));
	}
	if (snap) {
		json_object_set_new(o, "frames",
				    json_integer((json_int_t)snap->ctr.frames));
		json_object_set_new(o, "rings", capsnap_rings_json(snap));
	}
	if (d->store) {
		json_object_set_new(o, "db", json_string(store_path(d->store)));
		json_object_set_new(o, "db_bytes", json_integer(
			(json_int_t)store_disk_bytes(d->store)));
	}
	/* GET /api/v1/health's verdict, for the package's upgrade check */
	json_object_set_new(o, "health", api_system_health(d));
	return o;
}

struct hist_ctx {
	json_t *a;
};

static bool hist_cb(void *arg, const struct store_history *h)
{
	struct hist_ctx *c = arg;

	json_array_append_new(c->a, json_pack("{s:I, s:s, s:s, s:s}",
		"ts_ns", (json_int_t)h->ts_ns, "label", h->label ? h->label : "",
		"event", h->event ? h->event : "", "detail",
		h->detail ? h->detail : ""));
	return true;
}

/*
 * On a reader thread (db): what the writer holds in memory is committed
 * first, so a reader sees it; the wait for that is the reader's.
 */
static json_t *history(struct iiotd *d, struct sqlite3 *db, const char *label,
		       size_t limit)
{
	struct hist_ctx c = { json_array() };
	char err[256];

	if (!d->store || !db) {
		json_decref(c.a);
		return fail(d->store ? "cannot read the store" : "no store");
	}
	store_flush(d->store);
	if (store_query_history(db, label, limit, hist_cb, &c, err,
				sizeof(err)) < 0) {
		json_decref(c.a);
		return fail(err);
	}
	return c.a;
}

static json_t *device(struct iiotd *d, struct sqlite3 *db, struct model *m,
		      const char *key)
{
	const struct model_device *dev;
	json_t *o, *links, *h;
	char label[80];
	size_t i;

	dev = model_device_find(m, key);
	if (!dev)
		return fail("no such device");
	o = ok();
	json_object_set_new(o, "device", model_device_json(m, dev));
	links = json_array();
	for (i = 0; i < model_link_count(m); i++) {
		const struct model_link *l = model_link_at(m, i);

		if (l->src == dev->id || l->dst == dev->id ||
		    (dev->parent && l->src == dev->parent))
			json_array_append_new(links, json_integer(l->id));
	}
	json_object_set_new(o, "links", links);
	model_device_label(m, dev, label, sizeof(label));
	h = history(d, db, label, 20);
	if (json_is_array(h))
		json_object_set_new(o, "history", h);
	else
		json_decref(h);
	return o;
}

/* Every device's and link's health, or one device's (KEY as "device"). */
static json_t *health(struct iiotd *d, struct model *m, const char *key)
{
	const struct model_device *dev = NULL;
	json_t *o, *h;

	if (key[0] && !(dev = model_device_find(m, key)))
		return fail("no such device");
	h = health_report(m, d->alerts, dev ? dev->id : 0);
	if (!h)
		return fail("out of memory");
	o = ok();
	json_object_update(o, h);
	json_decref(h);
	return o;
}

/* The user name of uid, or "uid:N": the actor the audit log names. */
static void peer_name(uid_t uid, char *buf, size_t len)
{
	struct passwd pw, *res = NULL;
	char pwbuf[4096];

	if (!getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &res) && res)
		snprintf(buf, len, "%s", res->pw_name);
	else
		snprintf(buf, len, "uid:%u", (unsigned int)uid);
}

struct lc_move {
	struct iiotd *d;
	const struct ctl_req *req;
	const char *who;
	const struct model_device *dev;	/* NULL: no such device; only
					 * while on the capture thread */
	uint32_t id;
	unsigned int from;
	int rc;				/* enum model_lc_result */
	char why[256];
};

/* One audit row per request, refused ones too, as the API writes them. */
static int lc_audit(struct audit *a, const struct ctl_req *req,
		    const struct lc_move *mv)
{
	json_t *det = json_pack("{ss}", "state", req->arg2);
	char target[CTL_MAX_ARG + 16], *s;
	int rc;

	if (mv->id) {
		snprintf(target, sizeof(target), "device %u", mv->id);
		json_object_set_new(det, "from", json_string(
			model_lifecycle_name(mv->from)));
	} else {
		snprintf(target, sizeof(target), "device %s", req->arg);
	}
	if (req->text[0])
		json_object_set_new(det, "reason", json_string(req->text));
	if (mv->rc != MODEL_LC_OK)
		json_object_set_new(det, "error", json_string(mv->why));
	s = json_dumps(det, JSON_COMPACT);
	rc = s ? audit_append(a, mv->who, "ctl", "device.lifecycle", target,
			      mv->rc == MODEL_LC_OK ? AUDIT_OK : AUDIT_FAIL, s) : -1;
	free(s);
	json_decref(det);
	return rc;
}

/*
 * Apply the move: the model's rules, "by WHO (ctl): REASON" in history.
 * On the capture thread (capture_call), which owns the model.
 */
static void lc_apply(void *arg)
{
	struct lc_move *mv = arg;
	struct iiotd *d = mv->d;
	const struct ctl_req *req = mv->req;
	char note[CTL_MAX_ARG + 80];

	mv->dev = model_device_find(d->model, req->arg);
	if (!mv->dev) {
		snprintf(mv->why, sizeof(mv->why), "no such device '%.64s'",
			 req->arg);
		mv->rc = MODEL_LC_NO_DEVICE;
		return;
	}
	mv->from = mv->dev->lifecycle;
	mv->id = mv->dev->id;
	snprintf(note, sizeof(note), "by %s (ctl)%s%s", mv->who,
		 req->text[0] ? ": " : "", req->text);
	mv->rc = model_set_lifecycle(d->model, mv->dev->id, req->arg2, note,
				     shm_now_ns(), mv->why, sizeof(mv->why));
}

/*
 * lifecycle KEY STATE [REASON].  The audit log is opened before anything
 * moves, so that no change is made that the log cannot record.
 */
static json_t *lifecycle(struct iiotd *d, const struct ctl_req *req,
			 uid_t peer)
{
	struct lc_move mv = { 0 };
	char who[64], err[512];
	const struct model_device *dev;
	struct capsnap *snap;
	struct audit *a;
	json_t *o;

	a = audit_open_dir(d->state_dir, err, sizeof(err));
	if (!a) {
		log_warnx("ctl: audit log: %s", err);
		return fail("the audit log cannot be opened; nothing changed");
	}
	peer_name(peer, who, sizeof(who));
	mv.who = who;
	mv.d = d;
	mv.req = req;
	capture_call(d->capture, lc_apply, &mv);
	if (lc_audit(a, req, &mv)) {
		/* the move stands (it happened); say so loudly, never quietly */
		log_warnx("ctl: AUDIT WRITE FAILED: %s device.lifecycle %s %s",
			  who, req->arg, req->arg2);
		audit_close(a);
		return fail(mv.rc == MODEL_LC_OK ? "moved, but the audit log "
			    "could not be written" : mv.why);
	}
	audit_close(a);
	if (mv.rc != MODEL_LC_OK)
		return fail(mv.why);
	o = ok();
	json_object_set_new(o, "from", json_string(
		model_lifecycle_name(mv.from)));
	/* capture_call published the move: this snapshot has it */
	snap = capture_snapshot(d->capture);
	dev = snap && snap->model ? model_device_get(snap->model, mv.id) :
	      NULL;
	if (dev)
		json_object_set_new(o, "device",
				    model_device_json(snap->model, dev));
	capsnap_put(snap);
	return o;
}

/* "alias KEY [HEX]": the hex back to bytes, set, audited as the API does */
static json_t *alias_cmd(struct iiotd *d, const struct ctl_req *req,
			 uid_t peer)
{
	char who[64], text[CTL_MAX_REQ / 2 + 1], target[CTL_MAX_ARG + 16];
	char err[512], *s;
	struct devalias out;
	struct audit *a;
	size_t i, n = strlen(req->body) / 2;
	unsigned int b;
	json_t *det, *o;
	int code, rc;

	for (i = 0; i < n; i++) {
		sscanf(req->body + 2 * i, "%2x", &b);
		text[i] = (char)b;
	}
	text[n] = 0;
	if (strlen(text) != n)
		return fail("alias: control character U+0000");
	a = audit_open_dir(d->state_dir, err, sizeof(err));
	if (!a) {
		log_warnx("ctl: audit log: %s", err);
		return fail("the audit log cannot be opened; nothing changed");
	}
	peer_name(peer, who, sizeof(who));
	code = devalias_set(d, req->arg, text, who, &out);
	det = json_pack("{ss}", "to", text);
	if (code == 200) {
		json_object_set_new(det, "from", json_string(out.from));
		json_object_set_new(det, "label", json_string(out.label));
		snprintf(target, sizeof(target), "device %u", out.id);
	} else {
		json_object_set_new(det, "error", json_string(out.why));
		snprintf(target, sizeof(target), "device %s", req->arg);
	}
	s = det ? json_dumps(det, JSON_COMPACT) : NULL;
	rc = s ? audit_append(a, who, "ctl", "device.alias", target,
			      audit_result_of(code, false), s) : -1;
	free(s);
	json_decref(det);
	audit_close(a);
	if (rc) {
		log_warnx("ctl: AUDIT WRITE FAILED: %s device.alias %s", who,
			  req->arg);
		return fail(code == 200 ? "set, but the audit log could not "
			    "be written" : out.why);
	}
	if (code != 200)
		return fail(out.why);
	o = ok();
	json_object_set_new(o, "id", json_integer(out.id));
	json_object_set_new(o, "label", json_string(out.label));
	json_object_set_new(o, "from", json_string(out.from));
	json_object_set_new(o, "alias", json_string(text));
	return o;
}

/* db: a reader thread's connection, for the verbs that read the store */
/* "modbus [DEVICE]": the Modbus devices' state, counters and points */
static json_t *modbus_answer(const char *key)
{
	json_t *o, *v;

	v = *key ? modbus_device_json(key) : modbus_devices_json();
	if (!v)
		return fail("no such Modbus device");
	o = ok();
	json_object_set_new(o, *key ? "device" : "devices", v);
	return o;
}

static json_t *answer(struct iiotd *d, struct sqlite3 *db,
		      struct capsnap *snap, const struct ctl_req *req,
		      uid_t peer)
{
	struct model *m = snap ? snap->model : NULL;
	json_t *o, *h;

	if (!m && req->verb != CTL_STATUS && req->verb != CTL_STATS)
		return fail("model not running");
	switch (req->verb) {
	case CTL_STATUS:
		return status(d, snap);
	case CTL_DEVICES:
		o = ok();
		json_object_set_new(o, "devices", model_devices_json(m));
		return o;
	case CTL_DEVICE:
		return device(d, db, m, req->arg);
	case CTL_LINKS:
		o = ok();
		json_object_set_new(o, "links", model_links_json(m));
		return o;
	case CTL_SIGNALS:
		o = ok();
		json_object_set_new(o, "signals", model_signals_json(m));
		return o;
	case CTL_STATS:
		o = ok();
		iiotd_stats(d, o);
		return o;
	case CTL_HISTORY:
		h = history(d, db, req->arg[0] ? req->arg : NULL, req->num);
		if (!json_is_array(h))
			return h;
		o = ok();
		json_object_set_new(o, "history", h);
		return o;
	case CTL_LIFECYCLE:
		return lifecycle(d, req, peer);
	case CTL_ALIAS:
		return alias_cmd(d, req, peer);
	case CTL_HEALTH:
		return health(d, m, req->arg);
	case CTL_MODBUS:
		return modbus_answer(req->arg);
	case CTL_ALERTS:
	case CTL_ALERT_ACK:
	case CTL_ALERT_SHELVE:
	case CTL_ALERT_UNSHELVE:
	case CTL_ALERT_COMMENT:
	case CTL_BASELINE:
	case CTL_BASELINE_LEARN:
	case CTL_BASELINE_ADD:
	case CTL_BASELINE_REMOVE:
	case CTL_BASELINE_IMPORT: {
		char who[64];

		peer_name(peer, who, sizeof(who));
		return req->verb >= CTL_BASELINE ? baselinesys_ctl(d, req, who) :
		       alertsys_ctl(d, req, who);
	}
	case CTL_DESCRIPTION:
	case CTL_DESCRIPTION_IMPORT: {
		char who[64];

		peer_name(peer, who, sizeof(who));
		return descsys_ctl(d, req, who);
	}
	case CTL_RULE:
	case CTL_REPORT: {
		char who[64];

		peer_name(peer, who, sizeof(who));
		return req->verb == CTL_RULE ? analytics_ctl(d, req, who) :
		       reports_ctl(d, req, who);
	}
	case CTL_CONTROL: {
		char who[64];

		peer_name(peer, who, sizeof(who));
		return localctl(d, m, req, who, peer);
	}
	case CTL_MQTT: {
		char who[64];

		peer_name(peer, who, sizeof(who));
		return mqtt_ctl(d, req, who, peer);
	}
	case CTL_BLOCKS:
	case CTL_UNBLOCK: {
		char who[64];

		peer_name(peer, who, sizeof(who));
		return enforce_ctl(d, req, who);
	}
	default:
		return fail("request not handled here");
	}
}

/* Readers see the newest snapshot; the model itself is the capture thread's. */
static json_t *answer_now(struct iiotd *d, struct sqlite3 *db,
			  const struct ctl_req *req, uid_t peer)
{
	struct capsnap *snap = d->capture ? capture_snapshot(d->capture) :
			       NULL;
	json_t *o = answer(d, db, snap, req, peer);

	capsnap_put(snap);
	return o;
}

json_t *ctlcmd_answer(struct iiotd *d, const struct ctl_req *req,
		      uid_t peer)
{
	return answer_now(d, NULL, req, peer);
}

bool ctlcmd_reads_store(const struct ctl_req *req)
{
	/* control waits for the device's answer, an mqtt add for the capture
	 * thread: never on the loop */
	return req->verb == CTL_HISTORY || req->verb == CTL_DEVICE ||
	       req->verb == CTL_CONTROL || req->verb == CTL_MQTT;
}

struct ctl_job {
	struct iiotd *d;
	struct ctl_req req;
	uid_t peer;
	ctlcmd_reply_fn reply;
	void *arg;
	json_t *out;
};

/* On a reader thread. */
static void job_work(void *arg, struct sqlite3 *db, const char *err)
{
	struct ctl_job *j = arg;

	if (!db && j->d->store) {
		j->out = fail(err);
		return;
	}
	j->out = answer_now(j->d, db, &j->req, j->peer);
}

/* On the loop. */
static void job_done(void *arg, bool cancelled)
{
	struct ctl_job *j = arg;

	if (cancelled)
		json_decref(j->out);
	else
		j->reply(j->arg, j->out);
	free(j);
}

struct readpool_job *ctlcmd_submit(struct iiotd *d, const struct ctl_req *req,
				   uid_t peer, ctlcmd_reply_fn reply,
				   void *arg)
{
	struct ctl_job *j;
	struct readpool_job *rj;

	if (!d->readers || !(j = calloc(1, sizeof(*j))))
		return NULL;
	j->d = d;
	j->req = *req;
	j->peer = peer;
	j->reply = reply;
	j->arg = arg;
	rj = readpool_submit(d->readers, job_work, job_done, j);
	if (!rj)
		free(j);
	return rj;
}
