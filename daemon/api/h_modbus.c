/*
 * Modbus TCP devices (docs/modbus.md): their state and points, and writes
 * to a point with read-back.  A write is device control (DESIGN §13):
 * device.control, a session that passed MFA or a token with the grant,
 * a reason, the device in lifecycle state maintenance, the rate limits
 * of [modbus] (counted with DCP's and the north's, control.c); a dry run
 * says what would be sent and sends nothing.  A refusal (403, 409, 429)
 * sends nothing.  The dispatcher writes the audit row: the request, what was
 * sent, the device's answer (read back) and the result.  The write
 * itself blocks for the device's timeout and retries, so it runs on a
 * reader thread (api_defer), never on the loop.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "api/parse.h"
#include "capture/capture.h"
#include "model/model.h"
#include "south/modbus.h"

#define MB_REASON_MAX	255

void h_modbus_devices(struct rq *r)
{
	api_reply(r, 200, modbus_devices_json());
}

void h_modbus_device(struct rq *r)
{
	json_t *o = modbus_device_json(r->param[0]);

	if (!o) {
		api_error(r, 404, "no such Modbus device");
		return;
	}
	api_reply(r, 200, o);
}

struct write_job {
	struct api_job j;
	char dev[64];
	char point[64];
	double value;
	int rc;
	double readback;
	char why[256];
	char sent[512];			/* what went out, JSON text */
};

static void keep_sent(struct write_job *w, json_t *sent)
{
	char *t = sent ? json_dumps(sent, JSON_COMPACT) : NULL;

	snprintf(w->sent, sizeof(w->sent), "%s", t ? t : "");
	free(t);
	json_decref(sent);
}

static json_t *result_json(const struct write_job *w, bool dry)
{
	json_t *o = json_pack("{s:s, s:s, s:f, s:b, s:s}", "device", w->dev,
			      "point", w->point, "value", w->value, "dry_run",
			      dry, "result", w->why);

	if (o && *w->sent)
		json_object_set_new(o, "sent", json_loads(w->sent, 0, NULL));
	if (o && !dry && w->rc == MODBUS_W_OK)
		json_object_set_new(o, "read_back", json_real(w->readback));
	return o;
}

static int write_code(int rc)
{
	switch (rc) {
	case MODBUS_W_OK: return 200;
	case MODBUS_W_NO_DEVICE: return 404;
	case MODBUS_W_BAD_VALUE: return 400;
	case MODBUS_W_STOPPING: return 503;
	default: return 502;	/* the device did not do it */
	}
}

/* on a reader thread: the write and its read-back */
static void write_work(struct api_job *j, struct sqlite3 *db, const char *err)
{
	struct write_job *w = (struct write_job *)j;
	json_t *sent = NULL;

	(void)db;
	(void)err;
	w->rc = modbus_write(w->dev, w->point, w->value, false, &sent,
			     &w->readback, w->why, sizeof(w->why));
	keep_sent(w, sent);
	api_job_json(j, result_json(w, false));
	if (j->status == 200)
		j->status = write_code(w->rc);
}

/* on the loop: the answer, and the device's into the audit row */
static void write_reply(struct api_job *j, struct rq *r)
{
	struct write_job *w = (struct write_job *)j;
	json_t *o = result_json(w, false);

	if (r->detail) {
		json_object_set_new(r->detail, "result", json_string(w->why));
		if (*w->sent)
			json_object_set_new(r->detail, "sent",
					    json_loads(w->sent, 0, NULL));
		if (w->rc == MODBUS_W_OK)
			json_object_set_new(r->detail, "read_back",
					    json_real(w->readback));
	}
	if (w->rc != MODBUS_W_OK) {
		json_decref(o);
		api_error(r, write_code(w->rc), w->why);
		return;
	}
	api_reply(r, 200, o);
}

/*
 * A write's request from body into a new job (*w), the audit row's
 * detail and the device's inventory id: 0, or the status with why.  The
 * API and the control socket (modbus_local) both start here.
 */
