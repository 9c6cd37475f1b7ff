/*
 * Rule evaluation: per (rule, signal) a small state machine
 *
 *	inactive --condition held on_delay--> active (raise)
 *	active --held longer than escalate--> active, higher severity
 *	active --condition gone off_delay--> inactive (clear)
 *
 * where each kind gives the condition, with its hysteresis, from the
 * sample (threshold, range, rate, stuck, state_held, expr) or the clock
 * (stale, and every pending delay or escalation when no sample comes).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "analytics/analytics_int.h"
#include "core/hash.h"
#include "core/pimutex.h"

struct analytics *analytics_new(struct alerts *al)
{
	struct analytics *an = calloc(1, sizeof(*an));

	if (!an)
		return NULL;
	pimutex_init(&an->mu);
	an->al = al;
	an->set.anomaly_on = true;
	anomaly_opts_default(&an->set.aopts);
	return an;
}

static void clear_all(struct analytics *an);

void analytics_free(struct analytics *an)
{
	struct an_dev *d;
	size_t i;

	if (!an)
		return;
	an_set_free(&an->set);
	for (i = 0; i < AN_DEV_BUCKETS; i++)
		while ((d = an->devs[i])) {
			an->devs[i] = d->next;
			free(d);
		}
	free(an->sigs);
	free(an->oee);
	pthread_mutex_destroy(&an->mu);
	free(an);
}

static int add_signal(struct analytics *an, uint32_t id, const char *name)
{
	if (!id || id >= AN_MAX_SIGNALS)
		return -1;
	if (id >= an->nsigs) {
		struct an_sig *n = realloc(an->sigs, (id + 1) * sizeof(*n));

		if (!n)
			return -1;
		memset(n + an->nsigs, 0, (id + 1 - an->nsigs) * sizeof(*n));
		an->sigs = n;
		an->nsigs = id + 1;
	}
	snprintf(an->sigs[id].name, sizeof(an->sigs[id].name), "%s", name);
	memset(&an->sigs[id].v, 0, sizeof(an->sigs[id].v));
	an->sigs[id].v.value = NAN;
	anomaly_init(&an->sigs[id].an, &an->set.aopts);
	an->sigs[id].gen++;		/* groups decide again */
	return 0;
}

const struct an_dev an_nodev;

const struct an_dev *an_sig_dev(const struct an_sig *s)
{
	return s->di ? s->di : &an_nodev;
}

static bool dev_same(const struct an_dev *a, const struct an_dev *b)
{
	return a->seen == b->seen && a->has_vendor == b->has_vendor &&
	       a->vendor == b->vendor && !strcmp(a->dev, b->dev) &&
	       !strcmp(a->dkind, b->dkind) && !strcmp(a->dlabel, b->dlabel);
}

static unsigned int dev_bucket(const char *spec)
{
	return fnv1a32_str(spec) % AN_DEV_BUCKETS;
}

/* Drop a signal's hold on its device; the last one frees it. */
static void dev_put(struct analytics *an, const struct an_dev *di)
{
	struct an_dev **pp;

	if (!di)
		return;
	for (pp = &an->devs[dev_bucket(di->dev)]; *pp; pp = &(*pp)->next)
		if (*pp == di) {
			if (--(*pp)->refs)
				return;
			*pp = di->next;
			free((void *)di);
			return;
		}
}

/* The shared copy of want, made when it is new; NULL: no memory. */
static const struct an_dev *dev_get(struct analytics *an,
				    const struct an_dev *want)
{
	unsigned int b = dev_bucket(want->dev);
	struct an_dev *x;

	for (x = an->devs[b]; x; x = x->next)
		if (dev_same(x, want))
			break;
	if (!x) {
		if (!(x = malloc(sizeof(*x))))
			return NULL;
		*x = *want;
		x->refs = 0;
		x->next = an->devs[b];
		an->devs[b] = x;
	}
	x->refs++;
	return x;
}

