/*
 * MQTT devices (docs/devices.md, "MQTT devices"): their state, counters
 * and signals; devices added and removed with their credentials.  An
 * added device's password is in the answer to its POST and nowhere else
 * (its hash goes to the devices file and the broker's password file);
 * the audit row has the device, never the password.
 */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "south/mqtt.h"

void h_mqtt_devices(struct rq *r)
{
	api_reply(r, 200, mqtt_devices_json());
}

void h_mqtt_device(struct rq *r)
{
	json_t *o = mqtt_device_json(r->param[0]);

	if (!o) {
		api_error(r, 404, "no such MQTT device");
		return;
	}
	api_reply(r, 200, o);
}

void h_mqtt_device_add(struct rq *r)
{
	json_t *out = NULL;
	char why[300];
	int code;

	snprintf(r->target, sizeof(r->target), "mqtt %.60s",
		 json_string_value(json_object_get(r->body, "name")) ?
		 json_string_value(json_object_get(r->body, "name")) : "");
	r->detail = json_deep_copy(r->body);
	code = mqtt_device_add(r->body, &out, why, sizeof(why));
	if (code != 201) {
		api_error(r, code, why);
		return;
	}
	json_object_set(r->detail, "topic", json_object_get(out, "topic"));
	api_reply(r, 201, out);
}

void h_mqtt_device_del(struct rq *r)
{
	char why[300];
	int code;

	snprintf(r->target, sizeof(r->target), "mqtt %.60s", r->param[0]);
	code = mqtt_device_remove(r->param[0], why, sizeof(why));
	if (code != 200) {
		api_error(r, code, why);
		return;
	}
	api_reply(r, 200, json_pack("{s:s, s:s}", "device", r->param[0],
				    "result", why));
}
