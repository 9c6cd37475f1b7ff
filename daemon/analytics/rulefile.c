/*
 * The rules file: INI (core/conf.h), one section per rule.
 *
 *	[rule.oven-hot]
 *	kind = threshold          # threshold rate stale stuck range
 *	                          # state_held expr
 *	signal = temp_1 temp_2    # names or globs (temp_*); not for expr
 *	above = 80                # or below = ; deadband = 2 (hysteresis)
 *	on_delay = 5s             # the condition must hold this long
 *	off_delay = 2s            # and be gone this long to clear
 *	severity = warning        # info warning critical
 *	escalate = 60s critical   # after 60 s active (at most 2 lines)
 *
 *	[anomaly]
 *	enable = true             # tau band persist cusum_k cusum_h
 *	exclude = count_*         # warmup; exclude may repeat
 *
 * docs/analytics.md lists every key.  Errors name the line and key.
 */
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts/alerts.h"
#include "analytics/analytics_int.h"
#include "core/conf.h"

static const struct {
	const char *name;
	uint16_t alert_rule;
	const char *keys;		/* besides the common ones */
} kinds[AN_KIND_COUNT] = {
	[AN_THRESHOLD] = { "threshold", ALERT_R_SIGNAL_THRESHOLD,
			   " above below deadband " },
	[AN_RATE] = { "rate", ALERT_R_SIGNAL_RATE, " rate window deadband " },
	[AN_STALE] = { "stale", ALERT_R_SIGNAL_STALE, " after " },
	[AN_STUCK] = { "stuck", ALERT_R_SIGNAL_STUCK, " after tolerance " },
	[AN_RANGE] = { "range", ALERT_R_SIGNAL_RANGE, " min max deadband " },
	[AN_STATE_HELD] = { "state_held", ALERT_R_SIGNAL_STATE_HELD,
			    " equals after " },
	[AN_EXPR] = { "expr", ALERT_R_SIGNAL_EXPR, " expr " },
};

static const char common_keys[] =
	" kind signal severity on_delay off_delay escalate group device "
	"device_kind device_vendor device_label ";

static const char *const group_keys[] = {
	"kind", "vendor", "label", "device", NULL
};

static const char *const anomaly_keys[] = {
	"enable", "tau", "band", "persist", "cusum_k", "cusum_h", "warmup",
	"exclude", NULL
};

const char *an_kind_name(unsigned int k)
{
	return k && k < AN_KIND_COUNT ? kinds[k].name : "?";
}

void an_set_free(struct an_set *set)
{
	size_t i;

	for (i = 0; set->rules && i < set->nrules; i++) {
		free(set->rules[i].ex);
		free(set->rules[i].src);
		an_group_free(&set->rules[i].grp);
	}
	for (i = 0; i < set->nexclude; i++)
		free(set->exclude[i]);
	free(set->exclude);
	free(set->rules);
	free(set->binds);
	free(set->bidx);
	free(set->first);
	free(set->count);
	free(set->anom);
	memset(set, 0, sizeof(*set));
}

struct pctx {
	struct analytics *an;
	const struct conf *c;
	struct an_set *set;
	const char *sect;
	char *err;
	size_t errlen;
	size_t bcap;
};

#define PERR(e, ...) (conf_errf(p->c, (e), p->err, p->errlen, __VA_ARGS__), -1)

static const struct conf_entry *get(struct pctx *p, const char *key)
{
	return conf_find(p->c, p->sect, key);
}

static int num(struct pctx *p, const char *key, double *out, bool *have)
{
	const struct conf_entry *e = get(p, key);
	char *end;

	if (have)
		*have = e != NULL;
	if (!e)
		return 0;
	*out = strtod(e->value, &end);
	if (end == e->value || *end || !isfinite(*out))
		return PERR(e, "%s.%s: '%s' is not a number", p->sect, key,
			    e->value);
	return 0;
}

static int dur(struct pctx *p, const char *key, uint64_t def, uint64_t *ns,
	       bool required)
{
	const struct conf_entry *e = get(p, key);
	uint64_t ms;

	if (!e && required)
		return PERR(conf_find(p->c, p->sect, "kind"), "%s: '%s' is "
			    "required for this kind", p->sect, key);
	if (conf_get_ms(p->c, p->sect, key, def, 0, 30ULL * 86400000ULL, &ms,
			p->err, p->errlen))
		return -1;
	*ns = ms * 1000000ULL;
	return 0;
}

