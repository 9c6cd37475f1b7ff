/*
 * Fleet mode (docs/north.md, "Fleet mode"): the sites, their IPCs (edge
 * nodes) and devices from the host application's inventory, a metric's
 * history from PostgreSQL.  503 when fleet mode is off, but the list of
 * sites, which says enabled: false.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"
#include "auth/auth.h"
#include "fleet/fleet.h"
#include "north/spb.h"

static struct fleet *fleet_on(struct rq *r)
{
	struct fleet *f = fleet_current();

	if (!f)
		api_error(r, 503, "fleet mode is off ([fleet] broker)");
	return f;
}

/* 200 even when off: the web UI asks on every sign-in whether to show
 * the site selector, and a 503 would be a console error each time */
void h_fleet_sites(struct rq *r)
{
	struct fleet *f = fleet_current();

	api_reply(r, 200, json_pack("{s:b, s:o}", "enabled", f != NULL, "sites",
				    f ? fleet_sites_json(f) : json_array()));
}

void h_fleet_nodes(struct rq *r)
{
	struct fleet *f = fleet_on(r);
	json_t *a;

	if (!f)
		return;
	if (!(a = fleet_nodes_json(f, r->param[0]))) {
		api_error(r, 404, "no such site");
		return;
	}
	api_reply(r, 200, json_pack("{s:s, s:o}", "group", r->param[0],
				    "nodes", a));
}

void h_fleet_devices(struct rq *r)
{
	struct fleet *f = fleet_on(r);
	json_t *a;

	if (!f)
		return;
	if (!(a = fleet_devices_json(f, r->param[0], r->param[1]))) {
		api_error(r, 404, "no such node");
		return;
	}
	api_reply(r, 200, json_pack("{s:s, s:s, s:o}", "group", r->param[0],
				    "edge", r->param[1], "devices", a));
}

/* ?metric=NAME[&device=DEV][&from=MS&to=MS][&limit=N]: oldest first */
void h_fleet_metrics(struct rq *r)
{
	struct fleet *f = fleet_on(r);
	char dev[SPB_NAME_MAX], metric[SPB_NAME_MAX], why[256];
	int64_t now = auth_now_ms(), from, to, lim;
	json_t *a;
	int d;

	if (!f)
		return;
	d = query_get(r->query, "device", dev, sizeof(dev));
	if (d < 0 || query_get(r->query, "metric", metric, sizeof(metric)) ||
	    !metric[0] ||
	    query_int(r->query, "from", 0, INT64_MAX, now - 3600000, &from) ||
	    query_int(r->query, "to", 0, INT64_MAX, now + 60000, &to) ||
	    query_int(r->query, "limit", 1, 100000, 1000, &lim) || from >= to) {
		api_error(r, 400, "metric=NAME required; device, from < to (ms),"
			  " limit 1-100000");
		return;
	}
	if (d)
		dev[0] = 0;
	a = fleet_history_json(f, r->param[0], r->param[1], dev, metric, from, to,
			       (unsigned int)lim, why, sizeof(why));
	if (!a) {
		api_error(r, strcmp(why, "no such node") ? 503 : 404, why);
		return;
	}
	api_reply(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:o}", "group",
				    r->param[0], "edge", r->param[1], "device", dev,
				    "metric", metric, "rows", a));
}
