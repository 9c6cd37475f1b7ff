/*
 * iiotd subsystem "modbus" (docs/modbus.md): Modbus TCP devices polled by
 * a thread each (mbpoll.c).  Their values reach the model the way other
 * threads change it, through the capture thread (capture_read), batched
 * by one flusher thread every MB_FLUSH_MS, so a device costs the drain
 * loop one short call per batch and no waiting.  A degraded device
 * raises modbus.device.degraded into the one alert model.
 *
 * Devices and points are set up before the capture thread runs
 * (modbus_model_setup, from the core); changes to [modbus] apply at
 * the next start.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "capture/capture.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "model/model.h"
#include "south/mbconf.h"
#include "south/mbpoll.h"
#include "south/modbus.h"
#include "store/store.h"

#define MB_FLUSH_MS	100
#define MB_QUEUE_MAX	(1U << 20)	/* values waiting for the model */

struct qval {
	uint32_t pidx;
	uint64_t ts_ns;
	double v;
};

struct qstate {
	uint32_t id;			/* model device */
	bool online;
	uint64_t errors;
	uint64_t ts_ns;
	char why[200];
};

static struct {
	struct iiotd *d;
	struct mb_conf mc;
	uint32_t *ids;			/* model device id of each device */
	struct mb_dev *devs;
	size_t nstarted;
	pthread_t flusher;
	bool flusher_on;
	pthread_mutex_t qmu;
	pthread_cond_t qcv;
	bool qstop;
	struct qval *q;
	size_t qn, qcap;
	struct qstate *qs;
	size_t qsn, qscap;
	uint64_t dropped;
	uint64_t flushed;
} sys = { .qmu = PTHREAD_MUTEX_INITIALIZER, .qcv = PTHREAD_COND_INITIALIZER };

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int check_conf(const struct conf *c, char *err, size_t errlen)
{
	struct mb_conf mc;

	if (mb_conf_parse(c, &mc, err, errlen))
		return -1;
	mb_conf_free(&mc);
	return 0;
}

/* a model signal type close to the point's, for readers of /signals */
static uint8_t sig_type_of(const struct mb_point *p)
{
	switch (p->type) {
	case MB_BOOL: return SIG_BIT;
	case MB_U16: return SIG_U16BE;
	case MB_I16: return SIG_I16BE;
	case MB_U32: return SIG_U32BE;
	case MB_I32: return SIG_I32BE;
	case MB_F32: return SIG_F32BE;
	default: return 0;
	}
}

/* The signal of each point of mc (device ids[i] for device i, or 0). */
static struct model_signal *signal_defs(const struct mb_conf *mc,
					const uint32_t *ids)
{
	struct model_signal *defs;
	size_t i, j;

	defs = calloc(mc->npts ? mc->npts : 1, sizeof(*defs));
	for (i = 0; defs && i < mc->ndevs; i++) {
		const struct mb_dev_conf *dc = &mc->devs[i];

		for (j = dc->first; j < dc->first + dc->n; j++) {
			const struct mb_point *p = &mc->pts[j];
			struct model_signal *s = &defs[j];

			snprintf(s->name, sizeof(s->name), "%s.%s", dc->name,
				 p->name);
			snprintf(s->device, sizeof(s->device), "modbus:%s",
				 dc->name);
			snprintf(s->unit, sizeof(s->unit), "%s", p->unit);
			s->type = sig_type_of(p);
			s->offset = p->addr;
			s->scale = p->scale;
			s->add = p->offset;
			s->dev_id = ids ? ids[i] : 0;
			s->line = p->line;
		}
	}
	return defs;
}

int modbus_conf_signals(struct model *m, const struct conf *c, char *err,
			size_t errlen)
{
	struct model_signal *defs;
	struct mb_conf mc;
	int rc;

	if (mb_conf_parse(c, &mc, err, errlen))
		return -1;
	defs = signal_defs(&mc, NULL);
	rc = defs ? model_ext_signals(m, defs, mc.npts, err, errlen) : -1;
	if (!defs)
		snprintf(err, errlen, "modbus: out of memory");
	free(defs);
	mb_conf_free(&mc);
	return rc;
}

