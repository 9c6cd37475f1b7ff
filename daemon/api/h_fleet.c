/*
 * Fleet mode (docs/north.md, "Fleet mode"): the sites, their IPCs (edge
 * nodes) and devices from the host application's inventory, a metric's
 * history from PostgreSQL (on a render thread).  503 when fleet mode is
 * off, but the list of sites, which says enabled: false.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* A metric's history from PostgreSQL, on a render thread: the query may
 * take up to the statement timeout and the event loop must not wait. */
struct fleet_hist_job {
	struct api_job j;
	struct fleet *f;
	char group[SPB_NAME_MAX], edge[SPB_NAME_MAX];
	char dev[SPB_NAME_MAX], metric[SPB_NAME_MAX];
	int64_t from, to;
	unsigned int limit;
	char why[256];
};

/* On the loop, when the query failed: its reason, 404 for an unknown node. */
static void fleet_hist_refuse(struct api_job *j, struct rq *r)
{
	struct fleet_hist_job *h = (struct fleet_hist_job *)j;

	api_error(r, strcmp(h->why, "no such node") ? 503 : 404, h->why);
}

/* The answer is rendered here, so a client gone meanwhile leaks nothing:
 * held.c frees a cancelled job's body with it. */
static void fleet_hist_work(struct api_job *j, struct sqlite3 *db,
			    const char *err)
{
	struct fleet_hist_job *h = (struct fleet_hist_job *)j;
	json_t *rows = fleet_history_json(h->f, h->group, h->edge, h->dev,
					  h->metric, h->from, h->to, h->limit,
					  h->why, sizeof(h->why));

	(void)db;
	(void)err;
	if (!rows) {
		j->reply = fleet_hist_refuse;
		return;
	}
	api_job_json(j, json_pack("{s:s, s:s, s:s, s:s, s:o}", "group",
				  h->group, "edge", h->edge, "device", h->dev,
				  "metric", h->metric, "rows", rows));
}

/* ?metric=NAME[&device=DEV][&from=MS&to=MS][&limit=N]: oldest first */
void h_fleet_metrics(struct rq *r)
{
	struct fleet *f = fleet_on(r);
	struct fleet_hist_job *h;
	int64_t now = auth_now_ms(), lim;
	int d;

	if (!f)
		return;
	if (!(h = calloc(1, sizeof(*h)))) {
		api_error(r, 500, "out of memory");
		return;
	}
	d = query_get(r->query, "device", h->dev, sizeof(h->dev));
	if (d < 0 ||
	    query_get(r->query, "metric", h->metric, sizeof(h->metric)) ||
	    !h->metric[0] ||
	    query_int(r->query, "from", 0, INT64_MAX, now - 3600000,
		      &h->from) ||
	    query_int(r->query, "to", 0, INT64_MAX, now + 60000, &h->to) ||
	    query_int(r->query, "limit", 1, 100000, 1000, &lim) ||
	    h->from >= h->to) {
		free(h);
		api_error(r, 400, "metric=NAME required; device, from < to (ms),"
			  " limit 1-100000");
		return;
	}
	if (d)
		h->dev[0] = 0;
	h->f = f;
	h->limit = (unsigned int)lim;
	snprintf(h->group, sizeof(h->group), "%s", r->param[0]);
	snprintf(h->edge, sizeof(h->edge), "%s", r->param[1]);
	h->j.work = fleet_hist_work;
	h->j.no_db = true;
	api_defer(r, &h->j);	/* answers 503 itself when the pool is full */
}
