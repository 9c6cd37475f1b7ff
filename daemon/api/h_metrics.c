/*
 * GET /metrics: the counters of "iiotctl stats" for Prometheus, behind an
 * API token or session with metrics.read.
 */
#include <stdlib.h>

#include <event2/buffer.h>
#include <event2/http.h>

#include "api/api.h"
#include "api/prom.h"
#include "core/daemon.h"

void h_metrics(struct rq *r)
{
	json_t *o = json_object();
	struct evbuffer *b;
	char *text = NULL;
	size_t n = 0;

	if (o) {
		iiotd_stats(r->api->d, o);
		text = prom_from_json(o, &n);
	}
	json_decref(o);
	b = text ? evbuffer_new() : NULL;
	if (!b || evbuffer_add(b, text, n)) {
		if (b)
			evbuffer_free(b);
		free(text);
		api_error(r, 500, "cannot build the metrics");
		return;
	}
	free(text);
	r->status = 200;
	http_headers(r->req, "text/plain; version=0.0.4; charset=utf-8");
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
			  "Cache-Control", "no-store");
	evhttp_send_reply(r->req, 200, "OK", b);
	evbuffer_free(b);
}
