/*
 * The control socket's rule requests (core/ctlproto.h): the API's rule
 * operations (rules_edit.c) for iiotctl, under the peer's Unix user name;
 * each change, done or refused, writes an audit row (action rule.create,
 * rule.update, rule.delete, rule.rollback; target "rule NAME") before
 * the answer, as the API's do.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analytics/analytics.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/ctlproto.h"
#include "core/iiotd.h"
#include "core/log.h"

static json_t *fail(const char *why)
{
	return json_pack("{s:b, s:s}", "ok", 0, "error", why);
}

static const struct {
	const char *name;
	enum an_rule_op op;
	const char *action;		/* audited; NULL: reads */
} subs[] = {
	{ "list", AN_OP_LIST, NULL },
	{ "show", AN_OP_GET, NULL },
	{ "history", AN_OP_HISTORY, NULL },
	{ "check", AN_OP_CHECK, NULL },
	{ "put", AN_OP_UPDATE, "rule.update" },
	{ "delete", AN_OP_DELETE, "rule.delete" },
	{ "rollback", AN_OP_ROLLBACK, "rule.rollback" },
};

static void audit_row(struct iiotd *d, const char *who, const char *action,
		      const char *name, const json_t *res, const json_t *arg,
		      int status)
{
	char err[256], target[80], *det;
	json_t *o = json_object();
	struct audit *a;

	a = audit_open_dir(d->state_dir, err, sizeof(err));
	if (!a) {
		log_warnx("ctl: audit log: %s", err);
		json_decref(o);
		return;
	}
	snprintf(target, sizeof(target), "rule %.60s", name);
	if (json_object_get(res, "version"))
		json_object_set(o, "version", json_object_get(res, "version"));
	if (json_object_get(res, "error"))
		json_object_set(o, "error", json_object_get(res, "error"));
	if (arg)
		json_object_set(o, "rule", (json_t *)arg);
	det = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!det || audit_append(a, who, "ctl", action, target,
				 audit_result_of(status, false), det))
		log_warnx("ctl: AUDIT WRITE FAILED: %s %s %s", who, action,
			  target);
	free(det);
	audit_close(a);
}

json_t *analytics_ctl(struct iiotd *d, const struct ctl_req *req,
		      const char *who)
{
	const char *action = NULL, *name = req->arg[0] ? req->arg : NULL;
	enum an_rule_op op = AN_OP_LIST;
	json_t *arg = NULL, *res, *cur;
	json_error_t je;
	size_t i;
	int status;

	if (!d->analytics)
		return fail("analytics is not running");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(req->arg2, subs[i].name))
			break;
	if (i == sizeof(subs) / sizeof(subs[0]))
		return fail("rule: list, show, history, put, check, delete or "
			    "rollback");
	op = subs[i].op;
	action = subs[i].action;
	if (op != AN_OP_LIST && !name)
		return fail("rule: which rule?");
	if (op == AN_OP_UPDATE || op == AN_OP_CHECK) {
		arg = json_loads(req->body, 0, &je);
		if (!json_is_object(arg)) {
			json_decref(arg);
			return fail("rule put|check NAME JSON: the rule as a "
				    "JSON object");
		}
		json_object_set_new(arg, "name", json_string(name));
		/* put makes the rule when there is none */
		res = analytics_rule_op(d->analytics, AN_OP_GET, name, NULL,
					who, auth_now_ms(), &status);
		cur = json_object_get(res, "rule");
		if (op == AN_OP_UPDATE && !cur && status == 404) {
			op = AN_OP_CREATE;
			action = "rule.create";
		}
		json_decref(res);
	} else if (op == AN_OP_ROLLBACK) {
		arg = json_pack("{s:I}", "version", (json_int_t)req->num);
	}
	res = analytics_rule_op(d->analytics, op, name, arg, who,
				auth_now_ms(), &status);
	if (action)
		audit_row(d, who, action, name, res, arg, status);
	json_decref(arg);
	json_object_set_new(res, "ok", json_boolean(status < 400));
	return res;
}
