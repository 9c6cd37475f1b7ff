/* Devices, links, signals, samples and capture status. */
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "api/api.h"
#include "api/devquery.h"
#include "api/parse.h"
#include "capture/capture.h"
#include "core/devalias.h"

static int id_param(struct rq *r, uint32_t *id)
{
	char *end;
	long v = strtol(r->param[0], &end, 10);

	if (*end || v <= 0 || v > 0x7fffffff) {
		api_error(r, 400, "id must be a positive integer");
		return -1;
	}
	*id = (uint32_t)v;
	return 0;
}

void h_overview(struct rq *r)
{
	api_reply(r, 200, data_overview(r->api));
}

/*
 * Many dashboards poll the same list: one rendering serves every request
 * with the same query for DEVICES_CACHE_MS (the UI's live updates come
 * through the event stream, not this list).
 */
#define DEVICES_CACHE_MS 250

static struct {
	char key[PARSE_MAX_QUERY + 1];
	char *json;
	size_t len;
	int64_t at;
} cache;

struct devices_job {
	struct api_job j;
	struct devquery dq;
	char key[PARSE_MAX_QUERY + 1];
};

/* On a reader thread: the list (or its CSV) from the newest snapshot. */
static void devices_work(struct api_job *j, struct sqlite3 *db, const char *err)
{
	struct devices_job *dj = (struct devices_job *)j;
	struct capsnap *snap = data_job_snapshot(j);
	json_t *all, *o;

	(void)db;
	(void)err;
	all = data_devices(j->api, snap ? snap->model : NULL);
	o = all ? devquery_apply(json_object_get(all, "devices"), &dj->dq) : NULL;
	json_decref(all);
	capsnap_put(snap);
	j->why = "cannot render the device list";
	if (!o || !dj->dq.csv) {
		api_job_json(j, o);
		return;
	}
	j->body = devquery_csv(json_object_get(o, "devices"), &j->len);
	json_decref(o);
	j->status = j->body ? 200 : 500;
}

/* The export: a file the browser saves, named after what it holds. */
static void reply_csv(struct rq *r, const char *csv, size_t len)
{
	struct evbuffer *b = evbuffer_new();

	if (!b || evbuffer_add(b, csv, len)) {
		if (b)
			evbuffer_free(b);
		api_error(r, 500, "cannot render the device list");
		return;
	}
	r->status = 200;
	http_headers(r->req, "text/csv; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Content-Disposition",
			  "attachment; filename=\"iiot-devices.csv\"");
	evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
	evhttp_send_reply(r->req, 200, "OK", b);
	evbuffer_free(b);
}

/* On the loop: the answer, kept for the next DEVICES_CACHE_MS. */
static void devices_reply(struct api_job *j, struct rq *r)
{
	struct devices_job *dj = (struct devices_job *)j;

	if (!j->body) {
		api_error(r, 500, j->why);
		return;
	}
	if (dj->dq.csv) {
		reply_csv(r, j->body, j->len);
		return;
	}
	free(cache.json);
	cache.json = j->body;
	cache.len = j->len;
	cache.at = auth_now_ms();
	snprintf(cache.key, sizeof(cache.key), "%s", dj->key);
	j->body = NULL;
	api_reply_bytes(r, 200, cache.json, cache.len);
}

void h_devices(struct rq *r)
{
	struct devices_job *dj;
	struct devquery dq;
	const char *key, *why = "";

	if (devquery_parse(r->query, &dq, &why)) {
		api_error(r, 400, why);
		return;
	}
	key = r->query ? r->query : "";
	if (!dq.csv && cache.json && auth_now_ms() - cache.at < DEVICES_CACHE_MS &&
	    !strcmp(cache.key, key)) {
		api_reply_bytes(r, 200, cache.json, cache.len);
		return;
	}
	if (strlen(key) >= sizeof(dj->key) || !(dj = calloc(1, sizeof(*dj)))) {
		api_error(r, 500, "cannot render the device list");
		return;
	}
	dj->j.work = devices_work;
	dj->j.no_db = true;
	dj->j.reply = devices_reply;
	dj->dq = dq;
	snprintf(dj->key, sizeof(dj->key), "%s", key);
	api_defer(r, &dj->j);
}

void h_device(struct rq *r)
{
	uint32_t id;
	json_t *o;

	if (id_param(r, &id))
		return;
	o = data_device(r->api, id);
	if (!o)
		api_error(r, 404, "no such device");
	else
		api_reply(r, 200, o);
}

void h_device_history(struct rq *r)
{
	struct api_job *j;
	int64_t limit;
	uint32_t id;

	if (id_param(r, &id))
		return;
	if (query_int(r->query, "limit", 1, 1000, 100, &limit)) {
		api_error(r, 400, "limit: 1-1000");
		return;
	}
	j = data_history_job(r->api, id, (int)limit);
	if (!j)
		api_error(r, 404, "no such device");
	else
		api_defer(r, j);
}

#define LIFECYCLE_REASON_MAX	200
#define LIFECYCLE_REASON_MAX_S	"200"

