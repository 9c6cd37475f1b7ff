/*
 * OEE arithmetic and the machine state machine: the formulas and their
 * edges (no planned time, nothing run, nothing made, more rejects than
 * parts), counters that wrap or are reset, stalls found from the count,
 * shifts split at their end, the reasons file, and a machine like the
 * simulator's whose OEE is known to 0.1 percentage points.
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

#include "analytics/oee.h"
#include "core/conf.h"

#define S 1000000000ULL
#define MS 1000000ULL

static void ratios_standard(void **st)
{
	struct oee_acc a;
	struct oee_ratios r;

	(void)st;
	memset(&a, 0, sizeof(a));
	/* 8 h shift, 30 min planned break, 60 min down, 1 s ideal */
	a.ns[OEE_PLANNED] = 1800 * S;
	a.ns[OEE_DOWN] = 3600 * S;
	a.ns[OEE_RUNNING] = (8 * 3600 - 1800 - 3600) * S;
	a.count = 19000;
	a.reject = 380;
	oee_ratios(&a, 1 * S, &r);
	assert_int_equal(r.planned_ns, (8 * 3600 - 1800) * S);
	assert_float_equal(r.availability, 23400.0 / 27000, 1e-12);
	assert_float_equal(r.performance, 19000.0 / 23400, 1e-12);
	assert_float_equal(r.quality, 18620.0 / 19000, 1e-12);
	assert_float_equal(r.oee, r.availability * r.performance * r.quality,
			   1e-12);
}

static void ratios_edges(void **st)
{
	struct oee_acc a;
	struct oee_ratios r;

	(void)st;
	memset(&a, 0, sizeof(a));
	/* a shift all planned stop: nothing is defined */
	a.ns[OEE_PLANNED] = 3600 * S;
	oee_ratios(&a, S, &r);
	assert_int_equal(r.planned_ns, 0);
	assert_true(isnan(r.availability) && isnan(r.performance) &&
		    isnan(r.quality) && isnan(r.oee));
	/* down all the time: availability 0, OEE 0, P and Q undefined */
	memset(&a, 0, sizeof(a));
	a.ns[OEE_DOWN] = 3600 * S;
	oee_ratios(&a, S, &r);
	assert_float_equal(r.availability, 0, 0);
	assert_true(isnan(r.performance) && isnan(r.quality));
	assert_float_equal(r.oee, 0, 0);
	/* running but nothing made: P 0, Q undefined, OEE 0 */
	memset(&a, 0, sizeof(a));
	a.ns[OEE_RUNNING] = 60 * S;
	oee_ratios(&a, S, &r);
	assert_float_equal(r.availability, 1, 0);
	assert_float_equal(r.performance, 0, 0);
	assert_true(isnan(r.quality));
	assert_float_equal(r.oee, 0, 0);
	/* more rejects than parts (a reject counter ahead): quality 0 */
	a.count = 10;
	a.reject = 12;
	oee_ratios(&a, S, &r);
	assert_float_equal(r.quality, 0, 0);
	assert_float_equal(r.oee, 0, 0);
	/* faster than ideal: performance above 1 is reported as it is */
	a.count = 90;
	a.reject = 0;
	oee_ratios(&a, S, &r);
	assert_float_equal(r.performance, 1.5, 1e-12);
}

static void counters(void **st)
{
	(void)st;
	assert_int_equal(oee_counter_delta(10, 15, 0), 5);
	assert_int_equal(oee_counter_delta(10, 10, 65536), 0);
	/* a 16-bit counter going round */
	assert_int_equal(oee_counter_delta(65530, 4, 65536), 10);
	/* reset to 0 and counted 3 since: not a wrap (small drop) */
	assert_int_equal(oee_counter_delta(1000, 3, 65536), 3);
	/* without a known modulus every drop is a reset */
	assert_int_equal(oee_counter_delta(4294967290ULL, 5, 0), 5);
	assert_int_equal(oee_counter_delta(4294967290ULL, 5, 4294967296ULL),
			 11);
}

/* signals: 1 state, 2 count, 3 reject, 4 good */
static uint32_t sig3(void *arg, const char *name)
{
	(void)arg;
	return !strcmp(name, "st") ? 1 : !strcmp(name, "cnt") ? 2 :
	       !strcmp(name, "rej") ? 3 : !strcmp(name, "good") ? 4 : 0;
}

