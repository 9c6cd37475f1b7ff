/* Units of capture's threading: the drain-gap probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "capture/probe.h"

#define MS 1000000ULL

/* records left behind by a full batch waited since that turn ended */
static void probe_backlog(void **state)
{
	struct probe p = { 0 };

	(void)state;
	/* the loop last woke before the turn ended; 7 ms later the next */
	probe_turn(&p, 100 * MS, 99 * MS, 107 * MS);
	assert_int_equal(p.turns, 1);
	assert_int_equal(p.max_ns, 7 * MS);
	assert_int_equal(p.hist[6], 1);		/* ≤ 10 ms */
}

/* a ring idle for a second: the gap counts from the loop's wakeup */
static void probe_idle_ring(void **state)
{
	struct probe p = { 0 };

	(void)state;
	probe_turn(&p, 100 * MS, 1100 * MS, 1100 * MS + 20000);
	assert_int_equal(p.turns, 1);
	assert_int_equal(p.max_ns, 20000);
	assert_int_equal(p.hist[0], 1);
}

/* a ring's first turn is not measured */
static void probe_first_turn(void **state)
{
	struct probe p = { 0 };

	(void)state;
	probe_turn(&p, 0, 5 * MS, 7 * MS);
	assert_int_equal(p.turns, 0);
}

static void probe_json_buckets(void **state)
{
	struct probe p = { 0 };
	json_t *o;

	(void)state;
	probe_add(&p, 60 * 1000, 100000 * MS);		/* 60 µs */
	probe_add(&p, 2 * MS, 100000 * MS);
	probe_add(&p, 5 * MS, 100500 * MS);
	probe_add(&p, 20ULL * 1000 * MS, 101000 * MS);	/* 20 s */
	o = probe_json(&p, 101000 * MS);
	assert_int_equal(json_integer_value(json_object_get(o, "turns")), 4);
	assert_int_equal(json_integer_value(json_object_get(o, "max_us")),
			 20000000);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(o, "hist"), "le_100us")), 1);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(o, "hist"), "le_2500us")), 1);
	/* per second: the one before now held 2 ms and 5 ms, now 20 s */
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(o, "max_us_last_s"), 58)), 5000);
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(o, "max_us_last_s"), 59)), 20000000);
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(o, "max_us_last_s"), 0)), 0);
	assert_int_equal(json_integer_value(json_object_get(
		json_object_get(o, "hist"), "gt_10s")), 1);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(probe_backlog),
		cmocka_unit_test(probe_idle_ring),
		cmocka_unit_test(probe_first_turn),
		cmocka_unit_test(probe_json_buckets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
