/*
 * Alerts: the list with filters and paging, one alert with its history,
 * acknowledge / shelve / unshelve / comment (alert.ack, audited by the
 * dispatcher), the evidence pcap cut from the flight recorder, the rule
 * table, and the alert events on the live stream.
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alertsys.h"
#include "api/api.h"
#include "api/parse.h"
#include "capture/capture.h"
#include "core/iiotd.h"

#define SHELVE_MAX_MIN	(7 * 24 * 60)	/* a shelf ends within a week */

static int alert_id(struct rq *r, uint64_t *id)
{
	char *end;
	long long v = strtoll(r->param[0], &end, 10);

	if (*end || v <= 0) {
		api_error(r, 400, "alert id must be a positive integer");
		return -1;
	}
	*id = (uint64_t)v;
	snprintf(r->target, sizeof(r->target), "alert %llu",
		 (unsigned long long)v);
	return 0;
}

static int parse_query(struct rq *r, struct alerts_query *q, char *rule,
		       size_t rlen)
{
	char st[24], sev[16];
	int64_t dev, since, until, before, limit;
	int hs, hv, hr;

	memset(q, 0, sizeof(*q));
	q->state = -1;
	hs = query_get(r->query, "state", st, sizeof(st));
	hv = query_get(r->query, "severity", sev, sizeof(sev));
	hr = query_get(r->query, "rule", rule, rlen);
	if (hs < 0 || hv < 0 || hr < 0 ||
	    query_int(r->query, "device", 0, 0x7fffffff, 0, &dev) ||
	    query_int(r->query, "since", 0, INT64_MAX / 1000000, 0, &since) ||
	    query_int(r->query, "until", 0, INT64_MAX / 1000000, 0, &until) ||
	    query_int(r->query, "before", 0, INT64_MAX, 0, &before) ||
	    query_int(r->query, "limit", 1, 1000, 100, &limit))
		return -1;
	if (!hs && !strcmp(st, "open"))
		q->open_only = true;
	else if (!hs && (q->state = alert_state_parse(st)) < 0)
		return -1;
	if (!hv && (q->severity = alert_severity_parse(sev)) < 0)
		return -1;
	if (!hr && alert_rule_parse(rule) < 0)
		return -1;
	q->rule = hr ? NULL : rule;
	q->device = (uint32_t)dev;
	q->since_ns = (uint64_t)since * 1000000ULL;
	q->until_ns = (uint64_t)until * 1000000ULL;
	q->before_id = (uint64_t)before;
	q->limit = (int)limit;
	return 0;
}

void h_alerts(struct rq *r)
{
	struct alerts_query q;
	char rule[64];
	json_t *list;

	if (parse_query(r, &q, rule, sizeof(rule))) {
		api_error(r, 400, "bad query: state (active-unack|active-ack|"
			  "cleared-unack|normal|open), severity (info|warning|"
			  "critical: at least), rule (a rule id), device, since, "
			  "until (ms), before (id), limit (1-1000)");
		return;
	}
	list = alertsys_list(r->api->d, &q);
	if (!list) {
		api_error(r, 503, "alerts are not running");
		return;
	}
	{
		json_t *al;
		size_t i;

		json_array_foreach(list, i, al)
			data_alias_add(r->api, al, "device", "device_alias");
	}
	api_reply(r, 200, json_pack("{s:o, s:o}", "alerts", list, "counts",
				    alertsys_counts(r->api->d)));
}

void h_alert_counts(struct rq *r)
{
	api_reply(r, 200, alertsys_counts(r->api->d));
}

void h_alert_rules(struct rq *r)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < ALERT_RULE_COUNT; i++) {
		const struct alert_rule *ru = alert_rule(i);

		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s?, s:i}",
			"id", ru->id, "severity",
			alert_severity_name(ru->severity), "technique",
			ru->technique, "technique_name",
			alert_technique_name(ru->technique), "clear_s",
			ru->clear_s));
	}
	api_reply(r, 200, json_pack("{s:o}", "rules", a));
}

void h_alert(struct rq *r)
{
	uint64_t id;
	json_t *j;

	if (alert_id(r, &id))
		return;
	j = alertsys_get(r->api->d, id);
	if (!j) {
		api_error(r, 404, "no such alert");
		return;
	}
	data_alias_add(r->api, j, "device", "device_alias");
	api_reply(r, 200, j);
}

