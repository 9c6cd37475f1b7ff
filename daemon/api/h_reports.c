/*
 * Reports (docs/analytics.md, "Reports"): the shift and daily reports
 * iiotd made on schedule and those asked for, listed, each as JSON or as
 * its printable page (also as a download), and a report made now.
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/analytics.h"
#include "analytics/report.h"
#include "api/api.h"
#include "api/parse.h"
#include "auth/auth.h"
#include "core/iiotd.h"

static void *reports_db(struct rq *r)
{
	void *db = r->api->d->analytics ? analytics_db_handle() : NULL;

	if (!db)
		api_error(r, 503, "analytics is not running");
	return db;
}

void api_reply_report_html(struct rq *r, const json_t *rep, const char *fname)
{
	struct evbuffer *b = evbuffer_new();
	char *page = NULL, lang[8] = "en";
	size_t len = 0;
	FILE *f;

	if (query_get(r->query, "lang", lang, sizeof(lang)) < 0 ||
	    (strcmp(lang, "en") && strcmp(lang, "zh-CN"))) {
		if (b)
			evbuffer_free(b);
		api_error(r, 400, "lang: en or zh-CN");
		return;
	}
	f = open_memstream(&page, &len);
	if (!b || !f) {
		if (f)
			fclose(f);
		free(page);
		if (b)
			evbuffer_free(b);
		api_error(r, 500, "out of memory");
		return;
	}
	report_html(f, rep, lang);
	fclose(f);
	evbuffer_add(b, page, len);
	free(page);
	api_reply_text(r, "text/html; charset=utf-8", fname, b);
}

/* ?kind=shift|day&line=NAME&limit=N */
void h_reports(struct rq *r)
{
	char kind[8], line[OEE_NAME_MAX];
	void *db = reports_db(r);
	int k, l;
	int64_t lim;

	if (!db)
		return;
	k = query_get(r->query, "kind", kind, sizeof(kind));
	l = query_get(r->query, "line", line, sizeof(line));
	if (k < 0 || l < 0 || (!k && strcmp(kind, "shift") &&
			       strcmp(kind, "day")) ||
	    query_int(r->query, "limit", 1, 1000, 100, &lim)) {
		api_error(r, 400, "kind: shift or day; line: a name; limit: "
			  "1..1000");
		return;
	}
	api_reply(r, 200, json_pack("{s:o}", "reports", report_list(db,
		  k ? NULL : kind, l ? NULL : line, (int)lim)));
}

/* ?format=json|html&download=1 */
void h_report(struct rq *r)
{
	char fmt[8] = "json", fname[64];
	void *db = reports_db(r);
	long long id;
	int64_t dl;
	char *end;
	json_t *rep;

	if (!db)
		return;
	id = strtoll(r->param[0], &end, 10);
	if (*end || id <= 0 ||
	    query_get(r->query, "format", fmt, sizeof(fmt)) < 0 ||
	    (strcmp(fmt, "json") && strcmp(fmt, "html")) ||
	    query_int(r->query, "download", 0, 1, 0, &dl)) {
		api_error(r, 400, "a report id is a positive integer; format: "
			  "json or html; download: 0 or 1");
		return;
	}
	rep = report_get(db, id);
	if (!rep) {
		api_error(r, 404, "no such report");
		return;
	}
	snprintf(fname, sizeof(fname), "iiot-report-%lld.%s", id, fmt);
	if (!strcmp(fmt, "html")) {
		api_reply_report_html(r, rep, dl ? fname : NULL);
		json_decref(rep);
		return;
	}
	if (dl) {
		api_reply_download(r, rep, fname);
		json_decref(rep);
		return;
	}
	api_reply(r, 200, rep);
}

/* {"kind": "shift"|"day", "line": NAME, "from_ms": N, "to_ms": N} */
void h_report_make(struct rq *r)
{
	const char *kind = body_str(r->body, "kind", 5);
	const char *line = body_str(r->body, "line", OEE_NAME_MAX - 1);
	json_t *from = json_object_get(r->body, "from_ms"),
	       *to = json_object_get(r->body, "to_ms"), *rep;
	struct report_job j;

	if (!reports_db(r))
		return;
	memset(&j, 0, sizeof(j));
	if (!kind || (strcmp(kind, "shift") && strcmp(kind, "day")) ||
	    (json_object_get(r->body, "line") && !line) ||
	    (from && !json_is_integer(from)) || (to && !json_is_integer(to)) ||
	    !from != !to) {
		api_error(r, 400, "kind: shift or day; line: a name; from_ms "
			  "and to_ms: both or neither, ms since the epoch");
		return;
	}
	snprintf(j.kind, sizeof(j.kind), "%s", kind);
	snprintf(j.line, sizeof(j.line), "%s", line ? line : "");
	snprintf(r->target, sizeof(r->target), "report %s %.40s", kind,
		 j.line);
	if (from) {
		j.from_ms = json_integer_value(from);
		j.to_ms = json_integer_value(to);
		if (j.from_ms < 0 || j.from_ms >= j.to_ms) {
			api_error(r, 400, "from_ms < to_ms");
			return;
		}
	} else if (reports_period(r->api->d, &j)) {
		api_error(r, 409, "no shift under way: give from_ms and to_ms");
		return;
	}
	rep = reports_make(r->api->d, &j, "demand");
	if (!rep) {
		api_error(r, 500, "analytics.db cannot be written");
		return;
	}
	r->detail = json_pack("{s:O}", "id", json_object_get(rep, "id"));
	api_reply(r, 201, rep);
}
