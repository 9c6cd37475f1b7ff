/*
 * The control socket's mqtt requests (core/ctlproto.h) for iiotctl mqtt:
 * the API's MQTT device operations (subsys_mqtt.c) under the peer's Unix
 * user.  An add or a remove, done or refused, writes one audit row
 * (action mqtt.add or mqtt.remove, target "mqtt NAME", the request, the
 * uid and the status) before the answer, as the API's do; an added
 * device's password is in the answer only, never in the row.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "api/localctl.h"
#include "core/ctlproto.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "south/mqtt.h"

static json_t *answer(int code, const char *why, json_t *body)
{
	json_t *o = body ? body : json_object();

	json_object_set_new(o, "ok", json_boolean(code < 400));
	json_object_set_new(o, "status", json_integer(code));
	if (code >= 400)
		json_object_set_new(o, "error", json_string(why));
	return o;
}

/* add NAME JSON: the API's body; its name, when it has one, is NAME */
static int add(const struct ctl_req *req, json_t *spec, json_t **out,
	       char *why, size_t whylen)
{
	const char *n;

	if (!json_is_object(spec)) {
		snprintf(why, whylen, "mqtt add NAME JSON: the device as a "
			 "JSON object (the API's POST /mqtt/devices body)");
		return 400;
	}
	n = json_string_value(json_object_get(spec, "name"));
	if (n && strcmp(n, req->arg)) {
		snprintf(why, whylen, "the body's name '%.64s' is not NAME", n);
		return 400;
	}
	json_object_set_new(spec, "name", json_string(req->arg));
	return mqtt_device_add(spec, out, why, whylen);
}

json_t *mqtt_ctl(struct iiotd *d, const struct ctl_req *req, const char *who,
		 unsigned int uid)
{
	json_t *spec, *out = NULL, *detail;
	const char *action;
	char why[300] = "", target[80];
	int code;

	if (!strcmp(req->arg2, "list"))
		return answer(200, "", json_pack("{s:o}", "devices",
						 mqtt_devices_json()));
	if (!strcmp(req->arg2, "show")) {
		out = mqtt_device_json(req->arg);
		snprintf(why, sizeof(why), "no MQTT device '%.64s'", req->arg);
		return answer(out ? 200 : 404, why, out ?
			      json_pack("{s:o}", "device", out) : NULL);
	}
	if (!strcmp(req->arg2, "add")) {
		action = "mqtt.add";
		spec = json_loads(req->body, 0, NULL);
		code = add(req, spec, &out, why, sizeof(why));
		detail = json_is_object(spec) ? json_deep_copy(spec) :
			 json_object();
		json_decref(spec);
		if (code == 201)
			json_object_set(detail, "topic",
					json_object_get(out, "topic"));
	} else if (!strcmp(req->arg2, "remove")) {
		action = "mqtt.remove";
		code = mqtt_device_remove(req->arg, why, sizeof(why));
		detail = json_object();
		if (code == 200)
			out = json_pack("{s:s, s:s}", "device", req->arg,
					"result", why);
	} else {
		return answer(400, "mqtt list | show|remove NAME | add NAME "
			      "JSON", NULL);
	}
	json_object_set_new(detail, "uid", json_integer(uid));
	if (code >= 400)
		json_object_set_new(detail, "error", json_string(why));
	snprintf(target, sizeof(target), "mqtt %.60s", req->arg);
	if (localctl_audit(d, who, action, target, code, false, detail) &&
	    code < 400)
		log_warnx("ctl: %s %s done, but not audited", action,
			  req->arg);
	json_decref(detail);
	return answer(code, why, out);
}
