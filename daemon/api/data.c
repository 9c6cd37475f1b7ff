/*
 * The adapter between the API and iiotd's model and store: everything the
 * data routes and the live stream show goes through here.  The model is
 * the capture thread's; the API reads the snapshot it holds (a->snap),
 * taken anew at the start of every request and live-stream tick so that
 * pointers into it stay valid for the whole request, and changes the
 * model through capture_call.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "capture/capture.h"
#include "core/iiotd.h"
#include "diag/diagsys.h"
#include "diag/health.h"
#include "diag/linkhist.h"
#include "model/model.h"
#include "store/store.h"

void api_snap_refresh(struct api *a)
{
	struct capsnap *s = a->d && a->d->capture ?
			    capture_snapshot(a->d->capture) : NULL;

	capsnap_put(a->snap);
	a->snap = s;
}

static struct model *M(struct api *a)
{
	return a->snap ? a->snap->model : NULL;
}

void data_alias_add(struct api *a, json_t *o, const char *label_key,
		    const char *key)
{
	struct model *m = M(a);
	const char *l = json_string_value(json_object_get(o, label_key));
	const char *al = m && l ? model_alias_get(m, l) : NULL;

	if (al)
		json_object_set_new(o, key, json_string(al));
}

json_t *data_overview(struct api *a)
{
	struct model *m = M(a);
	size_t i, n = m ? model_device_count(m) : 0;
	json_t *kinds = json_object(), *lcs = json_object(), *o;

	for (i = 0; i < n; i++) {
		const struct model_device *d = model_device_at(m, i);
		const char *k = model_kind_name(d->kind), *l = model_lifecycle_name(d->lifecycle);

		json_object_set_new(kinds, k, json_integer(json_integer_value(json_object_get(kinds, k)) + 1));
		json_object_set_new(lcs, l, json_integer(json_integer_value(json_object_get(lcs, l)) + 1));
	}
	o = json_pack("{sI sI sI sI so so so}", "devices", (json_int_t)n,
		      "devices_online", (json_int_t)(m ? model_devices_online(m) : 0),
		      "links", (json_int_t)(m ? model_link_count(m) : 0),
		      "signals", (json_int_t)(m ? model_signal_count(m) : 0),
		      "by_kind", kinds, "by_lifecycle", lcs, "capture", data_capture(a));
	return o;
}

json_t *data_devices(struct api *a, struct model *m)
{
	size_t i, n = m ? model_device_count(m) : 0, nal;
	json_t *out = json_array(), *dj;
	struct alert *al = health_open_alerts(a->d->alerts, &nal);
	struct health h;

	for (i = 0; i < n; i++) {
		const struct model_device *d = model_device_at(m, i);

		dj = model_device_json(m, d);
		/* the list's column, sortable: the reasons are on the device */
		health_device(m, d, al, nal, &h);
		json_object_set_new(dj, "health", json_integer(h.score));
		json_object_set_new(dj, "health_grade", json_string(health_grade(h.score)));
		json_array_append_new(out, dj);
	}
	free(al);
	return json_pack("{so si}", "devices", out, "total", (int)n);
}

/* {"rx_errors_p0": id, ...}: an EtherCAT slave's error counters and DC
 * difference in the store (linkhist.h); NULL before its first sample */
static json_t *slave_series(struct model *m, const struct model_device *d)
{
	const struct model_device *ms = model_device_get(m, d->parent);
	uint8_t mac[6];
	unsigned int k;
	uint32_t id;
	json_t *o;

	if (!ms || !(d->has & MODEL_HAS_STATION))
		return NULL;
	memcpy(mac, ms->mac, 6);
	mac[0] &= (uint8_t)~0x02;	/* as diag keys its masters */
	if (!diagsys_slave_series(mac, d->station_addr, 0))
		return NULL;
	o = json_object();
	for (k = 0; k < LHS_COUNT; k++)
		if ((id = diagsys_slave_series(mac, d->station_addr, k)))
			json_object_set_new(o, linkhist_slave_metric_name(k),
					    json_integer(id));
	return o;
}

