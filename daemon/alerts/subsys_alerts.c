/*
 * iiotd subsystem "alerts": the alert table and the IDS that raises into
 * it (both handed to the capture path through d->alerts and d->ids), the
 * database, syslog and the listener.  See alertsys.h for the [alerts]
 * keys and ids.h for [ids].
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "alerts/alert_syslog.h"
#include "alerts/alertsys.h"
#include "capture/capture.h"
#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "core/subsys.h"
#include "ids/ids.h"
#include "ids/oui.h"
#include "libshm.h"
#include "south/dcp.h"

#define ALERTS_DB_NAME	"alerts.db"
#define PRUNE_TICKS	(3600 * 1000 / ALERTSYS_TICK_MS)	/* hourly */

static struct {
	struct iiotd *d;
	struct alerts_db *db;
	struct event *tick;
	struct alert_syslog *syslog;
	struct oui *oui;
	alertsys_listener fn;
	void *arg;
	uint64_t retention_ms, max_rows, evidence_ms;
	unsigned int ticks;
	struct alert_change ch[128];
} sys;

static const char *const keys[] = {
	"retention", "max_rows", "flood_window", "flood_rule", "flood_total",
	"syslog", "evidence_seconds", NULL
};

static int read_conf(const struct conf *c, struct alerts_opts *o,
		     uint64_t *ret, uint64_t *rows, uint64_t *ev, char *err,
		     size_t errlen)
{
	uint64_t fr, ft, win;

	if (conf_check_keys(c, "alerts", keys, err, errlen) ||
	    conf_get_ms(c, "alerts", "retention", 90ULL * 86400000ULL, 60000,
			3650ULL * 86400000ULL, ret, err, errlen) ||
	    conf_get_u64(c, "alerts", "max_rows", 100000, 100, 100000000,
			 rows, err, errlen) ||
	    conf_get_ms(c, "alerts", "flood_window", 600000, 1000, 86400000,
			&win, err, errlen) ||
	    conf_get_u64(c, "alerts", "flood_rule", 10, 1, 1000000, &fr, err,
			 errlen) ||
	    conf_get_u64(c, "alerts", "flood_total", 100, 1, 1000000, &ft,
			 err, errlen) ||
	    conf_get_ms(c, "alerts", "evidence_seconds", 5000, 0, 60000, ev,
			err, errlen) ||
	    alert_syslog_check(c, err, errlen))
		return -1;
	memset(o, 0, sizeof(*o));
	o->flood_window_ns = win * 1000000ULL;
	o->flood_rule = (uint32_t)fr;
	o->flood_total = (uint32_t)ft;
	return 0;
}

static int alerts_check_conf(const struct conf *c, char *err, size_t errlen)
{
	struct alerts_opts o;
	struct ids_policy p;
	uint64_t a, b, e;

	return read_conf(c, &o, &a, &b, &e, err, errlen) ||
	       ids_policy_conf(c, &p, err, errlen);
}

void alertsys_listen(struct iiotd *d, alertsys_listener fn, void *arg)
{
	(void)d;
	sys.fn = fn;
	sys.arg = arg;
}

void alertsys_flush(struct iiotd *d)
{
	uint64_t wall = shm_now_ns();
	size_t n, i;

	if (!d->alerts)
		return;
	do {
		n = alerts_drain(d->alerts, sys.ch,
				 sizeof(sys.ch) / sizeof(sys.ch[0]));
		if (sys.db)
			alerts_db_write(sys.db, sys.ch, n, wall);
		for (i = 0; i < n; i++) {
			if (sys.fn)
				sys.fn(sys.arg, &sys.ch[i]);
			if (sys.syslog)
				alert_syslog_send(sys.syslog, &sys.ch[i]);
		}
	} while (n == sizeof(sys.ch) / sizeof(sys.ch[0]));
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
	struct iiotd *d = arg;
	uint64_t wall = shm_now_ns();

	(void)fd;
	(void)what;
	/* the capture path sets the clock per batch; idle, time goes on */
	alerts_set_clock(d->alerts, wall);
	alerts_tick(d->alerts, wall, wall);
	alertsys_flush(d);
	if (sys.ticks % (1000 / ALERTSYS_TICK_MS) == 0)
		baselinesys_kick(d);
	if (sys.db && ++sys.ticks % PRUNE_TICKS == 1)
		alerts_db_prune(sys.db, wall - sys.retention_ms * 1000000ULL,
				sys.max_rows);
}


