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

#include "core/clock.h"
#include "core/log.h"
#include "fleet/host.h"
#include "fleet/inv.h"
#include "fleet/pg.h"
#include "north/spb.h"

#define LOOP_MS		50
#define BACKOFF_MAX_MS	30000

enum { H_DOWN, H_CONNECTING, H_ONLINE };

struct fleet {
	struct fleet_conf fc;
	struct iiotd *d;
	pthread_t th;
	bool stop;
	struct mosquitto *mosq;
	int state;			/* H_*, read by the stats */
	size_t broker;
	unsigned int fails;
	uint64_t next_try, state_ts, bad_log_ms;
	char last_err[300];
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

/* a broker that keeps refusing gives one line, not one per attempt */
static void fail_once(struct fleet *f, const char *msg)
{
	if (strcmp(msg, f->last_err))
		log_warnx("fleet: %s (retrying; said once)", msg);
	snprintf(f->last_err, sizeof(f->last_err), "%s", msg);
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
	struct fleet *f = arg;
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
			  f->fc.brokers[f->broker].url);
	}
	set_state(f, H_DOWN);
	/* the edges' sessions are unknown until they are born again */
	inv_lost(f->inv);
	f->broker = (f->broker + 1) % f->fc.nbrokers;
	f->fails++;
	f->next_try = mono_ms() + (f->fc.retry_ms << (f->fails < 6 ?
						       f->fails - 1 : 5));
	if (f->next_try > mono_ms() + BACKOFF_MAX_MS)
		f->next_try = mono_ms() + BACKOFF_MAX_MS;
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	struct fleet *f = arg;
	char topic[SPB_TOPIC_MAX], msg[300];
	size_t i;

	(void)m;
	if (rc) {
		f->connect_errors++;
		snprintf(msg, sizeof(msg), "%s refused the connection: %s",
			 f->fc.brokers[f->broker].url,
			 mosquitto_connack_string(rc));
		fail_once(f, msg);
		mosquitto_disconnect(f->mosq);
		lost(f);
		return;
	}
	f->connects++;
	f->fails = 0;
	f->last_err[0] = 0;
	log_info("fleet: connected to %s as host %s",
		 f->fc.brokers[f->broker].url, f->fc.host_id);
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

static struct mosquitto *client(struct fleet *f, const struct north_broker *br)
{
	struct mosquitto *m = mosquitto_new(f->fc.client_id, true, f);
	char topic[SPB_TOPIC_MAX], will[96];
	int n;

	if (!m)
		return NULL;
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_message_callback_set(m, on_message);
	/* the Will and the STATE online of this connection share a time */
	f->state_ts = wall_ms();
	n = state_msg(f, false, topic, sizeof(topic), will, sizeof(will));
	if (n < 0 || mosquitto_will_set(m, topic, n, will, 1, true))
		goto bad;
	if (f->fc.username[0] &&
	    mosquitto_username_pw_set(m, f->fc.username, f->fc.password[0] ?
				      f->fc.password : NULL))
		goto bad;
	if (br->tls &&
	    (mosquitto_tls_set(m, f->fc.ca[0] ? f->fc.ca : NULL,
			       f->fc.ca[0] ? NULL : "/etc/ssl/certs",
			       f->fc.cert[0] ? f->fc.cert : NULL,
			       f->fc.key[0] ? f->fc.key : NULL, NULL) ||
	     mosquitto_tls_opts_set(m, 1, NULL, NULL) ||
	     mosquitto_tls_insecure_set(m, false)))
		goto bad;
	return m;
bad:
	mosquitto_destroy(m);
	return NULL;
}

static void try_connect(struct fleet *f)
{
	const struct north_broker *br = &f->fc.brokers[f->broker];
	char msg[300];
	int rc;

	if (f->mosq)
		mosquitto_destroy(f->mosq);
	f->mosq = client(f, br);
	set_state(f, H_CONNECTING);
	if (!f->mosq) {
		snprintf(msg, sizeof(msg), "%s: cannot set up the client "
			 "(TLS files?)", br->url);
		fail_once(f, msg);
		f->connect_errors++;
		lost(f);
		return;
	}
	rc = mosquitto_connect(f->mosq, br->host, br->port,
			       (int)f->fc.keepalive_s);
	if (rc) {
		snprintf(msg, sizeof(msg), "%s: %s", br->url,
			 rc == MOSQ_ERR_ERRNO ? strerror(errno) :
			 mosquitto_strerror(rc));
		fail_once(f, msg);
		f->connect_errors++;
		lost(f);
	}
}

/* a clean end: STATE offline (a DISCONNECT withholds the Will) */
static void leave(struct fleet *f)
{
	int i;

	if (!f->mosq || get_state(f) != H_ONLINE)
		return;
	publish_state(f, false);
	for (i = 0; i < 10 && mosquitto_want_write(f->mosq); i++)
		mosquitto_loop(f->mosq, 20, 1);
	mosquitto_disconnect(f->mosq);
	for (i = 0; i < 5; i++)
		if (mosquitto_loop(f->mosq, 20, 1))
			break;
}

static void *run(void *arg)
{
	struct fleet *f = arg;
	struct timespec nap = { 0, LOOP_MS * 1000000L };
	int rc, st;

	while (!__atomic_load_n(&f->stop, __ATOMIC_ACQUIRE)) {
		if (get_state(f) == H_DOWN && mono_ms() >= f->next_try)
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
				fail_once(f, "the connection closed while "
					  "connecting");
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
	memset(f->fc.password, 0, sizeof(f->fc.password));
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
			    json_string(f->fc.brokers[f->broker].url));
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
