/* Modbus points, orders, coalescing and the [modbus] configuration
 * (daemon/south/mbpoint.c, mbplan.c, mbconf.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/conf.h"
#include "south/mbconf.h"
#include "south/mbpoint.h"

static struct mb_point pt(const char *line)
{
	struct mb_point p;
	char why[160];

	if (mb_point_parse(line, &p, why, sizeof(why)))
		fail_msg("%s: %s", line, why);
	return p;
}

static void decode_orders(void **state)
{
	/* 0x41200000 = 10.0f; 123456789 = 0x075BCD15 */
	static const uint16_t f_abcd[] = { 0x4120, 0x0000 };
	static const uint16_t f_cdab[] = { 0x0000, 0x4120 };
	static const uint16_t f_badc[] = { 0x2041, 0x0000 };
	static const uint16_t f_dcba[] = { 0x0000, 0x2041 };
	static const uint16_t u_abcd[] = { 0x075B, 0xCD15 };
	static const uint16_t u_cdab[] = { 0xCD15, 0x075B };
	/* 1.5 = 0x3FF8000000000000 */
	static const uint16_t d_abcd[] = { 0x3FF8, 0, 0, 0 };
	static const uint16_t d_cdab[] = { 0, 0, 0, 0x3FF8 };
	static const uint16_t d_dcba[] = { 0, 0, 0, 0xF83F };
	static const uint16_t d_perm[] = { 0, 0xF83F, 0, 0 };
	static const uint16_t i16[] = { 0xFFFE };
	static const uint16_t i16ba[] = { 0xFEFF };

	(void)state;
	assert_true(mb_decode_regs(&(struct mb_point){0}, i16) == 1);
	struct mb_point p = pt("x hr 0 f32");
	assert_true(mb_decode(&p, f_abcd, NULL) == 10.0);
	p = pt("x hr 0 f32 order=CDAB");
	assert_true(mb_decode(&p, f_cdab, NULL) == 10.0);
	p = pt("x hr 0 f32 order=badc");
	assert_true(mb_decode(&p, f_badc, NULL) == 10.0);
	p = pt("x hr 0 f32 order=DCBA");
	assert_true(mb_decode(&p, f_dcba, NULL) == 10.0);
	p = pt("x ir 0 u32");
	assert_true(mb_decode(&p, u_abcd, NULL) == 123456789.0);
	p = pt("x ir 0 i32 order=CDAB");
	assert_true(mb_decode(&p, u_cdab, NULL) == 123456789.0);
	p = pt("x hr 0 f64");
	assert_true(mb_decode(&p, d_abcd, NULL) == 1.5);
	p = pt("x hr 0 f64 order=CDAB");
	assert_true(mb_decode(&p, d_cdab, NULL) == 1.5);
	p = pt("x hr 0 f64 order=DCBA");
	assert_true(mb_decode(&p, d_dcba, NULL) == 1.5);
	/* any permutation: the value's top bytes in the second register */
	p = pt("x hr 0 f64 order=CDBAEFGH");
	assert_true(mb_decode(&p, d_perm, NULL) == 1.5);
	p = pt("x hr 0 i16 scale=0.5 offset=1");
	assert_true(mb_decode(&p, i16, NULL) == 0.0);
	p = pt("x hr 0 i16 order=BA");
	assert_true(mb_decode(&p, i16ba, NULL) == -2.0);
	p = pt("x hr 0 u16 order=DCBA");
	assert_true(mb_decode(&p, i16ba, NULL) == 65534.0);
	p = pt("x di 7");
	assert_true(mb_decode(&p, NULL, (const uint8_t[]){ 1 }) == 1.0);
}

static void encode_round_trips(void **state)
{
	static const char *const lines[] = {
		"a hr 0 u16", "a hr 0 i16 order=BA", "a hr 0 u32 order=CDAB",
		"a hr 0 i32 order=DCBA", "a hr 0 f32 order=BADC",
		"a hr 0 f64 order=GHEFCDAB", "a hr 0 i32 scale=0.1 offset=-5",
	};
	static const double vals[] = { 7, -300, 4000000000.0, -123456, 2.5,
				       -1e300, 12.3 };
	char why[160];
	uint16_t regs[4];
	uint8_t bit;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		struct mb_point p = pt(lines[i]);

		assert_int_equal(mb_encode(&p, vals[i], regs, &bit, why,
					   sizeof(why)), 0);
		assert_true(fabs(mb_decode(&p, regs, NULL) - vals[i]) < 1e-9 *
			    (fabs(vals[i]) + 1));
	}
	struct mb_point p = pt("a hr 0 u16");
	assert_int_equal(mb_encode(&p, 70000, regs, &bit, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "outside u16"));
	p = pt("a ir 0 u16");
	assert_int_equal(mb_encode(&p, 1, regs, &bit, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "read-only"));
	p = pt("a co 3");
	assert_int_equal(mb_encode(&p, 1, regs, &bit, why, sizeof(why)), 0);
	assert_int_equal(bit, 1);
	assert_int_equal(mb_encode(&p, 2, regs, &bit, why, sizeof(why)), -1);
}