json_t *data_device(struct api *a, uint32_t id)
{
	struct model *m = M(a);
	const struct model_device *d = m ? model_device_get(m, id) : NULL;
	json_t *o, *links, *sigs, *health;
	size_t i;

	if (!d)
		return NULL;
	o = model_device_json(m, d);
	health = health_report(m, a->d->alerts, id);
	if (health) {
		json_t *e = json_array_get(json_object_get(health, "devices"), 0);

		/* with the reasons; the links' own scores by link id */
		json_object_set(o, "health", e);
		json_object_set(o, "links_health", json_object_get(health, "links"));
		json_decref(health);
	}
	links = data_links(m, id);
	sigs = data_signals(a, id);
	json_object_set_new(o, "links", json_incref(json_object_get(links, "links")));
	json_object_set_new(o, "signals", json_incref(json_object_get(sigs, "signals")));
	json_decref(links);
	json_decref(sigs);
	if (d->kind == MODEL_DEV_ECAT_MASTER) {
		json_t *chain = json_array();

		/* the slaves behind this master, in ring order: the topology */
		for (i = 0; i < model_device_count(m); i++) {
			const struct model_device *s = model_device_at(m, i);

			char name[MODEL_NAME_MAX] = "";

			if (s->parent != d->id)
				continue;
			model_ecat_product_name(s, name, sizeof(name));
			json_array_append_new(chain, json_pack("{si si sb ss ss}", "id", (int)s->id,
				"ring_pos", s->ring_pos, "online", s->online,
				"al_state", (s->has & MODEL_HAS_AL) ?
				model_al_state_name(s->al_state) : "", "product", name));
		}
		json_object_set_new(o, "chain", chain);
	}
	if (d->kind == MODEL_DEV_ECAT_SLAVE) {
		json_t *ser = slave_series(m, d);

		if (ser)
			json_object_set_new(o, "diag_series", ser);
	}
	return o;
}

static bool hist_row(void *arg, const struct store_history *h)
{
	json_array_append_new(arg, json_pack("{sI ss ss}", "ts_ms", (json_int_t)(h->ts_ns / 1000000),
					     "event", h->event ? h->event : "",
					     "detail", h->detail ? h->detail : ""));
	return true;
}

void api_job_json(struct api_job *j, json_t *o)
{
	j->body = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	j->status = j->body ? 200 : 500;
	j->len = j->body ? strlen(j->body) : 0;
}

struct history_job {
	struct api_job j;
	char label[96];
	int limit;
};

/* On a reader thread. */
static void history_work(struct api_job *j, struct sqlite3 *db, const char *err)
{
	struct history_job *hj = (struct history_job *)j;
	json_t *out = json_array();
	char e[256];

	(void)err;
	if (db && store_query_history(db, hj->label, (size_t)hj->limit, hist_row, out, e,
				      sizeof(e)) < 0) {
		json_decref(out);
		j->status = 500;
		j->why = "store query failed";
		return;
	}
	/* no database yet: no history yet */
	api_job_json(j, json_pack("{so}", "history", out));
}

struct api_job *data_history_job(struct api *a, uint32_t id, int limit)
{
	struct model *m = M(a);
	const struct model_device *d = m ? model_device_get(m, id) : NULL;
	struct history_job *hj;

	if (!d || !(hj = calloc(1, sizeof(*hj))))
		return NULL;
	hj->j.work = history_work;
	model_device_label(m, d, hj->label, sizeof(hj->label));
	hj->limit = limit;
	return &hj->j;
}

struct lc_call {
	struct model *m;
	uint32_t id;
	const char *state;
	char *why;
	size_t whylen;
	uint64_t now;
	int rc;
	const char *note;
};

/* On the capture thread, which owns the model. */
static void lc_call(void *arg)
{
	struct lc_call *c = arg;

	c->rc = model_set_lifecycle(c->m, c->id, c->state, c->note, c->now, c->why,
				    c->whylen);
}

int data_lifecycle(struct api *a, uint32_t id, const char *state, const char *who,
		   char *why, size_t whylen)
{
	static const int code[] = {
		[MODEL_LC_OK] = 200, [MODEL_LC_NO_DEVICE] = 404,
		[MODEL_LC_BAD_STATE] = 400, [MODEL_LC_REFUSED] = 409,
	};
	struct lc_call c = { a->d ? a->d->model : NULL, id, state, why, whylen, 0, 0, NULL };
	char note[300];
	struct timespec ts;

	if (!c.m) {
		snprintf(why, whylen, "no such device");
		return 404;
	}
	/* the history names who moved it, as the audit log does */
	snprintf(note, sizeof(note), "by %s", who);
	c.note = note;
	clock_gettime(CLOCK_REALTIME, &ts);
	c.now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	capture_call(a->d->capture, lc_call, &c);
	/* the reply shows the move: capture_call published it */
	api_snap_refresh(a);
	return code[c.rc];
}

