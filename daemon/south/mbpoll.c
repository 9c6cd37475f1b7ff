/*
 * A Modbus TCP device's poller thread (mbpoll.h).  libmodbus is blocking,
 * so each device has a thread of its own: a slow or dead device delays
 * only itself, never capture (which never waits for it) nor another
 * device.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <modbus/modbus.h>

#include "core/log.h"
#include "south/mbpoll.h"

#define NS_MS	1000000ULL

enum { RD_OK = 0, RD_EXCEPTION, RD_DOWN };

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* what mb_dev_init allocated */
static void release(struct mb_dev *d)
{
	size_t c;

	for (c = 0; c < d->nclasses; c++)
		mb_plan_free(&d->plan[c]);
	free(d->last);
	free(d->last_ts);
	free(d->pidx);
	free(d->vals);
	d->last = NULL;
	d->last_ts = NULL;
	d->pidx = NULL;
	d->vals = NULL;
}

int mb_dev_init(struct mb_dev *d, const struct mb_dev_conf *dc,
		const struct mb_point *pts, const struct mb_plan_opts *po,
		uint32_t model_id, const struct mb_sink *sink)
{
	pthread_condattr_t ca;
	uint32_t *ids;
	size_t c, i, n;

	memset(d, 0, sizeof(*d));
	d->dc = dc;
	d->pts = pts;
	d->po = *po;
	d->model_id = model_id;
	d->sink = *sink;
	d->last = calloc(dc->n ? dc->n : 1, sizeof(*d->last));
	d->last_ts = calloc(dc->n ? dc->n : 1, sizeof(*d->last_ts));
	d->pidx = calloc(dc->n ? dc->n : 1, sizeof(*d->pidx));
	d->vals = calloc(dc->n ? dc->n : 1, sizeof(*d->vals));
	ids = calloc(dc->n ? dc->n : 1, sizeof(*ids));
	if (!d->last || !d->last_ts || !d->pidx || !d->vals || !ids)
		goto fail;
	for (i = 0; i < dc->n; i++) {
		uint32_t e = pts[dc->first + i].every_ms;

		for (c = 0; c < d->nclasses && d->every[c] != e; c++)
			;
		if (c == d->nclasses && c < MB_MAX_CLASSES)
			d->every[d->nclasses++] = e;
	}
	for (c = 0; c < d->nclasses; c++) {
		for (i = n = 0; i < dc->n; i++)
			if (pts[dc->first + i].every_ms == d->every[c])
				ids[n++] = dc->first + (uint32_t)i;
		if (mb_plan_build(&d->plan[c], pts, ids, n, &d->po))
			goto fail;
	}
	free(ids);
	pthread_mutex_init(&d->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&d->cv, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
fail:
	free(ids);
	release(d);
	return -1;
}

static void set_error(struct mb_dev *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct mb_dev *d, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&d->mu);
	va_start(ap, fmt);
	vsnprintf(d->last_error, sizeof(d->last_error), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&d->mu);
}

#define COUNT(d, field) do {			\
	pthread_mutex_lock(&(d)->mu);		\
	(d)->ctr.field++;			\
	pthread_mutex_unlock(&(d)->mu);		\
} while (0)

static void disconnect(struct mb_dev *d)
{
	if (!d->ctx)
		return;
	modbus_close(d->ctx);
	modbus_free(d->ctx);
	d->ctx = NULL;
}

static int connect_dev(struct mb_dev *d)
{
	char port[8];
	modbus_t *ctx;
	uint32_t t = d->dc->timeout_ms;

	if (d->ctx)
		return 0;
	snprintf(port, sizeof(port), "%u", d->dc->port);
	ctx = modbus_new_tcp_pi(d->dc->host, port);
	if (!ctx) {
		set_error(d, "%s:%u: %s", d->dc->host, d->dc->port,
			  modbus_strerror(errno));
		return -1;
	}
	modbus_set_slave(ctx, d->dc->unit);
	modbus_set_response_timeout(ctx, t / 1000, (t % 1000) * 1000);
	modbus_set_byte_timeout(ctx, t / 1000, (t % 1000) * 1000);
	/* libmodbus would retry a refused connect and sleep on errors */
	modbus_set_error_recovery(ctx, MODBUS_ERROR_RECOVERY_NONE);
	if (modbus_connect(ctx) < 0) {
		set_error(d, "connect %s:%u: %s", d->dc->host, d->dc->port,
			  modbus_strerror(errno));
		modbus_free(ctx);
		COUNT(d, conn_errors);
		return -1;
	}
	d->ctx = ctx;
	COUNT(d, connects);
	return 0;
}

