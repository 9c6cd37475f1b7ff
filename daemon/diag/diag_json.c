/* A finding as "iiotctl diagnose" prints it (docs/diagnostics.md). */
#include <string.h>

#include <jansson.h>

#include "diag/diag.h"
#include "core/json_ns.h"

json_t *diag_fit_json(const struct diag_fit *x)
{
	json_t *o = json_object();

	json_object_set_new(o, "metric", json_string(x->metric));
	json_object_set_new(o, "unit", json_string(x->unit));
	json_object_set_new(o, "t0_ns", json_integer((json_int_t)x->t0_ns));
	json_object_set_new(o, "last_ns",
			    json_integer((json_int_t)x->last_ns));
	json_object_set_new(o, "intercept", json_real(x->intercept));
	json_object_set_new(o, "slope_per_min", json_real(x->slope_per_min));
	json_object_set_new(o, "limit", json_real(x->limit));
	json_object_set_new(o, "cross_ns", json_ns_or_null(x->cross_ns));
	json_object_set_new(o, "cross_lo_ns", json_ns_or_null(x->cross_lo_ns));
	json_object_set_new(o, "cross_hi_ns", json_ns_or_null(x->cross_hi_ns));
	json_object_set_new(o, "samples", json_integer(x->samples));
	return o;
}

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
	if (f->fit.has)
		json_object_set_new(o, "fit", diag_fit_json(&f->fit));
	return o;
}
