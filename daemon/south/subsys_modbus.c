/*
 * iiotd subsystem "modbus" (docs/modbus.md): Modbus TCP devices polled by
 * a thread each (mbpoll.c).  Their values reach the model the way other
 * threads change it, through the capture thread, batched by the flusher
 * of extq.c, so a device costs the drain loop no waiting.  A degraded device
 * raises modbus.device.degraded into the one alert model.
 *
 * Devices and points are set up before the capture thread runs
 * (modbus_model_setup, from the core); changes to [modbus] apply at
 * the next start.
 *
 * The API and north call in from their own threads, and both still run
 * while the pollers stop (quiesce runs in reverse subsystem order, north
 * stops after us): a call holds a use of the devices (use_begin), and
 * quiesce first refuses new ones and waits for those under way, so a
 * write as iiotd stops is refused (MODBUS_W_STOPPING) instead of racing
 * the pollers' ends.
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
#include "south/extq.h"
#include "south/mbconf.h"
#include "south/mbpoll.h"
#include "south/modbus.h"
#include "south/south.h"
#include "store/store.h"

static struct {
	struct iiotd *d;
	struct mb_conf mc;
	uint32_t *ids;			/* model device id of each device */
	struct mb_dev *devs;
	size_t nstarted;
	struct extq *q;			/* values and states into the model */
	/* the devices' users against quiesce and stop */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;			/* no new use (quiesce began) */
	unsigned int users;		/* uses under way */
} sys = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

/* A use of sys.devs by another thread: false once iiotd is stopping. */
static bool use_begin(void)
{
	bool ok;

	pthread_mutex_lock(&sys.mu);
	ok = !sys.stopping;
	if (ok)
		sys.users++;
	pthread_mutex_unlock(&sys.mu);
	return ok;
}

static void use_end(void)
{
	pthread_mutex_lock(&sys.mu);
	if (!--sys.users)
		pthread_cond_broadcast(&sys.cv);
	pthread_mutex_unlock(&sys.mu);
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
	uint64_t now = extq_wall_ns();
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
	(void)arg;
	(void)dev;
	/* a point's index is its external signal's */
	extq_values(sys.q, pidx, vals, n, ts_ns);
}

static void on_state(void *arg, struct mb_dev *dev, bool online,
		     bool degraded, const char *why)
{
	struct alert_ev ev;
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
		ev.ts_ns = extq_wall_ns();
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
	extq_state(sys.q, dev->model_id, online, errs, why);
}

