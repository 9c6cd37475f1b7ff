/*
 * iiotd subsystem "analytics" (docs/analytics.md): rules and anomaly
 * detection on the model's signal samples, raised into d->alerts.
 *
 *	[analytics]
 *	enable = true		false: no analytics at all
 *	rules = FILE		the rules file; without it, anomaly
 *				detection alone
 *
 *	oee = FILE		machines, shifts, stop reasons (OEE)
 *	report_keep = 90d	shift and daily reports kept this long
 *				(0: for ever; report.h)
 *
 * Rules made through the API or iiotctl live in <state_dir>/analytics.db
 * (ruledb.h) and load after the file's (rules_edit.c).
 *
 * Samples reach analytics_sample() from the model's sink on the capture
 * path (core/daemon.c); a one-second timer on the loop runs the tick on
 * the host clock, which is the clock of live samples.  SIGHUP re-reads
 * the signals' names and the rules; a bad file keeps the running rules.
 */
#include <stdio.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "analytics/analytics.h"
#include "analytics/band_db.h"
#include "analytics/oee_db.h"
#include "analytics/report.h"
#include "analytics/ruledb.h"
#include "capture/capture.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "libshm.h"
#include "model/model.h"
#include "south/modbus.h"
#include "south/mqtt.h"

static struct event *tick_ev;
static struct ruledb *rdb;		/* <state_dir>/analytics.db */

static const char *const keys[] = { "enable", "rules", "oee", "report_keep",
	"band_keep", "report_catchup", NULL };
static int64_t band_keep_ms;		/* [analytics] band_keep */
static struct band_row band_rows[BAND_ROWS_MAX];

static int signals_of(struct analytics *an, const struct model *m)
{
	size_t i;

	for (i = 0; i < model_signal_count(m); i++) {
		struct model_signal tmp;
		const struct model_signal *s = model_signal_at(m, i, &tmp);

		if (analytics_add_signal(an, s->id, s->name))
			return -1;
	}
	analytics_devices_from(an, m);
	return 0;
}

/* The rules file of c checked against m's signals. */
static int check_file(struct analytics *an, const struct conf *c,
		      char *err, size_t errlen)
{
	const char *path = conf_get(c, "analytics", "rules");
	struct conf *r;
	int rc;

	r = path ? conf_load(path, err, errlen) : conf_empty();
	if (!r)
		return -1;
	rc = analytics_check_rules(an, r, err, errlen);
	conf_free(r);
	return rc;
}

static int oee_file(struct analytics *an, const struct conf *c, char *err,
		    size_t errlen);

static int report_keep(const struct conf *c, char *err, size_t errlen)
{
	uint64_t ms;

	if (conf_get_ms(c, "analytics", "report_keep", 90ULL * 86400000,
			0, 3650ULL * 86400000, &ms, err, errlen))
		return -1;
	reports_keep((int64_t)ms);
	if (conf_get_u64(c, "analytics", "report_catchup", 100, 0, 10000, &ms,
			err, errlen))
		return -1;
	reports_catchup((size_t)ms);
	if (conf_get_ms(c, "analytics", "band_keep", 30ULL * 86400000,
			0, 3650ULL * 86400000, &ms, err, errlen))
		return -1;
	band_keep_ms = (int64_t)ms;
	return 0;
}

static int an_check_conf(const struct conf *c, char *err, size_t errlen)
{
	const char *map = conf_get(c, "model", "signals");
	struct analytics *an;
	struct model *m;
	bool on;
	int rc = -1;
	uint64_t keep;

	if (conf_check_keys(c, "analytics", keys, err, errlen) ||
	    conf_get_bool(c, "analytics", "enable", true, &on, err, errlen) ||
	    conf_get_ms(c, "analytics", "report_keep", 0, 0,
			3650ULL * 86400000, &keep, err, errlen) ||
	    conf_get_ms(c, "analytics", "band_keep", 0, 0,
			3650ULL * 86400000, &keep, err, errlen) ||
	    conf_get_u64(c, "analytics", "report_catchup", 0, 0, 10000,
			 &keep, err, errlen))
		return -1;
	if (!on || (!conf_get(c, "analytics", "rules") &&
		    !conf_get(c, "analytics", "oee")))
		return 0;
	/* rules name signals: check them against the map */
	m = model_new(NULL);
	an = analytics_new(NULL);
	if (m && an && (!map || !model_load_signals(m, map, err, errlen)) &&
	    !modbus_conf_signals(m, c, err, errlen) &&
	    !mqtt_conf_signals(m, c, err, errlen) && !signals_of(an, m))
		rc = check_file(an, c, err, errlen) ||
		     oee_file(an, c, err, errlen) ? -1 : 0;
	else if (!m || !an)
		snprintf(err, errlen, "analytics: out of memory");
	analytics_free(an);
	model_free(m);
	return rc;
}

