/*
 * Process analytics: each rule kind with its hysteresis, delays and
 * escalation as exact transitions; the rules file's errors; the
 * expression evaluator (precedence, functions, NaN, limits, errors with
 * their column); the anomaly detector (a step is found, noise, sines
 * and counters are not).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>

#include "alerts/alerts.h"
#include "analytics/analytics.h"
#include "analytics/band_db.h"
#include "analytics/anomaly.h"
#include "analytics/expr.h"
#include "core/conf.h"

#define S 1000000000ULL

struct fx {
	struct alerts *al;
	struct analytics *an;
	char log[2048];
	struct alert_change ch[64];
};

/* signals: 1 temp, 2 count, 3 state */
static struct fx *fx_new(const char *rules)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[256];
	struct conf *c;

	assert_non_null(f);
	f->al = alerts_new(NULL);
	f->an = analytics_new(f->al);
	assert_int_equal(analytics_add_signal(f->an, 1, "temp"), 0);
	assert_int_equal(analytics_add_signal(f->an, 2, "count"), 0);
	assert_int_equal(analytics_add_signal(f->an, 3, "state"), 0);
	c = conf_parse(rules, strlen(rules), "r.conf", err, sizeof(err));
	assert_non_null(c);
	if (analytics_load_rules(f->an, c, err, sizeof(err)))
		fail_msg("%s", err);
	conf_free(c);
	return f;
}

static void fx_free(struct fx *f)
{
	analytics_free(f->an);
	alerts_free(f->al);
	free(f);
}

static void collect(struct fx *f)
{
	size_t n, i;

	n = alerts_drain(f->al, f->ch, 64);
	for (i = 0; i < n; i++) {
		const struct alert_change *c = &f->ch[i];
		size_t l = strlen(f->log);

		if (c->kind == ALERT_CH_UPDATED)
			continue;
		snprintf(f->log + l, sizeof(f->log) - l, "%s%s %s@%.1f %s",
			 l ? ", " : "", alert_change_name(c->kind),
			 alert_rule(c->a.rule)->id + 7,
			 (double)c->clock_ns / S,
			 alert_severity_name(c->a.severity));
	}
}

static void at(struct fx *f, uint32_t sig, double t, double v)
{
	uint64_t ns = (uint64_t)llround(t * S);

	alerts_set_clock(f->al, ns);
	analytics_sample(f->an, sig, ns, v);
	collect(f);
}

static void tick(struct fx *f, double t)
{
	uint64_t ns = (uint64_t)llround(t * S);

	alerts_set_clock(f->al, ns);
	analytics_tick(f->an, ns);
	collect(f);
}

#define NOANOM "[anomaly]\nenable = false\n"

static void threshold_hysteresis(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.hot]\nkind = threshold\n"
			      "signal = temp\nabove = 80\ndeadband = 5\n");
	static const double v[] = { 79, 81, 78, 75, 74.9, 76, 80, 80.1 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		at(f, 1, (double)i + 1, v[i]);
	assert_string_equal(f->log, "raised threshold@2.0 warning, "
			    "cleared threshold@5.0 warning, "
			    "returned threshold@8.0 warning");
	fx_free(f);
}

static void threshold_below(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.cold]\nkind = threshold\n"
			      "signal = temp\nbelow = 10\ndeadband = 1\n"
			      "severity = critical\n");

	(void)state;
	at(f, 1, 1, 10);
	at(f, 1, 2, 9.9);
	at(f, 1, 3, 11);
	at(f, 1, 4, 11.1);
	assert_string_equal(f->log, "raised threshold@2.0 critical, "
			    "cleared threshold@4.0 critical");
	fx_free(f);
}

static void threshold_delays(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.hot]\nkind = threshold\n"
			      "signal = temp\nabove = 80\non_delay = 2s\n"
			      "off_delay = 1s\n");
	double t;

	(void)state;
	/* a blip of 1.5 s raises nothing */
	at(f, 1, 0, 85);
	at(f, 1, 1.5, 85);
	at(f, 1, 1.9, 70);
	assert_string_equal(f->log, "");
	/* over from 3.0: raised at 5.0; under from 8.0: cleared at 9.0 */
	for (t = 3; t < 8; t += 0.5)
		at(f, 1, t, 90);
	at(f, 1, 8, 70);
	at(f, 1, 8.5, 90);	/* back over: the clear delay restarts */
	at(f, 1, 9, 70);
	at(f, 1, 9.5, 70);
	at(f, 1, 10, 70);
	assert_string_equal(f->log, "raised threshold@5.0 warning, "
			    "cleared threshold@10.0 warning");
	fx_free(f);
}

