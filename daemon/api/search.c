/*
 * GET /api/v1/search?q=: the top bar's search across devices (label,
 * alias, station name, MAC, IP), signals (name, unit, device) and open alerts
 * (rule, device label, detail), case-insensitive substring, at most
 * SEARCH_MAX of each kind, the newest snapshot's model.  A device read
 * permission gates the route; alerts are left out for a role that may not
 * read them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alerts/alerts.h"
#include "api/api.h"
#include "api/parse.h"
#include "auth/auth.h"
#include "capture/capture.h"
#include "core/iiotd.h"
#include "diag/health.h"
#include "model/model.h"

#define SEARCH_MAX	20
#define SEARCH_Q_MAX	64

static bool has(const char *hay, const char *q)
{
	return hay && strcasestr(hay, q) != NULL;
}

static void ip_str(char *buf, size_t size, uint32_t ip)
{
	snprintf(buf, size, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
		 (ip >> 8) & 255, ip & 255);
}

static json_t *devices(struct model *m, const char *q)
{
	json_t *out = json_array();
	size_t i, n = m ? model_device_count(m) : 0;
	char label[MODEL_LABEL_MAX], mac[18], ip[16];
	const char *alias;
	json_t *o;

	for (i = 0; i < n && json_array_size(out) < SEARCH_MAX; i++) {
		const struct model_device *d = model_device_at(m, i);

		model_device_label(m, d, label, sizeof(label));
		alias = model_alias_get(m, label);
		snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
			 d->mac[0], d->mac[1], d->mac[2], d->mac[3], d->mac[4],
			 d->mac[5]);
		ip_str(ip, sizeof(ip), d->ip);
		if (!has(label, q) && !has(alias, q) &&
		    !has(d->station_name, q) &&
		    !(d->has & MODEL_HAS_MAC && has(mac, q)) &&
		    !(d->ip && has(ip, q)))
			continue;
		o = json_pack("{sI ss ss}", "id", (json_int_t)d->id, "label",
			      label, "kind", model_kind_name(d->kind));
		if (alias)
			json_object_set_new(o, "alias", json_string(alias));
		json_array_append_new(out, o);
	}
	return out;
}

static json_t *signals(struct model *m, const char *q)
{
	json_t *all = m ? model_signals_json(m) : json_array(), *out = json_array(), *s;
	size_t i;

	json_array_foreach(all, i, s) {
		if (json_array_size(out) >= SEARCH_MAX)
			break;
		if (has(json_string_value(json_object_get(s, "name")), q) ||
		    has(json_string_value(json_object_get(s, "unit")), q) ||
		    has(json_string_value(json_object_get(s, "device")), q))
			json_array_append_new(out, json_pack("{sO sO sO sO}",
				"id", json_object_get(s, "id"),
				"name", json_object_get(s, "name"),
				"unit", json_object_get(s, "unit"),
				"device_id", json_object_get(s, "device_id")));
	}
	json_decref(all);
	return out;
}

static json_t *alerts(struct api *a, const char *q)
{
	json_t *out = json_array();
	struct alert *al;
	size_t i, n;

	al = health_open_alerts(a->d->alerts, &n);
	for (i = 0; i < n && json_array_size(out) < SEARCH_MAX; i++) {
		const struct alert *x = &al[i];
		const char *rule = alert_rule(x->rule)->id;
		const char *alias = a->snap && a->snap->model ?
			model_alias_get(a->snap->model, x->label) : NULL;
		json_t *o;

		if (!has(rule, q) && !has(x->label, q) && !has(alias, q) &&
		    !has(x->detail, q))
			continue;
		o = json_pack("{sI ss ss ss sI}", "id", (json_int_t)x->id,
			      "rule", rule, "severity",
			      alert_severity_name(x->severity), "label",
			      x->label, "device", (json_int_t)x->device);
		if (alias)
			json_object_set_new(o, "device_alias",
					    json_string(alias));
		json_array_append_new(out, o);
	}
	free(al);
	return out;
}

void h_search(struct rq *r)
{
	struct model *m = r->api->snap ? r->api->snap->model : NULL;
	char q[SEARCH_Q_MAX + 1];
	int rc = query_get(r->query, "q", q, sizeof(q));
	size_t i;

	if (rc) {
		api_error(r, 400, rc > 0 ? "q is required" : "q: at most 64 characters");
		return;
	}
	for (i = 0; q[i]; i++)
		if ((unsigned char)q[i] < 0x20 || q[i] == 0x7f) {
			api_error(r, 400, "q: no control characters");
			return;
		}
	if (!q[0]) {
		api_error(r, 400, "q is required");
		return;
	}
	api_reply(r, 200, json_pack("{ss so so so}", "q", q, "devices",
		devices(m, q), "signals", signals(m, q), "alerts",
		role_has(r->role, PERM_ALERT_READ) ? alerts(r->api, q) : json_array()));
}