/*
 * The policy, and iiot's own DCP control interface ([dcp] interface) as
 * one of its engineering stations: the Sets iiot sends there, gated and
 * audited (docs/devices.md), are not a stranger's.
 */
static int policy_conf(const struct conf *c, struct ids_policy *p, char *err,
		       size_t errlen)
{
	if (ids_policy_conf(c, p, err, errlen))
		return -1;
	if (p->nengineering < IDS_MAX_ENGINEERING &&
	    dcp_conf_mac(c, p->engineering[p->nengineering]))
		p->nengineering++;
	return 0;
}

static int alerts_start(struct iiotd *d)
{
	struct timeval tv = { 0, ALERTSYS_TICK_MS * 1000 };
	struct alerts_opts o;
	struct ids_policy p;
	char path[PATH_MAX + 16], err[512];
	int n;

	if (read_conf(d->conf, &o, &sys.retention_ms, &sys.max_rows,
		      &sys.evidence_ms, err, sizeof(err)) ||
	    policy_conf(d->conf, &p, err, sizeof(err))) {
		log_warnx("alerts: %s", err);
		return -1;
	}
	sys.d = d;
	d->alerts = alerts_new(&o);
	d->ids = d->alerts ? ids_new(d->alerts, d->model) : NULL;
	if (!d->ids) {
		log_warnx("alerts: out of memory");
		return -1;
	}
	ids_set_policy(d->ids, &p);
	sys.oui = oui_load(NULL);
	ids_set_oui(d->ids, sys.oui);
	snprintf(path, sizeof(path), "%s/%s", d->state_dir, ALERTS_DB_NAME);
	sys.db = alerts_db_open(path, err, sizeof(err));
	if (!sys.db) {
		log_warnx("alerts: %s", err);
		return -1;
	}
	if (baselinesys_start(d, p.learn_ns))
		return -1;
	n = alerts_db_restore(sys.db, d->alerts);
	if (n > 0)
		log_info("alerts: %d open alert(s) restored from %s", n, path);
	sys.syslog = alert_syslog_open(d->conf, err, sizeof(err));
	if (!sys.syslog && err[0])
		log_warnx("alerts: %s", err);
	sys.tick = event_new(d->base, -1, EV_PERSIST, on_tick, d);
	if (!sys.tick || event_add(sys.tick, &tv)) {
		log_warnx("alerts: cannot start the timer");
		return -1;
	}
	log_info("alerts: %s, %zu open", path, alerts_open_count(d->alerts));
	return 0;
}

struct policy_call {
	struct ids *ids;
	const struct ids_policy *p;
};

/* On the capture thread, which runs the IDS (capture_call). */
static void set_policy(void *arg)
{
	struct policy_call *c = arg;

	ids_set_policy(c->ids, c->p);
}

static int alerts_reload(struct iiotd *d)
{
	struct policy_call pc;
	struct alerts_opts o;
	struct ids_policy p;
	char err[512];

	if (read_conf(d->conf, &o, &sys.retention_ms, &sys.max_rows,
		      &sys.evidence_ms, err, sizeof(err)) ||
	    policy_conf(d->conf, &p, err, sizeof(err))) {
		log_warnx("alerts: %s", err);
		return -1;
	}
	alerts_set_opts(d->alerts, &o);
	pc.ids = d->ids;
	pc.p = &p;
	capture_call(d->capture, set_policy, &pc);
	alert_syslog_close(sys.syslog);
	sys.syslog = alert_syslog_open(d->conf, err, sizeof(err));
	return 0;
}

/* the baseline saver reads through the capture thread */
static void alerts_quiesce(struct iiotd *d)
{
	if (d->ids)
		baselinesys_quiesce(d);
}