static void escalation(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.hot]\nkind = threshold\n"
			      "signal = temp\nabove = 80\nseverity = info\n"
			      "escalate = 10s warning\n"
			      "escalate = 30s critical\n");

	(void)state;
	at(f, 1, 0, 90);
	tick(f, 9);
	tick(f, 10);
	at(f, 1, 20, 90);
	tick(f, 29);
	tick(f, 31);
	at(f, 1, 32, 10);
	assert_string_equal(f->log, "raised threshold@0.0 info, "
			    "escalated threshold@10.0 warning, "
			    "escalated threshold@31.0 critical, "
			    "cleared threshold@32.0 critical");
	fx_free(f);
}

static void rate(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.fast]\nkind = rate\n"
			      "signal = temp\nrate = 10\nwindow = 1s\n");
	double t;

	(void)state;
	/* 5 per s for 3 s, then 20 per s, then flat */
	for (t = 0; t <= 3; t += 0.5)
		at(f, 1, t, 5 * t);
	for (t = 3.5; t <= 5; t += 0.5)
		at(f, 1, t, 15 + 20 * (t - 3));
	for (t = 5.5; t <= 7; t += 0.5)
		at(f, 1, t, 55);
	assert_string_equal(f->log, "raised rate@4.0 warning, "
			    "cleared rate@6.0 warning");
	fx_free(f);
}

/* samples stamped by a wall clock that stepped back 90 s: the rate
 * window starts again there instead of staying blind until the clock
 * catches up with the old window */
static void rate_after_clock_step_back(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.fast]\nkind = rate\n"
			      "signal = temp\nrate = 10\nwindow = 1s\n");
	double t;

	(void)state;
	for (t = 100; t <= 103; t += 0.5)
		at(f, 1, t, 5);
	for (t = 10; t <= 13; t += 0.5)
		at(f, 1, t, 5 + 20 * (t - 10));
	assert_string_equal(f->log, "raised rate@11.0 warning");
	fx_free(f);
}

static void stale(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.quiet]\nkind = stale\n"
			      "signal = temp count\nafter = 2s\n");

	(void)state;
	tick(f, 0);
	at(f, 1, 0.5, 1);
	at(f, 2, 0.5, 1);
	at(f, 2, 1.5, 2);
	tick(f, 2);
	tick(f, 3);	/* temp: 2.5 s since its sample */
	at(f, 2, 3.4, 3);
	tick(f, 4);
	at(f, 1, 4.5, 1);	/* a sample clears at once */
	assert_string_equal(f->log, "raised stale@3.0 warning, "
			    "cleared stale@4.5 warning");
	fx_free(f);
}

static void stale_never_seen(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.quiet]\nkind = stale\n"
			      "signal = state\nafter = 5s\n");

	(void)state;
	tick(f, 100);
	tick(f, 104);
	tick(f, 105);
	assert_string_equal(f->log, "raised stale@105.0 warning");
	fx_free(f);
}

static void stuck(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.frozen]\nkind = stuck\n"
			      "signal = temp\nafter = 3s\ntolerance = 0.1\n");

	(void)state;
	at(f, 1, 0, 50);
	at(f, 1, 1, 51);	/* moved: the clock restarts at 1 */
	at(f, 1, 2, 51.05);	/* within the tolerance */
	at(f, 1, 3.5, 51);
	at(f, 1, 4, 51.08);
	at(f, 1, 5, 52);
	assert_string_equal(f->log, "raised stuck@4.0 warning, "
			    "cleared stuck@5.0 warning");
	fx_free(f);
}

static void range(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.eng]\nkind = range\n"
			      "signal = temp\nmin = 0\nmax = 100\n"
			      "deadband = 2\n");

	(void)state;
	at(f, 1, 1, 100);
	at(f, 1, 2, 101);
	at(f, 1, 3, 99);	/* within the deadband: still out */
	at(f, 1, 4, 97);
	at(f, 1, 5, -0.5);
	at(f, 1, 6, 1.5);
	at(f, 1, 7, 2.5);
	assert_string_equal(f->log, "raised range@2.0 warning, "
			    "cleared range@4.0 warning, "
			    "returned range@5.0 warning, "
			    "cleared range@7.0 warning");
	fx_free(f);
}

static void state_held(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.stopped]\nkind = state_held\n"
			      "signal = state\nequals = 2\nafter = 5s\n");

	(void)state;
	at(f, 3, 0, 0);
	at(f, 3, 1, 2);
	at(f, 3, 4, 2);
	at(f, 3, 5, 1);		/* left the state: the clock restarts */
	at(f, 3, 6, 2);
	at(f, 3, 10, 2);
	at(f, 3, 11, 2);
	at(f, 3, 12, 0);
	assert_string_equal(f->log, "raised state_held@11.0 warning, "
			    "cleared state_held@12.0 warning");
	fx_free(f);
}

