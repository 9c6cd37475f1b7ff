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
 *   disable = RULE       repeat: a diagnosis not to raise
 */
#include <string.h>

#include <jansson.h>

#include "core/conf.h"
#include "core/iiotd.h"
#include "core/log.h"
#include "capture/capture.h"
#include "core/subsys.h"
#include "diag/diag.h"
#include "diag/diagsys.h"

static const char *const keys[] = {
	"wkc_learn", "dc_limit", "rate_limit", "horizon", "disable", NULL
};

static int read_conf(const struct conf *c, struct diag_opts *o, char *err,
		     size_t errlen)
{
	const struct conf_entry *e = NULL;
	uint64_t learn, dc, rate, horizon;

	memset(o, 0, sizeof(*o));
	if (conf_check_keys(c, "diag", keys, err, errlen) ||
	    conf_get_u64(c, "diag", "wkc_learn", 8, 2, 255, &learn, err,
			 errlen) ||
	    conf_get_u64(c, "diag", "dc_limit", 1000, 10, 1000000000, &dc, err,
			 errlen) ||
	    conf_get_u64(c, "diag", "rate_limit", 10, 1, 100000, &rate, err,
			 errlen) ||
	    conf_get_ms(c, "diag", "horizon", 3600000, 60000,
			7ULL * 86400000ULL, &horizon, err, errlen))
		return -1;
	o->wkc_learn = (uint32_t)learn;
	o->dc_limit_ns = (uint32_t)dc;
	o->rate_limit = (double)rate;
	o->horizon_ns = horizon * 1000000ULL;
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

	return read_conf(c, &o, err, errlen);
}

static int diag_start(struct iiotd *d)
{
	struct diag_opts o;
	char err[512];

	if (read_conf(d->conf, &o, err, sizeof(err))) {
		log_warnx("diag: %s", err);
		return -1;
	}
	d->diag = diag_new(d->alerts, d->model, &o);
	if (!d->diag) {
		log_warnx("diag: out of memory");
		return -1;
	}
	return 0;
}

static int diag_reload(struct iiotd *d)
{
	struct diag_opts o;
	char err[512];

	if (read_conf(d->conf, &o, err, sizeof(err))) {
		log_warnx("diag: %s", err);
		return -1;
	}
	diag_set_opts(d->diag, &o);
	return 0;
}

static void diag_stop(struct iiotd *d)
{
	diag_free(d->diag);
	d->diag = NULL;
}

struct ctr_read {
	struct diag *dg;
	struct diag_counters c;
};

static void ctr_read(void *arg)
{
	struct ctr_read *r = arg;

	diag_get_counters(r->dg, &r->c);
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
	return diagsys_counters(d);
}

const struct iiotd_subsys subsys_diag = {
	.name = "diag",
	.check_conf = diag_check_conf,
	.start = diag_start,
	.reload = diag_reload,
	.stop = diag_stop,
	.stats = diag_stats,
};