static int write_prepare(const char *key, json_t *body, struct write_job **w,
			 json_t **detail, unsigned int *id, const char **why)
{
	const char *point = body_str(body, "point", 63);
	const char *reason = body_str(body, "reason", MB_REASON_MAX);
	json_t *v = json_object_get(body, "value");
	json_t *dry = json_object_get(body, "dry_run");

	*w = NULL;
	if (!point || !json_is_number(v) || !isfinite(json_number_value(v)) ||
	    !reason || (dry && !json_is_boolean(dry))) {
		*why = "give point (a name), value (a number), reason (1-255 "
		       "characters) and optionally dry_run (true or false)";
		return 400;
	}
	*detail = json_pack("{s:s, s:f, s:s, s:b}", "point", point, "value",
			    json_number_value(v), "reason", reason, "dry_run",
			    json_is_true(dry));
	*id = modbus_device_id(key);
	if (!*id) {
		*why = "no such Modbus device";
		return 404;
	}
	if (!(*w = calloc(1, sizeof(**w)))) {
		*why = "out of memory";
		return 500;
	}
	snprintf((*w)->dev, sizeof((*w)->dev), "%s", key);
	snprintf((*w)->point, sizeof((*w)->point), "%s", point);
	(*w)->value = json_number_value(v);
	return 0;
}

/*
 * A write about to go out, against the rate limits: 0, or 429 with why.
 * The value is checked first (a dry run, nothing sent), so a refused
 * value is never counted as a write.
 */
static int write_rate(struct write_job *w, unsigned int id, const char *who,
		      char *why, size_t len)
{
	unsigned int per_device, per_user;
	json_t *sent = NULL;
	double rb;
	int rc = modbus_write(w->dev, w->point, w->value, true, &sent, &rb,
			      why, len);

	json_decref(sent);
	if (rc != MODBUS_W_OK)
		return 0;	/* the write itself says why, sending nothing */
	modbus_write_limits(&per_device, &per_user);
	return control_rate_check(who, id, per_device, per_user, why, len);
}

/* the write (or with dry, what it would send), here; the status */
static int write_now(struct write_job *w, bool dry, json_t *detail)
{
	json_t *sent = NULL;

	w->rc = modbus_write(w->dev, w->point, w->value, dry, &sent,
			     &w->readback, w->why, sizeof(w->why));
	keep_sent(w, sent);
	json_object_set_new(detail, "result", json_string(w->why));
	if (*w->sent && !dry)
		json_object_set_new(detail, "sent", json_loads(w->sent, 0, NULL));
	if (!dry && w->rc == MODBUS_W_OK)
		json_object_set_new(detail, "read_back", json_real(w->readback));
	return write_code(w->rc);
}

void h_modbus_write(struct rq *r)
{
	struct write_job *w;
	const char *why;
	unsigned int id;
	int code;

	snprintf(r->target, sizeof(r->target), "modbus %.60s", r->param[0]);
	code = write_prepare(r->param[0], r->body, &w, &r->detail, &id, &why);
	if (code) {
		api_error(r, code, why);
		return;
	}
	if (control_gate(r, id, "a Modbus write", 1u << MODEL_LC_MAINTENANCE)) {
		free(w);
		return;
	}
	if (json_is_true(json_object_get(r->body, "dry_run"))) {
		if (write_now(w, true, r->detail) == 200)
			api_reply(r, 200, result_json(w, true));
		else
			api_error(r, write_code(w->rc), w->why);
		free(w);
		return;
	}
	if ((code = write_rate(w, id, r->who, w->why, sizeof(w->why)))) {
		api_error(r, code, w->why);
		free(w);
		return;
	}
	w->j.work = write_work;
	w->j.reply = write_reply;
	api_defer(r, &w->j);
}

int modbus_local(const struct model *m, const char *key, json_t *body,
		 const char *who, json_t **detail, json_t **reply, bool *gate,
		 char *why, size_t len)
{
	bool dry = json_is_true(json_object_get(body, "dry_run"));
	struct write_job *w;
	const char *e;
	unsigned int id;
	int code = write_prepare(key, body, &w, detail, &id, &e);

	*reply = NULL;
	if (code)
		snprintf(why, len, "%s", e);
	else
		*gate = (code = control_lifecycle(m, id, "a Modbus write",
						  1u << MODEL_LC_MAINTENANCE,
						  why, len)) != 0;
	if (!code && !(code = dry ? 0 : write_rate(w, id, who, why, len))) {
		code = write_now(w, dry, *detail);
		snprintf(why, len, "%s", w->why);
		if (code == 200)
			*reply = result_json(w, dry);
	}
	free(w);
	return code;
}
