/*
 * iiotd subsystem "diag": the fieldbus diagnostics (diag.h) on the
 * capture path, raising into the alert table of the "alerts" subsystem
 * (which starts before it: the table is in name order).  Handed to
 * capture through d->diag.
 *
 * [diag]
 *   wkc_learn = 8        equal returns that teach a working counter
 *   dc_limit = 1000      ns of DC system time difference that is a fault
 *   rate_limit = 10      own RX errors per minute per port that is a fault
 *   horizon = 3600s      predict threshold crossings this far ahead
 *   wkc_limit = 10       wrong working counters per minute on a link
 *   lost_limit = 10      lost frames per minute on a link
 *   jitter_limit = 50    jitter p99 over this % of the period
 *   port_speed = 100     Mbit/s of a capture port whose interface does
 *                        not say (network load, diag_load.c)
 *   disable = RULE       repeat: a diagnosis not to raise
 *   history = 1s         link statistics into the store this often
 *                        (linkhist.h); 0 keeps none
 *
 * At start the trends are seeded from the last DIAG_TREND minutes of
 * the stored history, so a restart does not forget a slow degradation.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include <event2/event.h>
#include <jansson.h>

#include "core/conf.h"
#include "desc/desc.h"
#include "desc/desc_db.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "capture/capture.h"
#include "core/subsys.h"
#include "diag/diag.h"
#include "diag/diag_int.h"
#include "diag/diagsys.h"
#include "diag/linkhist.h"
#include "model/model.h"
#include "store/store.h"

static const char *const keys[] = {
	"wkc_learn", "dc_limit", "rate_limit", "horizon", "disable", "history",
	"wkc_limit", "lost_limit", "jitter_limit", "port_speed", NULL
};

/* the link history: written on the loop thread, read by the API's list
 * threads too (diagsys_series), so behind mu */
static pthread_mutex_t hist_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct linkhist *lh;
	struct event *ev;
	uint64_t every_ms;
	uint64_t samples, dropped, load_errors;
	struct diag_slave_stat *st;	/* DIAG_STAT_MAX, the loop's copy */
	size_t nst;
} hist;

#define DIAG_STAT_MAX	1024

static int read_conf(const struct conf *c, struct diag_opts *o,
		     uint64_t *history_ms, char *err, size_t errlen)
{
	const struct conf_entry *e = NULL;
	uint64_t learn, dc, rate, horizon, every, wkc, lost, jit, speed;

	memset(o, 0, sizeof(*o));
	if (conf_check_keys(c, "diag", keys, err, errlen) ||
	    conf_get_u64(c, "diag", "wkc_learn", 8, 2, 255, &learn, err,
			 errlen) ||
	    conf_get_u64(c, "diag", "dc_limit", 1000, 10, 1000000000, &dc, err,
			 errlen) ||
	    conf_get_u64(c, "diag", "rate_limit", 10, 1, 100000, &rate, err,
			 errlen) ||
	    conf_get_ms(c, "diag", "horizon", 3600000, 60000,
			7ULL * 86400000ULL, &horizon, err, errlen) ||
	    conf_get_ms(c, "diag", "history", 1000, 0, 3600000, &every, err,
			errlen) ||
	    conf_get_u64(c, "diag", "wkc_limit", 10, 1, 1000000, &wkc, err,
			 errlen) ||
	    conf_get_u64(c, "diag", "lost_limit", 10, 1, 1000000, &lost, err,
			 errlen) ||
	    conf_get_u64(c, "diag", "jitter_limit", 50, 1, 1000, &jit, err,
			 errlen) ||
	    conf_get_u64(c, "diag", "port_speed", 100, 1, 400000, &speed,
			 err, errlen))
		return -1;
	if (every && every < 100) {
		snprintf(err, errlen, "diag.history: 0 (none) or at least "
			 "100ms");
		return -1;
	}
	*history_ms = every;
	o->wkc_learn = (uint32_t)learn;
	o->dc_limit_ns = (uint32_t)dc;
	o->rate_limit = (double)rate;
	o->horizon_ns = horizon * 1000000ULL;
	o->wkc_limit = (double)wkc;
	o->lost_limit = (double)lost;
	o->jitter_pct = (uint32_t)jit;
	o->port_mbps = (uint32_t)speed;
	/* live, a ring named after its interface has the interface's */
	o->port_sysfs = true;
	while ((e = conf_next(c, "diag", "disable", e))) {
		int r = alert_rule_parse(e->value);

		if (r < 0 || r == ALERT_R_FLOOD) {
			conf_errf(c, e, err, errlen, "diag.disable: no rule "
				  "'%s' (docs/diagnostics.md lists them)",
				  e->value);
			return -1;
		}
		o->disabled[r] = true;
	}
	return 0;
}

