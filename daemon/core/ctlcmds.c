/* status, devices, device, links, signals, stats, history as JSON. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "capture/capture.h"
#include "core/ctlcmds.h"
#include "core/ctlproto.h"
#include "core/ctlsock.h"
#include "core/iiotd.h"
#include "libshm.h"
#include "model/model.h"
#include "store/store.h"

static json_t *ok(void)
{
	return json_pack("{s:b}", "ok", 1);
}

static json_t *fail(const char *why)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", why);
}

static json_t *store_json(struct store *s)
{
	struct store_counters c;
	json_t *o = json_object();

	if (!s)
		return o;
	store_get_counters(s, &c);
	json_object_set_new(o, "path", json_string(store_path(s)));
	json_object_set_new(o, "disk_bytes",
			    json_integer((json_int_t)store_disk_bytes(s)));
#define STORE_X_JSON(n, dsc) \
	json_object_set_new(o, #n, json_integer((json_int_t)c.n));
	STORE_COUNTERS(STORE_X_JSON)
#undef STORE_X_JSON
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

static json_t *status(struct iiotd *d)
{
	json_t *o = ok();
	uint64_t now = shm_now_ns();

	json_object_set_new(o, "version", json_string(IIOTD_VERSION));
	json_object_set_new(o, "pid", json_integer(getpid()));
	json_object_set_new(o, "uid", json_integer(geteuid()));
	json_object_set_new(o, "uptime_s", json_integer(
		(json_int_t)((now - d->start_ns) / 1000000000ULL)));
	json_object_set_new(o, "config", json_string(
		d->conf_path ? d->conf_path : "(embedded defaults)"));
	if (d->model) {
		json_object_set_new(o, "devices", json_integer(
			(json_int_t)model_device_count(d->model)));
		json_object_set_new(o, "online", json_integer(
			(json_int_t)model_devices_online(d->model)));
		json_object_set_new(o, "links", json_integer(
			(json_int_t)model_link_count(d->model)));
		json_object_set_new(o, "signals", json_integer(
			(json_int_t)model_signal_count(d->model)));
	}
	if (d->capture) {
		struct capture_counters c;

		capture_get_counters(d->capture, &c);
		json_object_set_new(o, "frames",
				    json_integer((json_int_t)c.frames));
		json_object_set_new(o, "rings", capture_rings_json(d->capture));
	}
	if (d->store) {
		json_object_set_new(o, "db", json_string(store_path(d->store)));
		json_object_set_new(o, "db_bytes", json_integer(
			(json_int_t)store_disk_bytes(d->store)));
	}
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

static json_t *history(struct iiotd *d, const char *label, size_t limit)
{
	struct hist_ctx c = { json_array() };
	char err[256];

	if (!d->store) {
		json_decref(c.a);
		return fail("no store");
	}
	/* what the writer holds in memory first, so a reader sees it */
	store_flush(d->store);
	if (store_query_history(store_path(d->store), label, limit, hist_cb,
				&c, err, sizeof(err)) < 0) {
		json_decref(c.a);
		return fail(err);
	}
	return c.a;
}

static json_t *device(struct iiotd *d, const char *key)
{
	const struct model_device *dev;
	json_t *o, *links, *h;
	char label[80];
	size_t i;

	dev = model_device_find(d->model, key);
	if (!dev)
		return fail("no such device");
	o = ok();
	json_object_set_new(o, "device", model_device_json(d->model, dev));
	links = json_array();
	for (i = 0; i < model_link_count(d->model); i++) {
		const struct model_link *l = model_link_at(d->model, i);

		if (l->src == dev->id || l->dst == dev->id ||
		    (dev->parent && l->src == dev->parent))
			json_array_append_new(links, json_integer(l->id));
	}
	json_object_set_new(o, "links", links);
	model_device_label(d->model, dev, label, sizeof(label));
	h = history(d, label, 20);
	if (json_is_array(h))
		json_object_set_new(o, "history", h);
	else
		json_decref(h);
	return o;
}

json_t *ctlcmd_answer(struct iiotd *d, const struct ctl_req *req)
{
	json_t *o, *h;

	if (!d->model && req->verb != CTL_STATUS && req->verb != CTL_STATS)
		return fail("model not running");
	switch (req->verb) {
	case CTL_STATUS:
		return status(d);
	case CTL_DEVICES:
		o = ok();
		json_object_set_new(o, "devices", model_devices_json(d->model));
		return o;
	case CTL_DEVICE:
		return device(d, req->arg);
	case CTL_LINKS:
		o = ok();
		json_object_set_new(o, "links", model_links_json(d->model));
		return o;
	case CTL_SIGNALS:
		o = ok();
		json_object_set_new(o, "signals", model_signals_json(d->model));
		return o;
	case CTL_STATS:
		o = ok();
		if (d->capture) {
			json_object_set_new(o, "capture",
					    capture_counters_json(d->capture));
			json_object_set_new(o, "rings",
					    capture_rings_json(d->capture));
		}
		if (d->model) {
			json_object_set_new(o, "model",
					    model_counters_json(d->model));
			json_object_set_new(o, "links",
					    model_links_json(d->model));
		}
		json_object_set_new(o, "store", store_json(d->store));
		json_object_set_new(o, "ctl", ctl_json(d->ctl));
		return o;
	case CTL_HISTORY:
		h = history(d, req->arg[0] ? req->arg : NULL, req->num);
		if (!json_is_array(h))
			return h;
		o = ok();
		json_object_set_new(o, "history", h);
		return o;
	default:
		return fail("request not handled here");
	}
}
