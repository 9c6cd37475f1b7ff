/*
 * The OEE file ([analytics] oee = FILE, docs/analytics.md):
 *
 *	[oee]
 *	red = 65                 # below: red; green = 85: above, green
 *	stop_factor = 5          # no count for 5 x ideal_cycle: a stop
 *
 *	[shift.early]            # local time; end before start: overnight
 *	start = 06:00
 *	end = 14:00
 *
 *	[reason.M01]             # the reason tree: group / code
 *	group = mechanical
 *	en = Jam in the feeder
 *	zh = 送料卡料
 *
 *	[machine.press1]
 *	line = line1
 *	state = press_state      # signal; running/idle/down/planned: values
 *	running = 1
 *	down = 3
 *	planned = 4
 *	count = press_count      # total parts (a counter)
 *	reject = press_reject    # or good = ...
 *	ideal_cycle = 1s
 *	wrap = 65536             # the counters' modulus, when they wrap
 *
 * Errors name the line and key.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/oee.h"
#include "core/conf.h"

static const char *const oee_keys[] = { "red", "green", "stop_factor", NULL };
static const char *const shift_keys[] = { "start", "end", NULL };
static const char *const reason_keys[] = { "group", "en", "zh", NULL };
static const char *const machine_keys[] = {
	"line", "state", "running", "idle", "down", "planned", "count",
	"reject", "good", "ideal_cycle", "stop_after", "wrap", NULL
};

struct octx {
	struct oee *o;
	const struct conf *c;
	oee_sig_fn sig;
	void *arg;
	char *err;
	size_t errlen;
	double stop_factor;
};

#define OERR(e, ...) (conf_errf(p->c, (e), p->err, p->errlen, __VA_ARGS__), -1)

static int number(struct octx *p, const char *sect, const char *key,
		  double def, double lo, double hi, double *out)
{
	const struct conf_entry *e = conf_find(p->c, sect, key);
	char *end;

	*out = def;
	if (!e)
		return 0;
	*out = strtod(e->value, &end);
	if (end == e->value || *end || !isfinite(*out) || *out < lo ||
	    *out > hi)
		return OERR(e, "%s.%s: '%s' is not a number in %g..%g", sect,
			    key, e->value, lo, hi);
	return 0;
}

/* HH:MM, or HH:MM:SS (short shifts, as tests use) */
static int hhmm(struct octx *p, const char *sect, const char *key,
		uint32_t *sec)
{
	const struct conf_entry *e = conf_find(p->c, sect, key);
	unsigned int h, m, s = 0;
	int used = 0, more = 0;

	if (!e)
		return OERR(NULL, "%s: '%s' (HH:MM) is "
			    "required", sect, key);
	if (sscanf(e->value, "%2u:%2u%n", &h, &m, &used) != 2 ||
	    (e->value[used] == ':' &&
	     sscanf(e->value + used, ":%2u%n", &s, &more) != 1) ||
	    e->value[used + more] || h > 24 || m > 59 || s > 59 ||
	    (h == 24 && (m || s)))
		return OERR(e, "%s.%s: '%s' is not HH:MM", sect, key,
			    e->value);
	*sec = (h * 3600 + m * 60 + s) % 86400;
	return 0;
}

static int text(struct octx *p, const char *sect, const char *key,
		char *out, size_t len, bool required)
{
	const struct conf_entry *e = conf_find(p->c, sect, key);

	out[0] = '\0';
	if (!e)
		return required ? OERR(NULL, "%s: '%s' is required", sect,
				       key) : 0;
	if (strlen(e->value) >= len)
		return OERR(e, "%s.%s: longer than %zu bytes", sect, key,
			    len - 1);
	snprintf(out, len, "%s", e->value);
	return 0;
}

static int signal(struct octx *p, const char *sect, const char *key,
		  uint32_t *id)
{
	const struct conf_entry *e = conf_find(p->c, sect, key);

	*id = 0;
	if (!e)
		return 0;
	*id = p->sig(p->arg, e->value);
	if (!*id)
		return OERR(e, "%s.%s: no signal named '%s'", sect, key,
			    e->value);
	return 0;
}