static void expression(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.jam]\nkind = expr\n"
			      "expr = temp > 80 and unchanged(count, 3s)\n"
			      "severity = critical\n");
	struct alert a[4];

	(void)state;
	at(f, 2, 0, 5);
	at(f, 1, 1, 90);	/* count unchanged for 1 s only */
	at(f, 2, 2, 6);
	at(f, 1, 4, 90);
	tick(f, 5);		/* the clock alone makes it true */
	at(f, 1, 6, 70);
	assert_string_equal(f->log, "raised expr@5.0 critical, "
			    "cleared expr@6.0 critical");
	assert_int_equal(alerts_snapshot(f->al, a, 4), 1);
	assert_string_equal(a[0].label, "jam");
	assert_string_equal(a[0].detail, "temp > 80 and unchanged(count, 3s)");
	fx_free(f);
}

static void one_alert_per_signal(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.hot]\nkind = threshold\n"
			      "signal = temp count\nabove = 80\n"
			      "[rule.hotter]\nkind = threshold\n"
			      "signal = t*\nabove = 90\n");
	struct alert a[8];
	char msg[ALERT_MSG_MAX];
	size_t n;

	(void)state;
	at(f, 1, 1, 95);
	at(f, 2, 1, 85);
	at(f, 1, 2, 96);
	n = alerts_snapshot(f->al, a, 8);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].label, "temp");
	assert_string_equal(a[0].detail, "hot: 95 > 80, clears below 80");
	assert_int_equal(a[0].count, 1);
	alert_message(&a[0], "en", msg, sizeof(msg));
	assert_string_equal(msg, "temp crossed its limit: hot: 95 > 80, "
			    "clears below 80");
	alert_message(&a[0], "zh", msg, sizeof(msg));
	assert_string_equal(msg, "temp 越限：hot: 95 > 80, clears below 80");
	fx_free(f);
}

/* staged samples (a drain turn) raise and clear as the same samples one
 * lock each would, across the 256-sample hand-overs; evaluated at the end */
static void staged_as_unstaged(void **state)
{
	static const char rules[] = NOANOM "[rule.hot]\nkind = threshold\n"
		"signal = temp\nabove = 80\ndeadband = 5\non_delay = 2s\n"
		"[rule.frozen]\nkind = stuck\nsignal = count\nafter = 30s\n";
	struct fx *one = fx_new(rules), *turn = fx_new(rules);
	struct analytics_counters a, b;
	uint64_t ns;
	int i;

	(void)state;
	alerts_set_clock(one->al, 1);
	alerts_set_clock(turn->al, 1);
	analytics_stage_begin(turn->an);
	for (i = 0; i < 700; i++) {
		ns = (uint64_t)i * S / 10 + 1;
		/* hot from 10 s to 20 s and from 50 s on; count frozen */
		analytics_sample(one->an, 1, ns, (i >= 100 && i < 200) ||
				 i >= 500 ? 90 : 20);
		analytics_sample(one->an, 2, ns, 7);
		analytics_sample(turn->an, 1, ns, (i >= 100 && i < 200) ||
				 i >= 500 ? 90 : 20);
		analytics_sample(turn->an, 2, ns, 7);
		if (i == 10) {
			/* not evaluated yet: still on the stage */
			analytics_get_counters(turn->an, &b);
			assert_int_equal(b.samples, 0);
		}
	}
	analytics_stage_end(turn->an);
	collect(one);
	collect(turn);
	analytics_get_counters(one->an, &a);
	analytics_get_counters(turn->an, &b);
	assert_int_equal(b.samples, 1400);
	assert_int_equal(a.raised, b.raised);
	assert_int_equal(a.cleared, b.cleared);
	assert_true(strstr(one->log, "raised threshold"));
	assert_true(strstr(one->log, "raised stuck"));
	assert_string_equal(one->log, turn->log);
	fx_free(one);
	fx_free(turn);
}

