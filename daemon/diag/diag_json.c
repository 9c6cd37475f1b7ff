/* A finding as "iiotctl diagnose" prints it (docs/diagnostics.md). */
#include <string.h>

#include <jansson.h>

#include "diag/diag.h"

json_t *diag_finding_json(const struct diag_finding *f)
{
	static const uint8_t zero[6];
	const struct alert_rule *r = alert_rule(f->rule);
	char mac[18];
	json_t *o = json_object();

	if (!o)
		return NULL;
	alert_mac_str(f->master, mac);
	json_object_set_new(o, "frame", json_integer((json_int_t)f->frame_no));
	json_object_set_new(o, "ts_ns", json_integer((json_int_t)f->ts_ns));
	json_object_set_new(o, "rule", json_string(r->id));
	json_object_set_new(o, "severity",
			    json_string(alert_severity_name(f->severity)));
	json_object_set_new(o, "state", json_string(f->cleared ? "cleared" :
						       "active"));
	/* a port's load is no sender's */
	json_object_set_new(o, "master", memcmp(f->master, zero, 6) ?
			    json_string(mac) : json_null());
	json_object_set_new(o, "device", json_string(f->label));
	json_object_set_new(o, "name", f->name[0] ? json_string(f->name) :
			    json_null());
	json_object_set_new(o, "station", f->station >= 0 ?
			    json_integer(f->station) : json_null());
	json_object_set_new(o, "position", f->position >= 0 ?
			    json_integer(f->position) : json_null());
	json_object_set_new(o, "port", f->port >= 0 ? json_integer(f->port) :
			    json_null());
	json_object_set_new(o, "detail", json_string(f->detail));
	json_object_set_new(o, "evidence", f->evidence[0] ?
			    json_string(f->evidence) : json_null());
	return o;
}