static int sev(struct pctx *p, const struct conf_entry *e, const char *s,
	       uint8_t *out)
{
	int v = alert_severity_parse(s);

	if (v < 0)
		return PERR(e, "%s.%s: '%s' is not info, warning or critical",
			    p->sect, e->key, s);
	*out = (uint8_t)v;
	return 0;
}

static int escalations(struct pctx *p, struct an_rule *r)
{
	const struct conf_entry *e = NULL;

	while ((e = conf_next(p->c, p->sect, "escalate", e))) {
		char d[32], s[32];
		uint64_t ms;

		if (r->nesc == AN_MAX_ESC)
			return PERR(e, "%s.escalate: at most %d steps",
				    p->sect, AN_MAX_ESC);
		if (sscanf(e->value, "%31s %31s", d, s) != 2 ||
		    conf_parse_ms(d, &ms) || !ms)
			return PERR(e, "%s.escalate: expected 'DURATION "
				    "SEVERITY' (60s critical)", p->sect);
		if (sev(p, e, s, &r->esc[r->nesc].sev))
			return -1;
		if (r->nesc && ms * 1000000ULL <= r->esc[r->nesc - 1].after_ns)
			return PERR(e, "%s.escalate: steps must be in "
				    "increasing time", p->sect);
		r->esc[r->nesc++].after_ns = ms * 1000000ULL;
	}
	return 0;
}

static int check_keys(struct pctx *p, unsigned int kind)
{
	size_t i;

	for (i = 0; i < conf_count(p->c); i++) {
		const struct conf_entry *e = conf_at(p->c, i);
		char k[CONF_MAX_NAME + 2];

		if (strcmp(e->section, p->sect))
			continue;
		snprintf(k, sizeof(k), " %s ", e->key);
		if (!strstr(common_keys, k) && !strstr(kinds[kind].keys, k))
			return PERR(e, "%s.%s: not a key of a %s rule (%s)",
				    p->sect, e->key, kinds[kind].name,
				    kinds[kind].keys + 1);
	}
	return 0;
}

static int bind(struct pctx *p, const struct conf_entry *e, uint32_t rule,
		uint32_t sig)
{
	struct an_set *set = p->set;
	size_t i;

	for (i = set->nbinds; i-- > 0 && set->binds[i].rule == rule;)
		if (set->binds[i].sig == sig)
			return 0;
	if (set->nbinds == AN_MAX_BINDS)
		return PERR(e, "%s: more than %d rule instances", p->sect,
			    AN_MAX_BINDS);
	if (set->nbinds == p->bcap) {
		size_t n = p->bcap ? p->bcap * 2 : 64;
		struct an_bind *b = realloc(set->binds, n * sizeof(*b));

		if (!b)
			return PERR(e, "out of memory");
		set->binds = b;
		p->bcap = n;
	}
	memset(&set->binds[set->nbinds], 0, sizeof(set->binds[0]));
	set->binds[set->nbinds].rule = rule;
	set->binds[set->nbinds++].sig = sig;
	return 0;
}

/* signal = NAME|GLOB ...: one instance per signal */
static int signals(struct pctx *p, uint32_t rule)
{
	const struct conf_entry *e = get(p, "signal");
	const char *s;

	/* an empty list (the API's "signal": []) would watch nothing */
	if (!e || !e->value[strspn(e->value, " \t,")])
		return PERR(e ? e : conf_find(p->c, p->sect, "kind"), "%s: "
			    "'signal' is required", p->sect);
	for (s = e->value; *s;) {
		char pat[128];
		size_t n = strcspn(s, " \t,");
		uint32_t id, hits = 0;

		if (!n) {
			s++;
			continue;
		}
		if (n >= sizeof(pat))
			return PERR(e, "%s.signal: name too long", p->sect);
		memcpy(pat, s, n);
		pat[n] = '\0';
		s += n;
		for (id = 1; id < p->an->nsigs; id++) {
			if (!p->an->sigs[id].name[0] ||
			    fnmatch(pat, p->an->sigs[id].name, 0))
				continue;
			if (bind(p, e, rule, id))
				return -1;
			hits++;
		}
		if (!hits)
			return PERR(e, "%s.signal: no signal %s '%s'", p->sect,
				    strpbrk(pat, "*?[") ? "matches" : "named",
				    pat);
	}
	return 0;
}