/* one staging per thread: a second analytics' samples are evaluated at once */
static void staged_one_per_thread(void **state)
{
	struct fx *x = fx_new(NOANOM), *y = fx_new(NOANOM);
	struct analytics_counters c;

	(void)state;
	analytics_stage_begin(x->an);
	analytics_stage_begin(y->an);
	analytics_sample(x->an, 1, S, 1);
	analytics_sample(y->an, 1, S, 1);
	analytics_get_counters(y->an, &c);
	assert_int_equal(c.samples, 1);
	analytics_get_counters(x->an, &c);
	assert_int_equal(c.samples, 0);
	analytics_stage_end(y->an);
	analytics_stage_end(x->an);
	analytics_get_counters(x->an, &c);
	assert_int_equal(c.samples, 1);
	/* after the end: a lock each again */
	analytics_sample(x->an, 1, 2 * S, 1);
	analytics_get_counters(x->an, &c);
	assert_int_equal(c.samples, 2);
	fx_free(x);
	fx_free(y);
}

static void expect_error(const char *rules, const char *want)
{
	struct analytics *an = analytics_new(NULL);
	char err[256] = "";
	struct conf *c;

	analytics_add_signal(an, 1, "temp");
	analytics_add_signal(an, 2, "count");
	c = conf_parse(rules, strlen(rules), "r.conf", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(analytics_load_rules(an, c, err, sizeof(err)), -1);
	if (strcmp(err, want))
		fail_msg("got '%s', want '%s'", err, want);
	assert_int_equal(analytics_rule_count(an), 0);
	conf_free(c);
	analytics_free(an);
}

static void on_device(struct fx *f, uint32_t sig, const char *spec,
		      const char *kind, const char *label, uint32_t vendor)
{
	struct analytics_dev d = { .spec = spec, .seen = kind != NULL,
				   .kind = kind, .label = label,
				   .has_vendor = vendor != 0, .vendor = vendor };

	analytics_signal_device(f->an, sig, &d);
}

/*
 * A rule on a group of devices: each signal it names on a device of the
 * group is an instance of its own; a device joins when it is seen (or
 * relabelled into the group) and its instance clears when it leaves.
 */
static void group_of_devices(void **state)
{
	struct fx *f = fx_new(NOANOM "[group.presses]\nkind = pn-device\n"
			      "label = press-*\n"
			      "[rule.hot]\nkind = threshold\nsignal = *\n"
			      "group = presses\nabove = 50\n");

	(void)state;
	on_device(f, 1, "pn:press-1", "pn-device", "press-1", 0x2a);
	on_device(f, 2, "pn:oven-1", "pn-device", "oven-1", 0x2a);
	on_device(f, 3, "pn:press-9", NULL, NULL, 0);	/* not seen yet */
	at(f, 1, 1, 60);
	at(f, 2, 1, 60);
	at(f, 3, 1, 60);
	assert_string_equal(f->log, "raised threshold@1.0 warning");
	on_device(f, 2, "pn:oven-1", "pn-device", "press-2", 0x2a);
	on_device(f, 3, "pn:press-9", "pn-device", "press-9", 0x2a);
	at(f, 2, 2, 60);
	at(f, 3, 2, 60);
	on_device(f, 1, "pn:press-1", "pn-device", "lathe-1", 0x2a);
	at(f, 1, 3, 60);
	tick(f, 4);
	assert_string_equal(f->log, "raised threshold@1.0 warning, "
			    "raised threshold@2.0 warning, "
			    "raised threshold@2.0 warning, "
			    "cleared threshold@3.0 warning");
	fx_free(f);
}

/*
 * The signals of one device share one copy of its description: a new
 * label given through one signal moves that signal alone (the copy the
 * others hold is never changed under them), and the last to leave a
 * description frees it (ASan: no leak, no use after free).
 */
static void group_device_shared_by_signals(void **state)
{
	struct fx *f = fx_new(NOANOM "[group.presses]\nlabel = press-*\n"
			      "[rule.hot]\nkind = threshold\nsignal = *\n"
			      "group = presses\nabove = 50\n");

	(void)state;
	on_device(f, 1, "pn:press-1", "pn-device", "press-1", 0x2a);
	on_device(f, 2, "pn:press-1", "pn-device", "press-1", 0x2a);
	at(f, 1, 1, 60);
	at(f, 2, 1, 60);
	on_device(f, 1, "pn:press-1", "pn-device", "lathe-1", 0x2a);
	on_device(f, 1, "pn:press-1", "pn-device", "lathe-1", 0x2a);
	at(f, 1, 2, 60);
	at(f, 2, 2, 60);
	tick(f, 3);
	assert_string_equal(f->log, "raised threshold@1.0 warning, "
			    "raised threshold@1.0 warning, "
			    "cleared threshold@2.0 warning");
	on_device(f, 2, "pn:press-1", "pn-device", "lathe-1", 0x2a);
	at(f, 2, 4, 60);
	tick(f, 5);
	assert_string_equal(f->log, "raised threshold@1.0 warning, "
			    "raised threshold@1.0 warning, "
			    "cleared threshold@2.0 warning, "
			    "cleared threshold@4.0 warning");
	fx_free(f);
}

/* Inline device_* keys; vendor and the map's DEVICE; stale on the tick. */
static void group_inline_keys(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.quiet]\nkind = stale\n"
			      "signal = temp count state\nafter = 5s\n"
			      "device_vendor = 0x2a 0x10\ndevice = pn:a*\n");

	(void)state;
	on_device(f, 1, "pn:a1", "pn-device", "a1", 0x2a);
	on_device(f, 2, "pn:a2", "ecat-slave", "a2", 0x99);
	on_device(f, 3, "pn:b1", "pn-device", "b1", 0x10);
	tick(f, 1);
	tick(f, 7);
	assert_string_equal(f->log, "raised stale@7.0 warning");
	fx_free(f);
}

