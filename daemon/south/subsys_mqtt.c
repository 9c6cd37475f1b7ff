/*
 * iiotd subsystem "mqtt" (docs/devices.md, "MQTT devices"): devices that
 * publish JSON to a broker.  One subscriber thread of its own reads the
 * device topic space (mqtt.root/#); a message on a device's topic goes
 * through the device's JSON path map (mqmap.c) and its values reach the
 * model through extq.c like the Modbus pollers'.  A message on a topic no
 * device has is an unknown publisher: counted, logged at most every
 * MQ_LOG_EVERY_S, and the alert mqtt.publisher.unknown.  A device is
 * offline after offline_after intervals without a message.
 *
 * With mqtt.manage = local iiotd writes the broker's password and ACL
 * files from the device list and makes it reload them (mqbroker.c).
 * Devices added through the API are kept in the devices file and read
 * again at start; changes to iiotd.conf's devices apply at restart.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <mosquitto.h>

#include "alerts/alerts.h"
#include "capture/capture.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "model/model.h"
#include "south/extq.h"
#include "south/mqbroker.h"
#include "south/mqconf.h"
#include "south/mqindex.h"
#include "south/mqtt.h"
#include "south/south.h"
#include "store/store.h"

#define MQ_LOOP_MS		100
#define MQ_RETRY_MS		2000
#define MQ_LOG_EVERY_S		10
#define MQ_DEVICES_FILE		"mqtt-devices.conf"
#define MQ_DEVICES_FILE_MAX	(1U << 20)

#define MQ_DEV_COUNTERS(X) \
	X(messages,	"messages on its topic")			\
	X(values,	"signal values taken")				\
	X(malformed,	"payloads that were not JSON, or too large")	\
	X(missing,	"map paths absent from a payload")		\
	X(bad_type,	"values of the wrong type")			\
	X(bad_time,	"payloads whose time path was unreadable")

struct mq_dev_counters {
#define MQ_X_FIELD(n, d) uint64_t n;
	MQ_DEV_COUNTERS(MQ_X_FIELD)
#undef MQ_X_FIELD
};

struct mq_dev {
	struct mq_dev_conf dc;		/* a copy: the list grows at run time */
	struct mq_sig *sigs;		/* dc.n of them */
	uint32_t model_id;
	size_t ext_base;		/* external index of its first signal */
	/* under sys.mu */
	bool online, removed;
	uint64_t last_ns;		/* CLOCK_REALTIME of the last message */
	uint64_t last_mono;		/* ms */
	struct mq_dev_counters ctr;
	double *last;			/* by signal */
	uint64_t *last_ts;
	uint32_t *idx;
};

static struct {
	struct iiotd *d;
	struct mq_conf mc;		/* [mqtt]; devices are in devs */
	char devices_file[PATH_MAX];
	char own_hash[MQ_HASH_MAX];	/* iiotd's user, hashed at start */
	pthread_mutex_t mu;		/* devs, counters, the devices file */
	struct mq_dev **devs;
	size_t ndevs;
	struct mq_index *by_topic;	/* devs not removed, by topic */
	struct extq *q;
	pthread_t th;
	bool running, stop;
	struct mosquitto *mosq;
	bool tcp, up;			/* connected; subscribed */
	bool refused;			/* this attempt's CONNACK refused it */
	uint64_t messages, unknown, malformed, connects, connect_errors;
	uint64_t broker_writes, broker_errors;
	uint64_t log_next, log_unknown;	/* rate-limited log lines */
	uint64_t log_next_bad;
	/* libmosquitto's last error line (the subscriber thread's): what a
	 * TLS failure was, e.g. OpenSSL's "certificate verify failed" */
	char lib_err[256];
} sys = { .mu = PTHREAD_MUTEX_INITIALIZER };

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- configuration ------------------------------------------------------ */

static void devices_path(const struct iiotd *d, const struct mq_conf *mc,
			 char *out, size_t len)
{
	const char *dir = d && d->state_dir[0] ? d->state_dir :
			  IIOTD_DEFAULT_STATE_DIR;

	if (mc->devices_file[0])
		snprintf(out, len, "%s", mc->devices_file);
	else if ((size_t)snprintf(out, len, "%.*s/%s", PATH_MAX - 32, dir,
				  MQ_DEVICES_FILE) >= len)
		out[0] = 0;
}

/* the devices file, NULL when there is none (0) or it is bad (-1) */
static int load_devices_file(const char *path, struct conf **out, char *err,
			     size_t errlen)
{
	*out = NULL;
	if (access(path, F_OK) && errno == ENOENT)
		return 0;
	*out = conf_load(path, err, errlen);
	return *out ? 0 : -1;
}

static int parse_all(const struct conf *c, const struct iiotd *d,
		     struct mq_conf *mc, char *path, size_t plen, char *err,
		     size_t errlen)
{
	struct conf *extra = NULL;
	int rc;

	if (mq_conf_parse(c, NULL, mc, err, errlen))
		return -1;
	devices_path(d, mc, path, plen);
	if (!mc->enabled)
		return 0;
	if (load_devices_file(path, &extra, err, errlen)) {
		mq_conf_free(mc);
		return -1;
	}
	rc = extra ? mq_conf_devices(extra, mc, true, err, errlen) : 0;
	conf_free(extra);
	if (rc)
		mq_conf_free(mc);
	return rc;
}

