/* The loaded rules, their active instances and the anomaly settings as JSON. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "analytics/analytics_int.h"

static json_t *ms(uint64_t ns)
{
	return json_integer((json_int_t)(ns / 1000000ULL));
}

static void params(const struct an_rule *r, json_t *o)
{
	switch (r->kind) {
	case AN_THRESHOLD:
		json_object_set_new(o, r->below ? "below" : "above",
				    json_real(r->limit));
		json_object_set_new(o, "deadband", json_real(r->deadband));
		break;
	case AN_RATE:
		json_object_set_new(o, "rate", json_real(r->limit));
		json_object_set_new(o, "window_ms", ms(r->after_ns));
		json_object_set_new(o, "deadband", json_real(r->deadband));
		break;
	case AN_STALE:
		json_object_set_new(o, "after_ms", ms(r->after_ns));
		break;
	case AN_STUCK:
		json_object_set_new(o, "after_ms", ms(r->after_ns));
		json_object_set_new(o, "tolerance", json_real(r->tolerance));
		break;
	case AN_RANGE:
		json_object_set_new(o, "min", json_real(r->lo));
		json_object_set_new(o, "max", json_real(r->hi));
		json_object_set_new(o, "deadband", json_real(r->deadband));
		break;
	case AN_STATE_HELD:
		json_object_set_new(o, "equals", json_real(r->limit));
		json_object_set_new(o, "after_ms", ms(r->after_ns));
		break;
	case AN_EXPR:
		json_object_set_new(o, "expr", json_string(r->src));
		break;
	}
}

static json_t *words_json(const char *list)
{
	json_t *a = json_array();
	const char *s = list;

	while (s && *s) {
		size_t n = strcspn(s, " \t,");

		if (n)
			json_array_append_new(a, json_stringn(s, n));
		s += n ? n : 1;
	}
	return a;
}

static json_t *group_json(const struct an_group *g)
{
	json_t *o = json_object(), *v = json_array();
	unsigned int i;
	char hex[16];

	if (g->name[0])
		json_object_set_new(o, "name", json_string(g->name));
	if (g->kind)
		json_object_set_new(o, "kind", words_json(g->kind));
	if (g->label)
		json_object_set_new(o, "label", words_json(g->label));
	if (g->device)
		json_object_set_new(o, "device", words_json(g->device));
	for (i = 0; i < g->nvendor; i++) {
		snprintf(hex, sizeof(hex), "0x%04x", g->vendor[i]);
		json_array_append_new(v, json_string(hex));
	}
	if (g->nvendor)
		json_object_set_new(o, "vendor", v);
	else
		json_decref(v);
	return o;
}

static json_t *rule_json(const struct analytics *an, size_t idx)
{
	const struct an_rule *r = &an->set.rules[idx];
	json_t *o = json_object(), *sigs = json_array(), *act = json_array(),
	       *esc = json_array();
	unsigned int i;
	size_t b;

	json_object_set_new(o, "name", json_string(r->name));
	json_object_set_new(o, "kind", json_string(an_kind_name(r->kind)));
	json_object_set_new(o, "alert_rule",
			    json_string(alert_rule(r->alert_rule)->id));
	json_object_set_new(o, "severity", json_string(alert_severity_name(
		r->severity ? r->severity : ALERT_SEV_WARNING)));
	json_object_set_new(o, "line", json_integer(r->line));
	json_object_set_new(o, "source", json_string(
		r->line > an->file_lines ? "api" : "file"));
	json_object_set_new(o, "on_delay_ms", ms(r->on_delay_ns));
	json_object_set_new(o, "off_delay_ms", ms(r->off_delay_ns));
	for (i = 0; i < r->nesc; i++)
		json_array_append_new(esc, json_pack("{s:o, s:s}", "after_ms",
			ms(r->esc[i].after_ns), "severity",
			alert_severity_name(r->esc[i].sev)));
	json_object_set_new(o, "escalate", esc);
	params(r, o);
	for (b = 0; b < an->set.nbinds; b++) {
		const struct an_bind *x = &an->set.binds[b];
		const char *name;

		if (x->rule != idx)
			continue;
		name = x->sig ? an->sigs[x->sig].name : r->name;
		/* a group's: the signals on its devices now */
		if (x->sig && r->grp.on &&
		    !an_group_has(&r->grp, &an->sigs[x->sig]))
			continue;
		if (x->sig)
			json_array_append_new(sigs, json_string(name));
		if (x->active)
			json_array_append_new(act, json_pack("{s:s, s:I, s:s}",
				"signal", name, "since_ns",
				(json_int_t)x->since_ns, "severity",
				alert_severity_name(x->sev)));
		if (x->active && r->grp.on)
			json_object_set_new(json_array_get(act,
				json_array_size(act) - 1), "device",
				json_string(an_sig_dev(&an->sigs[x->sig])->dlabel));
	}
	if (r->grp.on)
		json_object_set_new(o, "group", group_json(&r->grp));
	json_object_set_new(o, "signals", sigs);
	json_object_set_new(o, "active", act);
	return o;
}

