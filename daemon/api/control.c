/*
 * The gate of every control action (DESIGN §13, docs/devices.md
 * "Gates"): Modbus writes (h_modbus.c) and DCP (h_dcp.c) pass here after
 * the route's own checks (device.control, CSRF).  The second factor is
 * a session's MFA, or for a machine an API token's control grant, which
 * only an admin gives (at creation or PUT /tokens/{id}, audited): a
 * token never passes MFA, so without the grant it is refused.
 * A refusal answers 403, 409 or 429 with why, and the caller sends
 * nothing; the dispatcher audits it as denied.
 *
 * Rate limits count what went out (never a refusal or a dry run) per
 * device and per user in a window of a minute.  The API loop and the
 * control socket's reader threads (localctl.c, iiotctl dcp|modbus) both
 * count, against the same tables, so they are under a lock.
 *
 * The control socket's operator is a local unix user (SO_PEERCRED): the
 * same gate minus the second factor, which the local login is
 * (docs/security.md "Device control: who may act").
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "capture/capture.h"
#include "model/model.h"

#define RATE_WINDOW_MS	60000
#define RATE_SLOTS	128	/* devices and users tracked at once */

struct rate {
	char key[48];
	int64_t start;		/* the window's, ms */
	unsigned int n;
};

static struct rate by_dev[RATE_SLOTS], by_user[RATE_SLOTS];
static pthread_mutex_t rate_lock = PTHREAD_MUTEX_INITIALIZER;

/* key's slot: its own, else a free or expired one, else the oldest */
static struct rate *slot(struct rate *t, const char *key, int64_t now)
{
	struct rate *old = &t[0];
	int i;

	for (i = 0; i < RATE_SLOTS; i++)
		if (!strcmp(t[i].key, key))
			return &t[i];
	for (i = 0; i < RATE_SLOTS; i++) {
		if (!t[i].key[0] || now - t[i].start >= RATE_WINDOW_MS) {
			old = &t[i];
			break;
		}
		if (t[i].start < old->start)
			old = &t[i];
	}
	snprintf(old->key, sizeof(old->key), "%s", key);
	old->start = now;
	old->n = 0;
	return old;
}

static bool over(struct rate *s, unsigned int limit, int64_t now)
{
	if (now - s->start >= RATE_WINDOW_MS) {
		s->start = now;
		s->n = 0;
	}
	return limit && s->n >= limit;
}

static int rate_check(const char *who, unsigned int id,
		      unsigned int per_device, unsigned int per_user,
		      char *why, size_t len)
{
	int64_t now = auth_now_ms();
	struct rate *d, *u;
	char key[48];

	snprintf(key, sizeof(key), "%u", id);
	d = slot(by_dev, key, now);
	u = slot(by_user, who, now);
	if (id && over(d, per_device, now)) {
		snprintf(why, len, "rate limit: device %u had %u control "
			 "requests in the last minute (at most %u)", id, d->n,
			 per_device);
		return 429;
	}
	if (over(u, per_user, now)) {
		snprintf(why, len, "rate limit: %s sent %u control "
			 "requests in the last minute (at most %u)", who,
			 u->n, per_user);
		return 429;
	}
	if (id)
		d->n++;
	u->n++;
	return 0;
}

int control_rate_check(const char *who, unsigned int id,
		       unsigned int per_device, unsigned int per_user,
		       char *why, size_t len)
{
	int rc;

	pthread_mutex_lock(&rate_lock);
	rc = rate_check(who, id, per_device, per_user, why, len);
	pthread_mutex_unlock(&rate_lock);
	return rc;
}

int control_rate(struct rq *r, unsigned int id, unsigned int per_device,
		 unsigned int per_user)
{
	char why[160];
	int code = control_rate_check(r->who, id, per_device, per_user, why,
				      sizeof(why));

	if (code)
		api_error(r, code, why);
	return code ? -1 : 0;
}

int control_lifecycle(const struct model *m, unsigned int id,
		      const char *what, unsigned int states, char *why,
		      size_t len)
{
	const struct model_device *dev = m ? model_device_get(m, id) : NULL;

	if (dev && (states & (1u << dev->lifecycle)))
		return 0;
	snprintf(why, len, "device %u is %s: %s needs it in %s "
		 "(PUT /devices/%u/lifecycle, iiotctl lifecycle)", id,
		 dev ? model_lifecycle_name(dev->lifecycle) :
		 "not in the inventory", what,
		 states & (1u << MODEL_LC_COMMISSIONED) ?
		 "maintenance, or commissioned" : "maintenance", id);
	return 409;
}

int control_gate(struct rq *r, unsigned int id, const char *what,
		 unsigned int states)
{
	struct model *m = r->api->snap ? r->api->snap->model : NULL;
	char why[256];

	if (r->via_token && !r->token_control) {
		snprintf(why, sizeof(why), "%s by an API token needs the token's "
			 "control grant, which an admin gives (PUT /tokens/{id} "
			 "{\"control\": true})", what);
		api_error(r, 403, why);
		return -1;
	}
	if (!r->via_token && (!r->sess || !r->sess->mfa_ok)) {
		snprintf(why, sizeof(why), "%s needs a session that passed MFA: "
			 "enrol TOTP and sign in with a code", what);
		api_error(r, 403, why);
		return -1;
	}
	if (!id)
		return 0;	/* not aimed at one device (DCP Identify) */
	if (control_lifecycle(m, id, what, states, why, sizeof(why))) {
		/* a refusal by the lifecycle, as iiotctl's row says */
		r->denied = true;
		api_error(r, 409, why);
		return -1;
	}
	return 0;
}