static uint32_t resolve(void *arg, const char *name, size_t len)
{
	return an_signal_id(arg, name, len);
}

static int kind_keys(struct pctx *p, struct an_rule *r)
{
	const struct conf_entry *e;
	bool ha, hb, h1, h2;
	double v;

	switch (r->kind) {
	case AN_THRESHOLD:
		if (num(p, "above", &r->limit, &ha) ||
		    num(p, "below", &v, &hb) ||
		    num(p, "deadband", &r->deadband, NULL))
			return -1;
		if (ha == hb)
			return PERR(get(p, "kind"), "%s: give one of 'above' "
				    "and 'below'", p->sect);
		if (hb) {
			r->limit = v;
			r->below = 1;
		}
		break;
	case AN_RATE:
		if (num(p, "rate", &r->limit, &ha) ||
		    num(p, "deadband", &r->deadband, NULL) ||
		    dur(p, "window", 1000, &r->after_ns, false))
			return -1;
		if (!ha || r->limit <= 0)
			return PERR(get(p, "rate") ? get(p, "rate") :
				    get(p, "kind"), "%s: 'rate' (per second, "
				    "above 0) is required", p->sect);
		if (!r->after_ns)
			return PERR(get(p, "window"), "%s.window: must be "
				    "above 0", p->sect);
		break;
	case AN_STALE:
	case AN_STUCK:
		if (dur(p, "after", 0, &r->after_ns, true) ||
		    num(p, "tolerance", &r->tolerance, NULL))
			return -1;
		break;
	case AN_RANGE:
		if (num(p, "min", &r->lo, &h1) || num(p, "max", &r->hi, &h2) ||
		    num(p, "deadband", &r->deadband, NULL))
			return -1;
		if (!h1 || !h2 || r->lo >= r->hi)
			return PERR(get(p, "kind"), "%s: 'min' and 'max' are "
				    "required, min below max", p->sect);
		break;
	case AN_STATE_HELD:
		if (num(p, "equals", &r->limit, &ha) ||
		    dur(p, "after", 0, &r->after_ns, true))
			return -1;
		if (!ha)
			return PERR(get(p, "kind"), "%s: 'equals' is "
				    "required", p->sect);
		break;
	case AN_EXPR:
		e = get(p, "expr");
		if (!e)
			return PERR(get(p, "kind"), "%s: 'expr' is required",
				    p->sect);
		if (get(p, "signal"))
			return PERR(get(p, "signal"), "%s.signal: an "
				    "expression names its signals itself",
				    p->sect);
		r->ex = malloc(sizeof(*r->ex));
		r->src = strdup(e->value);
		if (!r->ex || !r->src)
			return PERR(e, "out of memory");
		{
			char why[160];

			if (expr_compile(r->ex, e->value, resolve, p->an, why,
					 sizeof(why)))
				return PERR(e, "%s.expr: %s", p->sect, why);
		}
		break;
	}
	if (r->deadband < 0)
		return PERR(get(p, "deadband"), "%s.deadband: negative",
			    p->sect);
	return 0;
}

/* group = NAME ([group.NAME]) or the device_* keys: the rule's devices */
static int group_of(struct pctx *p, struct an_rule *r)
{
	static const char *const inl[] = { "device", "device_kind",
		"device_vendor", "device_label", NULL };
	const struct conf_entry *g = get(p, "group"), *in = NULL;
	char sect[AN_NAME_MAX + 16];
	size_t i;

	for (i = 0; inl[i] && !in; i++)
		in = get(p, inl[i]);
	if (!g && !in)
		return 0;
	if (r->kind == AN_EXPR)
		return PERR(g ? g : in, "%s.%s: an expression names its "
			    "signals itself; groups are for rules on signals",
			    p->sect, (g ? g : in)->key);
	if (g && in)
		return PERR(g, "%s.group: either a group or the device keys, "
			    "not both", p->sect);
	if (!g)
		return an_group_parse(p->c, p->sect, "device_", &r->grp,
				      p->err, p->errlen);
	if (!an_rule_name_ok(g->value) ||
	    (snprintf(sect, sizeof(sect), "group.%s", g->value),
	     !conf_has_section(p->c, sect)))
		return PERR(g, "%s.group: no group named '%.48s' "
			    "([group.NAME] in the rules file)", p->sect,
			    g->value);
	snprintf(r->grp.name, sizeof(r->grp.name), "%s", g->value);
	if (an_group_parse(p->c, sect, "", &r->grp, p->err, p->errlen))
		return -1;
	if (!r->grp.on)
		return PERR(g, "%s.group: [%s] gives none of kind, vendor, "
			    "label, device", p->sect, sect);
	return 0;
}

