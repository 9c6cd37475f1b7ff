/*
 * The control socket's description requests (daemon/core/ctlproto.h):
 * list, show ID, remove ID, import (the file follows the request line).
 * Imports and removals are audited under the peer's Unix user name
 * (description.import, description.remove; target "description NAME|ID"),
 * refusals too, before the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/audit.h"
#include "core/ctlproto.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "desc/descsys.h"

static json_t *fail(const char *why)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", why);
}

static void audit_row(struct iiotd *d, const char *who, const char *action,
		      const char *target, bool ok, json_t *det)
{
	struct audit *a;
	char err[256], *s;

	s = json_dumps(det, JSON_COMPACT);
	json_decref(det);
	a = audit_open_dir(d->state_dir, err, sizeof(err));
	if (!a || !s || audit_append(a, who, "ctl", action, target,
				     ok ? AUDIT_OK : AUDIT_FAIL, s))
		log_warnx("ctl: AUDIT WRITE FAILED: %s %s", who, action);
	audit_close(a);
	free(s);
}

static json_t *import(struct iiotd *d, const struct ctl_req *req,
		      const char *who)
{
	char why[512], target[300];
	json_t *row;
	int code;

	snprintf(target, sizeof(target), "description %s", req->arg);
	row = descsys_import(d, req->arg, who, req->payload,
			     req->payload_len, &code, why, sizeof(why));
	audit_row(d, who, "description.import", target, row != NULL,
		  row ? json_pack("{s:s, s:O, s:O}", "file", req->arg, "id",
				  json_object_get(row, "id"), "kind",
				  json_object_get(row, "kind")) :
		  json_pack("{s:s, s:s}", "file", req->arg, "error", why));
	if (!row)
		return fail(why);
	return json_pack("{s:b, s:o}", "ok", 1, "description", row);
}

static json_t *remove_one(struct iiotd *d, const struct ctl_req *req,
			  const char *who)
{
	int rc = descsys_remove(d, (int64_t)req->num);
	const char *why = rc < 0 ? "descriptions are not running" :
			  "no such description";
	char target[64];

	snprintf(target, sizeof(target), "description %llu",
		 (unsigned long long)req->num);
	audit_row(d, who, "description.remove", target, rc > 0,
		  rc > 0 ? json_pack("{s:I}", "id", (json_int_t)req->num) :
		  json_pack("{s:I, s:s}", "id", (json_int_t)req->num, "error",
			    why));
	if (rc <= 0)
		return fail(why);
	return json_pack("{s:b, s:I}", "ok", 1, "removed",
			 (json_int_t)req->num);
}

json_t *descsys_ctl(struct iiotd *d, const struct ctl_req *req,
		    const char *who)
{
	json_t *j;

	if (req->verb == CTL_DESCRIPTION_IMPORT)
		return import(d, req, who);
	if (!strcmp(req->arg2, "remove"))
		return remove_one(d, req, who);
	if (!strcmp(req->arg2, "show")) {
		j = descsys_show(d, (int64_t)req->num);
		return j ? json_pack("{s:b, s:o}", "ok", 1, "description", j) :
		       fail("no such description");
	}
	j = descsys_list(d);
	return j ? json_pack("{s:b, s:o}", "ok", 1, "descriptions", j) :
	       fail("descriptions are not running");
}
