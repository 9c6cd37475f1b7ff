/*
 * OEE and downtime (docs/analytics.md, "OEE"): the machines now, reports
 * per shift, day or week (JSON, CSV, printable HTML), stops and the
 * reasons operators give them (alert.ack, audited), the downtime Pareto.
 */
#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "analytics/oee_db.h"
#include "api/api.h"
#include "api/parse.h"
#include "auth/auth.h"
#include "core/iiotd.h"

static int oee_on(struct rq *r)
{
	json_t *o;

	if (r->api->d->analytics && analytics_db_handle() &&
	    (o = analytics_oee_json(r->api->d->analytics))) {
		json_decref(o);
		return 1;
	}
	api_error(r, 503, "OEE is not configured ([analytics] oee = FILE)");
	return 0;
}

void h_oee(struct rq *r)
{
	json_t *o;

	if (!oee_on(r))
		return;
	o = analytics_oee_json(r->api->d->analytics);
	api_reply(r, 200, o);
}

/* machine, line, from, to (ms; default the last 7 days), limit */
static int query(struct rq *r, struct oee_query *q, char *mach, char *line,
		 size_t len, int64_t deflimit)
{
	int64_t now = auth_now_ms(), lim;
	int m, l;

	memset(q, 0, sizeof(*q));
	m = query_get(r->query, "machine", mach, len);
	l = query_get(r->query, "line", line, len);
	if (m < 0 || l < 0 ||
	    query_int(r->query, "from", 0, INT64_MAX, now - 7 * 86400000LL,
		      &q->from_ms) ||
	    query_int(r->query, "to", 0, INT64_MAX, now + 86400000LL,
		      &q->to_ms) ||
	    query_int(r->query, "limit", 1, 10000, deflimit, &lim) ||
	    q->from_ms >= q->to_ms) {
		api_error(r, 400, "machine, line: names; from < to: ms since "
			  "the epoch; limit: 1..10000");
		return -1;
	}
	q->machine = m == 0 ? mach : NULL;
	q->line = l == 0 ? line : NULL;
	q->limit = (int)lim;
	analytics_oee_reason(r->api->d->analytics, "", &q->red, &q->green);
	return 0;
}

static const char *const cols[] = {
	"machine", "line", "period", "shift", "date", "start_ms", "end_ms",
	"availability", "performance", "quality", "oee", "band", "planned_ms",
	"run_ms", "idle_ms", "down_ms", "planned_stop_ms", "count", "reject",
	NULL
};

static void cell(struct evbuffer *b, json_t *v)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v), *p;

		/* quoted, and a leading =+-@ defused for spreadsheets */
		evbuffer_add(b, "\"", 1);
		if (strchr("=+-@", *s) && *s)
			evbuffer_add(b, "'", 1);
		for (p = s; *p; p++)
			if (*p == '"')
				evbuffer_add(b, "\"\"", 2);
			else
				evbuffer_add(b, p, 1);
		evbuffer_add(b, "\"", 1);
	} else if (json_is_integer(v)) {
		evbuffer_add_printf(b, "%" JSON_INTEGER_FORMAT,
				    json_integer_value(v));
	} else if (json_is_real(v)) {
		evbuffer_add_printf(b, "%.4f", json_real_value(v));
	}
}

static void csv(struct rq *r, json_t *rows, const char *period)
{
	struct evbuffer *b = evbuffer_new();
	char fname[64];
	size_t i, j;
	json_t *x;

	for (j = 0; cols[j]; j++)
		evbuffer_add_printf(b, "%s%s", j ? "," : "", cols[j]);
	evbuffer_add(b, "\r\n", 2);
	json_array_foreach(rows, i, x) {
		for (j = 0; cols[j]; j++) {
			if (j)
				evbuffer_add(b, ",", 1);
			cell(b, json_object_get(x, cols[j]));
		}
		evbuffer_add(b, "\r\n", 2);
	}
	snprintf(fname, sizeof(fname), "iiot-oee-%s.csv", period);
	api_reply_text(r, "text/csv; charset=utf-8", fname, b);
}

