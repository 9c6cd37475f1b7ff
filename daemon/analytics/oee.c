/*
 * OEE arithmetic and the machine state machine.  Time is accounted on
 * the samples' clock: the state a machine is in holds until the sample
 * that changes it, split at shift ends; a running machine that counts
 * nothing for stop_ns is down from its last count on (the time is moved
 * from running to down when the stall is seen).
 */
#include <math.h>
#include <string.h>
#include <time.h>

#include "analytics/oee.h"

static const char *const state_names[OEE_NSTATES] = {
	"unknown", "running", "idle", "down", "planned"
};

const char *oee_state_name(unsigned int s)
{
	return s < OEE_NSTATES ? state_names[s] : "?";
}

void oee_acc_add(struct oee_acc *to, const struct oee_acc *a)
{
	unsigned int i;

	for (i = 0; i < OEE_NSTATES; i++)
		to->ns[i] += a->ns[i];
	to->count += a->count;
	to->reject += a->reject;
	to->good += a->good;
}

void oee_ratios(const struct oee_acc *a, uint64_t ideal_ns,
		struct oee_ratios *r)
{
	uint64_t total = 0, good;
	unsigned int i;

	for (i = 0; i < OEE_NSTATES; i++)
		total += a->ns[i];
	good = a->reject < a->count ? a->count - a->reject : 0;
	r->planned_ns = total - a->ns[OEE_PLANNED];
	r->run_ns = a->ns[OEE_RUNNING];
	r->availability = r->planned_ns ?
		(double)r->run_ns / (double)r->planned_ns : NAN;
	r->performance = r->run_ns ?
		(double)ideal_ns * (double)a->count / (double)r->run_ns : NAN;
	r->quality = a->count ? (double)good / (double)a->count : NAN;
	/* = A x P x Q where all three are defined; 0 when nothing was made */
	r->oee = r->planned_ns ?
		(double)ideal_ns * (double)good / (double)r->planned_ns : NAN;
}

uint64_t oee_counter_delta(uint64_t prev, uint64_t cur, uint64_t wrap)
{
	if (cur >= prev)
		return cur - prev;
	if (wrap && prev < wrap && prev - cur > wrap / 2)
		return wrap - prev + cur;
	return cur;		/* reset: counted from 0 to cur */
}

int oee_reason_find(const struct oee *o, const char *code)
{
	size_t i;

	for (i = 0; i < o->nreasons; i++)
		if (!strcmp(o->reasons[i].code, code))
			return (int)i;
	return -1;
}

/* local midnight of the day of t, days later */
static time_t day_start(time_t t, int days, unsigned int plus_s)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = 0;
	tm.tm_min = 0;
	tm.tm_sec = (int)plus_s;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