static int check_conf(const struct conf *c, char *err, size_t errlen)
{
	struct mq_conf mc;

	/* the devices file is iiotd's own, read at start */
	if (mq_conf_parse(c, NULL, &mc, err, errlen))
		return -1;
	mq_conf_free(&mc);
	return 0;
}

static void signal_def(struct model_signal *s, const struct mq_dev_conf *dc,
		       const struct mq_sig *sg, uint32_t dev_id)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->name, sizeof(s->name), "%s.%s", dc->name, sg->name);
	snprintf(s->device, sizeof(s->device), "mqtt:%s", dc->name);
	snprintf(s->unit, sizeof(s->unit), "%s", sg->unit);
	s->type = sg->type == MQ_BOOL ? SIG_BIT : 0;
	s->scale = sg->scale;
	s->add = sg->offset;
	s->dev_id = dev_id;
	s->line = sg->line;
}

int mqtt_conf_signals(struct model *m, const struct conf *c, char *err,
		      size_t errlen)
{
	struct model_signal *defs;
	struct mq_conf mc;
	size_t i, j, base;
	int rc;

	if (mq_conf_parse(c, NULL, &mc, err, errlen))
		return -1;
	defs = calloc(mc.nsigs ? mc.nsigs : 1, sizeof(*defs));
	for (i = 0; defs && i < mc.ndevs; i++)
		for (j = mc.devs[i].first; j < mc.devs[i].first + mc.devs[i].n;
		     j++)
			signal_def(&defs[j], &mc.devs[i], &mc.sigs[j], 0);
	rc = defs ? model_ext_signals_add(m, defs, mc.nsigs, &base, err,
					  errlen) : -1;
	if (!defs)
		snprintf(err, errlen, "mqtt: out of memory");
	free(defs);
	mq_conf_free(&mc);
	return rc;
}

/* ---- devices ------------------------------------------------------------ */

static void dev_free(struct mq_dev *v)
{
	if (!v)
		return;
	free(v->sigs);
	free(v->last);
	free(v->last_ts);
	free(v->idx);
	free(v);
}

static struct mq_dev *dev_new(const struct mq_dev_conf *dc,
			      const struct mq_sig *sigs)
{
	struct mq_dev *v = calloc(1, sizeof(*v));
	size_t n = dc->n;

	if (!v)
		return NULL;
	v->dc = *dc;
	v->sigs = calloc(n, sizeof(*v->sigs));
	v->last = calloc(n, sizeof(*v->last));
	v->last_ts = calloc(n, sizeof(*v->last_ts));
	v->idx = calloc(n, sizeof(*v->idx));
	if (!v->sigs || !v->last || !v->last_ts || !v->idx) {
		dev_free(v);
		return NULL;
	}
	memcpy(v->sigs, sigs + dc->first, n * sizeof(*sigs));
	v->dc.first = 0;
	return v;
}

/* On the capture thread (or before it runs): the device into the
 * inventory, its signals after those there are. */
struct reg_call {
	struct mq_dev *v;
	uint64_t now;
	int rc;
	char err[200];
};

static void reg_on_capture(void *arg)
{
	struct reg_call *c = arg;
	struct mq_dev *v = c->v;
	struct model_signal *defs;
	size_t i;

	v->model_id = model_ext_device(sys.d->model, MODEL_DEV_MQTT,
				       v->dc.name, 0, c->now);
	if (!v->model_id) {
		snprintf(c->err, sizeof(c->err), "the inventory is full");
		c->rc = -1;
		return;
	}
	defs = calloc(v->dc.n, sizeof(*defs));
	if (!defs) {
		snprintf(c->err, sizeof(c->err), "out of memory");
		c->rc = -1;
		return;
	}
	for (i = 0; i < v->dc.n; i++)
		signal_def(&defs[i], &v->dc, &v->sigs[i], v->model_id);
	c->rc = model_ext_signals_add(sys.d->model, defs, v->dc.n,
				      &v->ext_base, c->err, sizeof(c->err));
	for (i = 0; !c->rc && sys.d->store && i < v->dc.n; i++)
		store_signal_def(sys.d->store,
				 model_ext_signal_id(sys.d->model,
						     v->ext_base + i),
				 defs[i].name, defs[i].device, defs[i].unit);
	free(defs);
}

static int dev_register(struct mq_dev *v, bool running, char *err,
			size_t errlen)
{
	struct reg_call c = { v, extq_wall_ns(), 0, "" };
	size_t i;

	if (running)
		capture_call(sys.d->capture, reg_on_capture, &c);
	else
		reg_on_capture(&c);
	if (c.rc) {
		snprintf(err, errlen, "mqtt %s: %s", v->dc.name, c.err);
		return -1;
	}
	for (i = 0; i < v->dc.n; i++)
		v->idx[i] = (uint32_t)(v->ext_base + i);
	return 0;
}