void h_oee_report(struct rq *r)
{
	char mach[64], line[64], period[16] = "shift", fmt[8] = "json";
	struct oee_query q;
	json_t *rows, *pareto;

	if (!oee_on(r) || query(r, &q, mach, line, sizeof(mach), 1000))
		return;
	if (query_get(r->query, "period", period, sizeof(period)) < 0 ||
	    query_get(r->query, "format", fmt, sizeof(fmt)) < 0 ||
	    (strcmp(period, "shift") && strcmp(period, "day") &&
	     strcmp(period, "week")) ||
	    (strcmp(fmt, "json") && strcmp(fmt, "csv") && strcmp(fmt, "html"))) {
		api_error(r, 400, "period: shift, day or week; format: json, "
			  "csv or html");
		return;
	}
	q.period = period;
	rows = oee_db_report(analytics_db_handle(), &q);
	if (!strcmp(fmt, "csv")) {
		csv(r, rows, period);
		json_decref(rows);
		return;
	}
	q.limit = 10;
	pareto = oee_db_pareto(analytics_db_handle(), &q, auth_now_ms());
	if (!strcmp(fmt, "html")) {
		char title[48];
		json_t *rep;

		snprintf(title, sizeof(title), "OEE report (%s)", period);
		rep = json_pack("{s:s, s:o, s:o}", "title", title, "oee", rows,
				"pareto", pareto);
		api_reply_report_html(r, rep, NULL);
		json_decref(rep);
		return;
	}
	api_reply(r, 200, json_pack("{s:s, s:I, s:I, s:o, s:o}", "period",
		  period, "from_ms", (json_int_t)q.from_ms, "to_ms",
		  (json_int_t)q.to_ms, "rows", rows, "pareto", pareto));
}

void h_oee_downtime(struct rq *r)
{
	char mach[64], line[64];
	struct oee_query q;

	if (!oee_on(r) || query(r, &q, mach, line, sizeof(mach), 200))
		return;
	api_reply(r, 200, json_pack("{s:o}", "stops",
		  oee_db_stops(analytics_db_handle(), &q)));
}

void h_oee_pareto(struct rq *r)
{
	char mach[64], line[64];
	struct oee_query q;

	if (!oee_on(r) || query(r, &q, mach, line, sizeof(mach), 10))
		return;
	api_reply(r, 200, json_pack("{s:o}", "pareto",
		  oee_db_pareto(analytics_db_handle(), &q, auth_now_ms())));
}

void h_oee_reason(struct rq *r)
{
	const char *code = body_str(r->body, "reason", 15);
	const char *comment = json_string_value(json_object_get(r->body,
								"comment"));
	double red, green;
	json_t *row;
	char *end;
	long long id = strtoll(r->param[0], &end, 10);
	int rc;

	snprintf(r->target, sizeof(r->target), "stop %.40s", r->param[0]);
	if (!oee_on(r))
		return;
	if (*end || id <= 0) {
		api_error(r, 400, "a stop id is a positive integer");
		return;
	}
	if (!code || analytics_oee_reason(r->api->d->analytics, code, &red,
					  &green) < 0) {
		api_error(r, 400, "reason: one of the codes of GET /oee "
			  "reasons");
		return;
	}
	if (comment && strlen(comment) > 500) {
		api_error(r, 400, "comment: at most 500 bytes");
		return;
	}
	rc = oee_db_set_reason(analytics_db_handle(), id, code,
			       comment ? comment : "", r->who, auth_now_ms(),
			       &row);
	if (rc) {
		api_error(r, rc > 0 ? 404 : 500, rc > 0 ? "no such stop" :
			  "analytics.db cannot be written");
		return;
	}
	r->detail = json_pack("{s:s}", "reason", code);
	api_reply(r, 200, row ? row : json_object());
}