static struct oee *load(const char *text, char *err, size_t errlen)
{
	struct oee *o = calloc(1, sizeof(*o));
	struct conf *c = conf_parse(text, strlen(text), "oee", err, errlen);

	assert_non_null(c);
	if (oee_parse(o, c, sig3, NULL, err, errlen)) {
		free(o);
		o = NULL;
	}
	conf_free(c);
	return o;
}

static const char mach[] =
	"[shift.all]\nstart = 00:00\nend = 00:00\n"
	"[machine.m]\nstate = st\nrunning = 1\nidle = 2\ndown = 3\n"
	"planned = 4\ncount = cnt\nreject = rej\nideal_cycle = 400ms\n";

static void conf_errors(void **st)
{
	char err[256];

	(void)st;
	assert_null(load("[machine.m]\nstate = st\nrunning = 1\ncount = nope\n"
			 "ideal_cycle = 1s\n", err, sizeof(err)));
	assert_string_equal(err, "oee:4: machine.m.count: no signal named "
			    "'nope'");
	assert_null(load("[machine.m]\ncount = cnt\n", err, sizeof(err)));
	assert_string_equal(err, "oee: machine.m: 'ideal_cycle' is required");
	assert_null(load("[shift.a]\nstart = 25:00\nend = 06:00\n", err,
			 sizeof(err)));
	assert_string_equal(err, "oee:2: shift.a.start: '25:00' is not HH:MM");
	assert_null(load("[oee]\nred = 90\ngreen = 80\n", err, sizeof(err)));
	assert_null(load("[line.x]\na = 1\n", err, sizeof(err)));
}

/*
 * The simulator's machine (sim/values.c): a 10 s period, running 75%,
 * down 15%, planned stop 10%; a part every 0.5 s while running, one in 5
 * a reject; ideal cycle 0.4 s.  Sampled every 10 ms like the capture.
 */
static void feed_sim(struct oee *o, uint64_t t0, uint64_t dur)
{
	uint64_t t;

	for (t = 0; t <= dur; t += 10 * MS) {
		uint64_t per = 10 * S, ph = t % per;
		double parts = (double)(t / per) * 15 +
			floor((double)(ph < 7500 * MS ? ph : 7500 * MS) / 5e8);

		oee_sample(o, 1, t0 + t, ph < 7500 * MS ? 1 :
			   ph < 9000 * MS ? 3 : 4);
		oee_sample(o, 2, t0 + t, parts);
		oee_sample(o, 3, t0 + t, floor(parts / 5));
	}
}

static void ground_truth(void **st)
{
	char err[256];
	struct oee *o = load(mach, err, sizeof(err));
	struct oee_ratios r;
	uint64_t t0 = 1767225600ULL * S;	/* 2026-01-01 00:00 UTC */

	(void)st;
	assert_non_null(o);
	feed_sim(o, t0, 600 * S);	/* 60 periods */
	oee_advance(o, t0 + 600 * S);
	oee_ratios(&o->m[0].acc, o->m[0].cfg.ideal_ns, &r);
	/* truth: A 7.5/9, P 0.4 x 15 / 7.5, Q 12/15 */
	assert_float_equal(r.availability * 100, 7.5 / 9 * 100, 0.1);
	assert_float_equal(r.performance * 100, 80, 0.1);
	assert_float_equal(r.quality * 100, 80, 0.1);
	assert_float_equal(r.oee * 100, 7.5 / 9 * 0.8 * 0.8 * 100, 0.1);
	/* one unplanned stop per period, none found by stalling */
	assert_int_equal(o->nstops, 120);	/* opened and closed */
	assert_int_equal(o->stops[0].state, OEE_DOWN);
	assert_int_equal(o->stops[0].auto_detected, 0);
	assert_int_equal(o->stops[1].closed, 1);
	assert_int_equal(o->stops[1].end_ns - o->stops[1].start_ns,
			 1500 * MS);
	free(o);
}

