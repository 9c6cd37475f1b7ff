/*
 * Process analytics: the loaded rules, what is active, the anomaly
 * settings; the API rules (create, update, delete, versions, rollback,
 * check: analytics_rule_op), audited by the dispatcher with the rule's
 * name as target and its version in the detail.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "analytics/band_db.h"
#include "api/api.h"
#include "api/parse.h"
#include "auth/auth.h"
#include "core/iiotd.h"

static int running(struct rq *r)
{
	if (r->api->d->analytics)
		return 1;
	api_error(r, 503, "analytics is not running ([analytics] "
		  "enable = false)");
	return 0;
}

void h_analytics(struct rq *r)
{
	if (running(r))
		api_reply(r, 200, analytics_json(r->api->d->analytics));
}

static void op(struct rq *r, enum an_rule_op o, const char *name)
{
	const char *n;
	json_t *res;
	int status;

	if (!running(r))
		return;
	res = analytics_rule_op(r->api->d->analytics, o, name, r->body, r->who,
				auth_now_ms(), &status);
	n = name ? name : json_string_value(json_object_get(r->body, "name"));
	snprintf(r->target, sizeof(r->target), "rule %.100s", n ? n : "?");
	if (r->method != EVHTTP_REQ_GET && o != AN_OP_CHECK) {
		r->detail = json_object();
		if (json_object_get(res, "version"))
			json_object_set(r->detail, "version",
					json_object_get(res, "version"));
		if (json_object_get(res, "error"))
			json_object_set(r->detail, "error",
					json_object_get(res, "error"));
		if (r->body && o != AN_OP_DELETE)
			json_object_set(r->detail, "rule", r->body);
	}
	if (status >= 400)
		json_object_set_new(res, "status", json_integer(status));
	api_reply(r, status, res);
}

void h_rules(struct rq *r) { op(r, AN_OP_LIST, NULL); }
void h_rule(struct rq *r) { op(r, AN_OP_GET, r->param[0]); }
void h_rule_versions(struct rq *r) { op(r, AN_OP_HISTORY, r->param[0]); }
void h_rule_add(struct rq *r) { op(r, AN_OP_CREATE, NULL); }
void h_rule_put(struct rq *r) { op(r, AN_OP_UPDATE, r->param[0]); }
void h_rule_del(struct rq *r) { op(r, AN_OP_DELETE, r->param[0]); }
void h_rule_rollback(struct rq *r) { op(r, AN_OP_ROLLBACK, r->param[0]); }
void h_rule_check(struct rq *r) { op(r, AN_OP_CHECK, NULL); }

/* o's "history" for ?from=&to= (ms; to: now); -1 when it answered. */
static int band_history(struct rq *r, json_t *o)
{
	int64_t from, to, now = auth_now_ms();
	void *db = analytics_db_handle();
	json_t *h;

	if (query_int(r->query, "from", 0, INT64_MAX, 0, &from) ||
	    query_int(r->query, "to", 0, INT64_MAX, now, &to) || to < from) {
		json_decref(o);
		api_error(r, 400, "from, to: ms since the epoch, from <= to");
		return -1;
	}
	h = db ? band_db_query(db, json_string_value(json_object_get(o,
			       "signal")), from, to) : NULL;
	if (!h) {
		json_decref(o);
		api_error(r, 503, "analytics.db cannot be read");
		return -1;
	}
	json_object_set_new(o, "history", h);
	return 0;
}

void h_band(struct rq *r)
{
	char *end;
	long long id = strtoll(r->param[0], &end, 10);
	json_t *o;

	if (!running(r))
		return;
	if (*end || id <= 0 || id > UINT32_MAX) {
		api_error(r, 400, "a signal id is a positive integer");
		return;
	}
	o = analytics_band_json(r->api->d->analytics, (uint32_t)id);
	if (!o) {
		api_error(r, 404, "no such signal");
		return;
	}
	/* a past range: the bands in force then (band_db.h) */
	if (strstr(r->query ? r->query : "", "from=") &&
	    band_history(r, o))
		return;
	api_reply(r, 200, o);
}
