/*
 * PROFINET DCP control (docs/devices.md): Identify on the line, and
 * Signal, Set NameOfStation, Set IP and Reset to factory on one device of
 * the inventory.  Every request passes the control gate (control.c):
 * device.control, a session that passed MFA (or a token with the
 * control grant), a reason, the device in maintenance (or commissioned,
 * for its first name), the rate limits of [dcp]; a dry run answers with
 * the exact frame and sends nothing.  What went out, the device's answer
 * and the result go into the audit row.  The exchange waits for answers,
 * so it runs on a reader thread (api_defer), never on the loop; the
 * control socket's requests (dcp_local) are on one already.
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

/*
 * Everything below is the same for the API and the control socket
 * (localctl.c): the parsing and checks answer a status and why instead of
 * the request, and each side answers it its own way.
 */

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

/* the operation's own fields of b into q; 0, or 400 with why */
static int parse_op(json_t *b, struct dcp_request *q, const char **why)
{
	json_t *perm = json_object_get(b, "permanent");
	json_t *mode = json_object_get(b, "mode");
	const char *name = body_str(b, "name", DCP_NAME_MAX);

	if (perm && !json_is_boolean(perm)) {
		*why = "permanent: true or false";
		return 400;
	}
	q->permanent = !perm || json_is_true(perm);
	switch (q->op) {
	case DCP_OP_SET_NAME:
	case DCP_OP_IDENTIFY:
		if (name)
			snprintf(q->name, sizeof(q->name), "%s", name);
		if ((name || q->op == DCP_OP_SET_NAME) &&
		    !(name && dcp_name_valid(name))) {
			*why = "name: a NameOfStation — labels of a-z, 0-9 and "
			       "'-' (1-63 each, no '-' at either end) joined by "
			       "'.', at most 240";
			return 400;
		}
		return 0;
	case DCP_OP_SET_IP:
		if (parse_ip(b, "ip", true, &q->ip) ||
		    parse_ip(b, "mask", true, &q->mask) ||
		    parse_ip(b, "gateway", false, &q->gw)) {
			*why = "give ip and mask (and optionally gateway) as "
			       "dotted IPv4 addresses";
			return 400;
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
			*why = "mode: 1, 2, 3, 4, 8 or 9 (2: communication "
			       "parameters)";
			return 400;
		}
		return 0;
	default:
		return 0;
	}
}

/* reason and dry_run of b; the audit row's detail.  0, or 400 with why */
static int parse_common(json_t *b, enum dcp_op op, bool *dry, json_t **detail,
			const char **why)
{
	const char *reason = body_str(b, "reason", DCP_REASON_MAX);
	json_t *d = json_object_get(b, "dry_run");

	if (!reason || (d && !json_is_boolean(d))) {
		*why = "give reason (1-255 characters) and optionally dry_run "
		       "(true or false)";
		return 400;
	}
	*dry = json_is_true(d);
	*detail = json_pack("{s:s, s:s, s:b}", "op", dcp_op_name(op),
			    "reason", reason, "dry_run", *dry);
	return 0;
}

/* the device's MAC; 0, or 404/409 with why */
static int device_mac(const struct model *m, unsigned int id, uint8_t mac[6],
		      const char **why)
{
	const struct model_device *d = m ? model_device_get(m, id) : NULL;

	if (!d) {
		*why = "no such device";
		return 404;
	}
	if (d->kind != MODEL_DEV_PN_DEVICE && d->kind != MODEL_DEV_PN_CONTROLLER) {
		*why = "not a PROFINET device: DCP needs one";
		return 409;
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
	case DCP_OP_IDENTIFY:
		if (q->name[0])
			json_object_set_new(o, "name", json_string(q->name));
		break;
	default:
		break;
	}
}

/*
 * The request of op on device id (0: Identify) from body into w, and
 * the lifecycle states the gate lets it through in: 0, or the status
 * with why.  *detail (the audit row's) is set once the common fields
 * parse.
 */
static int prepare(const struct model *m, int op, unsigned int id, json_t *body,
		   struct dcp_job *w, bool *dry, json_t **detail,
		   unsigned int *states, const char **why)
{
	int code = parse_common(body, op, dry, detail, why);

	if (code)
		return code;
	w->q.op = op;
	w->dev = id;
	if (op == DCP_OP_IDENTIFY)
		w->q.response_delay = 1;
	if ((code = parse_op(body, &w->q, why)) ||
	    (id && (code = device_mac(m, id, w->q.dst, why))))
		return code;
	detail_op(*detail, &w->q);
	/* a device's first name is given while it is being commissioned */
	*states = 1u << MODEL_LC_MAINTENANCE;
	if (op == DCP_OP_SET_NAME)
		*states |= 1u << MODEL_LC_COMMISSIONED;
	return 0;
}

#define DRY_RESULT "dry run: nothing sent (the Xid is the next one when sent)"

/*
 * The checks after the gate: 0 to send (w's wait set), 200 with a dry
 * run's answer in *reply, or the status with why.  who: for the rate
 * limit.
 */
