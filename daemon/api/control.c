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
 * device and per user in a window of a minute; the tables live on the
 * API loop, like every handler, so they need no lock.
 */
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

int control_rate(struct rq *r, unsigned int id, unsigned int per_device,
		 unsigned int per_user)
{
	int64_t now = auth_now_ms();
	struct rate *d, *u;
	char key[48], why[160];

	snprintf(key, sizeof(key), "%u", id);
	d = slot(by_dev, key, now);
	u = slot(by_user, r->who, now);
	if (id && over(d, per_device, now)) {
		snprintf(why, sizeof(why), "rate limit: device %u had %u control "
			 "requests in the last minute (at most %u)", id, d->n,
			 per_device);
		api_error(r, 429, why);
		return -1;
	}
	if (over(u, per_user, now)) {
		snprintf(why, sizeof(why), "rate limit: %s sent %u control "
			 "requests in the last minute (at most %u)", r->who,
			 u->n, per_user);
		api_error(r, 429, why);
		return -1;
	}
	if (id)
		d->n++;
	u->n++;
	return 0;
}

int control_gate(struct rq *r, unsigned int id, const char *what,
		 unsigned int states)
{
	struct model *m = r->api->snap ? r->api->snap->model : NULL;
	const struct model_device *dev;
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
	dev = m ? model_device_get(m, id) : NULL;
	if (!dev || !(states & (1u << dev->lifecycle))) {
		snprintf(why, sizeof(why), "device %u is %s: %s needs it in %s "
			 "(PUT /devices/%u/lifecycle)", id,
			 dev ? model_lifecycle_name(dev->lifecycle) :
			 "not in the inventory", what,
			 states & (1u << MODEL_LC_COMMISSIONED) ?
			 "maintenance, or commissioned" : "maintenance", id);
		api_error(r, 409, why);
		return -1;
	}
	return 0;
}