static int list_add(struct mq_dev *v)
{
	void *a = realloc(sys.devs, (sys.ndevs + 1) * sizeof(*sys.devs));

	if (!a)
		return -1;
	sys.devs = a;
	if ((!sys.by_topic && !(sys.by_topic = mq_index_new())) ||
	    mq_index_add(sys.by_topic, v->dc.topic, sys.ndevs, v))
		return -1;
	sys.devs[sys.ndevs++] = v;
	return 0;
}

/* the broker's files from the device list (under sys.mu) */
static int broker_sync(char *why, size_t whylen)
{
	struct mq_conf mc = sys.mc;
	struct mq_dev_conf *dcs;
	size_t i, n = 0;
	int rc;

	if (!sys.mc.manage)
		return 0;
	dcs = calloc(sys.ndevs ? sys.ndevs : 1, sizeof(*dcs));
	if (!dcs) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	for (i = 0; i < sys.ndevs; i++)
		if (!sys.devs[i]->removed)
			dcs[n++] = sys.devs[i]->dc;
	mc.devs = dcs;
	mc.ndevs = n;
	rc = mq_broker_write(&mc, sys.own_hash, why, whylen);
	free(dcs);
	if (rc) {
		sys.broker_errors++;
		return -1;
	}
	sys.broker_writes++;
	/* a broker that is not running yet reads the files when it starts */
	if (mq_broker_reload(&sys.mc, why, whylen))
		log_warnx("mqtt: broker files written, no reload: %s", why);
	return 0;
}

int mqtt_model_setup(struct iiotd *d, const struct conf *c, char *err,
		     size_t errlen)
{
	struct mq_conf mc;
	struct mq_dev *v;
	char why[256];
	size_t i;

	sys.d = d;
	if (parse_all(c, d, &mc, sys.devices_file, sizeof(sys.devices_file),
		      err, errlen))
		return -1;
	if (!mc.enabled) {
		mq_conf_free(&mc);
		return 0;
	}
	sys.mc = mc;
	sys.mc.devs = NULL;
	sys.mc.sigs = NULL;
	sys.mc.ndevs = sys.mc.nsigs = 0;
	for (i = 0; i < mc.ndevs; i++) {
		v = dev_new(&mc.devs[i], mc.sigs);
		if (!v || list_add(v)) {
			dev_free(v);
			snprintf(err, errlen, "mqtt: out of memory");
			goto fail;
		}
		if (dev_register(v, false, err, errlen))
			goto fail;
	}
	if (sys.mc.manage &&
	    (mq_hash_password(sys.mc.password, sys.own_hash,
			      sizeof(sys.own_hash)) ||
	     broker_sync(why, sizeof(why)))) {
		snprintf(err, errlen, "mqtt: the broker's files: %s", why);
		goto fail;
	}
	log_info("mqtt: %zu devices, %zu signals", mc.ndevs, mc.nsigs);
	mq_conf_free(&mc);
	return 0;
fail:
	mq_conf_free(&mc);
	return -1;
}

/* ---- the subscriber ------------------------------------------------------ */

static struct mq_dev *by_topic(const char *topic)
{
	return sys.by_topic ? mq_index_find(sys.by_topic, topic) : NULL;
}

/* the topic's first level under root: one alert per name */
static uint64_t unknown_key(const char *topic)
{
	const char *s = topic + strlen(sys.mc.root) + 1;

	return alert_name_key(s, strcspn(s, "/"));
}

static void on_unknown(const char *topic)
{
	struct alert_ev ev;
	uint64_t now = mono_ms();
	char detail[300];

	sys.unknown++;
	if (now >= sys.log_next) {
		log_warnx("mqtt: a message on %s, which no device has "
			  "(%" PRIu64 " more since the last line)", topic,
			  sys.log_unknown);
		sys.log_next = now + MQ_LOG_EVERY_S * 1000;
		sys.log_unknown = 0;
	} else {
		sys.log_unknown++;
	}
	if (!sys.d->alerts)
		return;
	snprintf(detail, sizeof(detail), "topic %s", topic);
	memset(&ev, 0, sizeof(ev));
	ev.rule = ALERT_R_MQTT_UNKNOWN;
	ev.ts_ns = extq_wall_ns();
	ev.key = unknown_key(topic);
	ev.label = topic;
	ev.detail = detail;
	alerts_raise(sys.d->alerts, &ev);
}

/*
 * One device's payload, in two steps: mq_apply reads it into the
 * caller's arrays with no lock held (the map and the device's
 * configuration do not change while it is listed), then dev_take
 * counts and queues the values under sys.mu, which the API, the stats
 * and the health check take: they never wait for a parse.
 */
struct mq_msg {
	struct mq_result res;
	uint64_t now;
	size_t len;
	double vals[MQ_SIGNALS_MAX];
	bool has[MQ_SIGNALS_MAX];
};