static void alerts_stop(struct iiotd *d)
{
	if (sys.tick)
		event_free(sys.tick);
	sys.tick = NULL;
	alertsys_flush(d);
	alert_syslog_close(sys.syslog);
	sys.syslog = NULL;
	alerts_db_close(sys.db);
	sys.db = NULL;
	if (d->ids)
		baselinesys_stop(d);
	/* capture may still hold d->ids until it is freed: detach first */
	ids_free(d->ids);
	d->ids = NULL;
	alerts_free(d->alerts);
	d->alerts = NULL;
	oui_free(sys.oui);
	sys.oui = NULL;
	sys.fn = NULL;
}

struct counters_call {
	struct ids *ids;
	struct ids_counters *out;
};

static void get_ids_counters(void *arg)
{
	struct counters_call *c = arg;

	ids_get_counters(c->ids, c->out);
}

static json_t *alerts_stats(struct iiotd *d)
{
	struct counters_call cc;
	struct alerts_counters c;
	struct ids_counters ic;
	uint64_t sev[4];
	json_t *o;

	if (!d->alerts)
		return NULL;
	o = json_object();
	alerts_get_counters(d->alerts, &c);
#define X(n, dsc) json_object_set_new(o, #n, json_integer((json_int_t)c.n));
	ALERTS_COUNTERS(X)
#undef X
	json_object_set_new(o, "open", json_integer(
		(json_int_t)alerts_open_count(d->alerts)));
	alerts_active_counts(d->alerts, sev);
	json_object_set_new(o, "active_by_severity", json_pack("{sI sI sI}",
		alert_severity_name(ALERT_SEV_INFO), (json_int_t)sev[ALERT_SEV_INFO],
		alert_severity_name(ALERT_SEV_WARNING), (json_int_t)sev[ALERT_SEV_WARNING],
		alert_severity_name(ALERT_SEV_CRITICAL), (json_int_t)sev[ALERT_SEV_CRITICAL]));
	/* the IDS counts on the capture thread: read them there */
	cc.ids = d->ids;
	cc.out = &ic;
	capture_read(d->capture, get_ids_counters, &cc);
#define X(n, dsc) json_object_set_new(o, "ids_" #n, \
				      json_integer((json_int_t)ic.n));
	IDS_COUNTERS(X)
#undef X
	return o;
}

json_t *alertsys_list(struct iiotd *d, const struct alerts_query *q)
{
	if (!sys.db)
		return NULL;
	alertsys_flush(d);
	return alerts_db_list(sys.db, q);
}

json_t *alertsys_get(struct iiotd *d, uint64_t id)
{
	if (!sys.db)
		return NULL;
	alertsys_flush(d);
	return alerts_db_get(sys.db, id);
}

json_t *alertsys_counts(struct iiotd *d)
{
	uint64_t c[4];

	if (!d->alerts)
		return json_pack("{s:i, s:i, s:i}", "critical", 0, "warning", 0,
				 "info", 0);
	alerts_active_counts(d->alerts, c);
	return json_pack("{s:I, s:I, s:I}", "critical",
			 (json_int_t)c[ALERT_SEV_CRITICAL], "warning",
			 (json_int_t)c[ALERT_SEV_WARNING], "info",
			 (json_int_t)c[ALERT_SEV_INFO]);
}

int alertsys_window(struct iiotd *d, uint64_t id, uint64_t *from_ns,
		    uint64_t *to_ns)
{
	json_t *j = alertsys_get(d, id);
	uint64_t f, l, pad = sys.evidence_ms * 1000000ULL;

	if (!j)
		return -1;
	f = (uint64_t)json_integer_value(json_object_get(j, "ts_ns"));
	l = (uint64_t)json_integer_value(json_object_get(j, "last_ns"));
	json_decref(j);
	/* a long-running alert: its first seconds are the evidence */
	if (l - f > 60000000000ULL)
		l = f + 60000000000ULL;
	*from_ns = f > pad ? f - pad : 0;
	*to_ns = l + pad;
	return 0;
}

const struct iiotd_subsys subsys_alerts = {
	.name = "alerts",
	.check_conf = alerts_check_conf,
	.start = alerts_start,
	.reload = alerts_reload,
	.quiesce = alerts_quiesce,
	.stop = alerts_stop,
	.stats = alerts_stats,
};
