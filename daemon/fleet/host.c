/*
 * The host application's MQTT session (host.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <mosquitto.h>

#include "alerts/alerts.h"
#include "core/clock.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "fleet/host.h"
#include "fleet/inv.h"
#include "fleet/pg.h"
#include "north/link.h"
#include "north/spb.h"

#define LOOP_MS		50

enum { H_DOWN, H_CONNECTING, H_ONLINE };

struct fleet {
	struct fleet_conf fc;
	struct iiotd *d;
	pthread_t th;
	bool stop;
	struct mosquitto *mosq;
	int state;			/* H_*, read by the stats */
	struct north_link link;		/* the brokers, the back-off */
	bool alerted;			/* ops.fleet.down raised */
	uint64_t state_ts, bad_log_ms;
	struct inv *inv;
	struct pgw *w;			/* NULL: no postgres configured */
	struct pgr *r;
	struct inv_sink sink;
	uint64_t connects, connect_errors, disconnects;
	uint64_t rx_ms;			/* the message in hand arrived */
};

static void set_state(struct fleet *f, int st)
{
	__atomic_store_n(&f->state, st, __ATOMIC_RELAXED);
}

static int get_state(struct fleet *f)
{
	return __atomic_load_n(&f->state, __ATOMIC_RELAXED);
}

/* a refusal does not mend by retrying: said now, once (cleared on the
 * next session) */
static void alert_down(struct fleet *f)
{
	struct alert_ev ev;

	if (f->alerted || !f->d || !f->d->alerts)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.rule = ALERT_R_OPS_FLEET_DOWN;
	ev.ts_ns = wall_ms() * 1000000ULL;
	ev.label = f->fc.host_id;
	ev.detail = f->link.last_err;	/* alerts.c keeps what fits */
	alerts_raise(f->d->alerts, &ev);
	f->alerted = true;
}

/* ---- the sink: rows to PostgreSQL, Rebirth requests to the edges --------- */

static void on_row(void *arg, const struct inv_row *r)
{
	struct fleet *f = arg;

	if (f->w)
		pgw_row(f->w, r);
}

static void on_msg(void *arg, uint64_t ts_ms, bool historical)
{
	struct fleet *f = arg;

	if (f->w)
		pgw_msg(f->w, ts_ms, f->rx_ms, historical);
}

static void on_rebirth(void *arg, const char *group, const char *edge)
{
	struct fleet *f = arg;
	char topic[SPB_TOPIC_MAX];
	struct spb_value v = { .type = SPB_BOOL, .u = 1 };
	struct spb_buf b;
	uint8_t *buf = NULL;
	size_t len;
	uint64_t now = wall_ms();

	spb_init(&b, now);
	if (!spb_add(&b, SPB_REBIRTH, false, 0, now, &v, false) &&
	    (len = spb_pack(&b, false, 0, &buf)) &&
	    !spb_topic(topic, sizeof(topic), group, "NCMD", edge, NULL)) {
		log_info("fleet: asking %s/%s for a rebirth", group, edge);
		mosquitto_publish(f->mosq, NULL, topic, (int)len, buf, 1, false);
	}
	free(buf);
	spb_free(&b);
}

static void on_message(struct mosquitto *m, void *arg,
		       const struct mosquitto_message *msg)
{
	struct fleet *f = north_link_arg(arg);
	char why[128];
	uint64_t now;

	(void)m;
	f->rx_ms = wall_ms();
	if (!inv_message(f->inv, msg->topic, msg->payload,
			 (size_t)(msg->payloadlen > 0 ? msg->payloadlen : 0),
			 f->rx_ms, &f->sink, why, sizeof(why)))
		return;
	/* one line a second at most under a flood of bad messages */
	now = mono_ms();
	if (now >= f->bad_log_ms) {
		log_warnx("fleet: %s: %s: ignored", msg->topic, why);
		f->bad_log_ms = now + 1000;
	}
}

/* ---- STATE --------------------------------------------------------------- */

static int state_msg(struct fleet *f, bool online, char *topic, size_t tlen,
		     char *buf, size_t blen)
{
	int n = snprintf(buf, blen, "{\"online\":%s,\"timestamp\":%" PRIu64 "}",
			 online ? "true" : "false", f->state_ts);

	if (snprintf(topic, tlen, SPB_NAMESPACE "/STATE/%s", f->fc.host_id) >=
	    (int)tlen)
		return -1;
	return n;
}