static int one_rule(struct pctx *p, const struct conf_entry *first)
{
	struct an_set *set = p->set;
	const struct conf_entry *e = get(p, "kind");
	struct an_rule *r;
	unsigned int k;
	uint32_t idx;

	if (!e)
		return PERR(first, "%s: 'kind' is required", p->sect);
	for (k = 1; k < AN_KIND_COUNT; k++)
		if (!strcmp(e->value, kinds[k].name))
			break;
	if (k == AN_KIND_COUNT)
		return PERR(e, "%s.kind: '%s' is not threshold, rate, stale, "
			    "stuck, range, state_held or expr", p->sect,
			    e->value);
	if (set->nrules == AN_MAX_RULES)
		return PERR(e, "more than %d rules", AN_MAX_RULES);
	if (strlen(p->sect) - 5 >= AN_NAME_MAX)
		return PERR(first, "%s: name longer than %d bytes", p->sect,
			    AN_NAME_MAX - 1);
	idx = (uint32_t)set->nrules++;
	r = &set->rules[idx];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", p->sect + 5);
	r->kind = (uint8_t)k;
	r->alert_rule = kinds[k].alert_rule;
	r->line = e->line;
	if (check_keys(p, k) || kind_keys(p, r) ||
	    dur(p, "on_delay", 0, &r->on_delay_ns, false) ||
	    dur(p, "off_delay", 0, &r->off_delay_ns, false) ||
	    escalations(p, r) || group_of(p, r))
		return -1;
	e = get(p, "severity");
	if (e && sev(p, e, e->value, &r->severity))
		return -1;
	if (k == AN_EXPR)
		return bind(p, get(p, "expr"), idx, 0);
	return signals(p, idx);
}

static int anomaly_section(struct pctx *p)
{
	struct an_set *set = p->set;
	struct anomaly_opts *o = &set->aopts;
	const struct conf_entry *e = NULL;
	bool have;
	uint64_t n;

	p->sect = "anomaly";
	if (conf_check_keys(p->c, "anomaly", anomaly_keys, p->err, p->errlen) ||
	    conf_get_bool(p->c, "anomaly", "enable", true, &set->anomaly_on,
			  p->err, p->errlen))
		return -1;
	if (get(p, "tau")) {
		uint64_t ms;

		if (conf_get_ms(p->c, "anomaly", "tau", 60000, 1000,
				86400000ULL, &ms, p->err, p->errlen))
			return -1;
		o->tau_s = (double)ms / 1000;
	}
	if (num(p, "band", &o->z_lim, &have) ||
	    (have && (o->z_lim < 2 || o->z_lim > 100) &&
	     PERR(get(p, "band"), "anomaly.band: 2..100 sigma")) ||
	    num(p, "cusum_k", &o->k, &have) ||
	    (have && (o->k < 0 || o->k > 10) &&
	     PERR(get(p, "cusum_k"), "anomaly.cusum_k: 0..10")) ||
	    num(p, "cusum_h", &o->h, &have) ||
	    (have && (o->h < 1 || o->h > 1000) &&
	     PERR(get(p, "cusum_h"), "anomaly.cusum_h: 1..1000")) ||
	    conf_get_u64(p->c, "anomaly", "persist", o->persist, 1, 1000, &n,
			 p->err, p->errlen))
		return -1;
	o->persist = (uint32_t)n;
	if (conf_get_u64(p->c, "anomaly", "warmup", o->warmup, 2, 1000000, &n,
			 p->err, p->errlen))
		return -1;
	o->warmup = (uint32_t)n;
	while ((e = conf_next(p->c, "anomaly", "exclude", e))) {
		const char *s = e->value;

		while (*s) {
			size_t len = strcspn(s, " \t,");
			char **x;

			if (!len) {
				s++;
				continue;
			}
			x = realloc(set->exclude, (set->nexclude + 1) *
				    sizeof(*x));
			if (!x)
				return PERR(e, "out of memory");
			set->exclude = x;
			x[set->nexclude] = strndup(s, len);
			if (!x[set->nexclude])
				return PERR(e, "out of memory");
			set->nexclude++;
			s += len;
		}
	}
	return 0;
}