int modbus_model_setup(struct iiotd *d, const struct conf *c, char *err,
		       size_t errlen)
{
	struct model_signal *defs;
	struct in_addr a;
	uint64_t now = wall_ns();
	size_t i, j;

	if (mb_conf_parse(c, &sys.mc, err, errlen))
		return -1;
	if (!sys.mc.ndevs)
		return 0;
	sys.ids = calloc(sys.mc.ndevs, sizeof(*sys.ids));
	if (!sys.ids) {
		snprintf(err, errlen, "modbus: out of memory");
		return -1;
	}
	for (i = 0; i < sys.mc.ndevs; i++) {
		const struct mb_dev_conf *dc = &sys.mc.devs[i];

		sys.ids[i] = model_ext_device(d->model, MODEL_DEV_MODBUS,
			dc->name, inet_pton(AF_INET, dc->host, &a) == 1 ?
			ntohl(a.s_addr) : 0, now);
		if (!sys.ids[i])
			log_warnx("modbus %s: the inventory is full", dc->name);
	}
	defs = signal_defs(&sys.mc, sys.ids);
	if (!defs) {
		snprintf(err, errlen, "modbus: out of memory");
		return -1;
	}
	if (model_ext_signals(d->model, defs, sys.mc.npts, err, errlen)) {
		free(defs);
		return -1;
	}
	for (j = 0; d->store && j < sys.mc.npts; j++)
		store_signal_def(d->store, model_ext_signal_id(d->model, j),
				 defs[j].name, defs[j].device, defs[j].unit);
	free(defs);
	log_info("modbus: %zu devices, %zu points", sys.mc.ndevs,
		 sys.mc.npts);
	return 0;
}

/* ---- devices → model (the flusher) ------------------------------------ */

static void on_values(void *arg, struct mb_dev *dev, const uint32_t *pidx,
		      const double *vals, size_t n, uint64_t ts_ns)
{
	size_t i;

	(void)arg;
	(void)dev;
	pthread_mutex_lock(&sys.qmu);
	for (i = 0; i < n; i++) {
		if (sys.qn == sys.qcap) {
			size_t nc = sys.qcap ? sys.qcap * 2 : 1024;
			void *a = nc <= MB_QUEUE_MAX ?
				  realloc(sys.q, nc * sizeof(*sys.q)) : NULL;

			if (!a) {
				sys.dropped += n - i;
				break;
			}
			sys.q = a;
			sys.qcap = nc;
		}
		sys.q[sys.qn++] = (struct qval){ pidx[i], ts_ns, vals[i] };
	}
	pthread_mutex_unlock(&sys.qmu);
}

static void on_state(void *arg, struct mb_dev *dev, bool online,
		     bool degraded, const char *why)
{
	struct alert_ev ev;
	struct qstate *s;
	uint64_t errs;

	(void)arg;
	pthread_mutex_lock(&dev->mu);
	errs = dev->ctr.read_errors + dev->ctr.exceptions +
	       dev->ctr.bad_replies + dev->ctr.write_errors;
	pthread_mutex_unlock(&dev->mu);
	if (degraded) {
		log_warnx("modbus %s: degraded: %s", dev->dc->name, why);
		memset(&ev, 0, sizeof(ev));
		ev.rule = ALERT_R_MODBUS_DEGRADED;
		ev.ts_ns = wall_ns();
		ev.device = dev->model_id;
		ev.label = dev->dc->name;
		ev.detail = why;
		if (sys.d->alerts)
			alerts_raise(sys.d->alerts, &ev);
	} else {
		log_info("modbus %s: %s", dev->dc->name, online ?
			 "answers" : why);
		if (sys.d->alerts)
			alerts_clear(sys.d->alerts, ALERT_R_MODBUS_DEGRADED,
				     dev->model_id, 0, 0);
	}
	pthread_mutex_lock(&sys.qmu);
	if (sys.qsn == sys.qscap) {
		size_t nc = sys.qscap ? sys.qscap * 2 : 16;
		void *a = realloc(sys.qs, nc * sizeof(*sys.qs));

		if (!a) {
			pthread_mutex_unlock(&sys.qmu);
			return;
		}
		sys.qs = a;
		sys.qscap = nc;
	}
	s = &sys.qs[sys.qsn++];
	s->id = dev->model_id;
	s->online = online;
	s->errors = errs;
	s->ts_ns = wall_ns();
	snprintf(s->why, sizeof(s->why), "%s", why);
	pthread_mutex_unlock(&sys.qmu);
}

struct batch {
	struct qval *q;
	size_t n;
	struct qstate *qs;
	size_t ns;
};

/* on the capture thread */
static void apply_values(void *arg)
{
	struct batch *b = arg;
	size_t i;

	for (i = 0; i < b->n; i++)
		model_ext_sample(sys.d->model, b->q[i].pidx, b->q[i].ts_ns,
				 b->q[i].v);
}

