/*
 * The control socket's alert requests (daemon/core/ctlproto.h): list, and
 * acknowledge / shelve / unshelve / comment under the peer's Unix user
 * name, with an audit row each (alert.ack, alert.shelve, alert.unshelve,
 * alert.comment;
 * target "alert ID"), written before the answer as the API's are.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "alerts/alertsys.h"
#include "auth/audit.h"
#include "core/ctlproto.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "libshm.h"

static json_t *fail(const char *why)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", why);
}

static json_t *list(struct iiotd *d, bool all)
{
	struct alerts_query q = { .state = -1, .open_only = !all,
				  .limit = 1000 };
	json_t *a = alertsys_list(d, &q);

	if (!a)
		return fail("alerts are not running");
	return json_pack("{s:b, s:o, s:o}", "ok", 1, "alerts", a, "counts",
			 alertsys_counts(d));
}

static const char *action_name(enum ctl_verb v)
{
	return v == CTL_ALERT_ACK ? "alert.ack" : v == CTL_ALERT_SHELVE ?
	       "alert.shelve" : v == CTL_ALERT_COMMENT ? "alert.comment" :
	       "alert.unshelve";
}

static int apply(struct iiotd *d, const struct ctl_req *req, const char *who,
		 const char **why)
{
	uint64_t now = shm_now_ns();
	int rc;

	switch (req->verb) {
	case CTL_ALERT_ACK:
		rc = alerts_ack(d->alerts, req->num, who, req->text, now);
		*why = "already acknowledged";
		break;
	case CTL_ALERT_SHELVE:
		if (!req->text[0]) {
			*why = "shelving needs a comment: why it is safe";
			return ALERT_OP_REFUSED;
		}
		rc = alerts_shelve(d->alerts, req->num,
				   now + req->num2 * 60000000000ULL, who,
				   req->text);
		*why = "";
		break;
	case CTL_ALERT_COMMENT:
		rc = alerts_comment(d->alerts, req->num, who, req->text);
		*why = "";
		break;
	default:
		rc = alerts_unshelve(d->alerts, req->num, who, req->text);
		*why = "not shelved";
		break;
	}
	if (rc == ALERT_OP_NO_ALERT)
		*why = "no open alert with this id";
	return rc;
}

json_t *alertsys_ctl(struct iiotd *d, const struct ctl_req *req,
		     const char *who)
{
	char err[512], target[48], *det;
	const char *why = "";
	struct audit *a;
	json_t *o;
	int rc;

	if (req->verb == CTL_ALERTS)
		return list(d, req->num);
	if (!d->alerts)
		return fail("alerts are not running");
	a = audit_open_dir(d->state_dir, err, sizeof(err));
	if (!a) {
		log_warnx("ctl: audit log: %s", err);
		return fail("the audit log cannot be opened; nothing changed");
	}
	rc = apply(d, req, who, &why);
	snprintf(target, sizeof(target), "alert %llu",
		 (unsigned long long)req->num);
	o = json_pack("{s:s}", "comment", req->text);
	if (req->verb == CTL_ALERT_SHELVE)
		json_object_set_new(o, "minutes", json_integer(
			(json_int_t)req->num2));
	if (rc != ALERT_OP_OK)
		json_object_set_new(o, "error", json_string(why));
	det = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!det || audit_append(a, who, "ctl", action_name(req->verb), target,
				 rc == ALERT_OP_OK ? AUDIT_OK : AUDIT_FAIL, det))
		log_warnx("ctl: AUDIT WRITE FAILED: %s %s %s", who,
			  action_name(req->verb), target);
	free(det);
	audit_close(a);
	if (rc != ALERT_OP_OK)
		return fail(why);
	o = alertsys_get(d, req->num);
	return json_pack("{s:b, s:o}", "ok", 1, "alert", o ? o : json_null());
}