static int values(struct octx *p, const char *sect, const char *key,
		  struct oee_machine_cfg *m, unsigned int st)
{
	const struct conf_entry *e = conf_find(p->c, sect, key);
	const char *s;
	char *end;

	if (!e)
		return 0;
	for (s = e->value; *s;) {
		double v;

		if (*s == ' ' || *s == ',') {
			s++;
			continue;
		}
		v = strtod(s, &end);
		if (end == s || m->nmap[st] == 4)
			return OERR(e, "%s.%s: up to 4 numbers", sect, key);
		m->map[st][m->nmap[st]++] = v;
		s = end;
	}
	return 0;
}

static int machine(struct octx *p, const char *sect)
{
	struct oee_machine *mm;
	struct oee_machine_cfg *m;
	uint64_t ms;
	double w;

	if (p->o->n == OEE_MAX_MACHINES)
		return OERR(NULL, "more than %d machines", OEE_MAX_MACHINES);
	if (strlen(sect + 8) >= OEE_NAME_MAX)
		return OERR(NULL, "[%s]: name too long", sect);
	mm = &p->o->m[p->o->n];
	memset(mm, 0, sizeof(*mm));
	m = &mm->cfg;
	snprintf(m->name, sizeof(m->name), "%s", sect + 8);
	if (conf_check_keys(p->c, sect, machine_keys, p->err, p->errlen) ||
	    text(p, sect, "line", m->line, sizeof(m->line), false) ||
	    signal(p, sect, "state", &m->state_sig) ||
	    signal(p, sect, "count", &m->count_sig) ||
	    signal(p, sect, "reject", &m->reject_sig) ||
	    signal(p, sect, "good", &m->good_sig) ||
	    values(p, sect, "running", m, OEE_RUNNING) ||
	    values(p, sect, "idle", m, OEE_IDLE) ||
	    values(p, sect, "down", m, OEE_DOWN) ||
	    values(p, sect, "planned", m, OEE_PLANNED) ||
	    conf_get_ms(p->c, sect, "ideal_cycle", 0, 1, 86400000, &ms,
			p->err, p->errlen))
		return -1;
	if (!m->line[0])
		snprintf(m->line, sizeof(m->line), "default");
	if (!m->count_sig)
		return OERR(NULL, "%s: 'count' (the total count signal) is "
			    "required", sect);
	if (!ms)
		return OERR(NULL, "%s: 'ideal_cycle' is required", sect);
	if (m->reject_sig && m->good_sig)
		return OERR(conf_find(p->c, sect, "good"), "%s: give 'reject' "
			    "or 'good', not both", sect);
	if (m->state_sig && !m->nmap[OEE_RUNNING])
		return OERR(conf_find(p->c, sect, "state"), "%s: with a state "
			    "signal, 'running' (its values) is required", sect);
	m->ideal_ns = ms * 1000000ULL;
	m->stop_ns = (uint64_t)(p->stop_factor * (double)m->ideal_ns);
	if (conf_find(p->c, sect, "stop_after")) {
		if (conf_get_ms(p->c, sect, "stop_after", 0, 1, 86400000, &ms,
				p->err, p->errlen))
			return -1;
		m->stop_ns = ms * 1000000ULL;
	}
	if (number(p, sect, "wrap", 0, 0, 1.8e19, &w))
		return -1;
	m->wrap = (uint64_t)w;
	mm->shift = -1;
	p->o->n++;
	return 0;
}

static int shift(struct octx *p, const char *sect)
{
	struct oee_shift *s;

	if (p->o->nshifts == OEE_MAX_SHIFTS)
		return OERR(NULL, "more than %d shifts", OEE_MAX_SHIFTS);
	s = &p->o->shifts[p->o->nshifts];
	if (strlen(sect + 6) >= OEE_NAME_MAX)
		return OERR(NULL, "[%s]: name too long", sect);
	snprintf(s->name, sizeof(s->name), "%s", sect + 6);
	if (conf_check_keys(p->c, sect, shift_keys, p->err, p->errlen) ||
	    hhmm(p, sect, "start", &s->start_s) ||
	    hhmm(p, sect, "end", &s->end_s))
		return -1;
	p->o->nshifts++;
	return 0;
}