static void dev_take(struct mq_dev *v, const struct mq_msg *mm)
{
	const struct mq_result *res = &mm->res;
	uint32_t idx[MQ_SIGNALS_MAX];
	double vals[MQ_SIGNALS_MAX];
	uint64_t mono = mono_ms();
	size_t i, n = 0;

	v->ctr.messages++;
	v->ctr.missing += res->missing;
	v->ctr.bad_type += res->bad_type;
	v->ctr.bad_time += v->dc.has_time && res->time_bad;
	if (res->malformed) {
		v->ctr.malformed++;
		sys.malformed++;
		if (mono >= sys.log_next_bad) {
			log_warnx("mqtt %s: a payload of %zu bytes that is not "
				  "JSON or too large (%" PRIu64 " so far)",
				  v->dc.name, mm->len, v->ctr.malformed);
			sys.log_next_bad = mono + MQ_LOG_EVERY_S * 1000;
		}
	}
	for (i = 0; i < v->dc.n; i++) {
		if (!mm->has[i])
			continue;
		v->last[i] = mm->vals[i];
		v->last_ts[i] = res->ts_ns;
		idx[n] = v->idx[i];
		vals[n++] = mm->vals[i];
	}
	v->ctr.values += n;
	v->last_ns = mm->now;
	v->last_mono = mono;
	if (n)
		extq_values(sys.q, idx, vals, n, res->ts_ns);
	if (!v->online) {
		v->online = true;
		extq_state(sys.q, v->model_id, true, v->ctr.malformed +
			   v->ctr.bad_type, "publishes");
	}
}

static void on_message(struct mosquitto *m, void *arg,
		       const struct mosquitto_message *msg)
{
	static struct mq_msg mm;	/* the subscriber thread's alone */
	struct mq_dev *v;

	(void)m;
	(void)arg;
	/* a device is its own allocation, freed only at stop, and its
	 * map never changes: v stays valid outside the lock; one removed
	 * meanwhile makes the message an unknown publisher's, as after */
	pthread_mutex_lock(&sys.mu);
	v = by_topic(msg->topic);
	pthread_mutex_unlock(&sys.mu);
	if (v) {
		mm.now = extq_wall_ns();
		mm.len = (size_t)msg->payloadlen;
		mq_apply(v->sigs, v->dc.n, v->dc.has_time ? &v->dc.time : NULL,
			 msg->payload, mm.len, sys.mc.max_payload, mm.now,
			 mm.vals, mm.has, &mm.res);
	}
	pthread_mutex_lock(&sys.mu);
	sys.messages++;
	if (v && !v->removed)
		dev_take(v, &mm);
	else
		on_unknown(msg->topic);
	pthread_mutex_unlock(&sys.mu);
}

static void on_connect(struct mosquitto *m, void *arg, int rc)
{
	char filter[MQ_TOPIC_MAX];

	(void)arg;
	if (rc) {
		/* counted here, once: the loop then fails on the same
		 * attempt (the broker closes) and counts nothing more */
		sys.connect_errors++;
		sys.refused = true;
		log_warnx("mqtt: the broker refused iiotd: %s",
			  mosquitto_connack_string(rc));
		return;
	}
	sys.connects++;
	/* libmosquitto formats a line for every packet while a log
	 * callback is set (a malloc and a vsnprintf per message): ours
	 * only keeps the error of a failed connect or handshake */
	mosquitto_log_callback_set(m, NULL);
	snprintf(filter, sizeof(filter), "%s/#", sys.mc.root);
	if (mosquitto_subscribe(m, NULL, filter, 1))
		log_warnx("mqtt: cannot subscribe to %s", filter);
	else
		log_info("mqtt: subscribed to %s on %s", filter,
			 sys.mc.broker.url);
	sys.up = true;
}

static void on_log(struct mosquitto *m, void *arg, int level, const char *s)
{
	(void)m;
	(void)arg;
	if (level & MOSQ_LOG_ERR)
		snprintf(sys.lib_err, sizeof(sys.lib_err), "%s", s);
}

/* a failed connect or handshake, once until iiotd is subscribed again */
static void connect_failed(int rc)
{
	sys.connect_errors++;
	log_warnx("mqtt: %s: %s%s%s%s", sys.mc.broker.url,
		  rc == MOSQ_ERR_ERRNO ? strerror(errno) :
		  mosquitto_strerror(rc), sys.lib_err[0] ? " (" : "",
		  sys.lib_err, sys.lib_err[0] ? ")" : "");
}

static struct mosquitto *client(void)
{
	struct mosquitto *m = mosquitto_new(sys.mc.client_id, true, NULL);

	if (!m)
		return NULL;
	mosquitto_connect_callback_set(m, on_connect);
	mosquitto_message_callback_set(m, on_message);
	if ((sys.mc.password[0] &&
	     mosquitto_username_pw_set(m, sys.mc.username, sys.mc.password)) ||
	    (sys.mc.broker.tls && north_tls_set(m, sys.mc.ca, sys.mc.cert,
						 sys.mc.key))) {
		mosquitto_destroy(m);
		return NULL;
	}
	return m;
}