static void group_errors(void **state)
{
	(void)state;
	expect_error("[rule.a]\nkind = threshold\nsignal = temp\nabove = 1\n"
		     "group = nope\n",
		     "r.conf:5: rule.a.group: no group named 'nope' "
		     "([group.NAME] in the rules file)");
	expect_error("[group.g]\nkind = plc\n[rule.a]\nkind = threshold\n"
		     "signal = temp\nabove = 1\ngroup = g\n",
		     "r.conf:2: group.g.kind: 'plc' is not ecat-master, "
		     "ecat-slave, pn-controller or pn-device");
	expect_error("[group.g]\nvendor = 0x2a siemens\n",
		     "r.conf:2: group.g.vendor: 'siemens' is not a vendor "
		     "ID (e.g. 0x002a)");
	expect_error("[group.g]\ncolour = red\n",
		     "r.conf:2: unknown key 'colour' in [group.g]");
	expect_error("[rule.a]\nkind = expr\nexpr = temp > 1\n"
		     "device_kind = pn-device\n",
		     "r.conf:4: rule.a.device_kind: an expression names its "
		     "signals itself; groups are for rules on signals");
	expect_error("[group.g]\nkind = pn-device\n[rule.a]\nkind = stale\n"
		     "signal = temp\nafter = 1\ngroup = g\ndevice = pn:x\n",
		     "r.conf:7: rule.a.group: either a group or the device "
		     "keys, not both");
}

/*
 * The band's history: a row once the profile judges, none while the band
 * stays put, one when it has moved (not sooner than BAND_MIN_MS) or aged
 * BAND_KEEP_MS; read back as the band in force at from, then the range.
 */
static void band_history(void **state)
{
	struct fx *f = fx_new("[anomaly]\nwarmup = 20\ntau = 1s\n"
			      "exclude = count state\n");
	struct band_row rows[8];
	sqlite3 *db;
	json_t *h;
	char *txt;
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		at(f, 1, 0.1 * i, 10 + (i % 2 ? 0.5 : -0.5));
	assert_int_equal(analytics_band_drain(f->an, rows, 8, 4000), 1);
	assert_string_equal(rows[0].signal, "temp");
	assert_true(rows[0].lo < 10 && rows[0].hi > 10);
	for (i = 40; i < 60; i++)
		at(f, 1, 0.1 * i, 10 + (i % 2 ? 0.5 : -0.5));
	assert_int_equal(analytics_band_drain(f->an, rows, 8, 20000), 0);
	assert_int_equal(analytics_band_drain(f->an, rows, 8,
					      4000 + BAND_KEEP_MS), 1);
	/* a slow rise the profile follows: the band moves */
	for (i = 60; i < 200; i++)
		at(f, 1, 0.1 * i, 10 + 0.02 * (i - 60) +
		   (i % 2 ? 0.5 : -0.5));
	assert_int_equal(analytics_band_drain(f->an, rows, 8,
					      4000 + BAND_KEEP_MS + 1000), 0);
	assert_int_equal(analytics_band_drain(f->an, rows, 8,
				4000 + BAND_KEEP_MS + BAND_MIN_MS), 1);
	assert_true(rows[0].lo > 10 - 3);

	assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, band_db_schema, NULL, NULL, NULL),
			 SQLITE_OK);
	{
		struct band_row r[3] = {
			{ "temp", 1000, 10, 9, 11 }, { "temp", 5000, 12, 11, 13 },
			{ "temp", 9000, 14, 13, 15 },
		};

		assert_int_equal(band_db_write(db, r, 3, 9000, 0), 0);
	}
	h = band_db_query(db, "temp", 6000, 20000);
	txt = json_dumps(h, JSON_COMPACT | JSON_REAL_PRECISION(6));
	assert_string_equal(txt, "[[5000,11.0,13.0,12.0],[9000,13.0,15.0,14.0]]");
	free(txt);
	json_decref(h);
	h = band_db_query(db, "level", 0, 20000);
	assert_int_equal(json_array_size(h), 0);
	json_decref(h);
	sqlite3_close(db);
	fx_free(f);
}