static void publish_state(struct fleet *f, bool online)
{
	char topic[SPB_TOPIC_MAX], buf[96];
	int n = state_msg(f, online, topic, sizeof(topic), buf, sizeof(buf));

	if (n > 0)
		mosquitto_publish(f->mosq, NULL, topic, n, buf, 1, true);
}

/* ---- the connection ------------------------------------------------------ */

static void lost(struct fleet *f)
{
	if (get_state(f) == H_ONLINE) {
		f->disconnects++;
		log_warnx("fleet: disconnected from %s",
			  north_link_broker(&f->link)->url);
	}
	set_state(f, H_DOWN);
	/* the edges' sessions are unknown until they are born again */
	inv_lost(f->inv);
	north_link_lost(&f->link);
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct fleet *f = north_link_arg(arg);
	char topic[SPB_TOPIC_MAX];
	size_t i;

	(void)m;
	if (rc) {
		f->connect_errors++;
		north_link_refused(&f->link, rc);
		alert_down(f);
		mosquitto_disconnect(f->mosq);
		lost(f);
		return;
	}
	f->connects++;
	north_link_up(&f->link);
	north_link_ok(&f->link);
	if (f->alerted && f->d && f->d->alerts)
		alerts_clear(f->d->alerts, ALERT_R_OPS_FLEET_DOWN, 0, 0, 0);
	f->alerted = false;
	log_info("fleet: connected to %s as host %s",
		 north_link_broker(&f->link)->url, f->fc.host_id);
	/* subscribed before STATE online: no birth it brings is missed */
	if (!f->fc.ngroups)
		mosquitto_subscribe(f->mosq, NULL, SPB_NAMESPACE "/#", 1);
	for (i = 0; i < f->fc.ngroups; i++) {
		snprintf(topic, sizeof(topic), SPB_NAMESPACE "/%s/#",
			 f->fc.groups[i]);
		mosquitto_subscribe(f->mosq, NULL, topic, 1);
	}
	publish_state(f, true);
	set_state(f, H_ONLINE);
}

static struct mosquitto *client(struct fleet *f)
{
	struct mosquitto *m = north_link_client(&f->link);
	char topic[SPB_TOPIC_MAX], will[96];
	int n;

	if (!m)
		return NULL;
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_message_callback_set(m, on_message);
	/* the Will and the STATE online of this connection share a time */
	f->state_ts = wall_ms();
	n = state_msg(f, false, topic, sizeof(topic), will, sizeof(will));
	if (n < 0 || mosquitto_will_set(m, topic, n, will, 1, true)) {
		north_link_fail(&f->link, "%s: cannot set the STATE Will",
				north_link_broker(&f->link)->url);
		mosquitto_destroy(m);
		return NULL;
	}
	return m;
}

static void try_connect(struct fleet *f)
{
	if (f->mosq)
		mosquitto_destroy(f->mosq);
	f->mosq = client(f);
	set_state(f, H_CONNECTING);
	if (!f->mosq || north_link_connect(&f->link, f->mosq)) {
		f->connect_errors++;
		lost(f);
	}
}

/* a clean end: STATE offline (a DISCONNECT withholds the Will) */
static void leave(struct fleet *f)
{
	if (!f->mosq || get_state(f) != H_ONLINE)
		return;
	publish_state(f, false);
	north_link_close(f->mosq);
}

static void *run(void *arg)
{
	struct fleet *f = arg;
	struct timespec nap = { 0, LOOP_MS * 1000000L };
	int rc, st;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		if (get_state(f) == H_DOWN && north_link_due(&f->link))
			try_connect(f);
		st = get_state(f);
		if (st == H_DOWN) {
			nanosleep(&nap, NULL);
			continue;
		}
		rc = mosquitto_loop(f->mosq, LOOP_MS, 1);
		if (rc != MOSQ_ERR_SUCCESS && get_state(f) != H_DOWN) {
			if (st == H_CONNECTING) {
				f->connect_errors++;
				north_link_closed(&f->link, rc);
			}
			lost(f);
		}
	}
	leave(f);
	return NULL;
}