/* devices silent for offline_after intervals go offline; looked at
 * every MQ_LOOP_MS, not after each read of a busy socket */
static void check_health(void)
{
	static uint64_t next;
	uint64_t now = mono_ms();
	char why[96];
	size_t i;

	if (now < next)
		return;
	next = now + MQ_LOOP_MS;
	pthread_mutex_lock(&sys.mu);
	for (i = 0; i < sys.ndevs; i++) {
		struct mq_dev *v = sys.devs[i];

		if (!v->online || v->removed ||
		    now - v->last_mono < sys.mc.offline_after *
		    v->dc.interval_ms)
			continue;
		v->online = false;
		snprintf(why, sizeof(why), "no message for %" PRIu64
			 " intervals of %u ms", sys.mc.offline_after,
			 v->dc.interval_ms);
		log_info("mqtt %s: offline: %s", v->dc.name, why);
		extq_state(sys.q, v->model_id, false, v->ctr.malformed +
			   v->ctr.bad_type, why);
	}
	pthread_mutex_unlock(&sys.mu);
}

static void *run(void *arg)
{
	struct timespec nap = { 0, MQ_LOOP_MS * 1000000L };
	uint64_t next_try = 0;
	bool failed = false;
	int rc;

	(void)arg;
	while (!__atomic_load_n(&sys.stop, __ATOMIC_ACQUIRE)) {
		if (!sys.tcp && mono_ms() >= next_try) {
			sys.lib_err[0] = '\0';
			mosquitto_log_callback_set(sys.mosq, on_log);
			sys.refused = false;
			rc = mosquitto_connect(sys.mosq, sys.mc.broker.host,
					       sys.mc.broker.port, 30);
			sys.tcp = rc == MOSQ_ERR_SUCCESS;
			if (!sys.tcp) {
				if (!failed)
					connect_failed(rc);
				else
					sys.connect_errors++;
				failed = true;
				next_try = mono_ms() + MQ_RETRY_MS;
			}
		}
		if (sys.tcp) {
			rc = mosquitto_loop(sys.mosq, MQ_LOOP_MS, 1);
			if (rc != MOSQ_ERR_SUCCESS) {
				/* a TLS handshake fails here, after the
				 * connect: said once, like a refused connect */
				if (sys.up)
					log_warnx("mqtt: lost %s: %s",
						  sys.mc.broker.url,
						  mosquitto_strerror(rc));
				else if (!failed && !sys.refused)
					connect_failed(rc);
				else if (!sys.refused)	/* on_connect counted it */
					sys.connect_errors++;
				sys.tcp = sys.up = false;
				failed = true;
				mosquitto_disconnect(sys.mosq);
				next_try = mono_ms() + MQ_RETRY_MS;
			} else if (sys.up) {
				failed = false;
			}
		} else {
			nanosleep(&nap, NULL);
		}
		check_health();
	}
	if (sys.tcp) {
		mosquitto_disconnect(sys.mosq);
		mosquitto_loop(sys.mosq, 20, 1);
	}
	return NULL;
}

static int start(struct iiotd *d)
{
	int rc;

	sys.d = d;
	if (!sys.mc.enabled)
		return 0;
	mosquitto_lib_init();
	sys.q = extq_start(d, "mqtt");
	sys.mosq = sys.q ? client() : NULL;
	if (!sys.mosq) {
		log_warnx("mqtt: cannot set up the client (TLS files?)");
		return -1;
	}
	sys.stop = false;
	rc = pthread_create(&sys.th, NULL, run, NULL);
	if (rc) {
		log_warnx("mqtt: cannot start the subscriber: %s",
			  strerror(rc));
		return -1;
	}
	sys.running = true;
	log_info("mqtt: %zu devices on %s", sys.ndevs, sys.mc.broker.url);
	return 0;
}

/* Before capture halts, as Modbus's (subsys_modbus.c): the subscriber
 * ends, then the flusher, whose last batch goes through capture. */
static void quiesce(struct iiotd *d)
{
	(void)d;
	if (sys.running) {
		__atomic_store_n(&sys.stop, true, __ATOMIC_RELEASE);
		pthread_join(sys.th, NULL);
		sys.running = false;
	}
	extq_stop(sys.q);
	sys.q = NULL;
}

static void stop(struct iiotd *d)
{
	size_t i;

	quiesce(d);
	if (sys.mosq)
		mosquitto_destroy(sys.mosq);
	sys.mosq = NULL;
	sys.tcp = sys.up = false;
	for (i = 0; i < sys.ndevs; i++)
		dev_free(sys.devs[i]);
	free(sys.devs);
	sys.devs = NULL;
	sys.ndevs = 0;
	mq_index_free(sys.by_topic);
	sys.by_topic = NULL;
	memset(sys.mc.password, 0, sizeof(sys.mc.password));
	mq_conf_free(&sys.mc);
	if (sys.mc.enabled)
		mosquitto_lib_cleanup();
	sys.mc.enabled = false;
}

