/*
 * "control KIND TARGET JSON" on the control socket (api/localctl.h,
 * docs/devices.md "From the command line").  The answer is the API's
 * body with "ok" and "status" beside it, so iiotctl --json shows what
 * the API would.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/localctl.h"
#include "auth/audit.h"
#include "core/ctlproto.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "model/model.h"

int localctl_audit(struct iiotd *d, const char *who, const char *action,
		   const char *target, int code, bool gate, json_t *detail)
{
	char err[512], *s;
	struct audit *a = audit_open_dir(d->state_dir, err, sizeof(err));
	int rc;

	if (!a) {
		log_warnx("ctl: audit log: %s", err);
		return -1;
	}
	json_object_set_new(detail, "status", json_integer(code));
	s = json_dumps(detail, JSON_COMPACT);
	rc = s ? audit_append(a, who, "ctl", action, target,
			      audit_result_of(code, gate), s) : -1;
	free(s);
	audit_close(a);
	if (rc)
		log_warnx("ctl: AUDIT WRITE FAILED: %s %s %s", who, action,
			  target);
	return rc;
}

/* the device of key, for DCP: its id, or 0 with why */
static unsigned int device_id(const struct model *m, const char *key,
			      char *why, size_t len)
{
	const struct model_device *dev = m ? model_device_find(m, key) : NULL;

	if (!dev)
		snprintf(why, len, "no such device '%.64s'", key);
	return dev ? dev->id : 0;
}

json_t *localctl(struct iiotd *d, const struct model *m,
		 const struct ctl_req *req, const char *who, uid_t uid)
{
	json_t *body = json_loads(req->body, 0, NULL), *detail = NULL;
	json_t *reply = NULL, *o;
	char why[256] = "", target[CTL_MAX_ARG + 32];
	const char *op = req->arg2;
	unsigned int id = 0;
	bool gate = false;
	int code;

	snprintf(target, sizeof(target), "%s %.64s", req->arg2, req->arg);
	if (!json_is_object(body)) {
		snprintf(why, sizeof(why), "the request is not a JSON object");
		code = 400;
	} else if (!strcmp(op, "modbus-write")) {
		snprintf(target, sizeof(target), "modbus %.60s", req->arg);
		code = modbus_local(m, req->arg, body, who, &detail, &reply,
				    &gate, why, sizeof(why));
	} else if (!strncmp(op, "dcp-", 4)) {
		op += 4;
		if (strcmp(op, "identify"))
			id = device_id(m, req->arg, why, sizeof(why));
		if (id)
			snprintf(target, sizeof(target), "dcp %.20s device %u",
				 op, id);
		else
			snprintf(target, sizeof(target), "dcp %.20s", op);
		code = strcmp(op, "identify") && !id ? 404 :
		       dcp_local(m, op, id, body, who, &detail, &reply, &gate,
				 why, sizeof(why));
	} else {
		snprintf(why, sizeof(why), "no such control action '%.32s'", op);
		code = 404;
	}
	json_decref(body);
	/* every attempt, refused or not; the uid beside the name it had */
	if (!detail)
		detail = json_object();
	json_object_set_new(detail, "uid", json_integer(uid));
	if (code >= 400)
		json_object_set_new(detail, "error", json_string(why));
	if (localctl_audit(d, who, req->arg2, target, code, gate, detail) &&
	    code == 200) {
		json_decref(detail);
		json_decref(reply);
		return json_pack("{s:b, s:s, s:i}", "ok", 0, "error", "done, "
				 "but the audit log could not be written",
				 "status", 500);
	}
	json_decref(detail);
	if (code != 200) {
		json_decref(reply);
		return json_pack("{s:b, s:s, s:i}", "ok", 0, "error", why,
				 "status", code);
	}
	o = reply ? reply : json_object();
	json_object_set_new(o, "ok", json_true());
	json_object_set_new(o, "status", json_integer(code));
	return o;
}
