/*
 * The control socket's baseline requests (daemon/core/ctlproto.h): show
 * it, learn again, add or remove one entry, import a whole one (the JSON
 * follows the request line).  Every change is audited under the peer's
 * Unix user name (baseline.learn, baseline.add, baseline.remove,
 * baseline.import; target "baseline"), refusals too, before the answer.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "alerts/alertsys.h"
#include "auth/audit.h"
#include "core/ctlproto.h"
#include "core/iiotd.h"
#include "core/log.h"

static json_t *fail(const char *why)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", why);
}

static const char *action_name(enum ctl_verb v)
{
	return v == CTL_BASELINE_LEARN ? "baseline.learn" :
	       v == CTL_BASELINE_ADD ? "baseline.add" :
	       v == CTL_BASELINE_REMOVE ? "baseline.remove" :
	       "baseline.import";
}

static void audit_row(struct iiotd *d, const char *who, enum ctl_verb v,
		      bool ok, json_t *det)
{
	struct audit *a;
	char err[256], *s;

	s = json_dumps(det, JSON_COMPACT);
	json_decref(det);
	a = audit_open_dir(d->state_dir, err, sizeof(err));
	if (!a || !s || audit_append(a, who, "ctl", action_name(v), "baseline",
				     ok ? AUDIT_OK : AUDIT_FAIL, s))
		log_warnx("ctl: AUDIT WRITE FAILED: %s %s", who,
			  action_name(v));
	audit_close(a);
	free(s);
}

static int apply(struct iiotd *d, const struct ctl_req *req, json_t *det,
		 char *err, size_t errlen)
{
	json_error_t je;
	json_t *j;
	int rc;

	switch (req->verb) {
	case CTL_BASELINE_LEARN:
		json_object_set_new(det, "seconds", json_integer(
			(json_int_t)req->num));
		json_object_set_new(det, "fresh", json_boolean(req->num2));
		snprintf(err, errlen, "alerts are not running");
		return baselinesys_learn(d, req->num * 1000000000ULL,
					 req->num2);
	case CTL_BASELINE_ADD:
	case CTL_BASELINE_REMOVE:
		j = json_loads(req->body, 0, &je);
		if (!j) {
			snprintf(err, errlen, "entry: not JSON: %s", je.text);
			return -1;
		}
		json_object_set(det, "entry", j);
		rc = baselinesys_edit(d, j, req->verb == CTL_BASELINE_ADD, err,
				      errlen);
		json_decref(j);
		return rc;
	default:
		j = json_loadb(req->payload, req->payload_len,
			       JSON_REJECT_DUPLICATES, &je);
		json_object_set_new(det, "bytes", json_integer(
			(json_int_t)req->payload_len));
		if (!j) {
			snprintf(err, errlen, "line %d: %s", je.line, je.text);
			return -1;
		}
		rc = baselinesys_import(d, j, err, errlen);
		json_decref(j);
		return rc;
	}
}

json_t *baselinesys_ctl(struct iiotd *d, const struct ctl_req *req,
			const char *who)
{
	char err[256] = "";
	json_t *det, *j;
	int rc;

	if (req->verb != CTL_BASELINE) {
		det = json_object();
		rc = apply(d, req, det, err, sizeof(err));
		if (rc)
			json_object_set_new(det, "error", json_string(err));
		audit_row(d, who, req->verb, !rc, det);
		if (rc)
			return fail(err);
	}
	j = baselinesys_json(d);
	if (!j)
		return fail("alerts are not running");
	return json_pack("{s:b, s:o}", "ok", 1, "baseline", j);
}