static int diag_check_conf(const struct conf *c, char *err, size_t errlen)
{
	struct diag_opts o;
	uint64_t every;

	return read_conf(c, &o, &every, err, errlen);
}

static bool put_sample(void *arg, uint32_t id, uint64_t ts_ns, double v)
{
	struct iiotd *d = arg;

	if (store_put_sample(d->store, id, ts_ns, v)) {
		hist.samples++;
		return true;
	}
	hist.dropped++;
	return false;
}

static void define(void *arg, uint32_t id, const char *metric,
		   const char *key, const char *unit)
{
	struct iiotd *d = arg;

	store_signal_def(d->store, id, metric, key, unit);
}

/* the slaves' counters are the capture thread's: copied there */
static void stats_read(void *arg)
{
	struct iiotd *d = arg;

	hist.nst = d->diag ? diag_slave_stats(d->diag, hist.st,
					      DIAG_STAT_MAX) : 0;
}

/* every [diag] history: the newest snapshot's links, and the slaves'
 * error counters and DC differences, into the store */
static void on_history(evutil_socket_t fd, short what, void *arg)
{
	struct iiotd *d = arg;
	struct linkhist_sink sink = { put_sample, define, d };
	struct capsnap *snap = d->capture ? capture_snapshot(d->capture) :
			       NULL;

	(void)fd;
	(void)what;
	if (hist.st && d->capture)
		capture_read(d->capture, stats_read, d);
	pthread_mutex_lock(&hist_mu);
	if (snap && snap->model)
		linkhist_sample(hist.lh, snap->model, snap->taken_ns, &sink);
	if (hist.nst)
		linkhist_sample_slaves(hist.lh, hist.st, hist.nst,
				       snap ? snap->taken_ns : 0, &sink);
	pthread_mutex_unlock(&hist_mu);
	capsnap_put(snap);
}

static bool load_def(void *arg, uint32_t id, const char *name,
		     const char *device)
{
	(void)arg;
	if (!linkhist_load(hist.lh, id, name, device))
		hist.load_errors++;
	return true;
}

struct reseed {
	struct diag *dg;
	struct sqlite3 *db;
	uint64_t from, to;
	const char *key;
	unsigned int metric;
	bool slave;
	long n;
};

static bool reseed_point(void *arg, const struct store_point *p)
{
	struct reseed *r = arg;

	if (!diag_seed(r->dg, r->key, r->metric, r->slave, p->ts_ns, p->avg,
		       p->count))
		r->n++;
	return true;
}

/* the last minutes of one slot's series into the trends they feed */
static void reseed_slot(void *arg, const char *key, bool slave,
			uint32_t base)
{
	static const unsigned int link_m[] = { LH_JITTER_P99, LH_LOST,
					       LH_WKC_ERRORS };
	static const unsigned int slave_m[] = { LHS_RX_P0, LHS_RX_P0 + 1,
		LHS_RX_P0 + 2, LHS_RX_P0 + 3, LHS_DC_DIFF };
	struct reseed *r = arg;
	const unsigned int *ms = slave ? slave_m : link_m;
	size_t i, n = slave ? 5 : 3;
	char err[256];

	r->key = key;
	r->slave = slave;
	for (i = 0; i < n; i++) {
		r->metric = ms[i];
		if (store_query_samples(r->db, base + ms[i], r->from, r->to,
					STORE_1M, 0, reseed_point, r, err,
					sizeof(err)) < 0) {
			log_warnx("diag: reseeding %s: %s", key, err);
			return;
		}
	}
}