void analytics_signal_device(struct analytics *an, uint32_t id,
			     const struct analytics_dev *d)
{
	struct an_dev want = { .seen = d->seen, .has_vendor = d->has_vendor,
			       .vendor = d->vendor };
	const struct an_dev *di;
	struct an_sig *s;

	snprintf(want.dev, sizeof(want.dev), "%s", d->spec ? d->spec : "");
	snprintf(want.dkind, sizeof(want.dkind), "%s",
		 d->seen && d->kind ? d->kind : "");
	snprintf(want.dlabel, sizeof(want.dlabel), "%s",
		 d->seen && d->label ? d->label : "");
	pthread_mutex_lock(&an->mu);
	if (id && id < an->nsigs) {
		s = &an->sigs[id];
		/* unchanged (every tick): no look-up; without memory the
		 * signal keeps the device it had and is tried next tick */
		if (!dev_same(an_sig_dev(s), &want) &&
		    (di = dev_get(an, &want))) {
			dev_put(an, s->di);
			s->di = di;
			s->gen++;
		}
	}
	pthread_mutex_unlock(&an->mu);
}

int analytics_add_signal(struct analytics *an, uint32_t id, const char *name)
{
	int rc;

	pthread_mutex_lock(&an->mu);
	rc = add_signal(an, id, name);
	pthread_mutex_unlock(&an->mu);
	return rc;
}

uint32_t an_signal_id(const struct analytics *an, const char *name,
		      size_t len)
{
	uint32_t i;

	for (i = 1; i < an->nsigs; i++)
		if (strlen(an->sigs[i].name) == len &&
		    !memcmp(an->sigs[i].name, name, len))
			return i;
	return 0;
}

size_t analytics_rule_count(const struct analytics *an)
{
	return an->set.nrules;
}

void analytics_get_counters(struct analytics *an,
			    struct analytics_counters *out)
{
	pthread_mutex_lock(&an->mu);
	*out = an->ctr;
	pthread_mutex_unlock(&an->mu);
}

int analytics_check_rules(struct analytics *an, const struct conf *c,
			  char *err, size_t errlen)
{
	struct an_set set;
	int rc;

	pthread_mutex_lock(&an->mu);
	rc = an_parse(an, c, &set, err, errlen);
	pthread_mutex_unlock(&an->mu);
	if (!rc)
		an_set_free(&set);
	return rc;
}

void analytics_set_sources(struct analytics *an, struct ruledb *rdb,
			   const char *path)
{
	an->rdb = rdb;
	snprintf(an->rules_path, sizeof(an->rules_path), "%s",
		 path ? path : "");
}

int analytics_load_rules(struct analytics *an, const struct conf *c,
			 char *err, size_t errlen)
{
	struct an_set set;
	bool same;
	uint32_t i;

	pthread_mutex_lock(&an->mu);
	if (an_parse(an, c, &set, err, errlen)) {
		pthread_mutex_unlock(&an->mu);
		return -1;
	}
	clear_all(an);
	/* an edited rule does not make every signal learn again */
	same = !memcmp(&set.aopts, &an->set.aopts, sizeof(set.aopts));
	an_set_free(&an->set);
	an->set = set;
	for (i = 1; !same && i < an->nsigs; i++)
		anomaly_init(&an->sigs[i].an, &an->set.aopts);
	pthread_mutex_unlock(&an->mu);
	return 0;
}

/* ---- raising --------------------------------------------------------- */

static uint64_t bind_key(const struct an_bind *b)
{
	return ((uint64_t)(b->rule + 1) << 32) | b->sig;
}

