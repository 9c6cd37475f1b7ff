/*
 * The control socket's report requests (core/ctlproto.h) for iiotctl:
 * list, one report as JSON or as its printable page, and one made now
 * (audited as report.make under the peer's Unix user, as the API's POST).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analytics/analytics.h"
#include "analytics/report.h"
#include "auth/audit.h"
#include "core/ctlproto.h"
#include "core/iiotd.h"
#include "core/log.h"

static json_t *fail(const char *why)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", why);
}

static json_t *ok(const char *key, json_t *v)
{
	return json_pack("{s:b, s:o}", "ok", 1, key, v);
}

static void audit_make(struct iiotd *d, const char *who,
		       const struct report_job *j, const json_t *rep)
{
	char err[256], target[80], det[96];
	struct audit *a = audit_open_dir(d->state_dir, err, sizeof(err));

	if (!a) {
		log_warnx("ctl: audit log: %s", err);
		return;
	}
	snprintf(target, sizeof(target), "report %s %.40s", j->kind, j->line);
	snprintf(det, sizeof(det), "{\"id\":%lld}", rep ? (long long)
		 json_integer_value(json_object_get(rep, "id")) : 0LL);
	if (audit_append(a, who, "ctl", "report.make", target,
			 rep ? AUDIT_OK : AUDIT_FAIL, det))
		log_warnx("ctl: AUDIT WRITE FAILED: %s report.make %s", who,
			  target);
	audit_close(a);
}

/* make KIND [LINE]: the day so far, or the shift under way */
static json_t *make(struct iiotd *d, const struct ctl_req *req,
		    const char *who)
{
	struct report_job j;
	json_t *rep;

	memset(&j, 0, sizeof(j));
	if (strcmp(req->arg, "shift") && strcmp(req->arg, "day"))
		return fail("report make KIND [LINE]: KIND is shift or day");
	snprintf(j.kind, sizeof(j.kind), "%.5s", req->arg);
	if (strlen(req->text) >= sizeof(j.line))
		return fail("LINE: a name of at most 47 bytes");
	memcpy(j.line, req->text, strlen(req->text) + 1);
	if (reports_period(d, &j))
		return fail("no shift under way");
	rep = reports_make(d, &j, "demand");
	audit_make(d, who, &j, rep);
	return rep ? ok("report", rep) : fail("analytics.db cannot be "
					      "written");
}

json_t *reports_ctl(struct iiotd *d, const struct ctl_req *req,
		    const char *who)
{
	void *db = d->analytics ? analytics_db_handle() : NULL;
	json_t *rep;
	char *page = NULL;
	size_t len = 0;
	FILE *f;

	if (!db)
		return fail("analytics is not running");
	if (!strcmp(req->arg2, "list"))
		return ok("reports", report_list(db, req->arg[0] ? req->arg :
						 NULL, NULL, 1000));
	if (!strcmp(req->arg2, "make"))
		return make(d, req, who);
	rep = report_get(db, (int64_t)req->num);
	if (!rep)
		return fail("no such report");
	if (!strcmp(req->arg2, "show"))
		return ok("report", rep);
	f = open_memstream(&page, &len);
	if (!f) {
		json_decref(rep);
		return fail("out of memory");
	}
	report_html(f, rep, "en");
	fclose(f);
	json_decref(rep);
	rep = ok("html", json_stringn(page, len));
	free(page);
	return rep;
}
