/*
 * The control socket's enforcement requests: "blocks" lists the blocklist
 * with the enforcement status; "unblock MAC" removes one block under the
 * peer's Unix user name, audited (action enforce.unblock, target "mac
 * MAC") before the answer, as the API's removals are.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "auth/audit.h"
#include "core/ctlproto.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "enforce/enforce.h"
#include "model/model.h"

static json_t *fail(const char *why)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", why);
}

static void audit_unblock(struct iiotd *d, const char *who, const char *ms,
			  int rc, const char *why)
{
	char err[256], target[32], *det;
	struct audit *a = audit_open_dir(d->state_dir, err, sizeof(err));
	json_t *o = rc ? json_pack("{s:s}", "error", why) : json_object();

	snprintf(target, sizeof(target), "mac %.17s", ms);
	det = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!a || audit_append(a, who, "ctl", "enforce.unblock", target,
			       rc ? AUDIT_FAIL : AUDIT_OK, det))
		log_warnx("ctl: AUDIT WRITE FAILED: %s enforce.unblock %s",
			  who, target);
	free(det);
	audit_close(a);
}

json_t *enforce_ctl(struct iiotd *d, const struct ctl_req *req,
		    const char *who)
{
	char why[256] = "";
	uint8_t mac[6];
	json_t *o;
	int rc;

	if (req->verb == CTL_BLOCKS) {
		o = enforce_blocks_json(d);
		json_object_set_new(o, "ok", json_true());
		return o;
	}
	if (model_parse_mac(req->arg, mac))
		return fail("unblock: give a MAC address (aa:bb:cc:dd:ee:ff)");
	rc = enforce_unblock(d, mac, why, sizeof(why));
	audit_unblock(d, who, req->arg, rc, why);
	if (rc)
		return fail(why);
	return json_pack("{s:b, s:s}", "ok", 1, "unblocked", req->arg);
}