json_t *analytics_json(struct analytics *an)
{
	const struct anomaly_opts *ao;
	json_t *rules, *ex, *o;
	size_t i;

	pthread_mutex_lock(&an->mu);
	rules = json_array();
	ex = json_array();
	for (i = 0; i < an->set.nrules; i++)
		json_array_append_new(rules, rule_json(an, i));
	for (i = 0; i < an->set.nexclude; i++)
		json_array_append_new(ex, json_string(an->set.exclude[i]));
	ao = &an->set.aopts;
	o = json_pack("{s:o, s:{s:b, s:f, s:f, s:i, s:f, s:f, s:i, s:o}, "
		      "s:{s:I, s:I, s:I, s:I, s:I, s:I}}",
		      "rules", rules,
		      "anomaly", "enabled", an->set.anomaly_on, "tau_s",
		      ao->tau_s, "band", ao->z_lim, "persist", (int)ao->persist,
		      "cusum_k", ao->k, "cusum_h", ao->h, "warmup",
		      (int)ao->warmup, "exclude", ex,
		      "counters",
		      "samples", (json_int_t)an->ctr.samples,
		      "unknown", (json_int_t)an->ctr.unknown,
		      "raised", (json_int_t)an->ctr.raised,
		      "escalated", (json_int_t)an->ctr.escalated,
		      "cleared", (json_int_t)an->ctr.cleared,
		      "anomalies", (json_int_t)an->ctr.anomalies);
	pthread_mutex_unlock(&an->mu);
	return o;
}

/*
 * The expected band of signal id from its learnt profile: mean +- band
 * sigma, with ready false until the profile judges (warmup).  NULL: no
 * such signal.
 */
json_t *analytics_band_json(struct analytics *an, uint32_t id)
{
	const struct anomaly *a;
	double sd, z;
	json_t *o;

	pthread_mutex_lock(&an->mu);
	if (!id || id >= an->nsigs || !an->sigs[id].name[0]) {
		pthread_mutex_unlock(&an->mu);
		return NULL;
	}
	a = &an->sigs[id].an;
	sd = a->var > 0 ? sqrt(a->var) : 0;
	z = an->set.aopts.z_lim;
	o = json_pack("{s:s, s:b, s:I, s:b}", "signal", an->sigs[id].name,
		      "enabled", an->set.anomaly_on && id < an->set.nsigs ?
		      an->set.anom[id] != 0 : an->set.anomaly_on,
		      "samples", (json_int_t)a->n,
		      "ready", a->n >= an->set.aopts.warmup);
	if (a->n) {
		json_object_set_new(o, "mean", json_real(a->mean));
		json_object_set_new(o, "sigma", json_real(sd));
		json_object_set_new(o, "lo", json_real(a->mean - z * sd));
		json_object_set_new(o, "hi", json_real(a->mean + z * sd));
	}
	pthread_mutex_unlock(&an->mu);
	return o;
}