static void point_errors(void **state)
{
	static const struct { const char *line, *why; } bad[] = {
		{ "x hr", "NAME AREA ADDRESS" },
		{ "x yy 1", "area 'yy'" },
		{ "x hr 65536", "address '65536'" },
		{ "x hr 65535 u32", "runs past address 65535" },
		{ "x hr 1 u8", "type 'u8'" },
		{ "x co 1 u16", "type bool" },
		{ "x hr 1 f32 order=ABC", "must have 4 letters" },
		{ "x hr 1 f32 order=AABC", "each of the letters A to D once" },
		{ "x hr 1 f64 order=ABCE", "not ABCD" },
		{ "x hr 1 every=50ms", "100ms to 1h" },
		{ "x hr 1 every=2h", "100ms to 1h" },
		{ "x hr 1 scale=0", "other than 0" },
		{ "x hr 1 color=red", "unknown option 'color'" },
		{ "x.y hr 1", "point name" },
	};
	struct mb_point p;
	char why[160];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(mb_point_parse(bad[i].line, &p, why,
						sizeof(why)), -1);
		if (!strstr(why, bad[i].why))
			fail_msg("%s: '%s' lacks '%s'", bad[i].line, why,
				 bad[i].why);
	}
	p = pt("t hr 40 f32 order=CDAB scale=0.1 unit=degC every=100ms");
	assert_int_equal(p.addr, 40);
	assert_string_equal(p.unit, "degC");
	assert_int_equal(p.every_ms, 100);
	assert_true(p.scale == 0.1);
}

static struct mb_plan plan_of(const struct mb_point *pts, size_t n,
			      unsigned int gap, unsigned int max_regs,
			      unsigned int max_bits)
{
	struct mb_plan_opts o = { gap, max_regs, max_bits };
	struct mb_plan plan;
	uint32_t sel[64];
	size_t i;

	for (i = 0; i < n; i++)
		sel[i] = (uint32_t)i;
	assert_int_equal(mb_plan_build(&plan, pts, sel, n, &o), 0);
	return plan;
}

static void coalesce_gap_and_limits(void **state)
{
	struct mb_point pts[8];
	struct mb_plan plan;

	(void)state;
	/* 0..1, 2 (adjacent), 6..7 (hole of 3), 200 (far) */
	pts[0] = pt("a hr 0 f32");
	pts[1] = pt("b hr 2 u16");
	pts[2] = pt("c hr 6 u32");
	pts[3] = pt("d hr 200 u16");
	pts[4] = pt("e ir 2 u16");	/* another area: its own read */
	plan = plan_of(pts, 5, 3, 125, 2000);
	assert_int_equal(plan.nreads, 3);
	assert_int_equal(plan.reads[0].area, MB_INPUT);
	assert_int_equal(plan.reads[1].start, 0);
	assert_int_equal(plan.reads[1].count, 8);
	assert_int_equal(plan.reads[1].n, 3);
	assert_int_equal(plan.reads[2].start, 200);
	assert_int_equal(plan.reads[2].count, 1);
	mb_plan_free(&plan);
	/* a gap of 2 no longer spans the hole of 3 */
	plan = plan_of(pts, 4, 2, 125, 2000);
	assert_int_equal(plan.nreads, 3);
	mb_plan_free(&plan);
	/* a gap of 200 joins all, but 201 registers exceed 125 */
	plan = plan_of(pts, 4, 200, 125, 2000);
	assert_int_equal(plan.nreads, 2);
	assert_int_equal(plan.reads[0].count, 8);
	mb_plan_free(&plan);
	/* a point never splits: f32 at 124 ends the read at 124 */
	pts[0] = pt("a hr 0 u16");
	pts[1] = pt("b hr 124 f32");
	plan = plan_of(pts, 2, 200, 125, 2000);
	assert_int_equal(plan.nreads, 2);
	assert_int_equal(plan.reads[1].start, 124);
	assert_int_equal(plan.reads[1].count, 2);
	mb_plan_free(&plan);
	/* bits: 2000 a read */
	pts[0] = pt("a co 0");
	pts[1] = pt("b co 1999");
	pts[2] = pt("c co 2000");
	plan = plan_of(pts, 3, 5000, 125, 2000);
	assert_int_equal(plan.nreads, 2);
	assert_int_equal(plan.reads[0].count, 2000);
	assert_int_equal(plan.reads[1].start, 2000);
	mb_plan_free(&plan);
	/* overlapping and duplicate points share one read */
	pts[0] = pt("a hr 10 u32");
	pts[1] = pt("b hr 11 u16");
	pts[2] = pt("c hr 10 u16");
	plan = plan_of(pts, 3, 0, 125, 2000);
	assert_int_equal(plan.nreads, 1);
	assert_int_equal(plan.reads[0].count, 2);
	assert_int_equal(plan.reads[0].n, 3);
	mb_plan_free(&plan);
}