static void stall_found(void **st)
{
	char err[256];
	struct oee *o = load(mach, err, sizeof(err));
	uint64_t t0 = 1767225600ULL * S, t;

	(void)st;
	assert_non_null(o);
	/* running and counting every 0.5 s for 10 s, then the count stops
	 * while the state still says running */
	for (t = 0; t <= 20 * S; t += 100 * MS) {
		oee_sample(o, 1, t0 + t, 1);
		oee_sample(o, 2, t0 + t, t <= 10 * S ? (double)(t / (500 * MS)) :
			   20);
	}
	/* stop_after = 5 x 0.4 s: down from the last count (10 s) on */
	assert_int_equal(o->m[0].state, OEE_DOWN);
	assert_true(o->m[0].stalled);
	assert_int_equal(o->m[0].acc.ns[OEE_RUNNING], 10 * S);
	assert_int_equal(o->m[0].acc.ns[OEE_DOWN], 10 * S);
	assert_int_equal(o->nstops, 1);
	assert_int_equal(o->stops[0].auto_detected, 1);
	assert_int_equal(o->stops[0].start_ns, t0 + 10 * S);
	/* counting again: running, the stop closed */
	oee_sample(o, 2, t0 + 21 * S, 21);
	assert_int_equal(o->m[0].state, OEE_RUNNING);
	assert_int_equal(o->nstops, 2);
	assert_int_equal(o->stops[1].end_ns, t0 + 21 * S);
	free(o);
}

static void shifts_split(void **st)
{
	static const char text[] =
		"[shift.early]\nstart = 06:00\nend = 14:00\n"
		"[shift.night]\nstart = 22:00\nend = 06:00\n"
		"[machine.m]\ncount = cnt\nideal_cycle = 1s\n";
	char err[256];
	struct oee *o = load(text, err, sizeof(err));
	uint64_t t0 = 1767225600ULL * S, s, e;	/* 00:00 UTC */

	(void)st;
	assert_non_null(o);
	/* 00:00 is in the night shift begun yesterday at 22:00 */
	assert_int_equal(oee_shift_at(o, t0, &s, &e), 1);
	assert_int_equal(s, t0 - 2 * 3600 * S);
	assert_int_equal(e, t0 + 6 * 3600 * S);
	assert_int_equal(oee_shift_at(o, t0 + 7 * 3600 * S, &s, &e), 0);
	assert_int_equal(oee_shift_at(o, t0 + 15 * 3600 * S, &s, &e), -1);
	/* counting across 06:00: the night's figures close at 06:00 */
	oee_sample(o, 2, t0 + 5 * 3600 * S, 0);
	oee_sample(o, 2, t0 + 5 * 3600 * S + 1 * S, 1);
	oee_sample(o, 2, t0 + 6 * 3600 * S + 1 * S, 2);
	assert_int_equal(o->ndone, 1);
	assert_int_equal(o->done[0].shift, 1);
	assert_int_equal(o->done[0].end_ns, t0 + 6 * 3600 * S);
	assert_int_equal(o->m[0].shift, 0);
	assert_int_equal(o->m[0].shift_start_ns, t0 + 6 * 3600 * S);
	/* no reasons in the file: the default list */
	assert_true(oee_reason_find(o, "JAM") >= 0);
	assert_int_equal(oee_reason_find(o, "NOPE"), -1);
	free(o);
}

static void counter_wrap_in_machine(void **st)
{
	static const char text[] =
		"[machine.m]\ncount = cnt\nideal_cycle = 1s\nwrap = 65536\n";
	char err[256];
	struct oee *o = load(text, err, sizeof(err));
	uint64_t t0 = 1767225600ULL * S;

	(void)st;
	assert_non_null(o);
	oee_sample(o, 2, t0, 65534);
	oee_sample(o, 2, t0 + S, 65535);
	oee_sample(o, 2, t0 + 2 * S, 1);	/* wrapped: +2 */
	oee_sample(o, 2, t0 + 3 * S, 0);	/* a reset? no: a small drop
						 * is a reset: +0 */
	oee_sample(o, 2, t0 + 4 * S, 1);
	assert_int_equal(o->m[0].acc.count, 1 + 2 + 0 + 1);
	free(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ratios_standard),
		cmocka_unit_test(ratios_edges),
		cmocka_unit_test(counters),
		cmocka_unit_test(conf_errors),
		cmocka_unit_test(ground_truth),
		cmocka_unit_test(stall_found),
		cmocka_unit_test(shifts_split),
		cmocka_unit_test(counter_wrap_in_machine),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