static int ready(struct dcp_job *w, bool dry, const char *who, json_t *detail,
		 json_t **reply, char *why, size_t len)
{
	struct dcp_settings s;

	dcp_settings(&s);
	if (!dcp_io_mac(w->q.src)) {
		snprintf(why, len, "DCP control is off: no [dcp] interface "
			 "(docs/devices.md)");
		return 409;
	}
	if (!dcp_encode(&w->q, (uint8_t[DCP_FRAME_MAX]){ 0 }, DCP_FRAME_MAX)) {
		snprintf(why, len, "reset mode: 1, 2, 3, 4, 8 or 9");
		return 400;
	}
	if (dry) {
		json_t *f = frame_json(&w->q);

		json_object_set(detail, "sent", f);
		json_object_set_new(detail, "result",
				    json_string("dry run: nothing sent"));
		*reply = json_pack("{s:s, s:b, s:o, s:s}", "op",
				   dcp_op_name(w->q.op), "dry_run", 1,
				   "frame", f, "result", DRY_RESULT);
		return 200;
	}
	w->wait_ms = w->q.op == DCP_OP_IDENTIFY ? s.identify_ms : s.timeout_ms;
	return control_rate_check(who, w->dev, w->dev ? s.per_device : 0,
				  s.per_user, why, len);
}

/* ---- the API ----------------------------------------------------------------- */

/* the dry run's answer, or the job; frees w unless deferred */
static void run(struct rq *r, struct dcp_job *w, bool dry)
{
	json_t *reply = NULL;
	char why[160];
	int code = ready(w, dry, r->who, r->detail, &reply, why, sizeof(why));

	if (code) {
		free(w);
		if (reply)
			api_reply(r, code, reply);
		else
			api_error(r, code, why);
		return;
	}
	w->j.work = dcp_work;
	w->j.reply = dcp_reply;
	w->j.no_db = true;
	api_defer(r, &w->j);
}

/* the request into a new job past the gate; NULL when answered */
static struct dcp_job *request(struct rq *r, int op, unsigned int id,
			       bool *dry)
{
	struct model *m = r->api->snap ? r->api->snap->model : NULL;
	struct dcp_job *w = calloc(1, sizeof(*w));
	unsigned int states = 0;
	const char *why = "out of memory";
	char what[48];
	int code = w ? prepare(m, op, id, r->body, w, dry, &r->detail,
			       &states, &why) : 500;

	if (code) {
		free(w);
		api_error(r, code, why);
		return NULL;
	}
	snprintf(what, sizeof(what), "a DCP %s", dcp_op_name(op));
	if (control_gate(r, id, what, states)) {
		free(w);
		return NULL;
	}
	return w;
}

void h_dcp_identify(struct rq *r)
{
	struct dcp_job *w;
	bool dry;

	snprintf(r->target, sizeof(r->target), "dcp identify");
	if ((w = request(r, DCP_OP_IDENTIFY, 0, &dry)))
		run(r, w, dry);
}

void h_dcp_device(struct rq *r)
{
	int op = dcp_op_from_name(r->param[1]);
	char *end;
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
	if ((w = request(r, op, (unsigned int)id, &dry)))
		run(r, w, dry);
}

/* ---- the control socket ------------------------------------------------------ */

int dcp_local(const struct model *m, const char *opname, unsigned int id,
	      json_t *body, const char *who, json_t **detail, json_t **reply,
	      bool *gate, char *why, size_t len)
{
	int op = dcp_op_from_name(opname), code;
	struct dcp_job *w;
	unsigned int states = 0;
	const char *e = "out of memory";
	char what[48];
	bool dry;

	*reply = NULL;
	if (op < 0 || (op == DCP_OP_IDENTIFY) != !id) {
		snprintf(why, len, "no such DCP operation on %s", id ?
			 "a device (signal, set-name, set-ip, reset)" :
			 "the line (identify)");
		return 404;
	}
	w = calloc(1, sizeof(*w));
	code = w ? prepare(m, op, id, body, w, &dry, detail, &states, &e) : 500;
	snprintf(what, sizeof(what), "a DCP %s", dcp_op_name(op));
	if (code)
		snprintf(why, len, "%s", e);
	else if (id)
		*gate = (code = control_lifecycle(m, id, what, states, why,
						  len)) != 0;
	if (!code)
		code = ready(w, dry, who, *detail, reply, why, len);
	if (!code) {
		dcp_work(&w->j, NULL, NULL);	/* on a reader thread: wait here */
		code = outcome(w, why, len);
		if (*detail) {
			json_object_set_new(*detail, "result", json_string(why));
			json_object_set_new(*detail, "sent", frame_json(&w->q));
		}
		*reply = result_json(w, why);
		if (*detail && *reply) {
			const char *key = op == DCP_OP_IDENTIFY ? "devices" : "answer";

			json_object_set(*detail, key, json_object_get(*reply, key));
		}
	}
	free(w);
	return code;
}