/* 1000 consecutive registers: exactly ceil(1000 / 125) reads */
static void coalesce_fewest_reads(void **state)
{
	static struct mb_point pts[1000];
	static uint32_t sel[1000];
	struct mb_plan_opts o = { 0, 125, 2000 };
	struct mb_plan plan;
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		char l[64];

		snprintf(l, sizeof(l), "p%zu hr %zu", i, 999 - i);
		pts[i] = pt(l);
		sel[i] = (uint32_t)i;
	}
	assert_int_equal(mb_plan_build(&plan, pts, sel, 1000, &o), 0);
	assert_int_equal(plan.nreads, 8);
	for (i = 0; i < plan.nreads; i++) {
		assert_int_equal(plan.reads[i].start, i * 125);
		assert_int_equal(plan.reads[i].count, 125);
	}
	assert_int_equal(plan.nidx, 1000);
	mb_plan_free(&plan);
}

static int conf_err(const char *text, char *err, size_t errlen)
{
	struct conf *c = conf_parse(text, strlen(text), "t.conf", err, errlen);
	struct mb_conf mc;
	int rc;

	assert_non_null(c);
	rc = mb_conf_parse(c, &mc, err, errlen);
	if (!rc)
		mb_conf_free(&mc);
	conf_free(c);
	return rc;
}

static void conf_devices(void **state)
{
	static const char text[] =
		"[modbus]\ngap = 2\n"
		"[modbus.plc-1]\nhost = 127.0.0.1\nport = 1502\nunit = 7\n"
		"timeout = 250ms\n"
		"point = temp hr 0 f32 order=CDAB unit=degC every=100ms\n"
		"point = run co 3\n"
		"[modbus.meter]\nhost = meter.local\n"
		"point = kwh ir 100 u32 scale=0.01\n";
	struct conf *c;
	struct mb_conf mc;
	char err[256];

	(void)state;
	c = conf_parse(text, strlen(text), "t.conf", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(mb_conf_parse(c, &mc, err, sizeof(err)), 0);
	assert_int_equal(mc.ndevs, 2);
	assert_int_equal(mc.npts, 3);
	assert_int_equal(mc.plan.gap, 2);
	assert_int_equal(mc.plan.max_regs, 125);
	assert_string_equal(mc.devs[0].name, "plc-1");
	assert_int_equal(mc.devs[0].port, 1502);
	assert_int_equal(mc.devs[0].unit, 7);
	assert_int_equal(mc.devs[0].timeout_ms, 250);
	assert_int_equal(mc.devs[0].degraded_after, 3);
	assert_int_equal(mc.devs[0].retry_ms, 30000);
	assert_int_equal(mc.devs[0].n, 2);
	assert_int_equal(mc.devs[1].first, 2);
	assert_int_equal(mc.devs[1].port, 502);
	assert_int_equal(mc.pts[2].line, 12);
	mb_conf_free(&mc);
	conf_free(c);
}

static void conf_errors_name_the_line(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(conf_err("[modbus.a]\nhost = h\npoint = x hr 1\n"
				  "point = y hr 2 f32 order=AB\n", err,
				  sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:4: modbus.a.point: order"));
	assert_int_equal(conf_err("[modbus.a]\nhost = h\npoint = x hr 1\n"
				  "point = x hr 2\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:4:"));
	assert_non_null(strstr(err, "already defined on line 3"));
	assert_int_equal(conf_err("[modbus.a]\nport = 2\n", err,
				  sizeof(err)), -1);
	assert_non_null(strstr(err, "needs host"));
	assert_int_equal(conf_err("[modbus.a]\nhost = h\nunit = 256\n", err,
				  sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:3:"));
	assert_int_equal(conf_err("[modbus.a]\nhost = h\nspeed = 9600\n",
				  err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:3:"));
	assert_int_equal(conf_err("[modbus]\nmax_regs = 126\n", err,
				  sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:2:"));
	assert_int_equal(conf_err("[modbus.a-very-long-device-name-over-31-bytes]\n"
				  "host = h\n", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:1:"));
	assert_int_equal(conf_err("[capture]\nring = x\n", err, sizeof(err)),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_orders),
		cmocka_unit_test(encode_round_trips),
		cmocka_unit_test(point_errors),
		cmocka_unit_test(coalesce_gap_and_limits),
		cmocka_unit_test(coalesce_fewest_reads),
		cmocka_unit_test(conf_devices),
		cmocka_unit_test(conf_errors_name_the_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