static int reason(struct octx *p, const char *sect)
{
	struct oee_reason *r;

	if (p->o->nreasons == OEE_MAX_REASONS)
		return OERR(NULL, "more than %d reasons", OEE_MAX_REASONS);
	r = &p->o->reasons[p->o->nreasons];
	if (strlen(sect + 7) >= sizeof(r->code))
		return OERR(NULL, "[%s]: a code is at most %zu bytes", sect,
			    sizeof(r->code) - 1);
	snprintf(r->code, sizeof(r->code), "%s", sect + 7);
	if (conf_check_keys(p->c, sect, reason_keys, p->err, p->errlen) ||
	    text(p, sect, "group", r->group, sizeof(r->group), false) ||
	    text(p, sect, "en", r->en, sizeof(r->en), true) ||
	    text(p, sect, "zh", r->zh, sizeof(r->zh), false))
		return -1;
	if (!r->zh[0])
		memcpy(r->zh, r->en, sizeof(r->zh));
	p->o->nreasons++;
	return 0;
}

/* The reasons an operator can always give. */
static void default_reasons(struct oee *o)
{
	static const struct oee_reason d[] = {
		{ "BRK", "equipment", "Breakdown", "设备故障" },
		{ "JAM", "equipment", "Jam", "卡料" },
		{ "MAT", "material", "No material", "缺料" },
		{ "CHG", "setup", "Changeover", "换型" },
		{ "QLT", "quality", "Quality check", "质量检查" },
		{ "OPR", "people", "No operator", "无操作员" },
		{ "OTH", "other", "Other", "其他" },
	};

	memcpy(o->reasons, d, sizeof(d));
	o->nreasons = sizeof(d) / sizeof(d[0]);
}

int oee_parse(struct oee *o, const struct conf *c, oee_sig_fn sig, void *arg,
	      char *err, size_t errlen)
{
	struct octx ctx = { .o = o, .c = c, .sig = sig, .arg = arg,
			    .err = err, .errlen = errlen }, *p = &ctx;
	size_t i;

	memset(o, 0, sizeof(*o));
	if (conf_check_keys(c, "oee", oee_keys, err, errlen) ||
	    number(p, "oee", "red", 65, 0, 100, &o->red) ||
	    number(p, "oee", "green", 85, 0, 100, &o->green) ||
	    number(p, "oee", "stop_factor", 5, 1, 1000, &p->stop_factor))
		return -1;
	if (o->red > o->green)
		return OERR(conf_find(c, "oee", "red"), "oee.red: above "
			    "oee.green");
	for (i = 0; i < conf_count(c); i++) {
		const struct conf_entry *e = conf_at(c, i);
		const char *s = e->section;
		int rc = 0;

		if (i && !strcmp(conf_at(c, i - 1)->section, s))
			continue;
		if (!strcmp(s, "oee"))
			continue;
		if (!strncmp(s, "machine.", 8) && s[8])
			rc = machine(p, s);
		else if (!strncmp(s, "shift.", 6) && s[6])
			rc = shift(p, s);
		else if (!strncmp(s, "reason.", 7) && s[7])
			rc = reason(p, s);
		else
			rc = OERR(e, "[%s]: not a section of an OEE file "
				  "([oee], [machine.NAME], [shift.NAME], "
				  "[reason.CODE])", s);
		if (rc)
			return -1;
	}
	if (!o->nshifts) {
		snprintf(o->shifts[0].name, sizeof(o->shifts[0].name), "day");
		o->nshifts = 1;		/* 00:00 to 00:00: the whole day */
	}
	if (!o->nreasons)
		default_reasons(o);
	return 0;
}