static int start(struct iiotd *d)
{
	struct mb_sink sink = { on_values, on_state, NULL };
	size_t i;

	sys.d = d;
	pthread_mutex_lock(&sys.mu);
	sys.stopping = false;
	pthread_mutex_unlock(&sys.mu);
	if (!sys.mc.ndevs)
		return 0;
	sys.devs = calloc(sys.mc.ndevs, sizeof(*sys.devs));
	if (!sys.devs)
		return -1;
	sys.q = extq_start(d, "modbus");
	if (!sys.q)
		return -1;
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

/*
 * Before capture halts: the pollers end, then the flusher, whose last
 * batch still goes through the capture thread.  Left running, a flush
 * after the halt ran on the flusher's thread (capture_read runs on its
 * caller then) while the main thread drained the last frames into the
 * same model.  New uses are refused first, and a synchronous write
 * under way (the API's) ends within its device's timeout before the
 * pollers go.
 */
static void quiesce(struct iiotd *d)
{
	size_t i;

	(void)d;
	pthread_mutex_lock(&sys.mu);
	if (!sys.stopping && sys.nstarted)
		log_info("modbus: stopping %zu pollers: writes are refused "
			 "from now", sys.nstarted);
	sys.stopping = true;
	while (sys.users)
		pthread_cond_wait(&sys.cv, &sys.mu);
	pthread_mutex_unlock(&sys.mu);
	for (i = 0; i < sys.nstarted; i++)
		mb_dev_stop(&sys.devs[i]);
	sys.nstarted = 0;
	extq_stop(sys.q);
	sys.q = NULL;
}

static void stop(struct iiotd *d)
{
	quiesce(d);
	free(sys.devs);
	free(sys.ids);
	sys.devs = NULL;
	sys.ids = NULL;
	/* modbus_signal_point reads it without a use */
	pthread_mutex_lock(&sys.mu);
	mb_conf_free(&sys.mc);
	pthread_mutex_unlock(&sys.mu);
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
	extq_counts(sys.q, &flushed, &dropped);
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
	uint32_t id = south_key_id(key);
	size_t i;

	if (!key)
		return NULL;
	for (i = 0; i < sys.nstarted; i++)
		if (!strcmp(sys.devs[i].dc->name, key) ||
		    (id && sys.devs[i].model_id == id))
			return &sys.devs[i];
	return NULL;
}

json_t *modbus_devices_json(void)
{
	json_t *a = json_array();
	size_t i;

	if (!use_begin())
		return a;
	for (i = 0; a && i < sys.nstarted; i++)
		json_array_append_new(a, mb_dev_json(&sys.devs[i]));
	use_end();
	return a;
}

json_t *modbus_device_json(const char *key)
{
	struct mb_dev *dev;
	json_t *o;

	if (!use_begin())
		return NULL;
	dev = find(key);
	o = dev ? mb_dev_json(dev) : NULL;
	use_end();
	return o;
}

unsigned int modbus_device_id(const char *key)
{
	struct mb_dev *dev;
	unsigned int id;

	if (!use_begin())
		return 0;
	dev = find(key);
	id = dev ? dev->model_id : 0;
	use_end();
	return id;
}

void modbus_write_limits(unsigned int *per_device, unsigned int *per_user)
{
	*per_device = sys.mc.per_device;
	*per_user = sys.mc.per_user;
}

/* from the configuration, which outlives the pollers (a write is refused
 * as iiotd stops, not as having no point) */
int modbus_signal_point(const char *signal, char *dev, size_t devlen,
			char *point, size_t pointlen)
{
	size_t i, j, n;
	int rc = -1;

	pthread_mutex_lock(&sys.mu);
	for (i = 0; signal && rc < 0 && i < sys.mc.ndevs; i++) {
		const struct mb_dev_conf *dc = &sys.mc.devs[i];

		n = strlen(dc->name);
		if (strncmp(signal, dc->name, n) || signal[n] != '.')
			continue;
		for (j = 0; j < dc->n; j++) {
			const struct mb_point *p = &sys.mc.pts[dc->first + j];

			if (strcmp(p->name, signal + n + 1))
				continue;
			snprintf(dev, devlen, "%s", dc->name);
			snprintf(point, pointlen, "%s", p->name);
			rc = mb_area_writable(p->area) ? 1 : 0;
			break;
		}
	}
	pthread_mutex_unlock(&sys.mu);
	return rc;
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

/*
 * The device and point of a write, the value encoded: w set, *sent what
 * would go out.  NULL with the result in *rc and why.
 */
static struct mb_dev *write_prepare(const char *key, const char *point,
				    double value, struct mb_write *w,
				    json_t **sent, int *rc, char *why,
				    size_t whylen)
{
	struct mb_dev *dev = find(key);
	uint16_t regs[4] = { 0 };
	uint8_t bit = 0;
	size_t i;

	*sent = NULL;
	*rc = MODBUS_W_NO_DEVICE;
	if (!dev) {
		snprintf(why, whylen, "no Modbus device '%s'", key ? key : "");
		return NULL;
	}
	for (i = 0; i < dev->dc->n; i++)
		if (!strcmp(dev->pts[dev->dc->first + i].name, point ?
			    point : ""))
			break;
	if (i == dev->dc->n) {
		snprintf(why, whylen, "device %s has no point '%s'",
			 dev->dc->name, point ? point : "");
		return NULL;
	}
	memset(w, 0, sizeof(*w));
	w->pidx = dev->dc->first + (uint32_t)i;
	w->value = value;
	*rc = MODBUS_W_BAD_VALUE;
	if (mb_encode(&dev->pts[w->pidx], value, regs, &bit, why, whylen))
		return NULL;
	*sent = items_json(&dev->pts[w->pidx], regs, bit);
	*rc = MODBUS_W_OK;
	return dev;
}

static int stopping(char *why, size_t whylen)
{
	snprintf(why, whylen, "iiotd is stopping: nothing sent");
	return MODBUS_W_STOPPING;
}

int modbus_write(const char *key, const char *point, double value,
		 bool dry_run, json_t **sent, double *readback, char *why,
		 size_t whylen)
{
	struct mb_write w;
	struct mb_dev *dev;
	int rc;

	*sent = NULL;
	if (!use_begin())
		return stopping(why, whylen);
	dev = write_prepare(key, point, value, &w, sent, &rc, why, whylen);
	if (!dev)
		goto out;
	if (dry_run) {
		snprintf(why, whylen, "dry run: nothing sent");
		goto out;
	}
	/* the use held through the write: quiesce waits for its answer */
	rc = mb_dev_write(dev, &w) ? MODBUS_W_FAILED : MODBUS_W_OK;
	if (rc == MODBUS_W_OK)
		*readback = w.readback;
	snprintf(why, whylen, "%s", w.why);
out:
	use_end();
	return rc;
}

struct write_async {
	struct mb_write w;		/* first: the callback's pointer */
	modbus_write_done_fn *done;
	void *arg;
};

/* on the device's thread */
static void write_async_done(struct mb_write *w)
{
	struct write_async *a = (struct write_async *)w;

	a->done(a->arg, w->rc ? MODBUS_W_FAILED : MODBUS_W_OK, w->readback,
		w->why);
	free(a);
}

int modbus_write_async(const char *key, const char *point, double value,
		       modbus_write_done_fn *done, void *arg, json_t **sent,
		       char *why, size_t whylen)
{
	struct write_async *a = calloc(1, sizeof(*a));
	struct mb_dev *dev;
	int rc;

	*sent = NULL;
	if (!a) {
		snprintf(why, whylen, "out of memory");
		return MODBUS_W_FAILED;
	}
	if (!use_begin()) {
		free(a);
		return stopping(why, whylen);
	}
	dev = write_prepare(key, point, value, &a->w, sent, &rc, why, whylen);
	if (dev) {
		a->w.done_cb = write_async_done;
		a->done = done;
		a->arg = arg;
		rc = MODBUS_W_QUEUED;
		if (mb_dev_write_async(dev, &a->w)) {
			snprintf(why, whylen, "%s", a->w.why);
			rc = MODBUS_W_FAILED;
		}
	}
	use_end();
	/* queued: a is the poller's, done may have run already */
	if (rc != MODBUS_W_QUEUED)
		free(a);
	return rc;
}

const struct iiotd_subsys subsys_modbus = {
	.name = "modbus",
	.check_conf = check_conf,
	.start = start,
	.reload = reload,
	.quiesce = quiesce,
	.stop = stop,
	.stats = stats,
};