int oee_shift_at(const struct oee *o, uint64_t ts_ns, uint64_t *start,
		 uint64_t *end)
{
	time_t t = (time_t)(ts_ns / 1000000000ULL);
	unsigned int m, len;
	struct tm tm;
	size_t i;

	localtime_r(&t, &tm);
	m = (unsigned int)(tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	for (i = 0; i < o->nshifts; i++) {
		const struct oee_shift *s = &o->shifts[i];
		int back;

		len = (s->end_s + 86400 - s->start_s) % 86400;
		if (!len)
			len = 86400;
		if (s->start_s < s->end_s) {
			if (m < s->start_s || m >= s->end_s)
				continue;
			back = 0;
		} else if (m >= s->start_s) {
			back = 0;
		} else if (m < s->end_s || s->start_s == s->end_s) {
			back = -1;	/* began yesterday */
		} else {
			continue;
		}
		*start = (uint64_t)day_start(t, back, s->start_s) *
			 1000000000ULL;
		*end = (uint64_t)day_start(t, back, s->start_s + len) *
		       1000000000ULL;
		if (ts_ns < *start || ts_ns >= *end)
			continue;	/* a DST edge: not this one */
		return (int)i;
	}
	return -1;
}

static void queue_stop(struct oee *o, const struct oee_machine *m,
		       uint64_t end_ns)
{
	struct oee_stop *s;

	if (o->nstops == OEE_QUEUE) {
		o->dropped++;
		return;
	}
	s = &o->stops[o->nstops++];
	s->machine = (uint16_t)(m - o->m);
	s->state = m->stop_state;
	s->auto_detected = m->stop_auto;
	s->start_ns = m->stop_start_ns;
	s->end_ns = end_ns;
	s->closed = end_ns != 0;
}

static bool is_stop(unsigned int s)
{
	return s == OEE_DOWN || s == OEE_IDLE;
}

static void set_state(struct oee *o, struct oee_machine *m, uint8_t st,
		      uint64_t ts, uint64_t since, bool autod)
{
	if (st == m->state)
		return;
	if (m->stop_start_ns) {
		queue_stop(o, m, ts);
		m->stop_start_ns = 0;
	}
	if (st == OEE_RUNNING)
		m->count_ns = ts;	/* a stall counts from here */
	m->state = st;
	if (is_stop(st)) {
		m->stop_start_ns = since;
		m->stop_state = st;
		m->stop_auto = autod;
		queue_stop(o, m, 0);
	}
}

static void close_period(struct oee *o, struct oee_machine *m)
{
	struct oee_period *p;

	if (m->shift < 0)
		return;
	if (o->ndone == OEE_QUEUE) {
		o->dropped++;
		return;
	}
	p = &o->done[o->ndone++];
	p->machine = (uint16_t)(m - o->m);
	p->shift = m->shift;
	p->start_ns = m->shift_start_ns;
	p->end_ns = m->shift_end_ns;
	p->acc = m->acc;
}

static void enter_shift(struct oee *o, struct oee_machine *m, uint64_t ts)
{
	memset(&m->acc, 0, sizeof(m->acc));
	m->shift = oee_shift_at(o, ts, &m->shift_start_ns, &m->shift_end_ns);
	if (m->shift < 0) {
		/* outside every shift: until the next one begins */
		uint64_t t = ts, s, e;

		m->shift_start_ns = ts;
		m->shift_end_ns = ts + 86400ULL * 1000000000ULL;
		for (t = ts - ts % 60000000000ULL + 60000000000ULL;
		     t < m->shift_end_ns; t += 60000000000ULL)
			if (oee_shift_at(o, t, &s, &e) >= 0) {
				m->shift_end_ns = s > ts ? s : t;
				break;
			}
	}
}

/* Time from m->last_ns to now in the current state, split at shift ends. */
static void account(struct oee *o, struct oee_machine *m, uint64_t now)
{
	while (m->last_ns < now) {
		uint64_t end = now < m->shift_end_ns ? now : m->shift_end_ns;

		if (m->shift >= 0)
			m->acc.ns[m->state] += end - m->last_ns;
		m->last_ns = end;
		if (end == m->shift_end_ns) {
			close_period(o, m);
			enter_shift(o, m, end);
		}
	}
}

static void fix_good(struct oee_machine *m)
{
	if (m->cfg.good_sig && !m->cfg.reject_sig)
		m->acc.reject = m->acc.count > m->acc.good ?
				m->acc.count - m->acc.good : 0;
}

/* A running machine without a count for stop_ns: down since its last. */
static void stall(struct oee *o, struct oee_machine *m, uint64_t now)
{
	uint64_t since, moved;

	if (m->state != OEE_RUNNING || !m->cfg.stop_ns || !m->cfg.count_sig ||
	    now - m->count_ns < m->cfg.stop_ns)
		return;
	since = m->count_ns > m->shift_start_ns ? m->count_ns :
		m->shift_start_ns;
	moved = now > since ? now - since : 0;
	if (moved > m->acc.ns[OEE_RUNNING])
		moved = m->acc.ns[OEE_RUNNING];
	m->acc.ns[OEE_RUNNING] -= moved;
	m->acc.ns[OEE_DOWN] += moved;
	m->stalled = true;
	set_state(o, m, OEE_DOWN, now, m->count_ns, true);
}

static uint8_t map_state(const struct oee_machine_cfg *c, double v)
{
	unsigned int s, i;

	for (s = 1; s < OEE_NSTATES; s++)
		for (i = 0; i < c->nmap[s]; i++)
			if (c->map[s][i] == v)
				return (uint8_t)s;
	return OEE_DOWN;	/* a value nobody named: not producing */
}

static uint64_t reading(double v)
{
	return v > 0 && v < 1.8e19 ? (uint64_t)v : 0;
}

static void machine_sample(struct oee *o, struct oee_machine *m,
			   uint32_t sig, uint64_t ts, double v)
{
	const struct oee_machine_cfg *c = &m->cfg;
	uint64_t raw = reading(v), d;

	if (!m->last_ns) {
		m->last_ns = ts;
		m->count_ns = ts;
		enter_shift(o, m, ts);
	}
	if (ts < m->last_ns)
		ts = m->last_ns;	/* never account backwards */
	account(o, m, ts);
	if (sig == c->state_sig) {
		m->sig_state = map_state(c, v);
		if (!m->stalled || m->sig_state != OEE_RUNNING) {
			m->stalled = false;
			set_state(o, m, m->sig_state, ts, ts, false);
		}
	}
	if (sig == c->count_sig) {
		d = m->have_count ? oee_counter_delta(m->count_raw, raw,
						      c->wrap) : 0;
		m->have_count = true;
		m->count_raw = raw;
		m->acc.count += d;
		if (d) {
			m->count_ns = ts;
			if (!c->state_sig || (m->stalled &&
					      m->sig_state == OEE_RUNNING)) {
				m->stalled = false;
				set_state(o, m, OEE_RUNNING, ts, ts, false);
			}
		}
	}
	if (sig == c->reject_sig) {
		d = m->have_reject ? oee_counter_delta(m->reject_raw, raw,
						       c->wrap) : 0;
		m->have_reject = true;
		m->reject_raw = raw;
		m->acc.reject += d;
	}
	if (sig == c->good_sig) {
		d = m->have_good ? oee_counter_delta(m->good_raw, raw,
						     c->wrap) : 0;
		m->have_good = true;
		m->good_raw = raw;
		m->acc.good += d;
	}
	fix_good(m);
	stall(o, m, ts);
}

void oee_sample(struct oee *o, uint32_t sig, uint64_t ts_ns, double v)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		const struct oee_machine_cfg *c = &o->m[i].cfg;

		if (sig && (sig == c->state_sig || sig == c->count_sig ||
			    sig == c->reject_sig || sig == c->good_sig))
			machine_sample(o, &o->m[i], sig, ts_ns, v);
	}
}

void oee_advance(struct oee *o, uint64_t now_ns)
{
	size_t i;

	for (i = 0; i < o->n; i++) {
		struct oee_machine *m = &o->m[i];

		if (!m->last_ns || now_ns <= m->last_ns)
			continue;
		account(o, m, now_ns);
		stall(o, m, now_ns);
	}
}