/* before diag sees a frame: the trends as the history left them */
static void reseed(struct iiotd *d, struct diag *dg)
{
	struct reseed r = { .dg = dg };
	struct timespec ts;
	char err[256];

	if (!hist.lh || !d->store)
		return;
	r.db = store_reader_open(store_path(d->store), err, sizeof(err));
	if (!r.db) {
		log_warnx("diag: trends start empty: %s", err);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	r.to = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	r.from = r.to - (uint64_t)DIAG_TREND * DIAG_RATE_NS;
	linkhist_each(hist.lh, reseed_slot, &r);
	sqlite3_close(r.db);
	if (r.n)
		log_info("diag: %ld trend samples from the history", r.n);
}

/* the series the store already has keep their ids */
static int history_start(struct iiotd *d)
{
	char err[512];

	memset(&hist, 0, sizeof(hist));
	if (!d->store)
		return 0;
	hist.lh = linkhist_new();
	hist.st = calloc(DIAG_STAT_MAX, sizeof(*hist.st));
	if (!hist.lh || !hist.st) {
		log_warnx("diag: out of memory");
		return -1;
	}
	if (store_query_signal_defs(store_path(d->store), LINKHIST_BASE,
				    load_def, NULL, err, sizeof(err)) < 0)
		log_warnx("diag: link history: %s (new series only)", err);
	return 0;
}

static int history_every(struct iiotd *d, uint64_t ms)
{
	struct timeval tv = { (time_t)(ms / 1000),
			      (suseconds_t)(ms % 1000 * 1000) };

	if (hist.ev) {
		event_free(hist.ev);
		hist.ev = NULL;
	}
	hist.every_ms = ms;
	if (!hist.lh || !ms)
		return 0;
	hist.ev = event_new(d->base, -1, EV_PERSIST, on_history, d);
	if (!hist.ev || event_add(hist.ev, &tv)) {
		log_warnx("diag: cannot start the link history timer");
		return -1;
	}
	return 0;
}

struct expect_acc {
	struct diag_expect *e;
	size_t n;
};

static void expect_add(void *arg, const struct desc *x)
{
	struct expect_acc *acc = arg;

	acc->n += diag_expect_desc(x, acc->e + acc->n,
				   DIAG_EXPECT_MAX - acc->n);
}

static void expect_load(struct iiotd *d, struct diag *dg)
{
	struct expect_acc acc = { calloc(DIAG_EXPECT_MAX,
					 sizeof(*acc.e)), 0 };

	if (!acc.e) {
		log_warnx("diag: expected topology: out of memory");
		return;
	}
	desc_store_each(d->state_dir, DESC_ENI, expect_add, &acc);
	if (diag_set_expected(dg, acc.e, acc.n))
		log_warnx("diag: expected topology: out of memory");
	else if (acc.n)
		log_info("diag: %zu EtherCAT slaves expected from the "
			 "imported ENIs", acc.n);
	free(acc.e);
}

void diagsys_expect(struct iiotd *d)
{
	if (d->diag)
		expect_load(d, d->diag);
}

static void expected_read(void *arg)
{
	void **r = arg;

	r[1] = diag_expected_json(r[0]);
}

json_t *diagsys_expected(struct iiotd *d)
{
	void *r[2] = { d->diag, NULL };

	if (!d->diag)
		return NULL;
	if (d->capture)
		capture_read(d->capture, expected_read, r);
	else
		expected_read(r);
	return r[1];
}

static int diag_start(struct iiotd *d)
{
	struct diag *dg;
	struct diag_opts o;
	uint64_t every;
	char err[512];

	if (read_conf(d->conf, &o, &every, err, sizeof(err))) {
		log_warnx("diag: %s", err);
		return -1;
	}
	dg = diag_new(d->alerts, d->model, &o);
	if (!dg) {
		log_warnx("diag: out of memory");
		return -1;
	}
	if (history_start(d)) {
		diag_free(dg);
		return -1;
	}
	reseed(d, dg);
	expect_load(d, dg);
	/* capture reads d->diag from here on */
	__atomic_store_n(&d->diag, dg, __ATOMIC_RELEASE);
	return history_every(d, every);
}

static int diag_reload(struct iiotd *d)
{
	struct diag_opts o;
	uint64_t every;
	char err[512];

	if (read_conf(d->conf, &o, &every, err, sizeof(err))) {
		log_warnx("diag: %s", err);
		return -1;
	}
	diag_set_opts(d->diag, &o);
	return every == hist.every_ms ? 0 : history_every(d, every);
}

uint32_t diagsys_series(struct model *m, const struct model_link *l,
			unsigned int metric)
{
	uint32_t id;

	pthread_mutex_lock(&hist_mu);
	id = hist.lh ? linkhist_series(hist.lh, m, l, metric) : 0;
	pthread_mutex_unlock(&hist_mu);
	return id;
}

const char *diagsys_series_unit(uint32_t id)
{
	const char *u;

	pthread_mutex_lock(&hist_mu);
	u = hist.lh ? linkhist_unit_of(hist.lh, id) : NULL;
	pthread_mutex_unlock(&hist_mu);
	return u;
}

uint32_t diagsys_slave_series(const uint8_t master[6], uint16_t station,
			      unsigned int metric)
{
	uint32_t id;

	pthread_mutex_lock(&hist_mu);
	id = hist.lh ? linkhist_slave_series(hist.lh, master, station,
					     metric) : 0;
	pthread_mutex_unlock(&hist_mu);
	return id;
}

static void diag_stop(struct iiotd *d)
{
	if (hist.ev)
		event_free(hist.ev);
	pthread_mutex_lock(&hist_mu);
	linkhist_free(hist.lh);
	free(hist.st);
	memset(&hist, 0, sizeof(hist));
	pthread_mutex_unlock(&hist_mu);
	diag_free(d->diag);
	d->diag = NULL;
}

struct ctr_read {
	struct diag *dg;
	struct diag_counters c;
	struct diag_port_stat port[DIAG_PORTS_MAX];
	size_t nport;
};

static void ctr_read(void *arg)
{
	struct ctr_read *r = arg;

	diag_get_counters(r->dg, &r->c);
	r->nport = diag_port_stats(r->dg, r->port, DIAG_PORTS_MAX);
}

/* the capture ports' load, read where the counters are */
static struct ctr_read *diag_read(struct iiotd *d)
{
	struct ctr_read *r;

	if (!d->diag || !(r = calloc(1, sizeof(*r))))
		return NULL;
	r->dg = d->diag;
	if (d->capture)
		capture_read(d->capture, ctr_read, r);
	else
		ctr_read(r);
	return r;
}

json_t *diagsys_ports(struct iiotd *d)
{
	struct ctr_read *r = diag_read(d);
	json_t *a;
	size_t i;

	if (!r)
		return NULL;
	a = json_array();
	for (i = 0; i < r->nport; i++)
		json_array_append_new(a, diag_port_json(&r->port[i]));
	free(r);
	return a;
}

/* the counters are the capture thread's: copied there */
json_t *diagsys_counters(struct iiotd *d)
{
	struct ctr_read r = { .dg = d->diag };
	json_t *o;

	if (!d->diag)
		return NULL;
	if (d->capture)
		capture_read(d->capture, ctr_read, &r);
	else
		ctr_read(&r);
	o = json_object();
#define X(n, dsc) json_object_set_new(o, #n, json_integer((json_int_t)r.c.n));
	DIAG_COUNTERS(X)
#undef X
	return o;
}

static json_t *diag_stats(struct iiotd *d)
{
	json_t *o = diagsys_counters(d);

	if (o && hist.lh) {
		json_object_set_new(o, "history_samples",
				    json_integer((json_int_t)hist.samples));
		json_object_set_new(o, "history_dropped",
				    json_integer((json_int_t)hist.dropped));
		json_object_set_new(o, "history_full", json_integer(
			(json_int_t)linkhist_full(hist.lh)));
		json_object_set_new(o, "history_bad_defs",
				    json_integer((json_int_t)hist.load_errors));
	}
	return o;
}

const struct iiotd_subsys subsys_diag = {
	.name = "diag",
	.check_conf = diag_check_conf,
	.start = diag_start,
	.reload = diag_reload,
	.stop = diag_stop,
	.stats = diag_stats,
};