/* The API's "signal": [] became 'signal = ""', taken as a rule on nothing. */
static void test_empty_signal_list_refused(void **state)
{
	(void)state;
	expect_error("[rule.a]\nkind = threshold\nsignal = \"\"\nabove = 1\n",
		     "r.conf:3: rule.a: 'signal' is required");
	expect_error("[rule.a]\nkind = stale\nsignal = , \nafter = 1\n",
		     "r.conf:3: rule.a: 'signal' is required");
}

static void file_errors(void **state)
{
	(void)state;
	expect_error("[rule.a]\nkind = threshold\nsignal = nope\nabove = 1\n",
		     "r.conf:3: rule.a.signal: no signal named 'nope'");
	expect_error("[rule.a]\nkind = threshold\nsignal = x*\nabove = 1\n",
		     "r.conf:3: rule.a.signal: no signal matches 'x*'");
	expect_error("[rule.a]\nkind = expr\nexpr = temp > 80 and (count\n",
		     "r.conf:3: rule.a.expr: column 21: expected ')', got "
		     "the end");
	expect_error("[rule.a]\nkind = expr\nexpr = tmp > 80\n",
		     "r.conf:3: rule.a.expr: column 1: no signal named 'tmp'");
	expect_error("[rule.a]\nkind = hot\n",
		     "r.conf:2: rule.a.kind: 'hot' is not threshold, rate, "
		     "stale, stuck, range, state_held or expr");
	expect_error("[rule.a]\nkind = stuck\nsignal = temp\nafter = 2s\n"
		     "above = 3\n",
		     "r.conf:5: rule.a.above: not a key of a stuck rule "
		     "(after tolerance )");
	expect_error("[rule.a]\nkind = stale\nsignal = temp\n",
		     "r.conf:2: rule.a: 'after' is required for this kind");
	expect_error("[rule.a]\nkind = threshold\nsignal = temp\nabove = hot\n",
		     "r.conf:4: rule.a.above: 'hot' is not a number");
	expect_error("[rule.a]\nkind = threshold\nsignal = temp\nabove = 1\n"
		     "below = 0\n",
		     "r.conf:2: rule.a: give one of 'above' and 'below'");
	expect_error("[rule.a]\nkind = threshold\nsignal = temp\nabove = 1\n"
		     "escalate = soon\n",
		     "r.conf:5: rule.a.escalate: expected 'DURATION "
		     "SEVERITY' (60s critical)");
	expect_error("[rule.a]\nkind = threshold\nsignal = temp\nabove = 1\n"
		     "severity = loud\n",
		     "r.conf:5: rule.a.severity: 'loud' is not info, warning "
		     "or critical");
	expect_error("[rules]\nx = 1\n",
		     "r.conf:2: [rules]: not a section of a rules file "
		     "([rule.NAME], [group.NAME], [anomaly])");
	expect_error("[rule.a]\nkind = stale\nsignal = temp\nafter = 1s\n"
		     "[anomaly]\nenable = true\n[rule.a]\nkind = stale\n",
		     "r.conf:8: [rule.a]: a second section of that name");
	expect_error("[anomaly]\nband = 1\n",
		     "r.conf:2: anomaly.band: 2..100 sigma");
}

static void reload_clears(void **state)
{
	struct fx *f = fx_new(NOANOM "[rule.hot]\nkind = threshold\n"
			      "signal = temp\nabove = 80\n");
	const char *r2 = NOANOM;
	char err[256];
	struct conf *c;

	(void)state;
	at(f, 1, 1, 90);
	c = conf_parse(r2, strlen(r2), "r2.conf", err, sizeof(err));
	assert_int_equal(analytics_load_rules(f->an, c, err, sizeof(err)), 0);
	conf_free(c);
	collect(f);
	at(f, 1, 2, 95);
	assert_string_equal(f->log, "raised threshold@1.0 warning, "
			    "cleared threshold@1.0 warning");
	fx_free(f);
}

/* ---- expressions ----------------------------------------------------- */

static const char *const xnames[] = { "a", "b", "c" };