/* After a failed request: count it by kind; RD_EXCEPTION or RD_DOWN. */
static int classify(struct mb_dev *d, int err, const char *what)
{
	int rc = RD_DOWN;

	pthread_mutex_lock(&d->mu);
	if (err > MODBUS_ENOBASE && err <= EMBXGTAR) {
		d->ctr.exceptions++;
		d->exc[err - MODBUS_ENOBASE]++;
		rc = RD_EXCEPTION;
	} else if (err == ETIMEDOUT) {
		d->ctr.timeouts++;
	} else if (err >= EMBBADCRC && err <= EMBBADSLAVE) {
		d->ctr.bad_replies++;
	} else {
		d->ctr.conn_errors++;
	}
	snprintf(d->last_error, sizeof(d->last_error), "%s: %s", what,
		 modbus_strerror(err));
	pthread_mutex_unlock(&d->mu);
	/* after a timeout or a bad reply the stream may be out of step */
	if (rc == RD_DOWN)
		disconnect(d);
	return rc;
}

static int do_read(modbus_t *ctx, unsigned int area, int start, int n,
		   uint16_t *regs, uint8_t *bits)
{
	switch (area) {
	case MB_COIL: return modbus_read_bits(ctx, start, n, bits);
	case MB_DISCRETE: return modbus_read_input_bits(ctx, start, n, bits);
	case MB_INPUT:
		return modbus_read_input_registers(ctx, start, n, regs);
	default: return modbus_read_registers(ctx, start, n, regs);
	}
}

/* One read with the device's retries: got items, or -RD_* */
static int read_retry(struct mb_dev *d, unsigned int area, int start, int n,
		      uint16_t *regs, uint8_t *bits)
{
	char what[64];
	unsigned int t;
	int got, rc = RD_DOWN;

	snprintf(what, sizeof(what), "read %s %d+%d", mb_area_name(area),
		 start, n);
	for (t = 0; t <= d->dc->retries; t++) {
		if (connect_dev(d))
			continue;
		COUNT(d, reads);
		got = do_read(d->ctx, area, start, n, regs, bits);
		if (got >= 0)
			return got;
		rc = classify(d, errno, what);
		if (rc == RD_EXCEPTION)
			break;
	}
	COUNT(d, read_errors);
	return -rc;
}

/* Scan class c: 0 when the device answered (even with exceptions). */
static int scan(struct mb_dev *d, size_t c)
{
	const struct mb_plan *pl = &d->plan[c];
	uint16_t regs[MB_MAX_READ_REGS];
	uint8_t bits[MB_MAX_READ_BITS];
	uint32_t *pidx = d->pidx;	/* room for all the device's points */
	double *vals = d->vals;
	size_t r, i;
	uint64_t ts;
	int got;

	for (r = 0; r < pl->nreads; r++) {
		const struct mb_read *rd = &pl->reads[r];
		size_t n;

		got = read_retry(d, rd->area, rd->start, rd->count, regs, bits);
		if (got == -RD_DOWN)
			return -1;
		if (got < 0)
			continue;
		ts = wall_ns();
		n = mb_read_decode(pl, r, d->pts, regs, bits,
				   (unsigned int)got, pidx, vals);
		pthread_mutex_lock(&d->mu);
		d->ctr.values += n;
		for (i = 0; i < n; i++) {
			d->last[pidx[i] - d->dc->first] = vals[i];
			d->last_ts[pidx[i] - d->dc->first] = ts;
		}
		pthread_mutex_unlock(&d->mu);
		if (n && d->sink.values)
			d->sink.values(d->sink.arg, d, pidx, vals, n, ts);
	}
	return 0;
}