/* Per signal, the bindings to evaluate on its samples (CSR). */
static int index_binds(struct analytics *an, struct an_set *set)
{
	size_t i, j, total = 0, n = an->nsigs ? an->nsigs : 1;
	uint32_t *fill;

	set->nsigs = an->nsigs;
	set->first = calloc(n, sizeof(*set->first));
	set->count = calloc(n, sizeof(*set->count));
	set->anom = calloc(n, 1);
	fill = calloc(n, sizeof(*fill));
	if (!set->first || !set->count || !set->anom || !fill)
		goto oom;
	for (i = 0; i < set->nbinds; i++) {
		const struct an_rule *r = &set->rules[set->binds[i].rule];

		if (r->kind == AN_EXPR) {
			for (j = 0; j < r->ex->nsigs; j++)
				set->count[r->ex->sigs[j]]++;
			total += r->ex->nsigs;
		} else {
			set->count[set->binds[i].sig]++;
			total++;
		}
	}
	set->bidx = malloc((total ? total : 1) * sizeof(*set->bidx));
	if (!set->bidx)
		goto oom;
	for (i = 1, total = 0; i < set->nsigs; i++) {
		set->first[i] = (uint32_t)total;
		total += set->count[i];
	}
	for (i = 0; i < set->nbinds; i++) {
		const struct an_rule *r = &set->rules[set->binds[i].rule];
		uint32_t s = set->binds[i].sig;

		if (r->kind == AN_EXPR) {
			for (j = 0; j < r->ex->nsigs; j++) {
				s = r->ex->sigs[j];
				set->bidx[set->first[s] + fill[s]++] =
					(uint32_t)i;
			}
		} else {
			set->bidx[set->first[s] + fill[s]++] = (uint32_t)i;
		}
	}
	for (i = 1; i < set->nsigs; i++) {
		set->anom[i] = an->sigs[i].name[0] != 0;
		for (j = 0; j < set->nexclude; j++)
			if (!fnmatch(set->exclude[j], an->sigs[i].name, 0))
				set->anom[i] = 0;
	}
	free(fill);
	return 0;
oom:
	free(fill);
	return -1;
}

int an_parse(struct analytics *an, const struct conf *c, struct an_set *set,
	     char *err, size_t errlen)
{
	struct pctx p = { .an = an, .c = c, .set = set, .err = err,
			  .errlen = errlen };
	size_t i, j;

	memset(set, 0, sizeof(*set));
	set->anomaly_on = true;
	anomaly_opts_default(&set->aopts);
	set->rules = calloc(AN_MAX_RULES, sizeof(*set->rules));
	if (!set->rules) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (anomaly_section(&p))
		goto fail;
	for (i = 0; i < conf_count(c); i++) {
		const struct conf_entry *e = conf_at(c, i);

		if (!strcmp(e->section, "anomaly"))
			continue;
		if (!strncmp(e->section, "group.", 6)) {
			struct an_group g = { 0 };
			int bad;

			if (!an_rule_name_ok(e->section + 6)) {
				conf_errf(c, e, err, errlen, "[%s]: a group's "
					  "name: letters, digits, '_-.'",
					  e->section);
				goto fail;
			}
			if (i && !strcmp(conf_at(c, i - 1)->section,
					 e->section))
				continue;
			/* checked once, used or not */
			bad = conf_check_keys(c, e->section, group_keys, err,
					      errlen) ||
			      an_group_parse(c, e->section, "", &g, err,
					     errlen);
			an_group_free(&g);
			if (bad)
				goto fail;
			continue;
		}
		if (strncmp(e->section, "rule.", 5) || !e->section[5]) {
			conf_errf(c, e, err, errlen, "[%s]: not a section of "
				  "a rules file ([rule.NAME], [group.NAME], "
				  "[anomaly])", e->section);
			goto fail;
		}
		/* a rule's entries follow its header */
		if (i && !strcmp(conf_at(c, i - 1)->section, e->section))
			continue;
		for (j = 0; j < set->nrules; j++)
			if (!strcmp(set->rules[j].name, e->section + 5))
				break;
		if (j < set->nrules) {
			conf_errf(c, e, err, errlen, "[%s]: a second section "
				  "of that name", e->section);
			goto fail;
		}
		p.sect = e->section;
		if (one_rule(&p, e))
			goto fail;
	}
	if (index_binds(an, set)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return 0;
fail:
	an_set_free(set);
	return -1;
}