static uint32_t xresolve(void *arg, const char *name, size_t len)
{
	size_t i;

	(void)arg;
	for (i = 0; i < 3; i++)
		if (strlen(xnames[i]) == len && !memcmp(xnames[i], name, len))
			return (uint32_t)i + 1;
	return 0;
}

/* a = 2 (changed at 1 s), b = -3 (changed at 5 s), c never sampled */
static const struct expr_sigval *xget(void *arg, uint32_t id)
{
	static const struct expr_sigval v[4] = {
		{ 0, 0, 0 }, { 2, 9 * S, 1 * S }, { -3, 9 * S, 5 * S },
		{ NAN, 0, 0 },
	};

	(void)arg;
	return id < 4 ? &v[id] : NULL;
}

static double xeval(const char *src)
{
	struct expr e;
	char err[128];

	if (expr_compile(&e, src, xresolve, NULL, err, sizeof(err)))
		fail_msg("%s: %s", src, err);
	return expr_eval(&e, 10 * S, xget, NULL);
}

static void xerr(const char *src, const char *want)
{
	struct expr e;
	char err[128];

	assert_int_equal(expr_compile(&e, src, xresolve, NULL, err,
				      sizeof(err)), -1);
	if (strcmp(err, want))
		fail_msg("%s: got '%s', want '%s'", src, err, want);
}

static void expr_values(void **state)
{
	(void)state;
	assert_true(xeval("1 + 2 * 3") == 7);
	assert_true(xeval("(1 + 2) * 3") == 9);
	assert_true(xeval("-a - -b") == -5);
	assert_true(xeval("10 - 4 - 3") == 3);
	assert_true(xeval("8 / 2 / 2") == 2);
	assert_true(xeval("a > 1 and b < 0") == 1);
	assert_true(xeval("a > 1 and not b < 0") == 0);
	assert_true(xeval("a > 5 or b <= -3") == 1);
	assert_true(xeval("not a == 2 or a != 2") == 0);
	assert_true(xeval("abs(b) == 3") == 1);
	assert_true(xeval("min(a, b) + max(a, b)") == -1);
	assert_true(xeval("unchanged(a, 9s)") == 1);
	assert_true(xeval("unchanged(a, 9.5s)") == 0);
	assert_true(xeval("unchanged(b, 4500ms) and unchanged(b, 1m) == 0")
		    == 1);
	assert_true(xeval("age(a) == 1") == 1);
	assert_true(xeval("2h == 7200") == 1);
	assert_true(xeval("1.5e1 == 15") == 1);
	/* never sampled: NaN, no comparison holds */
	assert_true(isnan(xeval("c + 1")));
	assert_true(xeval("c > 0 or c <= 0") == 0);
	assert_true(xeval("c != 1") == 0);
	assert_true(xeval("unchanged(c, 0s)") == 0);
	assert_true(isnan(xeval("a / 0")));
}

static void expr_errors(void **state)
{
	char deep[128], longx[EXPR_MAX_LEN + 8], many[600];
	size_t i;

	(void)state;
	xerr("", "column 1: unexpected end of the expression");
	xerr("a >", "column 4: unexpected end of the expression");
	xerr("a > > 1", "column 5: expected a value, got '>'");
	xerr("(a > 1", "column 7: expected ')', got the end");
	xerr("a > 1)", "column 6: unexpected ')'");
	xerr("a and and b", "column 7: expected a value, got 'and'");
	xerr("d > 1", "column 1: no signal named 'd'");
	xerr("foo(a)", "column 1: unknown function 'foo' (unchanged, age, "
	     "abs, min, max)");
	xerr("unchanged(a)", "column 12: expected ','");
	xerr("unchanged(a, b)", "column 14: expected a duration (60s)");
	xerr("unchanged(1, 2s)", "column 11: expected a signal name");
	xerr("a > 1x", "column 6: unknown unit after a number (ms, s, m, h)");
	xerr("a > 1.2.3", "column 5: bad number '1.2.3'");
	xerr("a # 1", "column 3: unexpected '# 1'");
	xerr("`a", "column 1: unterminated `name`");
	for (i = 0; i < 40; i++)
		deep[i] = '(';
	snprintf(deep + 40, sizeof(deep) - 40, "a");
	xerr(deep, "column 6: nested deeper than 16");
	memset(longx, ' ', sizeof(longx) - 1);
	longx[sizeof(longx) - 1] = '\0';
	xerr(longx, "column 513: longer than 512 bytes");
	many[0] = '\0';
	for (i = 0; i < 40; i++)
		strcat(many, i ? " + 1" : "1");
	xerr(many, "column 131: expression too long (more than 64 "
	     "operations)");
}

/* ---- anomalies ------------------------------------------------------- */

