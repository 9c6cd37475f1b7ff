/*
 * OEE inside analytics: machines are fed the samples analytics sees
 * (under its lock), and the event loop takes out what the database must
 * keep (oee_db.c) and what the API shows.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analytics/analytics_int.h"
#include "core/conf.h"

static uint32_t sig_of(void *arg, const char *name)
{
	return an_signal_id(arg, name, strlen(name));
}

/*
 * A reload keeps what a machine of the same name has accounted, so its
 * shift row is not rewritten from zero (its queued stops go with it).
 */
static void keep_running(struct oee *o, const struct oee *old)
{
	size_t i, j;

	if (!old)
		return;
	memcpy(o->stops, old->stops, old->nstops * sizeof(old->stops[0]));
	o->nstops = old->nstops;
	memcpy(o->done, old->done, old->ndone * sizeof(old->done[0]));
	o->ndone = old->ndone;
	for (i = 0; i < o->n; i++)
		for (j = 0; j < old->n; j++) {
			struct oee_machine_cfg cfg = o->m[i].cfg;

			if (strcmp(cfg.name, old->m[j].cfg.name))
				continue;
			o->m[i] = old->m[j];
			o->m[i].cfg = cfg;
			break;
		}
}

int analytics_load_oee(struct analytics *an, const struct conf *c,
		       char *err, size_t errlen)
{
	struct oee *o = calloc(1, sizeof(*o)), *old;

	if (!o) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	pthread_mutex_lock(&an->mu);
	if (oee_parse(o, c, sig_of, an, err, errlen)) {
		pthread_mutex_unlock(&an->mu);
		free(o);
		return -1;
	}
	old = an->oee;
	keep_running(o, old);
	an->oee = o;
	pthread_mutex_unlock(&an->mu);
	free(old);
	return 0;
}

int analytics_oee_drain(struct analytics *an, struct oee_drain *d,
			uint64_t now_ns)
{
	struct oee *o;
	size_t i;

	memset(d, 0, sizeof(*d));
	pthread_mutex_lock(&an->mu);
	o = an->oee;
	if (!o) {
		pthread_mutex_unlock(&an->mu);
		return -1;
	}
	oee_advance(o, now_ns);
	memcpy(d->stops, o->stops, o->nstops * sizeof(o->stops[0]));
	d->nstops = o->nstops;
	memcpy(d->done, o->done, o->ndone * sizeof(o->done[0]));
	d->ndone = o->ndone;
	o->nstops = o->ndone = 0;
	for (i = 0; i < o->n; i++) {
		const struct oee_machine *m = &o->m[i];
		struct oee_period *p;

		d->cfg[i] = m->cfg;
		if (!m->last_ns || m->shift < 0)
			continue;
		p = &d->cur[d->ncur++];
		p->machine = (uint16_t)i;
		p->shift = m->shift;
		p->start_ns = m->shift_start_ns;
		p->end_ns = m->shift_end_ns;
		p->acc = m->acc;
	}
	d->n = o->n;
	memcpy(d->shifts, o->shifts, sizeof(d->shifts));
	pthread_mutex_unlock(&an->mu);
	return 0;
}

static json_t *ratio(double v)
{
	return isnan(v) ? json_null() : json_real(round(v * 10000) / 10000);
}

/* "red", "yellow", "green" for an OEE (0..1), null when undefined */
static json_t *band(const struct oee *o, double v)
{
	if (isnan(v))
		return json_null();
	return json_string(v * 100 < o->red ? "red" : v * 100 >= o->green ?
			   "green" : "yellow");
}

json_t *oee_figures(const struct oee_acc *a, uint64_t ideal_ns, double red,
		    double green)
{
	struct oee_ratios r;
	struct oee o;

	o.red = red;
	o.green = green;
	oee_ratios(a, ideal_ns, &r);
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, "
			 "s:I, s:I}",
		"availability", ratio(r.availability),
		"performance", ratio(r.performance),
		"quality", ratio(r.quality), "oee", ratio(r.oee),
		"band", band(&o, r.oee),
		"planned_ms", (json_int_t)(r.planned_ns / 1000000),
		"run_ms", (json_int_t)(a->ns[OEE_RUNNING] / 1000000),
		"idle_ms", (json_int_t)(a->ns[OEE_IDLE] / 1000000),
		"down_ms", (json_int_t)(a->ns[OEE_DOWN] / 1000000),
		"planned_stop_ms", (json_int_t)(a->ns[OEE_PLANNED] / 1000000),
		"count", (json_int_t)a->count, "reject", (json_int_t)a->reject);
}

json_t *analytics_oee_json(struct analytics *an)
{
	json_t *ms, *rs, *o;
	struct oee *e;
	size_t i;

	pthread_mutex_lock(&an->mu);
	e = an->oee;
	if (!e) {
		pthread_mutex_unlock(&an->mu);
		return NULL;
	}
	ms = json_array();
	rs = json_array();
	for (i = 0; i < e->n; i++) {
		const struct oee_machine *m = &e->m[i];
		json_t *x = json_pack("{s:s, s:s, s:s, s:I, s:b}",
			"name", m->cfg.name, "line", m->cfg.line,
			"state", oee_state_name(m->state),
			"ideal_cycle_ms", (json_int_t)(m->cfg.ideal_ns / 1000000),
			"stalled", m->stalled);
		json_t *f = oee_figures(&m->acc, m->cfg.ideal_ns, e->red,
					e->green);

		if (m->shift >= 0) {
			json_object_set_new(f, "shift", json_string(
				e->shifts[m->shift].name));
			json_object_set_new(f, "start_ms", json_integer(
				(json_int_t)(m->shift_start_ns / 1000000)));
			json_object_set_new(f, "end_ms", json_integer(
				(json_int_t)(m->shift_end_ns / 1000000)));
		}
		json_object_set_new(x, "current", f);
		if (m->stop_start_ns)
			json_object_set_new(x, "stopped_since_ms", json_integer(
				(json_int_t)(m->stop_start_ns / 1000000)));
		json_array_append_new(ms, x);
	}
	for (i = 0; i < e->nreasons; i++)
		json_array_append_new(rs, json_pack("{s:s, s:s, s:s, s:s}",
			"code", e->reasons[i].code, "group",
			e->reasons[i].group, "en", e->reasons[i].en, "zh",
			e->reasons[i].zh));
	o = json_pack("{s:{s:f, s:f}, s:o, s:o}", "bands", "red", e->red,
		      "green", e->green, "machines", ms, "reasons", rs);
	pthread_mutex_unlock(&an->mu);
	return o;
}

int analytics_oee_reason(struct analytics *an, const char *code,
			 double *red, double *green)
{
	int rc;

	pthread_mutex_lock(&an->mu);
	rc = an->oee ? oee_reason_find(an->oee, code) : -1;
	if (an->oee) {
		*red = an->oee->red;
		*green = an->oee->green;
	}
	pthread_mutex_unlock(&an->mu);
	return rc;
}
