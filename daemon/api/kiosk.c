/*
 * A kiosk token's scope (docs/web.md "Kiosk"): a wall screen shows one
 * shared dashboard, so its token reads that dashboard and what its
 * widgets show, nothing else of device.read and alert.read — a leaked
 * wall-screen token then tells no more than the screen does.  The token
 * is bound to the dashboard when an admin makes it (POST /tokens, or PUT
 * /tokens/{id} later); the scope is read from the dashboard as it is now,
 * so an edit widens or narrows it at once.
 *
 *	dashboard		GET /dashboards/{its id}
 *	chart, value, gauge,	GET /signals (only those), GET /signals/{id}/
 *	lamp			samples (only those)
 *	devices			GET /devices
 *	alerts			GET /alerts
 *	oee			GET /oee
 *	any			GET /events (the live stream the widgets draw)
 *
 * The live stream carries the same: the signals its widgets show, the
 * devices' live state with a devices or topology widget (the topology
 * widget counts the online ones from it), alert events with an alerts
 * widget; never the links or the decoder's counters (no widget shows
 * them).  Its scope is read again at each snapshot, as the REST reads
 * read it at each request.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/dashdoc.h"
#include "auth/dashdb.h"

#define KIOSK_MAX_SIGS	(DASH_MAX_WIDGETS * DASH_MAX_SIGNALS)

struct scope {
	unsigned int devices : 1, alerts : 1, oee : 1, topology : 1;
	size_t n;
	int64_t sig[KIOSK_MAX_SIGS];
};

static void add_sig(struct scope *s, json_t *v)
{
	if (json_is_integer(v) && s->n < KIOSK_MAX_SIGS)
		s->sig[s->n++] = json_integer_value(v);
}

/* what dashboard id shows: 0, or -1 when it is gone or no longer shared */
static int scope_load(struct api *a, int64_t id, struct scope *s)
{
	struct dash_row d;
	json_t *doc, *w, *v;
	size_t i, j;

	memset(s, 0, sizeof(*s));
	if (!id || dash_get(a->db, id, &d))
		return -1;
	doc = d.share[0] ? json_loads(d.doc, 0, NULL) : NULL;
	free(d.doc);
	if (!doc)
		return -1;
	json_array_foreach(json_object_get(doc, "widgets"), i, w) {
		const char *type = json_string_value(json_object_get(w, "type"));

		if (!type)
			continue;
		s->devices |= !strcmp(type, "devices");
		s->alerts |= !strcmp(type, "alerts");
		s->oee |= !strcmp(type, "oee");
		s->topology |= !strcmp(type, "topology");
		add_sig(s, json_object_get(w, "signal"));
		json_array_foreach(json_object_get(w, "signals"), j, v)
			add_sig(s, v);
	}
	json_decref(doc);
	return 0;
}

static bool shows(const struct scope *s, int64_t sig)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->sig[i] == sig)
			return true;
	return false;
}

static int refuse(struct rq *r, const char *what)
{
	char why[160];

	snprintf(why, sizeof(why), "a kiosk token reads only what its "
		 "dashboard %lld shows: %s", (long long)r->kiosk_dash, what);
	api_error(r, 403, why);
	return -1;
}

int kiosk_gate(struct rq *r, const char *pattern)
{
	struct scope s;
	char *end;

	if (!r->kiosk_dash)
		return refuse(r, "bound to no dashboard (an admin binds it: "
			      "PUT /tokens/{id} {\"dashboard\": ID})");
	if (scope_load(r->api, r->kiosk_dash, &s))
		return refuse(r, "it is gone or no longer shared");
	if (!strcmp(pattern, "/api/v1/events"))
		return 0;	/* narrowed per snapshot: kiosk_live */
	if (!strcmp(pattern, "/api/v1/dashboards/{}"))
		return strtoll(r->param[0], &end, 10) == r->kiosk_dash && !*end ?
		       0 : refuse(r, "not this dashboard");
	if (!strcmp(pattern, "/api/v1/signals"))
		return s.n ? 0 : refuse(r, "no signals");
	if (!strcmp(pattern, "/api/v1/signals/{}/samples"))
		return shows(&s, strtoll(r->param[0], &end, 10)) && !*end ?
		       0 : refuse(r, "not this signal");
	if (!strcmp(pattern, "/api/v1/devices"))
		return s.devices ? 0 : refuse(r, "no device list");
	if (!strcmp(pattern, "/api/v1/alerts"))
		return s.alerts ? 0 : refuse(r, "no alert list");
	if (!strcmp(pattern, "/api/v1/oee"))
		return s.oee ? 0 : refuse(r, "no OEE");
	return refuse(r, "not this route");
}

void kiosk_signals(struct rq *r, json_t *reply)
{
	json_t *list = json_object_get(reply, "signals"), *v;
	struct scope s;
	size_t i;

	if (scope_load(r->api, r->kiosk_dash, &s))
		s.n = 0;
	for (i = json_array_size(list); i-- > 0;) {
		v = json_object_get(json_array_get(list, i), "id");
		if (!shows(&s, json_integer_value(v)))
			json_array_remove(list, i);
	}
}

int kiosk_dashboard(struct rq *r, int64_t *id)
{
	json_t *v = json_object_get(r->body, "dashboard");
	struct dash_row d;
	int shared = 0;

	*id = json_is_integer(v) ? json_integer_value(v) : 0;
	if (*id > 0 && !dash_get(r->api->db, *id, &d)) {
		shared = d.share[0] != 0;
		free(d.doc);
	}
	if (!shared) {
		api_error(r, 400, "dashboard: the id of a shared dashboard "
			  "(a kiosk token reads only what it shows)");
		return -1;
	}
	return 0;
}

json_t *kiosk_live(struct api *a, int64_t dash, json_t *live)
{
	json_t *sigs = json_array(), *v, *o;
	struct scope s;
	size_t i;

	if (!sigs || scope_load(a, dash, &s)) {
		json_decref(sigs);
		return NULL;
	}
	json_array_foreach(json_object_get(live, "signals"), i, v)
		if (shows(&s, json_integer_value(json_array_get(v, 0))))
			json_array_append(sigs, v);
	v = s.devices || s.topology ? json_object_get(live, "devices") : NULL;
	o = json_pack("{s:O, s:o, s:o, s:o}", "ts_ms",
		      json_object_get(live, "ts_ms"), "signals", sigs, "devices",
		      v ? json_incref(v) : json_array(), "links", json_array());
	return o;
}

bool kiosk_event(struct api *a, int64_t dash, const char *event)
{
	struct scope s;

	return !scope_load(a, dash, &s) && !strcmp(event, "alert") && s.alerts;
}