static int reload(struct iiotd *d)
{
	struct mq_conf mc;
	char err[256];

	if (mq_conf_parse(d->conf, NULL, &mc, err, sizeof(err)))
		return -1;
	if (mc.enabled != sys.mc.enabled)
		log_warnx("mqtt: changed [mqtt] and devices apply when iiotd "
			  "restarts");
	mq_conf_free(&mc);
	return 0;
}

static json_t *stats(struct iiotd *d)
{
	size_t i, online = 0;
	uint64_t flushed, dropped;
	json_t *o;

	(void)d;
	if (!sys.mc.enabled)
		return NULL;
	extq_counts(sys.q, &flushed, &dropped);
	pthread_mutex_lock(&sys.mu);
	for (i = 0; i < sys.ndevs; i++)
		online += sys.devs[i]->online;
	o = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
		      "s:I, s:I}",
		      "connected", sys.up, "devices", (json_int_t)sys.ndevs,
		      "online", (json_int_t)online,
		      "messages", (json_int_t)sys.messages,
		      "unknown", (json_int_t)sys.unknown,
		      "malformed", (json_int_t)sys.malformed,
		      "values", (json_int_t)flushed,
		      "dropped", (json_int_t)dropped,
		      "connects", (json_int_t)sys.connects,
		      "connect_errors", (json_int_t)sys.connect_errors,
		      "broker_writes", (json_int_t)sys.broker_writes,
		      "broker_errors", (json_int_t)sys.broker_errors);
	pthread_mutex_unlock(&sys.mu);
	return o;
}

/* ---- API and iiotctl ---------------------------------------------------- */

static struct mq_dev *find(const char *key)
{
	uint32_t id = south_key_id(key);
	size_t i;

	if (!key)
		return NULL;
	/* a removed device's name may come back */
	for (i = 0; i < sys.ndevs; i++)
		if (!sys.devs[i]->removed &&
		    (!strcmp(sys.devs[i]->dc.name, key) ||
		     (id && sys.devs[i]->model_id == id)))
			return sys.devs[i];
	return NULL;
}

static json_t *dev_json(const struct mq_dev *v)
{
	json_t *o, *c, *sigs = json_array();
	size_t i;

	c = json_object();
#define MQ_X_JSON(n, d) json_object_set_new(c, #n, json_integer((json_int_t)v->ctr.n));
	MQ_DEV_COUNTERS(MQ_X_JSON)
#undef MQ_X_JSON
	for (i = 0; i < v->dc.n; i++) {
		const struct mq_sig *sg = &v->sigs[i];
		json_t *s = json_pack("{s:s, s:s, s:s, s:s, s:f, s:f}", "name",
				      sg->name, "path", sg->path.text, "type",
				      mq_type_name(sg->type), "unit", sg->unit,
				      "scale", sg->scale, "offset", sg->offset);

		if (s && v->last_ts[i]) {
			json_object_set_new(s, "value", json_real(v->last[i]));
			json_object_set_new(s, "ts_ns",
					    json_integer((json_int_t)v->last_ts[i]));
		}
		if (s && v->model_id)
			json_object_set_new(s, "signal_id", json_integer(
				(json_int_t)model_ext_signal_id(sys.d->model,
								v->ext_base + i)));
		json_array_append_new(sigs, s);
	}
	o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:o, "
		      "s:o}",
		      "name", v->dc.name, "id", (json_int_t)v->model_id,
		      "topic", v->dc.topic, "username", v->dc.cert_cn[0] ?
		      v->dc.cert_cn : v->dc.username,
		      "auth", v->dc.cert_cn[0] ? "certificate" : "password",
		      "source", v->dc.added ? "api" : "config",
		      "interval_ms", (json_int_t)v->dc.interval_ms,
		      "state", v->removed ? "removed" : v->online ? "online" :
		      v->last_ns ? "offline" : "waiting",
		      "online", v->online && !v->removed, "counters", c,
		      "signals", sigs);
	if (o && v->last_ns)
		json_object_set_new(o, "last_seen_ns",
				    json_integer((json_int_t)v->last_ns));
	if (o && v->dc.has_time)
		json_object_set_new(o, "time", json_string(v->dc.time.text));
	return o;
}

json_t *mqtt_devices_json(void)
{
	json_t *a = json_array();
	size_t i;

	pthread_mutex_lock(&sys.mu);
	for (i = 0; a && i < sys.ndevs; i++)
		json_array_append_new(a, dev_json(sys.devs[i]));
	pthread_mutex_unlock(&sys.mu);
	return a;
}

json_t *mqtt_device_json(const char *key)
{
	struct mq_dev *v;
	json_t *o = NULL;

	pthread_mutex_lock(&sys.mu);
	v = find(key);
	if (v)
		o = dev_json(v);
	pthread_mutex_unlock(&sys.mu);
	return o;
}

/* ---- devices added through the API -------------------------------------- */