static void apply_states(void *arg)
{
	struct batch *b = arg;
	size_t i;

	for (i = 0; i < b->ns; i++)
		model_ext_device_state(sys.d->model, b->qs[i].id,
				       b->qs[i].online, b->qs[i].errors,
				       b->qs[i].why, b->qs[i].ts_ns);
}

static void *flusher(void *arg)
{
	struct batch b = { NULL, 0, NULL, 0 };
	struct qval *spare = NULL;
	size_t spare_cap = 0, bcap;
	struct timespec ts;
	bool stop = false;

	(void)arg;
	while (!stop) {
		pthread_mutex_lock(&sys.qmu);
		sys.flushed += b.n;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += MB_FLUSH_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (!sys.qstop)
			pthread_cond_timedwait(&sys.qcv, &sys.qmu, &ts);
		stop = sys.qstop;
		/* the filled queue for the drained one */
		b.q = sys.q;
		b.n = sys.qn;
		bcap = sys.qcap;
		sys.q = spare;
		sys.qcap = spare_cap;
		sys.qn = 0;
		b.qs = sys.qs;
		b.ns = sys.qsn;
		sys.qs = NULL;
		sys.qsn = sys.qscap = 0;
		pthread_mutex_unlock(&sys.qmu);
		if (b.ns)
			capture_call(sys.d->capture, apply_states, &b);
		if (b.n)
			capture_read(sys.d->capture, apply_values, &b);
		free(b.qs);
		spare = b.q;
		spare_cap = bcap;
	}
	free(spare);
	return NULL;
}

static int start(struct iiotd *d)
{
	struct mb_sink sink = { on_values, on_state, NULL };
	size_t i;
	int rc;

	sys.d = d;
	if (!sys.mc.ndevs)
		return 0;
	sys.devs = calloc(sys.mc.ndevs, sizeof(*sys.devs));
	if (!sys.devs)
		return -1;
	sys.qstop = false;
	rc = pthread_create(&sys.flusher, NULL, flusher, NULL);
	if (rc) {
		log_warnx("modbus: cannot start the flusher: %s", strerror(rc));
		return -1;
	}
	sys.flusher_on = true;
	for (i = 0; i < sys.mc.ndevs; i++) {
		if (mb_dev_init(&sys.devs[i], &sys.mc.devs[i], sys.mc.pts,
				&sys.mc.plan, sys.ids[i], &sink) ||
		    mb_dev_start(&sys.devs[i]))
			return -1;
		sys.nstarted++;
	}
	log_info("modbus: polling %zu devices", sys.mc.ndevs);
	return 0;
}

static void stop(struct iiotd *d)
{
	size_t i;

	(void)d;
	for (i = 0; i < sys.nstarted; i++)
		mb_dev_stop(&sys.devs[i]);
	sys.nstarted = 0;
	if (sys.flusher_on) {
		pthread_mutex_lock(&sys.qmu);
		sys.qstop = true;
		pthread_cond_broadcast(&sys.qcv);
		pthread_mutex_unlock(&sys.qmu);
		pthread_join(sys.flusher, NULL);
		sys.flusher_on = false;
	}
	free(sys.devs);
	free(sys.ids);
	free(sys.q);
	free(sys.qs);
	sys.devs = NULL;
	sys.ids = NULL;
	sys.q = NULL;
	sys.qs = NULL;
	sys.qn = sys.qcap = sys.qsn = sys.qscap = 0;
	mb_conf_free(&sys.mc);
}

static int reload(struct iiotd *d)
{
	struct mb_conf mc;
	char err[256];

	if (mb_conf_parse(d->conf, &mc, err, sizeof(err)))
		return -1;
	if (mc.ndevs != sys.mc.ndevs || mc.npts != sys.mc.npts)
		log_warnx("modbus: changed devices or points apply when "
			  "iiotd restarts");
	mb_conf_free(&mc);
	return 0;
}

static json_t *stats(struct iiotd *d)
{
	size_t i, degraded = 0;
	uint64_t dropped, flushed;

	(void)d;
	for (i = 0; i < sys.nstarted; i++) {
		pthread_mutex_lock(&sys.devs[i].mu);
		degraded += sys.devs[i].degraded;
		pthread_mutex_unlock(&sys.devs[i].mu);
	}
	pthread_mutex_lock(&sys.qmu);
	dropped = sys.dropped;
	flushed = sys.flushed;
	pthread_mutex_unlock(&sys.qmu);
	return json_pack("{s:I, s:I, s:I, s:I, s:I}",
			 "devices", (json_int_t)sys.nstarted,
			 "points", (json_int_t)sys.mc.npts,
			 "degraded", (json_int_t)degraded,
			 "values", (json_int_t)flushed,
			 "dropped", (json_int_t)dropped);
}