/* After a scan: online, failing, degraded, recovered. */
static void scan_done(struct mb_dev *d, bool good, uint64_t now)
{
	bool online, degraded, changed;
	char why[sizeof(d->last_error) + 64];

	pthread_mutex_lock(&d->mu);
	d->ctr.scans++;
	online = d->online;
	degraded = d->degraded;
	if (good) {
		d->fails = 0;
		d->online = true;
		d->degraded = false;
		d->last_ok_ns = wall_ns();
		snprintf(why, sizeof(why), "answers again");
	} else {
		d->ctr.scans_failed++;
		d->fails++;
		if (d->fails >= d->dc->degraded_after) {
			d->degraded = true;
			d->online = false;
			d->retry_at = now + d->dc->retry_ms * NS_MS;
		}
		snprintf(why, sizeof(why), "%u failed scans, last: %.160s; "
			 "tried again every %u ms", d->fails, d->last_error,
			 d->dc->retry_ms);
	}
	changed = online != d->online || degraded != d->degraded;
	online = d->online;
	degraded = d->degraded;
	pthread_mutex_unlock(&d->mu);
	if (changed && d->sink.state)
		d->sink.state(d->sink.arg, d, online, degraded, why);
}

static int write_items(struct mb_dev *d, const struct mb_point *p,
		       const uint16_t *regs, uint8_t bit)
{
	unsigned int n = mb_point_len(p);

	if (p->area == MB_COIL)
		return modbus_write_bit(d->ctx, p->addr, bit);
	if (n == 1)
		return modbus_write_register(d->ctx, p->addr, regs[0]);
	return modbus_write_registers(d->ctx, p->addr, (int)n, regs);
}

/* On the device's thread: encode, write, read back, compare. */
static void do_write(struct mb_dev *d, struct mb_write *w)
{
	const struct mb_point *p = &d->pts[w->pidx];
	uint16_t regs[4] = { 0 }, back[4] = { 0 };
	uint8_t bit = 0, bback = 0;
	unsigned int n = mb_point_len(p);
	int rc;

	w->rc = -1;
	if (mb_encode(p, w->value, regs, &bit, w->why, sizeof(w->why)))
		return;
	if (connect_dev(d)) {
		pthread_mutex_lock(&d->mu);
		snprintf(w->why, sizeof(w->why), "%s", d->last_error);
		pthread_mutex_unlock(&d->mu);
		return;
	}
	if (write_items(d, p, regs, bit) < 0) {
		int e = errno;

		classify(d, e, "write");
		snprintf(w->why, sizeof(w->why), "write %s %u: %s",
			 mb_area_name(p->area), p->addr, modbus_strerror(e));
		return;
	}
	rc = do_read(d->ctx, p->area, p->addr, (int)n, back, &bback);
	if (rc != (int)n) {
		int e = errno;

		if (rc < 0)
			classify(d, e, "read back");
		snprintf(w->why, sizeof(w->why), "written, but reading it "
			 "back failed: %s", rc < 0 ? modbus_strerror(e) :
			 "short reply");
		return;
	}
	w->readback = mb_decode(p, back, &bback);
	if (p->area == MB_COIL ? bback != bit :
	    memcmp(regs, back, n * sizeof(regs[0]))) {
		snprintf(w->why, sizeof(w->why), "read back %g, not %g: the "
			 "device did not keep the value", w->readback,
			 w->value);
		return;
	}
	w->rc = 0;
	snprintf(w->why, sizeof(w->why), "written and read back");
}

/*
 * Under d->mu: w, the queue's head, leaves it answered: a waiter wakes,
 * an asynchronous write's callback runs without the lock (it may queue
 * another write or free w).
 */
static void write_finish(struct mb_dev *d, struct mb_write *w)
{
	d->wr_head = w->next;
	if (!d->wr_head)
		d->wr_tail = NULL;
	d->nwr--;
	w->next = NULL;
	w->done = true;
	pthread_cond_broadcast(&d->cv);
	if (w->done_cb) {
		pthread_mutex_unlock(&d->mu);
		w->done_cb(w);
		pthread_mutex_lock(&d->mu);
	}
}

