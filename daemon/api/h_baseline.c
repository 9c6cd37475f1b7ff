/*
 * The baseline (docs/security.md "Baseline"): read it (alert.read),
 * replace it with an import, learn again, add or remove one entry
 * (device.control: engineers and admins; each audited by dispatch with its detail).  A bad
 * import or entry gets 400 naming the place and the problem.
 */
#include <stdio.h>
#include <string.h>

#include "alerts/alertsys.h"
#include "api/api.h"
#include "core/iiotd.h"

#define LEARN_MAX_S	(366ULL * 86400ULL)

void h_baseline(struct rq *r)
{
	json_t *j = baselinesys_json(r->api->d);

	if (!j) {
		api_error(r, 503, "alerts are not running");
		return;
	}
	api_reply(r, 200, j);
}

static void reply_now(struct rq *r, int code)
{
	json_t *j = baselinesys_json(r->api->d);

	api_reply(r, code, j ? j : json_object());
}

void h_baseline_put(struct rq *r)
{
	char err[256];

	snprintf(r->target, sizeof(r->target), "baseline");
	if (baselinesys_import(r->api->d, r->body, err, sizeof(err))) {
		r->detail = json_pack("{s:s}", "error", err);
		api_error(r, 400, err);
		return;
	}
	r->detail = json_pack("{s:s}", "import", "replaced");
	reply_now(r, 200);
}

void h_baseline_learn(struct rq *r)
{
	json_t *s = json_object_get(r->body, "seconds");
	json_t *f = json_object_get(r->body, "fresh");

	snprintf(r->target, sizeof(r->target), "baseline");
	if (!json_is_integer(s) || json_integer_value(s) < 0 ||
	    (uint64_t)json_integer_value(s) > LEARN_MAX_S) {
		api_error(r, 400, "seconds must be an integer of 0 (stop "
			  "learning) to 31622400 (a year)");
		return;
	}
	if (f && !json_is_boolean(f)) {
		api_error(r, 400, "fresh must be true or false");
		return;
	}
	r->detail = json_pack("{s:O, s:b}", "seconds", s, "fresh",
			      json_is_true(f));
	if (baselinesys_learn(r->api->d, (uint64_t)json_integer_value(s) *
			      1000000000ULL, json_is_true(f))) {
		api_error(r, 503, "alerts are not running");
		return;
	}
	reply_now(r, 200);
}

static void edit(struct rq *r, bool add)
{
	static const int codes[] = { 200, 409, 404 };
	char err[256];
	int rc;

	snprintf(r->target, sizeof(r->target), "baseline");
	r->detail = json_pack("{s:s, s:O}", "op", add ? "add" : "remove",
			      "entry", r->body);
	rc = baselinesys_edit(r->api->d, r->body, add, err, sizeof(err));
	if (rc < 0) {
		api_error(r, 400, err);
		return;
	}
	if (rc > 0) {
		api_error(r, codes[rc], err);
		return;
	}
	reply_now(r, add ? 201 : 200);
}

void h_baseline_add(struct rq *r)
{
	edit(r, true);
}

void h_baseline_remove(struct rq *r)
{
	edit(r, false);
}
