/*
 * PROFINET DCP control (docs/devices.md): Identify on the line, and
 * Signal, Set NameOfStation, Set IP and Reset to factory on one device of
 * the inventory.  Every request passes the control gate (control.c):
 * device.control, an interactive session that passed MFA, a reason, the
 * device in maintenance (or commissioned, for its first name), the rate
 * limits of [dcp]; a dry run answers with the exact frame and sends
 * nothing.  What went out, the device's answer and the result go into
 * the audit row.  The exchange waits for answers, so it runs on a reader
 * thread (api_defer), never on the loop.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"
#include "capture/capture.h"
#include "model/model.h"
#include "south/dcp.h"

#define DCP_REASON_MAX	255

struct dcp_job {
	struct api_job j;
	struct dcp_request q;
	unsigned int dev;
	int wait_ms;
	int rc;				/* dcp_io_run's */
	char why[160];
	struct dcp_result res;
};

static json_t *mac_json(const uint8_t m[6])
{
	char s[18];

	snprintf(s, sizeof(s), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	return json_string(s);
}

static json_t *ip_json(uint32_t ip)
{
	struct in_addr a = { .s_addr = htonl(ip) };
	char s[INET_ADDRSTRLEN];

	return json_string(inet_ntop(AF_INET, &a, s, sizeof(s)) ? s : "?");
}

/* the frame q makes, in hex, as it goes out (the Xid is set then) */
static json_t *frame_json(const struct dcp_request *q)
{
	uint8_t f[DCP_FRAME_MAX];
	char hex[2 * DCP_FRAME_MAX + 1];
	size_t n = dcp_encode(q, f, sizeof(f)), i;
	static const uint8_t mc[6] = { 0x01, 0x0e, 0xcf, 0, 0, 0 };

	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", f[i]);
	hex[2 * n] = 0;
	return json_pack("{s:s, s:I, s:o, s:o, s:I, s:s}", "op",
			 dcp_op_name(q->op), "xid", (json_int_t)q->xid, "dst",
			 mac_json(q->op == DCP_OP_IDENTIFY ? mc : q->dst),
			 "src", mac_json(q->src), "length", (json_int_t)n,
			 "frame", hex);
}

static json_t *answer_json(const struct dcp_answer *a)
{
	json_t *o = json_pack("{s:o, s:s}", "mac", mac_json(a->mac), "name",
			      a->name);

	if (!o)
		return NULL;
	if (a->type[0])
		json_object_set_new(o, "type", json_string(a->type));
	if (a->has_ip) {
		json_object_set_new(o, "ip", ip_json(a->ip));
		json_object_set_new(o, "mask", ip_json(a->mask));
		json_object_set_new(o, "gateway", ip_json(a->gw));
	}
	if (a->has_id) {
		json_object_set_new(o, "vendor_id", json_integer(a->vendor_id));
		json_object_set_new(o, "device_id", json_integer(a->device_id));
	}
	return o;
}

/* the outcome in words, and its HTTP status */
static int outcome(const struct dcp_job *w, char *out, size_t len)
{
	const struct dcp_result *res = &w->res;
	const struct dcp_answer *a = &res->a[0];

	if (w->rc) {
		snprintf(out, len, "%s", w->why);
		return 503;
	}
	switch (res->match) {
	case DCP_MATCH_OK:
		if (w->q.op == DCP_OP_IDENTIFY)
			snprintf(out, len, "%u device(s) answered", res->n);
		else
			snprintf(out, len, "done");
		return 200;
	case DCP_MATCH_REFUSED:
		if (a->service_type != 1)
			snprintf(out, len, "refused by the device: request not "
				 "supported");
		else
			snprintf(out, len, "refused by the device: BlockError "
				 "%u, %s", a->block_error,
				 dcp_block_error_name(a->block_error));
		return 502;
	default:
		break;
	}
	if (res->bad) {
		snprintf(out, len, "no valid answer: %u malformed (%s: %s)",
			 res->bad, dcp_anomaly_name(a->anomaly), a->detail);
		return 502;
	}
	if (w->q.op == DCP_OP_IDENTIFY) {
		snprintf(out, len, "no device answered within %d ms",
			 w->wait_ms);
		return 200;
	}
	snprintf(out, len, "no answer within %d ms", w->wait_ms);
	return 504;
}

static json_t *result_json(const struct dcp_job *w, const char *result)
{
	json_t *o = json_pack("{s:s, s:b, s:o, s:s, s:I}", "op",
			      dcp_op_name(w->q.op), "dry_run", 0, "sent",
			      frame_json(&w->q), "result", result,
			      "bad_answers", (json_int_t)w->res.bad);
	json_t *list, *a;
	unsigned int i;

	if (!o)
		return NULL;
	if (w->dev)
		json_object_set_new(o, "device", json_integer(w->dev));
	if (w->q.op == DCP_OP_IDENTIFY) {
		list = json_array();
		for (i = 0; list && i < w->res.n; i++)
			json_array_append_new(list, answer_json(&w->res.a[i]));
		json_object_set_new(o, "devices", list);
		return o;
	}
	a = w->res.n ? answer_json(&w->res.a[0]) : json_null();
	if (w->res.n && a)
		json_object_set_new(a, "block_error",
				    json_integer(w->res.a[0].block_error));
	json_object_set_new(o, "answer", a);
	return o;
}

static void dcp_work(struct api_job *j, struct sqlite3 *db, const char *err)
{
	struct dcp_job *w = (struct dcp_job *)j;

	(void)db;
	(void)err;
	w->rc = dcp_io_run(&w->q, w->wait_ms, &w->res, w->why,
			   sizeof(w->why));
}

static void dcp_reply(struct api_job *j, struct rq *r)
{
	struct dcp_job *w = (struct dcp_job *)j;
	char result[256];
	int code = outcome(w, result, sizeof(result));
	json_t *o = result_json(w, result);

	const char *key = w->q.op == DCP_OP_IDENTIFY ? "devices" : "answer";

	if (r->detail && o) {
		json_object_set_new(r->detail, "result", json_string(result));
		json_object_set(r->detail, "sent", json_object_get(o, "sent"));
		json_object_set(r->detail, key, json_object_get(o, key));
	}
	if (code != 200) {
		json_decref(o);
		api_error(r, code, result);
		return;
	}
	api_reply(r, 200, o);
}

/* ---- requests ------------------------------------------------------------- */

static int parse_ip(json_t *body, const char *key, bool need, uint32_t *out)
{
	const char *s = body_str(body, key, 15);
	struct in_addr a;

	*out = 0;
	if (!s)	/* absent, or not a string */
		return need || json_object_get(body, key) ? -1 : 0;
	if (inet_pton(AF_INET, s, &a) != 1)
		return -1;
	*out = ntohl(a.s_addr);
	return 0;
}

/* the operation's own fields into q; 0, or -1 answered 400 */
static int parse_op(struct rq *r, struct dcp_request *q)
{
	json_t *b = r->body, *perm = json_object_get(b, "permanent");
	json_t *mode = json_object_get(b, "mode");
	const char *name = body_str(b, "name", DCP_NAME_MAX);

	if (perm && !json_is_boolean(perm)) {
		api_error(r, 400, "permanent: true or false");
		return -1;
	}
	q->permanent = !perm || json_is_true(perm);
	switch (q->op) {
	case DCP_OP_SET_NAME:
	case DCP_OP_IDENTIFY:
		if (name)
			snprintf(q->name, sizeof(q->name), "%s", name);
		if ((name || q->op == DCP_OP_SET_NAME) &&
		    !(name && dcp_name_valid(name))) {
			api_error(r, 400, "name: a NameOfStation — labels of "
				  "a-z, 0-9 and '-' (1-63 each, no '-' at "
				  "either end) joined by '.', at most 240");
			return -1;
		}
		return 0;
	case DCP_OP_SET_IP:
		if (parse_ip(b, "ip", true, &q->ip) ||
		    parse_ip(b, "mask", true, &q->mask) ||
		    parse_ip(b, "gateway", false, &q->gw)) {
			api_error(r, 400, "give ip and mask (and optionally "
				  "gateway) as dotted IPv4 addresses");
			return -1;
		}
		return 0;
	case DCP_OP_RESET:
		q->reset_mode = DCP_RESET_COMM;
		if (mode && json_is_integer(mode) &&
		    json_integer_value(mode) >= 1 &&
		    json_integer_value(mode) <= 9)
			q->reset_mode = (uint16_t)json_integer_value(mode);
		else if (mode)
			q->reset_mode = 0;	/* refused below */
		if (!q->reset_mode) {
			api_error(r, 400, "mode: 1, 2, 3, 4, 8 or 9 (2: "
				  "communication parameters)");
			return -1;
		}
		return 0;
	default:
		return 0;
	}
}

/* reason and dry_run; sets the audit row's detail.  0, or -1 answered */
static int parse_common(struct rq *r, enum dcp_op op, bool *dry)
{
	const char *reason = body_str(r->body, "reason", DCP_REASON_MAX);
	json_t *d = json_object_get(r->body, "dry_run");

	if (!reason || (d && !json_is_boolean(d))) {
		api_error(r, 400, "give reason (1-255 characters) and "
			  "optionally dry_run (true or false)");
		return -1;
	}
	*dry = json_is_true(d);
	r->detail = json_pack("{s:s, s:s, s:b}", "op", dcp_op_name(op),
			      "reason", reason, "dry_run", *dry);
	return 0;
}

/* the checks after the gate, then a dry run's answer or the job */
static void run(struct rq *r, struct dcp_job *w, bool dry)
{
	struct dcp_settings s;

	dcp_settings(&s);
	if (!dcp_io_mac(w->q.src)) {
		free(w);
		api_error(r, 409, "DCP control is off: no [dcp] interface "
			  "(docs/devices.md)");
		return;
	}
	if (!dcp_encode(&w->q, (uint8_t[DCP_FRAME_MAX]){ 0 }, DCP_FRAME_MAX)) {
		free(w);
		api_error(r, 400, "reset mode: 1, 2, 3, 4, 8 or 9");
		return;
	}
	if (dry) {
		json_t *f = frame_json(&w->q);

		json_object_set(r->detail, "sent", f);
		json_object_set_new(r->detail, "result",
				    json_string("dry run: nothing sent"));
		api_reply(r, 200, json_pack("{s:s, s:b, s:o, s:s}", "op",
			  dcp_op_name(w->q.op), "dry_run", 1, "frame", f,
			  "result", "dry run: nothing sent (the Xid is "
			  "the next one when sent)"));
		free(w);
		return;
	}
	if (control_rate(r, w->dev, w->dev ? s.per_device : 0, s.per_user)) {
		free(w);
		return;
	}
	w->wait_ms = w->q.op == DCP_OP_IDENTIFY ? s.identify_ms : s.timeout_ms;
	w->j.work = dcp_work;
	w->j.reply = dcp_reply;
	w->j.no_db = true;
	api_defer(r, &w->j);
}

void h_dcp_identify(struct rq *r)
{
	struct dcp_job *w;
	bool dry;

	snprintf(r->target, sizeof(r->target), "dcp identify");
	if (parse_common(r, DCP_OP_IDENTIFY, &dry) ||
	    control_gate(r, 0, "a DCP identify", 0))
		return;
	w = calloc(1, sizeof(*w));
	if (!w) {
		api_error(r, 500, "out of memory");
		return;
	}
	w->q.op = DCP_OP_IDENTIFY;
	w->q.response_delay = 1;
	if (parse_op(r, &w->q)) {
		free(w);
		return;
	}
	if (w->q.name[0])
		json_object_set_new(r->detail, "name", json_string(w->q.name));
	run(r, w, dry);
}

/* the device's MAC; 0, or -1 answered 404/409 */
static int device_mac(struct rq *r, unsigned int id, uint8_t mac[6])
{
	struct model *m = r->api->snap ? r->api->snap->model : NULL;
	const struct model_device *d = m ? model_device_get(m, id) : NULL;

	if (!d) {
		api_error(r, 404, "no such device");
		return -1;
	}
	if (d->kind != MODEL_DEV_PN_DEVICE && d->kind != MODEL_DEV_PN_CONTROLLER) {
		api_error(r, 409, "not a PROFINET device: DCP needs one");
		return -1;
	}
	memcpy(mac, d->mac, 6);
	return 0;
}

static void detail_op(json_t *o, const struct dcp_request *q)
{
	switch (q->op) {
	case DCP_OP_SET_NAME:
		json_object_set_new(o, "name", json_string(q->name));
		json_object_set_new(o, "permanent", json_boolean(q->permanent));
		break;
	case DCP_OP_SET_IP:
		json_object_set_new(o, "ip", ip_json(q->ip));
		json_object_set_new(o, "mask", ip_json(q->mask));
		json_object_set_new(o, "gateway", ip_json(q->gw));
		json_object_set_new(o, "permanent", json_boolean(q->permanent));
		break;
	case DCP_OP_RESET:
		json_object_set_new(o, "mode", json_integer(q->reset_mode));
		break;
	default:
		break;
	}
}

void h_dcp_device(struct rq *r)
{
	int op = dcp_op_from_name(r->param[1]);
	unsigned int states = 1u << MODEL_LC_MAINTENANCE;
	char what[48], *end;
	unsigned long id = strtoul(r->param[0], &end, 10);
	struct dcp_job *w;
	bool dry;

	snprintf(r->target, sizeof(r->target), "dcp %.20s device %.40s",
		 r->param[1], r->param[0]);
	if (op < 0 || op == DCP_OP_IDENTIFY) {
		api_error(r, 404, "no such DCP operation (signal, set-name, "
			  "set-ip, reset)");
		return;
	}
	if (*end || !id || id > UINT32_MAX) {
		api_error(r, 404, "no such device");
		return;
	}
	if (parse_common(r, op, &dry))
		return;
	w = calloc(1, sizeof(*w));
	if (!w) {
		api_error(r, 500, "out of memory");
		return;
	}
	w->q.op = op;
	w->dev = (unsigned int)id;
	if (parse_op(r, &w->q) || device_mac(r, w->dev, w->q.dst)) {
		free(w);
		return;
	}
	detail_op(r->detail, &w->q);
	/* a device's first name is given while it is being commissioned */
	if (op == DCP_OP_SET_NAME)
		states |= 1u << MODEL_LC_COMMISSIONED;
	snprintf(what, sizeof(what), "a DCP %s", dcp_op_name(op));
	if (control_gate(r, w->dev, what, states)) {
		free(w);
		return;
	}
	run(r, w, dry);
}