static uint64_t rng = 88172645463325252ULL;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double gauss(void)
{
	double s = 0;
	int i;

	for (i = 0; i < 12; i++)
		s += urand();
	return s - 6;
}

/* Samples at 10 Hz for secs; the first finding's time in s, or -1. */
static double first_finding(double secs, double (*val)(double t),
			    struct anomaly_finding *out)
{
	struct anomaly_opts o;
	struct anomaly a;
	struct anomaly_finding f;
	uint64_t i, n = (uint64_t)(secs * 10);

	anomaly_opts_default(&o);
	anomaly_init(&a, &o);
	for (i = 0; i < n; i++) {
		double t = (double)i / 10;

		if (anomaly_sample(&a, &o, i * S / 10, val(t), &f)) {
			if (out)
				*out = f;
			return t;
		}
	}
	return -1;
}

static double v_noise(double t)
{
	(void)t;
	return 50 + gauss();
}

static double v_sine(double t)
{
	return 20 + 5 * sin(t * 2 * M_PI / 20);
}

static double v_slow_sine(double t)
{
	return 20 + 5 * sin(t * 2 * M_PI / 900) + 0.1 * gauss();
}

static double v_counter(double t)
{
	return floor(t * 10);
}

static double v_step(double t)
{
	return 50 + gauss() + (t >= 300 ? 8 : 0);
}

static double v_small_step(double t)
{
	return 50 + gauss() + (t >= 300 ? 3 : 0);
}

static double v_drift(double t)
{
	return 50 + gauss() + (t >= 300 ? (t - 300) * 0.05 : 0);
}

/* the simulator's "noise" anomaly: sigma grows by 0.05 per second */
static double v_growing_noise(double t)
{
	return 50 + gauss() * (1 + (t >= 300 ? (t - 300) * 0.05 : 0));
}

static void anomaly_quiet(void **state)
{
	(void)state;
	/* an hour of each normal shape: nothing */
	assert_true(first_finding(3600, v_noise, NULL) < 0);
	assert_true(first_finding(3600, v_sine, NULL) < 0);
	assert_true(first_finding(3600, v_slow_sine, NULL) < 0);
	assert_true(first_finding(3600, v_counter, NULL) < 0);
}

static void anomaly_found(void **state)
{
	struct anomaly_finding f;
	double t;

	(void)state;
	t = first_finding(600, v_step, &f);
	assert_true(t >= 300 && t <= 300.3);
	assert_int_equal(f.kind, ANOMALY_OUTSIDE);
	assert_true(f.mean > 49 && f.mean < 51);
	assert_true(f.sigma > 0.8 && f.sigma < 1.2);
	assert_true(f.value > f.hi);
	/* growing noise: found within 120 s (here 80 s: sigma 5 times) */
	t = first_finding(600, v_growing_noise, &f);
	assert_true(t >= 300 && t <= 420);
	/* a 3 sigma step: CUSUM within 3 s */
	t = first_finding(600, v_small_step, &f);
	assert_true(t >= 300 && t <= 303);
	assert_int_equal(f.kind, ANOMALY_SHIFT_UP);
	/* a drift of 0.05 sigma per s: within 150 s */
	t = first_finding(900, v_drift, &f);
	assert_true(t >= 300 && t <= 450);
	assert_int_equal(f.kind, ANOMALY_SHIFT_UP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(threshold_hysteresis),
		cmocka_unit_test(threshold_below),
		cmocka_unit_test(threshold_delays),
		cmocka_unit_test(escalation),
		cmocka_unit_test(rate),
		cmocka_unit_test(rate_after_clock_step_back),
		cmocka_unit_test(stale),
		cmocka_unit_test(stale_never_seen),
		cmocka_unit_test(stuck),
		cmocka_unit_test(range),
		cmocka_unit_test(state_held),
		cmocka_unit_test(expression),
		cmocka_unit_test(one_alert_per_signal),
		cmocka_unit_test(staged_as_unstaged),
		cmocka_unit_test(staged_one_per_thread),
		cmocka_unit_test(file_errors),
		cmocka_unit_test(test_empty_signal_list_refused),
		cmocka_unit_test(group_of_devices),
		cmocka_unit_test(group_device_shared_by_signals),
		cmocka_unit_test(group_inline_keys),
		cmocka_unit_test(group_errors),
		cmocka_unit_test(band_history),
		cmocka_unit_test(reload_clears),
		cmocka_unit_test(expr_values),
		cmocka_unit_test(expr_errors),
		cmocka_unit_test(anomaly_quiet),
		cmocka_unit_test(anomaly_found),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