static void *run(void *arg)
{
	struct mb_dev *d = arg;
	uint64_t now = mono_ns(), next;
	struct timespec ts;
	size_t c;

	for (c = 0; c < d->nclasses; c++)
		d->due[c] = now;
	pthread_mutex_lock(&d->mu);
	while (!d->stop) {
		struct mb_write *w = d->wr_head;
		bool degraded = d->degraded, good = true, any = false;

		if (w) {
			pthread_mutex_unlock(&d->mu);
			do_write(d, w);
			pthread_mutex_lock(&d->mu);
			if (w->rc)
				d->ctr.write_errors++;
			else
				d->ctr.writes++;
			write_finish(d, w);
			continue;
		}
		now = mono_ns();
		next = UINT64_MAX;
		for (c = 0; c < d->nclasses; c++)
			if (d->due[c] < next)
				next = d->due[c];
		if (degraded && d->retry_at > next)
			next = d->retry_at;
		if (next > now) {
			if (next == UINT64_MAX)
				pthread_cond_wait(&d->cv, &d->mu);
			else {
				ts.tv_sec = (time_t)(next / 1000000000ULL);
				ts.tv_nsec = (long)(next % 1000000000ULL);
				pthread_cond_timedwait(&d->cv, &d->mu, &ts);
			}
			continue;
		}
		pthread_mutex_unlock(&d->mu);
		/* degraded: one try of every class, then wait retry again */
		for (c = 0; c < d->nclasses && good; c++) {
			if (!degraded && d->due[c] > now)
				continue;
			any = true;
			good = !scan(d, c);
			d->due[c] += (uint64_t)d->every[c] * NS_MS;
			if (d->due[c] <= now)
				d->due[c] = now + (uint64_t)d->every[c] * NS_MS;
		}
		if (any)
			scan_done(d, good, mono_ns());
		pthread_mutex_lock(&d->mu);
	}
	/* writes queued as the thread stops: answered, never left waiting */
	while (d->wr_head) {
		d->wr_head->rc = -1;
		snprintf(d->wr_head->why, sizeof(d->wr_head->why), "iiotd is "
			 "stopping: nothing sent");
		write_finish(d, d->wr_head);
	}
	pthread_mutex_unlock(&d->mu);
	disconnect(d);
	return NULL;
}

int mb_dev_start(struct mb_dev *d)
{
	int rc = pthread_create(&d->th, NULL, run, d);

	if (rc) {
		log_warnx("modbus %s: cannot start its thread: %s",
			  d->dc->name, strerror(rc));
		return -1;
	}
	d->started = true;
	return 0;
}

void mb_dev_stop(struct mb_dev *d)
{
	if (d->started) {
		pthread_mutex_lock(&d->mu);
		d->stop = true;
		pthread_cond_broadcast(&d->cv);
		pthread_mutex_unlock(&d->mu);
		pthread_join(d->th, NULL);
		d->started = false;
	}
	release(d);
}

/* under d->mu: w at the queue's end; -1 with w->why when not running */
static int write_queue(struct mb_dev *d, struct mb_write *w)
{
	w->done = false;
	w->rc = -1;
	w->next = NULL;
	if (d->stop || !d->started) {
		snprintf(w->why, sizeof(w->why), "the device's poller is "
			 "not running");
		return -1;
	}
	if (d->wr_tail)
		d->wr_tail->next = w;
	else
		d->wr_head = w;
	d->wr_tail = w;
	d->nwr++;
	pthread_cond_broadcast(&d->cv);
	return 0;
}

int mb_dev_write(struct mb_dev *d, struct mb_write *w)
{
	w->done_cb = NULL;
	pthread_mutex_lock(&d->mu);
	/* a caller that can wait takes its turn behind a full queue */
	while (d->nwr >= MB_WRITE_QUEUE && !d->stop)
		pthread_cond_wait(&d->cv, &d->mu);
	if (write_queue(d, w)) {
		pthread_mutex_unlock(&d->mu);
		return -1;
	}
	while (!w->done)
		pthread_cond_wait(&d->cv, &d->mu);
	pthread_mutex_unlock(&d->mu);
	return w->rc;
}

int mb_dev_write_async(struct mb_dev *d, struct mb_write *w)
{
	int rc;

	pthread_mutex_lock(&d->mu);
	if (d->nwr >= MB_WRITE_QUEUE) {
		snprintf(w->why, sizeof(w->why), "%u writes already wait for "
			 "the device", d->nwr);
		rc = -1;
	} else {
		rc = write_queue(d, w);
	}
	pthread_mutex_unlock(&d->mu);
	return rc;
}