/* The OEE file of c ([analytics] oee), checked or loaded. */
static int oee_file(struct analytics *an, const struct conf *c, char *err,
		    size_t errlen)
{
	const char *path = conf_get(c, "analytics", "oee");
	struct conf *o;
	int rc;

	/* without a file: no machines, the default shift and reasons */
	o = path ? conf_load(path, err, errlen) : conf_empty();
	if (!o)
		return -1;
	rc = analytics_load_oee(an, o, err, errlen);
	conf_free(o);
	return rc;
}

static struct oee_drain drain;	/* large: not on the stack */

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct iiotd *d = arg;
	uint64_t now = shm_now_ns();
	struct capsnap *snap;

	(void)fd;
	(void)what;
	if (!d->analytics)
		return;
	/* the devices seen since: groups of devices take them in */
	if (d->capture && (snap = capture_snapshot(d->capture))) {
		if (snap->model)
			analytics_devices_from(d->analytics, snap->model);
		capsnap_put(snap);
	}
	analytics_tick(d->analytics, now);
	if (rdb) {
		int64_t ms = (int64_t)(now / 1000000ULL);
		size_t n = analytics_band_drain(d->analytics, band_rows,
						BAND_ROWS_MAX, ms);

		if (band_db_write(ruledb_handle(rdb), band_rows, n, ms,
				  band_keep_ms))
			log_warnx("analytics: cannot write the anomaly bands "
				  "to analytics.db");
	}
	if (!rdb || analytics_oee_drain(d->analytics, &drain, now))
		return;
	if (oee_db_write(ruledb_handle(rdb), &drain))
		log_warnx("analytics: cannot write OEE to analytics.db");
	reports_tick(d, &drain);
}

void *analytics_db_handle(void)
{
	return rdb ? ruledb_handle(rdb) : NULL;
}

/* API rules live in analytics.db beside alerts.db (ruledb.h). */
static int open_db(struct iiotd *d, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], e[400];

	snprintf(path, sizeof(path), "%s/analytics.db", d->state_dir);
	rdb = ruledb_open(path, e, sizeof(e));
	if (!rdb) {
		snprintf(err, errlen, "%s", e);
		log_warnx("analytics: %s", e);
		return -1;
	}
	analytics_set_sources(d->analytics, rdb,
			      conf_get(d->conf, "analytics", "rules"));
	return 0;
}

static int an_start(struct iiotd *d)
{
	struct timeval tv = { 1, 0 };
	char err[512];
	bool on;

	if (conf_get_bool(d->conf, "analytics", "enable", true, &on, err,
			  sizeof(err)) || !on || !d->alerts ||
	    report_keep(d->conf, err, sizeof(err)))
		return 0;
	d->analytics = analytics_new(d->alerts);
	if (d->analytics && open_db(d, err, sizeof(err)))
		return -1;
	if (!d->analytics || signals_of(d->analytics, d->model) ||
	    analytics_reload(d->analytics, err, sizeof(err)) ||
	    oee_file(d->analytics, d->conf, err, sizeof(err))) {
		log_warnx("analytics: %s", d->analytics ? err : "out of memory");
		return -1;
	}
	tick_ev = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	if (!tick_ev || event_add(tick_ev, &tv)) {
		log_warnx("analytics: cannot start the timer");
		return -1;
	}
	log_info("analytics: %zu rules on %zu signals, anomaly detection",
		 analytics_rule_count(d->analytics),
		 model_signal_count(d->model));
	return 0;
}

static int an_reload(struct iiotd *d)
{
	char err[512];

	if (!d->analytics)
		return 0;
	analytics_set_sources(d->analytics, rdb,
			      conf_get(d->conf, "analytics", "rules"));
	report_keep(d->conf, err, sizeof(err));
	if (signals_of(d->analytics, d->model) ||
	    analytics_reload(d->analytics, err, sizeof(err)) ||
	    oee_file(d->analytics, d->conf, err, sizeof(err))) {
		log_warnx("analytics: %s; keeping the running rules", err);
		return -1;
	}
	log_info("analytics: %zu rules", analytics_rule_count(d->analytics));
	return 0;
}

static void an_stop(struct iiotd *d)
{
	if (tick_ev)
		event_free(tick_ev);
	tick_ev = NULL;
	analytics_free(d->analytics);
	d->analytics = NULL;
	ruledb_close(rdb);
	rdb = NULL;
}

static json_t *an_stats(struct iiotd *d)
{
	struct analytics_counters c;
	json_t *o;

	if (!d->analytics)
		return NULL;
	o = json_object();
	analytics_get_counters(d->analytics, &c);
#define X(n, dsc) json_object_set_new(o, #n, json_integer((json_int_t)c.n));
	ANALYTICS_COUNTERS(X)
#undef X
	json_object_set_new(o, "rules", json_integer(
		(json_int_t)analytics_rule_count(d->analytics)));
	return o;
}

const struct iiotd_subsys subsys_analytics = {
	.name = "analytics",
	.check_conf = an_check_conf,
	.start = an_start,
	.reload = an_reload,
	.stop = an_stop,
	.stats = an_stats,
};
