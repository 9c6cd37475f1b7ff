/*
 * Fieldbus diagnostics: the diag counters with every device's and link's
 * health (GET /api/v1/diag), and one device's health with its links'
 * (GET /api/v1/devices/{id}/health).  Health is computed per request from
 * the request's snapshot of the model and a copy of the open alerts
 * (daemon/diag/health.h).
 */
#include <stdlib.h>

#include "api/api.h"
#include "capture/capture.h"
#include "core/iiotd.h"
#include "diag/diagsys.h"
#include "diag/health.h"

void h_diag(struct rq *r)
{
	struct model *m = r->api->snap ? r->api->snap->model : NULL;
	json_t *o, *c;

	if (!m) {
		api_error(r, 503, "the model is not running");
		return;
	}
	o = health_report(m, r->api->d->alerts, 0);
	if (!o) {
		api_error(r, 500, "out of memory");
		return;
	}
	c = diagsys_counters(r->api->d);
	json_object_set_new(o, "counters", c ? c : json_null());
	c = diagsys_ports(r->api->d);
	json_object_set_new(o, "ports", c ? c : json_array());
	c = diagsys_expected(r->api->d);
	json_object_set_new(o, "expected", c ? c : json_array());
	api_reply(r, 200, o);
}

void h_device_health(struct rq *r)
{
	struct model *m = r->api->snap ? r->api->snap->model : NULL;
	json_t *o, *dev;
	char *end;
	long id = strtol(r->param[0], &end, 10);

	if (*end || id <= 0 || id > 0x7fffffff) {
		api_error(r, 400, "id must be a positive integer");
		return;
	}
	o = m ? health_report(m, r->api->d->alerts, (uint32_t)id) : NULL;
	if (!o) {
		api_error(r, 404, "no such device");
		return;
	}
	/* one device: its entry at the top, its links beside it */
	dev = json_incref(json_array_get(json_object_get(o, "devices"), 0));
	json_object_set(dev, "links", json_object_get(o, "links"));
	json_decref(o);
	api_reply(r, 200, dev);
}