struct fleet *fleet_start(struct iiotd *d, const struct fleet_conf *fc,
			  char *err, size_t errlen)
{
	struct fleet *f = calloc(1, sizeof(*f));

	if (!f || !(f->inv = inv_new(fc->rebirth_ms))) {
		snprintf(err, errlen, "out of memory");
		free(f);
		return NULL;
	}
	f->d = d;
	f->fc = *fc;
	north_link_init(&f->link, "fleet", &f->fc.link, f);
	f->sink = (struct inv_sink){ on_row, on_msg, on_rebirth, f };
	if (fc->postgres[0] &&
	    (!(f->w = pgw_start(fc, err, errlen)) ||
	     !(f->r = pgr_new(fc->postgres)))) {
		pgw_stop(f->w);
		inv_free(f->inv);
		free(f);
		return NULL;
	}
	if ((errno = pthread_create(&f->th, NULL, run, f))) {
		snprintf(err, errlen, "thread: %s", strerror(errno));
		pgw_stop(f->w);
		pgr_free(f->r);
		inv_free(f->inv);
		free(f);
		return NULL;
	}
	return f;
}

void fleet_stop(struct fleet *f)
{
	if (!f)
		return;
	__atomic_store_n(&f->stop, true, __ATOMIC_RELEASE);
	pthread_join(f->th, NULL);
	if (f->mosq)
		mosquitto_destroy(f->mosq);
	pgw_stop(f->w);
	pgr_free(f->r);
	inv_free(f->inv);
	memset(f->fc.link.password, 0, sizeof(f->fc.link.password));
	free(f);
}

json_t *fleet_stats(struct fleet *f)
{
	static const char *const states[] = { "down", "connecting", "online" };
	struct inv_counters ic;
	struct pgw_counters pc;
	json_t *o = json_object();

	inv_counters(f->inv, &ic);
	json_object_set_new(o, "session", json_string(states[get_state(f)]));
	json_object_set_new(o, "broker",
			    json_string(f->fc.link.brokers[__atomic_load_n(
				&f->link.broker, __ATOMIC_RELAXED)].url));
	json_object_set_new(o, "host_id", json_string(f->fc.host_id));
	json_object_set_new(o, "connects", json_integer((json_int_t)
		__atomic_load_n(&f->connects, __ATOMIC_RELAXED)));
	json_object_set_new(o, "connect_errors", json_integer((json_int_t)
		__atomic_load_n(&f->connect_errors, __ATOMIC_RELAXED)));
	json_object_set_new(o, "disconnects", json_integer((json_int_t)
		__atomic_load_n(&f->disconnects, __ATOMIC_RELAXED)));
#define INV_X_JSON(n, d) json_object_set_new(o, #n, json_integer((json_int_t)ic.n));
	INV_COUNTERS(INV_X_JSON)
#undef INV_X_JSON
	json_object_set_new(o, "postgres", json_boolean(f->w != NULL));
	if (f->w) {
		pgw_counters(f->w, &pc);
#define PGW_X_JSON(n, d) json_object_set_new(o, #n, json_integer((json_int_t)pc.n));
		PGW_COUNTERS(PGW_X_JSON)
#undef PGW_X_JSON
		json_object_set_new(o, "rows_pending",
				    json_integer((json_int_t)pc.pending));
		json_object_set_new(o, "pg_up", json_boolean(pc.up));
		json_object_set_new(o, "latency", pgw_latency_json(f->w, false));
		json_object_set_new(o, "latency_stages",
				    pgw_latency_json(f->w, true));
	}
	return o;
}

/* ---- what the API reads -------------------------------------------------- */

json_t *fleet_sites_json(struct fleet *f)
{
	return inv_sites_json(f->inv);
}

json_t *fleet_nodes_json(struct fleet *f, const char *group)
{
	return inv_nodes_json(f->inv, group);
}

json_t *fleet_devices_json(struct fleet *f, const char *group,
			   const char *edge)
{
	return inv_devices_json(f->inv, group, edge);
}

json_t *fleet_history_json(struct fleet *f, const char *group,
			   const char *edge, const char *device, const char *metric,
			   int64_t from_ms, int64_t to_ms, unsigned int limit,
			   char *why, size_t whylen)
{
	if (!inv_has_node(f->inv, group, edge)) {
		snprintf(why, whylen, "no such node");
		return NULL;
	}
	if (!f->r) {
		snprintf(why, whylen, "no postgres configured");
		return NULL;
	}
	return pgr_history(f->r, group, edge, device, metric, from_ms, to_ms, limit,
			   why, whylen);
}