/* {"period_us": id, ...}: the link's history in the store, read as
 * /signals/{id}/samples; NULL before its first sample */
static json_t *link_series(struct model *m, const struct model_link *l)
{
	json_t *o;
	unsigned int k;

	if (!diagsys_series(m, l, 0))
		return NULL;
	o = json_object();
	for (k = 0; k < LH_COUNT; k++)
		if (l->kind == MODEL_LINK_ECAT || k != LH_WKC_ERRORS)
			json_object_set_new(o, linkhist_metric_name(k),
					    json_integer(diagsys_series(m, l, k)));
	return o;
}

json_t *data_links(struct model *m, uint32_t device)
{
	json_t *all = m ? model_links_json(m) : json_array(), *out = json_array(), *l, *ser;
	size_t i;

	json_array_foreach(all, i, l) {
		if (device && json_integer_value(json_object_get(l, "src")) != device &&
		    json_integer_value(json_object_get(l, "dst")) != device)
			continue;
		/* model_links_json is in model_link_at order */
		ser = m ? link_series(m, model_link_at(m, i)) : NULL;
		if (ser)
			json_object_set_new(l, "series", ser);
		json_array_append(out, l);
	}
	json_decref(all);
	return json_pack("{so}", "links", out);
}

json_t *data_signals(struct api *a, uint32_t device)
{
	struct model *m = M(a);
	json_t *all = m ? model_signals_json(m) : json_array(), *out = json_array(), *s;
	const struct model_device *d = device && m ? model_device_get(m, device) : NULL;
	int any_master = d && d->kind == MODEL_DEV_ECAT_MASTER;
	size_t i;

	json_array_foreach(all, i, s) {
		/* "ecat" signals (any master) belong to whichever master is shown */
		if (device && json_integer_value(json_object_get(s, "device_id")) != device &&
		    !(any_master && !json_integer_value(json_object_get(s, "device_id")) &&
		      !strcmp(json_string_value(json_object_get(s, "device")) ?: "", "ecat")))
			continue;
		json_array_append(out, s);
	}
	json_decref(all);
	return json_pack("{so}", "signals", out);
}

static bool point(void *arg, const struct store_point *p)
{
	json_array_append_new(arg, json_pack("[I f f f I]", (json_int_t)(p->ts_ns / 1000000),
					     p->min, p->max, p->avg, (json_int_t)p->count));
	return true;
}

struct samples_job {
	struct api_job j;
	uint32_t signal;
	int64_t from_ms, to_ms;
	enum store_rollup ro;
	int max_points;
	char unit[sizeof(((struct model_signal *)0)->unit)];
};

/* On a reader thread: at most max_points points, so a long history is paged by range. */
static void samples_work(struct api_job *j, struct sqlite3 *db, const char *err)
{
	struct samples_job *sj = (struct samples_job *)j;
	json_t *pts = json_array();
	char e[256];

	(void)err;
	if (db && store_query_samples(db, sj->signal, (uint64_t)sj->from_ms * 1000000,
				      (uint64_t)sj->to_ms * 1000000, sj->ro,
				      (size_t)sj->max_points, point, pts, e, sizeof(e)) < 0) {
		json_decref(pts);
		j->status = 500;
		j->why = "store query failed";
		return;
	}
	api_job_json(j, json_pack("{sI ss sI sI s[ssssss] so}", "signal", (json_int_t)sj->signal,
				"unit", sj->unit, "from_ms", (json_int_t)sj->from_ms,
				"to_ms", (json_int_t)sj->to_ms, "columns", "ts_ms", "min", "max",
				"avg", "count", "", "points", pts));
}