/* n bytes of s at the end of *buf (len, cap); -1 when out of memory */
static int text_add(char **buf, size_t *len, size_t *cap, const char *s,
		    size_t n)
{
	void *a;

	if (*len + n + 1 > *cap) {
		a = realloc(*buf, (*len + n + 1) * 2);
		if (!a)
			return -1;
		*buf = a;
		*cap = (*len + n + 1) * 2;
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

/*
 * The devices file's text now (under sys.mu), NULL when out of memory.
 * add, a new device's section, goes in whole: it may be far longer than
 * a line (an API or iiotctl request holds up to 256 signals).
 */
static char *devices_text(const char *skip, const char *add)
{
	size_t i, j, len = 0, cap = 0;
	char *buf = NULL, line[1024];
	int n;

	/* a line of a device iiotd parsed fits: its fields are bounded */
#define PUT(...) do {							\
	n = snprintf(line, sizeof(line), __VA_ARGS__);			\
	if (n < 0 || (size_t)n >= sizeof(line) ||			\
	    text_add(&buf, &len, &cap, line, (size_t)n)) {		\
		free(buf);						\
		return NULL;						\
	}								\
} while (0)
	PUT("# MQTT devices added through iiotd's API (docs/devices.md); "
	    "iiotd rewrites this file\n");
	for (i = 0; i < sys.ndevs; i++) {
		const struct mq_dev *v = sys.devs[i];

		if (!v->dc.added || v->removed || (skip &&
		    !strcmp(skip, v->dc.name)))
			continue;
		PUT("\n[mqtt.%s]\ntopic = \"%s\"\nusername = %s\n"
		    "interval = %ums\n",
		    v->dc.name, v->dc.topic, v->dc.username,
		    v->dc.interval_ms);
		if (v->dc.password_hash[0])
			PUT("password_hash = %s\n", v->dc.password_hash);
		if (v->dc.cert_cn[0])
			PUT("cert_cn = \"%s\"\n", v->dc.cert_cn);
		if (v->dc.has_time)
			PUT("time = %s\n", v->dc.time.text);
		for (j = 0; j < v->dc.n; j++) {
			const struct mq_sig *s = &v->sigs[j];

			PUT("signal = \"%s %s %s scale=%.17g offset=%.17g%s%s\"\n",
			    s->path.text, s->name, mq_type_name(s->type),
			    s->scale, s->offset, s->unit[0] ? " unit=" : "",
			    s->unit);
		}
	}
#undef PUT
	if (add && text_add(&buf, &len, &cap, add, strlen(add))) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int write_devices_file(const char *text, char *why, size_t whylen)
{
	return mq_write_file(sys.devices_file, text, 0600, why, whylen);
}

static const char *jstr(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

/* The new device's section from the API's object; 400 with why. */
static int section_text(const json_t *spec, const char *hash, char *out,
			size_t len, char *why, size_t whylen)
{
	const char *name = jstr(spec, "name"), *cn = jstr(spec, "cert_cn");
	json_t *sigs = json_object_get(spec, "signals"), *s;
	struct mq_sig sg;
	size_t i;
	char w[160];
	int k;

	if (!mq_name_ok(name)) {
		snprintf(why, whylen, "name: 1-%d letters, digits, '_' or '-'",
			 MQ_NAME_MAX - 1);
		return 400;
	}
	if (!json_is_array(sigs) || !json_array_size(sigs) ||
	    json_array_size(sigs) > MQ_SIGNALS_MAX) {
		snprintf(why, whylen, "signals: an array of 1-%d lines \"PATH "
			 "NAME [TYPE] [scale=] [offset=] [unit=]\"",
			 MQ_SIGNALS_MAX);
		return 400;
	}
	k = snprintf(out, len, "\n[mqtt.%s]\n", name);
#define ADD(key, v) do {						\
	if (strpbrk((v), "\n\r\"")) {					\
		snprintf(why, whylen, "%s: no newline or '\"'", key);	\
		return 400;						\
	}								\
	k += snprintf(out + k, len - (size_t)k, "%s = \"%s\"\n", key, (v)); \
	if ((size_t)k >= len) {						\
		snprintf(why, whylen, "the device is too large");	\
		return 400;						\
	}								\
} while (0)
	if (json_object_get(spec, "topic"))
		ADD("topic", jstr(spec, "topic"));
	if (json_object_get(spec, "interval"))
		ADD("interval", jstr(spec, "interval"));
	if (json_object_get(spec, "time"))
		ADD("time", jstr(spec, "time"));
	if (*cn)
		ADD("cert_cn", cn);
	else
		ADD("password_hash", hash);
	json_array_foreach(sigs, i, s) {
		const char *line = json_string_value(s);

		if (!line || mq_sig_parse(line, &sg, w, sizeof(w))) {
			snprintf(why, whylen, "signals[%zu]: %s", i, line ? w :
				 "not a string");
			return 400;
		}
		ADD("signal", line);
	}
#undef ADD
	return 0;
}

static int add_locked(const json_t *spec, json_t **out, char *why,
		      size_t whylen)
{
	char pw[32] = "", hash[MQ_HASH_MAX] = "", sec[16384], err[300];
	struct conf *c = NULL;
	struct mq_conf mc;
	struct mq_dev *v = NULL;
	char *text;
	size_t i;
	int rc;

	if (!*jstr(spec, "cert_cn") && (mq_new_password(pw, sizeof(pw)) ||
	    mq_hash_password(pw, hash, sizeof(hash)))) {
		snprintf(why, whylen, "no password: out of randomness");
		return 500;
	}
	rc = section_text(spec, hash, sec, sizeof(sec), why, whylen);
	if (rc)
		return rc;
	if (find(jstr(spec, "name"))) {
		snprintf(why, whylen, "device %s exists", jstr(spec, "name"));
		return 409;
	}
	text = devices_text(NULL, sec);
	c = text ? conf_parse(text, strlen(text), "new device", err,
			      sizeof(err)) : NULL;
	/* every device there is, then the devices file with the new one:
	 * a clash names what it clashes with */
	mc = sys.mc;
	mc.devs = NULL;
	mc.sigs = NULL;
	mc.ndevs = mc.nsigs = 0;
	for (i = 0; c && i < sys.ndevs; i++) {
		struct mq_dev_conf *a;

		if (sys.devs[i]->dc.added || sys.devs[i]->removed)
			continue;
		a = realloc(mc.devs, (mc.ndevs + 1) * sizeof(*a));
		if (!a)
			break;
		mc.devs = a;
		mc.devs[mc.ndevs++] = sys.devs[i]->dc;
	}
	if (!c || mq_conf_devices(c, &mc, true, err, sizeof(err))) {
		snprintf(why, whylen, "%s", text ? err : "out of memory");
		rc = text ? 400 : 500;
		goto out;
	}
	/* the new one is the file's last */
	v = dev_new(&mc.devs[mc.ndevs - 1], mc.sigs);
	if (!v || write_devices_file(text, why, whylen)) {
		rc = 500;
		goto out;
	}
	if (dev_register(v, true, why, whylen) || list_add(v)) {
		rc = 500;
		goto out;
	}
	if (broker_sync(err, sizeof(err)))
		log_warnx("mqtt: the broker's files: %s", err);
	log_info("mqtt %s: added (topic %s, %u signals)", v->dc.name,
		 v->dc.topic, v->dc.n);
	*out = dev_json(v);
	if (*out && pw[0])
		json_object_set_new(*out, "password", json_string(pw));
	v = NULL;
	rc = 201;
out:
	dev_free(v);
	mq_conf_free(&mc);
	conf_free(c);
	free(text);
	memset(pw, 0, sizeof(pw));
	return rc;
}

int mqtt_device_add(const json_t *spec, json_t **out, char *why,
		    size_t whylen)
{
	int rc;

	*out = NULL;
	if (!sys.running) {
		snprintf(why, whylen, "MQTT devices are off (no mqtt.broker)");
		return 409;
	}
	pthread_mutex_lock(&sys.mu);
	rc = add_locked(spec, out, why, whylen);
	pthread_mutex_unlock(&sys.mu);
	return rc;
}

struct retire_call {
	uint32_t id;
	char why[120];
};

static void retire_on_capture(void *arg)
{
	struct retire_call *c = arg;

	model_ext_device_state(sys.d->model, c->id, false, 0, "removed",
			       extq_wall_ns());
	model_set_lifecycle(sys.d->model, c->id, "retired",
			    "MQTT device removed", extq_wall_ns(), c->why,
			    sizeof(c->why));
}

int mqtt_device_remove(const char *key, char *why, size_t whylen)
{
	struct retire_call rc = { 0, "" };
	struct mq_dev *v;
	char *text, err[300];

	pthread_mutex_lock(&sys.mu);
	v = find(key);
	if (!v) {
		pthread_mutex_unlock(&sys.mu);
		snprintf(why, whylen, "no MQTT device '%s'", key ? key : "");
		return 404;
	}
	if (!v->dc.added) {
		pthread_mutex_unlock(&sys.mu);
		snprintf(why, whylen, "device %s is iiotd.conf's (line %d): "
			 "remove it there", v->dc.name, v->dc.line);
		return 409;
	}
	text = devices_text(v->dc.name, NULL);
	if (!text || write_devices_file(text, why, whylen)) {
		free(text);
		pthread_mutex_unlock(&sys.mu);
		return 500;
	}
	free(text);
	v->removed = true;
	v->online = false;
	mq_index_del(sys.by_topic, v->dc.topic, v);
	if (broker_sync(err, sizeof(err)))
		log_warnx("mqtt: the broker's files: %s", err);
	rc.id = v->model_id;
	log_info("mqtt %s: removed", v->dc.name);
	pthread_mutex_unlock(&sys.mu);
	capture_call(sys.d->capture, retire_on_capture, &rc);
	snprintf(why, whylen, "removed");
	return 200;
}

const struct iiotd_subsys subsys_mqtt = {
	.name = "mqtt",
	.check_conf = check_conf,
	.start = start,
	.reload = reload,
	.quiesce = quiesce,
	.stop = stop,
	.stats = stats,
};