void h_device_lifecycle(struct rq *r)
{
	const char *state = body_str(r->body, "state", 16);
	const char *reason = body_str(r->body, "reason", LIFECYCLE_REASON_MAX);
	char why[256], by[LIFECYCLE_REASON_MAX + 48];
	uint32_t id;
	int code;

	snprintf(r->target, sizeof(r->target), "device %s", r->param[0]);
	if (id_param(r, &id))
		return;
	if (!state) {
		api_error(r, 400, "state is required");
		return;
	}
	if (json_object_get(r->body, "reason") && !reason) {
		api_error(r, 400, "reason: 1-" LIFECYCLE_REASON_MAX_S " characters, no control characters");
		return;
	}
	r->detail = json_pack("{ss}", "state", state);
	if (reason)
		json_object_set_new(r->detail, "reason", json_string(reason));
	/* the history says who and why, as iiotctl's "by WHO (ctl): REASON" */
	snprintf(by, sizeof(by), "%s%s%s", r->who, reason ? ": " : "", reason ? reason : "");
	code = data_lifecycle(r->api, id, state, by, why, sizeof(why));
	if (code != 200)
		api_error(r, code, why);
	else
		api_reply(r, 200, data_device(r->api, id));
}

/*
 * PATCH {"alias": TEXT}: the one field people may change; "" clears it.
 * The audit row says from what to what (core/devalias.c).
 */
void h_device_patch(struct rq *r)
{
	json_t *v = json_object_get(r->body, "alias");
	struct devalias out;
	uint32_t id;
	int code;

	snprintf(r->target, sizeof(r->target), "device %s", r->param[0]);
	if (id_param(r, &id))
		return;
	if (!json_is_string(v) || json_object_size(r->body) != 1) {
		api_error(r, 400, "the body is {\"alias\": TEXT}: the alias is "
			  "the only field that can be changed");
		return;
	}
	if (json_string_length(v) != strlen(json_string_value(v))) {
		api_error(r, 400, "alias: control character U+0000");
		return;
	}
	if (!r->api->d) {
		api_error(r, 404, "no such device");
		return;
	}
	code = devalias_set(r->api->d, r->param[0], json_string_value(v), r->who, &out);
	r->detail = json_pack("{ss}", "to", json_string_value(v));
	if (code == 200) {
		json_object_set_new(r->detail, "from", json_string(out.from));
		json_object_set_new(r->detail, "label", json_string(out.label));
	}
	if (code != 200) {
		json_object_set_new(r->detail, "error", json_string(out.why));
		api_error(r, code, out.why);
		return;
	}
	/* the reply shows the alias: capture_call published it */
	api_snap_refresh(r->api);
	api_reply(r, 200, data_device(r->api, id));
}

struct links_job {
	struct api_job j;
	uint32_t device;
};

/* On a reader thread: every link is a few hundred bytes of JSON. */
static void links_work(struct api_job *j, struct sqlite3 *db, const char *err)
{
	struct capsnap *snap = data_job_snapshot(j);
	json_t *o = data_links(snap ? snap->model : NULL, ((struct links_job *)j)->device);

	(void)db;
	(void)err;
	capsnap_put(snap);
	api_job_json(j, o);
}

void h_links(struct rq *r)
{
	struct links_job *lj;
	int64_t dev;

	if (query_int(r->query, "device", 1, 0x7fffffff, 0, &dev)) {
		api_error(r, 400, "device must be a device id");
		return;
	}
	if (!(lj = calloc(1, sizeof(*lj)))) {
		api_error(r, 500, "out of memory");
		return;
	}
	lj->j.work = links_work;
	lj->j.no_db = true;
	lj->device = (uint32_t)dev;
	api_defer(r, &lj->j);
}

void h_signals(struct rq *r)
{
	int64_t dev;
	json_t *o;

	if (query_int(r->query, "device", 1, 0x7fffffff, 0, &dev)) {
		api_error(r, 400, "device must be a device id");
		return;
	}
	o = data_signals(r->api, (uint32_t)dev);
	if (r->role == ROLE_KIOSK)
		kiosk_signals(r, o);
	api_reply(r, 200, o);
}

void h_samples(struct rq *r)
{
	int64_t from, to, maxp;
	char rollup[8];
	const char *why = "";
	int hr;
	uint32_t id;
	struct api_job *j;

	if (id_param(r, &id))
		return;
	hr = query_get(r->query, "rollup", rollup, sizeof(rollup));
	if (hr < 0 || query_int(r->query, "from", 0, INT64_MAX / 1000000, 0, &from) ||
	    query_int(r->query, "to", 0, INT64_MAX / 1000000, 0, &to) ||
	    query_int(r->query, "max_points", 1, 10000, 1000, &maxp)) {
		api_error(r, 400, "bad query: from, to (ms since the epoch), rollup, max_points (1-10000)");
		return;
	}
	j = data_samples_job(r->api, id, from, to, hr ? NULL : rollup, (int)maxp, &why);
	if (!j)
		api_error(r, strcmp(why, "no such signal") ? 400 : 404, why);
	else
		api_defer(r, j);
}

void h_capture(struct rq *r)
{
	api_reply(r, 200, data_capture(r->api));
}

void h_events(struct rq *r)
{
	sse_open(r);
}