/* ---- API and iiotctl ---------------------------------------------------- */

static struct mb_dev *find(const char *key)
{
	char *end;
	unsigned long id;
	size_t i;

	if (!key)
		return NULL;
	id = strtoul(key, &end, 10);
	for (i = 0; i < sys.nstarted; i++)
		if (!strcmp(sys.devs[i].dc->name, key) ||
		    (!*end && *key && id && sys.devs[i].model_id == id))
			return &sys.devs[i];
	return NULL;
}

json_t *modbus_devices_json(void)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < sys.nstarted; i++)
		json_array_append_new(a, mb_dev_json(&sys.devs[i]));
	return a;
}

json_t *modbus_device_json(const char *key)
{
	struct mb_dev *dev = find(key);

	return dev ? mb_dev_json(dev) : NULL;
}

unsigned int modbus_device_id(const char *key)
{
	struct mb_dev *dev = find(key);

	return dev ? dev->model_id : 0;
}

int modbus_signal_point(const char *signal, char *dev, size_t devlen,
			char *point, size_t pointlen)
{
	size_t i, j, n;

	for (i = 0; signal && i < sys.nstarted; i++) {
		const struct mb_dev_conf *dc = sys.devs[i].dc;

		n = strlen(dc->name);
		if (strncmp(signal, dc->name, n) || signal[n] != '.')
			continue;
		for (j = 0; j < dc->n; j++) {
			const struct mb_point *p = &sys.devs[i].pts[dc->first + j];

			if (strcmp(p->name, signal + n + 1))
				continue;
			snprintf(dev, devlen, "%s", dc->name);
			snprintf(point, pointlen, "%s", p->name);
			return mb_area_writable(p->area) ? 1 : 0;
		}
	}
	return -1;
}

static json_t *items_json(const struct mb_point *p, const uint16_t *regs,
			  uint8_t bit)
{
	json_t *a = json_array();
	unsigned int i;

	if (p->area == MB_COIL)
		json_array_append_new(a, json_integer(bit));
	else
		for (i = 0; i < mb_point_len(p); i++)
			json_array_append_new(a, json_integer(regs[i]));
	return json_pack("{s:s, s:i, s:s, s:o}", "area", mb_area_name(p->area),
			 "address", p->addr, "function",
			 p->area == MB_COIL ? "write single coil (5)" :
			 mb_point_len(p) == 1 ?
			 "write single register (6)" :
			 "write multiple registers (16)", "values", a);
}

int modbus_write(const char *key, const char *point, double value,
		 bool dry_run, json_t **sent, double *readback, char *why,
		 size_t whylen)
{
	struct mb_dev *dev = find(key);
	struct mb_write w;
	uint16_t regs[4] = { 0 };
	uint8_t bit = 0;
	size_t i;

	*sent = NULL;
	if (!dev) {
		snprintf(why, whylen, "no Modbus device '%s'", key ? key : "");
		return MODBUS_W_NO_DEVICE;
	}
	for (i = 0; i < dev->dc->n; i++)
		if (!strcmp(dev->pts[dev->dc->first + i].name, point ?
			    point : ""))
			break;
	if (i == dev->dc->n) {
		snprintf(why, whylen, "device %s has no point '%s'",
			 dev->dc->name, point ? point : "");
		return MODBUS_W_NO_DEVICE;
	}
	memset(&w, 0, sizeof(w));
	w.pidx = dev->dc->first + (uint32_t)i;
	w.value = value;
	if (mb_encode(&dev->pts[w.pidx], value, regs, &bit, why, whylen))
		return MODBUS_W_BAD_VALUE;
	*sent = items_json(&dev->pts[w.pidx], regs, bit);
	if (dry_run) {
		snprintf(why, whylen, "dry run: nothing sent");
		return MODBUS_W_OK;
	}
	if (mb_dev_write(dev, &w)) {
		snprintf(why, whylen, "%s", w.why);
		return MODBUS_W_FAILED;
	}
	*readback = w.readback;
	snprintf(why, whylen, "%s", w.why);
	return MODBUS_W_OK;
}

const struct iiotd_subsys subsys_modbus = {
	.name = "modbus",
	.check_conf = check_conf,
	.start = start,
	.reload = reload,
	.stop = stop,
	.stats = stats,
};