static const char *bind_label(const struct analytics *an,
			      const struct an_bind *b)
{
	return b->sig ? an->sigs[b->sig].name : an->set.rules[b->rule].name;
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* now - t, 0 when the clocks disagree (a tick behind a sample) */
static uint64_t since(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

static void detail(const struct analytics *an, const struct an_bind *b,
		   uint64_t now, char *d, size_t len)
{
	const struct an_rule *r = &an->set.rules[b->rule];

	switch (r->kind) {
	case AN_THRESHOLD:
		snprintf(d, len, "%s: %g %s %g, clears %s %g", r->name,
			 b->seen, r->below ? "<" : ">", r->limit,
			 r->below ? "above" : "below",
			 r->below ? r->limit + r->deadband :
			 r->limit - r->deadband);
		break;
	case AN_RATE:
		snprintf(d, len, "%s: %g per s, limit %g per s", r->name,
			 b->seen, r->limit);
		break;
	case AN_STALE:
		snprintf(d, len, "%s: no new value for %.1f s (limit %g s)",
			 r->name, b->seen, secs(r->after_ns));
		break;
	case AN_STUCK:
		snprintf(d, len, "%s: %g unchanged for %.1f s (limit %g s)",
			 r->name, b->ref, secs(since(now, b->ref_ns)),
			 secs(r->after_ns));
		break;
	case AN_RANGE:
		snprintf(d, len, "%s: %g outside %g..%g", r->name, b->seen,
			 r->lo, r->hi);
		break;
	case AN_STATE_HELD:
		snprintf(d, len, "%s: state %g held %.1f s (limit %g s)",
			 r->name, r->limit, secs(since(now, b->ref_ns)),
			 secs(r->after_ns));
		break;
	case AN_EXPR:
		snprintf(d, len, "%s", r->src);
		break;
	}
}

static void raise_bind(struct analytics *an, struct an_bind *b, uint64_t now,
		       uint8_t sev)
{
	const struct an_rule *r = &an->set.rules[b->rule];
	char d[ALERT_DETAIL_MAX];
	struct alert_ev ev = {
		.rule = r->alert_rule, .severity = sev, .ts_ns = now,
		.key = bind_key(b), .label = bind_label(an, b), .detail = d,
	};

	detail(an, b, now, d, sizeof(d));
	if (r->grp.on) {
		const struct an_sig *s = &an->sigs[b->sig];
		size_t n = strlen(d);

		const struct an_dev *di = an_sig_dev(s);

		snprintf(d + n, sizeof(d) - n, " (device %s)",
			 di->dlabel[0] ? di->dlabel : di->dev);
	}
	b->sev = sev;
	if (an->al)
		alerts_raise(an->al, &ev);
}

static void clear_bind(struct analytics *an, struct an_bind *b)
{
	b->active = 0;
	b->pending = 0;
	an->ctr.cleared++;
	if (an->al)
		alerts_clear(an->al, an->set.rules[b->rule].alert_rule, 0, 0,
			     bind_key(b));
}

static void clear_all(struct analytics *an)
{
	size_t i;

	for (i = 0; i < an->set.nbinds; i++)
		if (an->set.binds[i].active)
			clear_bind(an, &an->set.binds[i]);
}

/* The rows of signal rules say info so that a rule may ask for info. */
static uint8_t base_sev(const struct an_rule *r)
{
	return r->severity ? r->severity : ALERT_SEV_WARNING;
}

/* The delays, escalation and transitions, given the condition now. */
static void step(struct analytics *an, struct an_bind *b, uint64_t now)
{
	const struct an_rule *r = &an->set.rules[b->rule];
	unsigned int i;

	if (!b->active) {
		if (!b->cond) {
			b->pending = 0;
			return;
		}
		if (!b->pending) {
			b->pending = 1;
			b->pend_ns = now;
		}
		if (since(now, b->pend_ns) < r->on_delay_ns)
			return;
		b->active = 1;
		b->pending = 0;
		b->since_ns = now;
		an->ctr.raised++;
		raise_bind(an, b, now, base_sev(r));
		return;
	}
	if (b->cond) {
		b->pending = 0;
		for (i = r->nesc; i-- > 0;)
			if (since(now, b->since_ns) >= r->esc[i].after_ns) {
				if (r->esc[i].sev > b->sev) {
					an->ctr.escalated++;
					raise_bind(an, b, now, r->esc[i].sev);
				}
				break;
			}
		return;
	}
	if (!b->pending) {
		b->pending = 1;
		b->pend_ns = now;
	}
	if (since(now, b->pend_ns) >= r->off_delay_ns)
		clear_bind(an, b);
}

/*
 * Whether b's signal is on a device of its rule's group, decided again
 * when the signal's device changed; an instance leaving the group clears.
 */
static bool in_group(struct analytics *an, struct an_bind *b)
{
	const struct an_rule *r = &an->set.rules[b->rule];
	const struct an_sig *s;

	if (!r->grp.on)
		return true;
	s = &an->sigs[b->sig];
	if (b->gen != s->gen) {
		b->member = an_group_has(&r->grp, s);
		b->gen = s->gen;
		if (!b->member) {
			if (b->active)
				clear_bind(an, b);
			b->pending = 0;
			b->has_ref = 0;
			b->cond = 0;
		}
	}
	return b->member;
}

/* ---- conditions ------------------------------------------------------ */

static const struct expr_sigval *get_sig(void *arg, uint32_t id)
{
	struct analytics *an = arg;

	return id < an->nsigs ? &an->sigs[id].v : NULL;
}

static void cond_sample(struct analytics *an, struct an_bind *b,
			uint64_t now, double v)
{
	const struct an_rule *r = &an->set.rules[b->rule];
	double x;

	switch (r->kind) {
	case AN_THRESHOLD:
		b->cond = r->below ?
			(b->active ? v <= r->limit + r->deadband : v < r->limit) :
			(b->active ? v >= r->limit - r->deadband : v > r->limit);
		break;
	case AN_RANGE:
		b->cond = b->active ?
			v < r->lo + r->deadband || v > r->hi - r->deadband :
			v < r->lo || v > r->hi;
		break;
	case AN_RATE:
		/* a clock stepped back: the window starts again rather than
		 * waiting, with no rate, until time catches up with it */
		if (!b->has_ref || now < b->ref_ns) {
			b->has_ref = 1;
			b->ref = v;
			b->ref_ns = now;
			return;
		}
		if (since(now, b->ref_ns) < r->after_ns)
			return;		/* the window is not over yet */
		x = fabs(v - b->ref) / secs(since(now, b->ref_ns));
		b->ref = v;
		b->ref_ns = now;
		b->cond = b->active ? x >= r->limit - r->deadband :
			x > r->limit;
		if (b->cond)
			b->seen = x;
		return;
	case AN_STALE:
		b->cond = 0;	/* a sample is the answer */
		return;
	case AN_STUCK:
		if (!b->has_ref || fabs(v - b->ref) > r->tolerance) {
			b->has_ref = 1;
			b->ref = v;
			b->ref_ns = now;
		}
		b->cond = since(now, b->ref_ns) >= r->after_ns;
		return;
	case AN_STATE_HELD:
		if (v != r->limit) {
			b->has_ref = 0;
			b->cond = 0;
			return;
		}
		if (!b->has_ref) {
			b->has_ref = 1;
			b->ref_ns = now;
		}
		b->cond = since(now, b->ref_ns) >= r->after_ns;
		return;
	case AN_EXPR:
		b->cond = expr_true(expr_eval(r->ex, now, get_sig, an));
		return;
	}
	if (b->cond)
		b->seen = v;
}

static void anomaly_raise(struct analytics *an, uint32_t id, uint64_t now,
			  const struct anomaly_finding *f)
{
	char d[ALERT_DETAIL_MAX];
	struct alert_ev ev = {
		.rule = ALERT_R_SIGNAL_ANOMALY, .ts_ns = now, .key = id,
		.label = an->sigs[id].name, .detail = d,
	};

	snprintf(d, sizeof(d), "%s: %g, expected %g..%g (mean %g, sigma %g, "
		 "%llu samples)", anomaly_kind_name(f->kind), f->value, f->lo,
		 f->hi, f->mean, f->sigma, (unsigned long long)f->n);
	an->ctr.anomalies++;
	if (an->al)
		alerts_raise(an->al, &ev);
}

static void sample(struct analytics *an, uint32_t id, uint64_t ts_ns,
		   double v)
{
	struct an_set *set = &an->set;
	struct an_sig *s;
	struct anomaly_finding f;
	bool anom = true;
	uint32_t i;

	if (id >= an->nsigs || !an->sigs[id].name[0]) {
		an->ctr.unknown++;
		return;
	}
	an->ctr.samples++;
	if (!an->start_ns)
		an->start_ns = ts_ns;
	s = &an->sigs[id];
	if (!s->v.last_ns || v != s->v.value)
		s->v.changed_ns = ts_ns;
	s->v.value = v;
	s->v.last_ns = ts_ns;
	if (id < set->nsigs) {
		for (i = 0; i < set->count[id]; i++) {
			struct an_bind *b =
				&set->binds[set->bidx[set->first[id] + i]];

			if (!in_group(an, b))
				continue;
			cond_sample(an, b, ts_ns, v);
			step(an, b, ts_ns);
		}
		anom = set->anom[id];
	}
	if (anom && set->anomaly_on &&
	    anomaly_sample(&s->an, &set->aopts, ts_ns, v, &f))
		anomaly_raise(an, id, ts_ns, &f);
	if (an->oee)
		oee_sample(an->oee, id, ts_ns, v);
}

/* the analytics this thread stages for, NULL: none */
static __thread struct analytics *staged;

static void stage_flush(struct analytics *an)
{
	size_t i;

	if (!an->nstage)
		return;
	pthread_mutex_lock(&an->mu);
	for (i = 0; i < an->nstage; i++)
		sample(an, an->stage[i].sig, an->stage[i].ts_ns,
		       an->stage[i].value);
	pthread_mutex_unlock(&an->mu);
	an->nstage = 0;
}

void analytics_stage_begin(struct analytics *an)
{
	if (!an || staged || __atomic_exchange_n(&an->staging, 1,
						  __ATOMIC_ACQUIRE))
		return;
	an->nstage = 0;
	staged = an;
}

void analytics_stage_end(struct analytics *an)
{
	if (!an || staged != an)
		return;
	stage_flush(an);
	staged = NULL;
	__atomic_store_n(&an->staging, 0, __ATOMIC_RELEASE);
}

void analytics_sample(struct analytics *an, uint32_t id, uint64_t ts_ns,
		      double v)
{
	if (staged == an) {
		if (an->nstage == AN_STAGE_MAX)
			stage_flush(an);
		an->stage[an->nstage++] = (struct an_staged){
			.ts_ns = ts_ns, .value = v, .sig = id };
		return;
	}
	pthread_mutex_lock(&an->mu);
	sample(an, id, ts_ns, v);
	pthread_mutex_unlock(&an->mu);
}

static void tick(struct analytics *an, uint64_t now)
{
	size_t i;

	if (!an->start_ns)
		an->start_ns = now;
	if (an->oee)
		oee_advance(an->oee, now);
	for (i = 0; i < an->set.nbinds; i++) {
		struct an_bind *b = &an->set.binds[i];
		const struct an_rule *r = &an->set.rules[b->rule];

		if (!in_group(an, b))
			continue;
		if (r->kind == AN_STALE) {
			uint64_t last = an->sigs[b->sig].v.last_ns;

			if (!last)
				last = an->start_ns;
			if (now < last)
				continue;
			b->seen = secs(now - last);
			b->cond = now - last >= r->after_ns;
		} else if (r->kind == AN_EXPR) {
			b->cond = expr_true(expr_eval(r->ex, now, get_sig, an));
		} else if (!b->active && !b->pending) {
			continue;
		}
		step(an, b, now);
	}
}

void analytics_tick(struct analytics *an, uint64_t now_ns)
{
	pthread_mutex_lock(&an->mu);
	tick(an, now_ns);
	pthread_mutex_unlock(&an->mu);
}