static const char *const exc_names[MB_EXC_MAX] = {
	NULL, "illegal_function", "illegal_data_address",
	"illegal_data_value", "server_failure", "acknowledge", "server_busy",
	"negative_acknowledge", "memory_parity", NULL, "gateway_path",
	"gateway_target"
};

json_t *mb_dev_json(struct mb_dev *d)
{
	const struct mb_dev_conf *dc = d->dc;
	json_t *o, *ctr, *exc, *pts;
	size_t i;

	o = json_object();
	ctr = json_object();
	exc = json_object();
	pts = json_array();
	if (!o || !ctr || !exc || !pts) {
		json_decref(o);
		json_decref(ctr);
		json_decref(exc);
		json_decref(pts);
		return NULL;
	}
	json_object_set_new(o, "name", json_string(dc->name));
	json_object_set_new(o, "device", json_integer(d->model_id));
	json_object_set_new(o, "host", json_string(dc->host));
	json_object_set_new(o, "port", json_integer(dc->port));
	json_object_set_new(o, "unit", json_integer(dc->unit));
	json_object_set_new(o, "timeout_ms", json_integer(dc->timeout_ms));
	json_object_set_new(o, "retries", json_integer(dc->retries));
	json_object_set_new(o, "reads_per_scan", json_integer(0));
	pthread_mutex_lock(&d->mu);
	json_object_set_new(o, "state", json_string(d->degraded ? "degraded" :
		d->online ? "ok" : d->ctr.scans ? "failing" : "starting"));
	json_object_set_new(o, "online", json_boolean(d->online));
	json_object_set_new(o, "failed_scans", json_integer(d->fails));
	json_object_set_new(o, "last_ok_ns", json_integer(
		(json_int_t)d->last_ok_ns));
	json_object_set_new(o, "last_error", json_string(d->last_error));
#define MB_X_JSON(n, desc) \
	json_object_set_new(ctr, #n, json_integer((json_int_t)d->ctr.n));
	MB_DEV_COUNTERS(MB_X_JSON)
#undef MB_X_JSON
	for (i = 1; i < MB_EXC_MAX; i++)
		if (exc_names[i])
			json_object_set_new(exc, exc_names[i],
				json_integer((json_int_t)d->exc[i]));
	for (i = 0; i < dc->n; i++) {
		const struct mb_point *p = &d->pts[dc->first + i];
		char ord[9];
		json_t *j = json_object();

		if (!j)
			continue;
		mb_order_format(p, ord, sizeof(ord));
		json_object_set_new(j, "name", json_string(p->name));
		json_object_set_new(j, "area", json_string(mb_area_name(p->area)));
		json_object_set_new(j, "address", json_integer(p->addr));
		json_object_set_new(j, "type", json_string(mb_type_name(p->type)));
		if (*ord)
			json_object_set_new(j, "order", json_string(ord));
		json_object_set_new(j, "scale", json_real(p->scale));
		json_object_set_new(j, "offset", json_real(p->offset));
		json_object_set_new(j, "unit", json_string(p->unit));
		json_object_set_new(j, "every_ms", json_integer(p->every_ms));
		json_object_set_new(j, "writable",
				    json_boolean(mb_area_writable(p->area)));
		if (d->last_ts[i]) {
			json_object_set_new(j, "value", isfinite(d->last[i]) ?
				json_real(d->last[i]) : json_null());
			json_object_set_new(j, "ts_ns", json_integer(
				(json_int_t)d->last_ts[i]));
		}
		json_array_append_new(pts, j);
	}
	pthread_mutex_unlock(&d->mu);
	{
		size_t c, nr = 0;

		for (c = 0; c < d->nclasses; c++)
			nr += d->plan[c].nreads;
		json_object_set_new(o, "reads_per_scan", json_integer((json_int_t)nr));
	}
	json_object_set_new(o, "counters", ctr);
	json_object_set_new(o, "exceptions", exc);
	json_object_set_new(o, "points", pts);
	return o;
}