struct api_job *data_samples_job(struct api *a, uint32_t signal, int64_t from_ms, int64_t to_ms,
				 const char *rollup, int max_points, const char **why)
{
	struct model *m = M(a);
	struct model_signal tmp;
	const struct model_signal *s = m ? model_signal_get(m, signal, &tmp) : NULL;
	const char *lhu = diagsys_series_unit(signal);
	enum store_rollup ro = STORE_AUTO;
	struct samples_job *sj;
	const char *unit;

	/* a mapped signal, or a link's history (linkhist.h) */
	if (!s && !lhu) {
		*why = "no such signal";
		return NULL;
	}
	unit = s ? s->unit : lhu;
	if (rollup) {
		if (!strcmp(rollup, "raw"))
			ro = STORE_RAW;
		else if (!strcmp(rollup, "1s"))
			ro = STORE_1S;
		else if (!strcmp(rollup, "1m"))
			ro = STORE_1M;
		else if (strcmp(rollup, "auto")) {
			*why = "rollup: raw, 1s, 1m or auto";
			return NULL;
		}
	}
	/* without a range: the ten minutes up to the newest sample */
	if (!to_ms)
		to_ms = s && s->last_ns ? (int64_t)(s->last_ns / 1000000) + 1 : auth_now_ms();
	if (!from_ms)
		from_ms = to_ms - 600000;
	if (from_ms >= to_ms) {
		*why = "from must be before to";
		return NULL;
	}
	sj = calloc(1, sizeof(*sj));
	if (!sj) {
		*why = "out of memory";
		return NULL;
	}
	sj->j.work = samples_work;
	sj->signal = signal;
	sj->from_ms = from_ms;
	sj->to_ms = to_ms;
	sj->ro = ro;
	sj->max_points = max_points;
	snprintf(sj->unit, sizeof(sj->unit), "%s", unit);
	return &sj->j;
}

json_t *data_capture(struct api *a)
{
	struct model *m = M(a);
	json_t *o = json_object();

	if (m)
		json_object_set_new(o, "model", model_counters_json(m));
	if (a->snap) {
		json_object_set_new(o, "rings", capsnap_rings_json(a->snap));
		json_object_set_new(o, "counters", capsnap_counters_json(a->snap));
	}
	if (a->d && a->d->store) {
		struct store_counters c;
		json_t *s = json_object();

		store_get_counters(a->d->store, &c);
#define X(n, d) json_object_set_new(s, #n, json_integer((json_int_t)c.n));
		STORE_COUNTERS(X)
#undef X
		json_object_set_new(s, "disk_bytes", json_integer((json_int_t)store_disk_bytes(a->d->store)));
		json_object_set_new(o, "store", s);
	}
	return o;
}

json_t *data_live(struct api *a)
{
	struct model *m = M(a);
	json_t *devs = json_array(), *sigs = json_array(), *links = json_array(), *o;
	size_t i, n;

	n = m ? model_device_count(m) : 0;
	for (i = 0; i < n; i++) {
		const struct model_device *d = model_device_at(m, i);

		json_array_append_new(devs, json_pack("[i b I I]", (int)d->id, d->online,
						      (json_int_t)d->frames, (json_int_t)d->errors));
	}
	n = m ? model_signal_count(m) : 0;
	for (i = 0; i < n && i < 4096; i++) {
		struct model_signal tmp;
		const struct model_signal *s = model_signal_at(m, i, &tmp);

		if (s->last_ns)
			json_array_append_new(sigs, json_pack("[i i f I]", (int)s->id, (int)s->dev_id,
							      s->last, (json_int_t)(s->last_ns / 1000000)));
	}
	n = m ? model_link_count(m) : 0;
	for (i = 0; i < n; i++) {
		const struct model_link *l = model_link_at(m, i);

		json_array_append_new(links, json_pack("[i i f f f I I]", (int)l->id, (int)l->src,
			(double)l->period_ns / 1000.0, (double)l->jitter_p99_ns / 1000.0,
			(double)l->jitter_max_ns / 1000.0, (json_int_t)l->frames, (json_int_t)l->lost));
	}
	o = json_pack("{sI so so so}", "ts_ms", (json_int_t)auth_now_ms(), "devices", devs,
		      "signals", sigs, "links", links);
	if (m)
		json_object_set_new(o, "counters", model_counters_json(m));
	return o;
}

struct capsnap *data_job_snapshot(struct api_job *j)
{
	struct iiotd *d = j->api->d;

	return d && d->capture ? capture_snapshot(d->capture) : NULL;
}