/* the comment of a state change: optional, at most 160 bytes */
static int comment(struct rq *r, const char **c)
{
	json_t *v = json_object_get(r->body, "comment");

	*c = "";
	if (!v)
		return 0;
	*c = body_str(r->body, "comment", ALERT_COMMENT_MAX - 1);
	if (!*c) {
		api_error(r, 400, "comment must be a string of 1-159 characters");
		return -1;
	}
	r->detail = json_pack("{s:s}", "comment", *c);
	return 0;
}

static void op_reply(struct rq *r, uint64_t id, int rc, const char *refused)
{
	json_t *j;

	if (rc == ALERT_OP_NO_ALERT) {
		api_error(r, 404, "no open alert with this id (normal alerts "
			  "need nothing more)");
		return;
	}
	if (rc == ALERT_OP_REFUSED) {
		api_error(r, 409, refused);
		return;
	}
	j = alertsys_get(r->api->d, id);
	api_reply(r, 200, j ? j : json_object());
}

void h_alert_ack(struct rq *r)
{
	const char *c;
	uint64_t id;

	if (alert_id(r, &id) || comment(r, &c))
		return;
	op_reply(r, id, alerts_ack(r->api->d->alerts, id, r->who, c,
				   (uint64_t)auth_now_ms() * 1000000ULL),
		 "already acknowledged");
}

void h_alert_shelve(struct rq *r)
{
	json_t *m = json_object_get(r->body, "minutes");
	const char *c;
	uint64_t id, until;

	if (alert_id(r, &id) || comment(r, &c))
		return;
	if (!json_is_integer(m) || json_integer_value(m) < 1 ||
	    json_integer_value(m) > SHELVE_MAX_MIN) {
		api_error(r, 400, "minutes must be an integer of 1-10080 (a week)");
		return;
	}
	if (!*c) {
		api_error(r, 400, "shelving needs a comment: why it is safe");
		return;
	}
	json_object_set(r->detail, "minutes", m);
	until = ((uint64_t)auth_now_ms() +
		 (uint64_t)json_integer_value(m) * 60000ULL) * 1000000ULL;
	op_reply(r, id, alerts_shelve(r->api->d->alerts, id, until, r->who, c),
		 "");
}

void h_alert_unshelve(struct rq *r)
{
	const char *c;
	uint64_t id;

	if (alert_id(r, &id) || comment(r, &c))
		return;
	op_reply(r, id, alerts_unshelve(r->api->d->alerts, id, r->who, c),
		 "not shelved");
}

void h_alert_comment(struct rq *r)
{
	const char *c;
	uint64_t id;

	if (alert_id(r, &id) || comment(r, &c))
		return;
	if (!*c) {
		api_error(r, 400, "comment required");
		return;
	}
	op_reply(r, id, alerts_comment(r->api->d->alerts, id, r->who, c), "");
}

static int add_buf(void *arg, const void *buf, size_t len)
{
	return evbuffer_add(arg, buf, len);
}

void h_alert_pcap(struct rq *r)
{
	struct evbuffer *b;
	uint64_t id, from, to;
	char disp[96];
	long n;

	if (alert_id(r, &id))
		return;
	if (alertsys_window(r->api->d, id, &from, &to)) {
		api_error(r, 404, "no such alert");
		return;
	}
	b = evbuffer_new();
	n = b && r->api->d->capture ?
	    capture_export_pcap_range(r->api->d->capture, from, to, NULL,
				      add_buf, b) : -1;
	if (n <= 0) {
		evbuffer_free(b);
		api_error(r, n < 0 ? 500 : 410, n < 0 ? "cannot cut the pcap" :
			  "the flight recorder no longer holds these frames");
		return;
	}
	r->status = 200;
	http_headers(r->req, "application/vnd.tcpdump.pcap");
	snprintf(disp, sizeof(disp), "attachment; filename=\"alert-%llu.pcap\"",
		 (unsigned long long)id);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
			  "Content-Disposition", disp);
	evhttp_add_header(evhttp_request_get_output_headers(r->req),
			  "Cache-Control", "no-store");
	evhttp_send_reply(r->req, 200, "OK", b);
	evbuffer_free(b);
}

/* alertsys listener: every change to every live stream allowed to see it */
void api_alert_changed(void *arg, const struct alert_change *c)
{
	struct api *a = arg;
	json_t *o;
	char *s;

	if (!a->sse)
		return;
	o = json_pack("{s:s, s:o, s:o}", "change", alert_change_name(c->kind),
		      "alert", alert_json(&c->a), "counts",
		      alertsys_counts(a->d));
	if (o)
		data_alias_add(a, json_object_get(o, "alert"), "device",
			       "device_alias");
	s = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (s)
		sse_event(a, "alert", s, PERM_ALERT_READ);
	free(s);
}
