/*
 * Fieldbus diagnostics on crafted EtherCAT frames: the working-counter
 * rule (learning, mismatch, the line coming up, naming the lost slave),
 * ESC error counter deltas with saturation, clearing writes and counters
 * that go backwards, localisation of the faulty cable, AL status with
 * ETG code texts, DC sync and the robust trend under spikes.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alerts/alerts.h"
#include "decode/decode.h"
#include "diag/diag.h"
#include "diag/diag_int.h"
#include "diag/linkhist.h"
#include "model/model.h"
#include "pnframe.h"

#define MS 1000000ULL

static const uint8_t MASTER[6] = { 0x00, 0x1b, 0x21, 0x30, 0x00, 0x01 };

struct fb {
	uint8_t buf[1514];
	size_t len;
	size_t last;		/* offset of the last datagram, 0 none */
};

struct got {
	struct diag_finding f[64];
	size_t n;
};

static void sink(void *arg, const struct diag_finding *f)
{
	struct got *g = arg;

	if (g->n < 64)
		g->f[g->n++] = *f;
}

static void fb_begin(struct fb *f, bool returned)
{
	memset(f, 0, sizeof(*f));
	memset(f->buf, 0xff, 6);
	memcpy(f->buf + 6, MASTER, 6);
	if (returned)
		f->buf[6] |= 0x02;
	f->buf[12] = 0x88;
	f->buf[13] = 0xA4;
	f->len = 16;
}

static uint8_t *fb_dgram(struct fb *f, uint8_t cmd, uint16_t adp,
			 uint16_t ado, uint16_t len, uint16_t wkc)
{
	uint8_t *p = f->buf + f->len;
	uint16_t hl;

	if (f->last)
		f->buf[f->last + 7] |= 0x80;	/* more follows */
	f->last = f->len;
	p[0] = cmd;
	p[1] = 0;
	p[2] = (uint8_t)adp;
	p[3] = (uint8_t)(adp >> 8);
	p[4] = (uint8_t)ado;
	p[5] = (uint8_t)(ado >> 8);
	p[6] = (uint8_t)len;
	p[7] = (uint8_t)(len >> 8);
	p[10 + len] = (uint8_t)wkc;
	p[11 + len] = (uint8_t)(wkc >> 8);
	f->len += 12 + len;
	hl = (uint16_t)(f->len - 16);
	f->buf[14] = (uint8_t)hl;
	f->buf[15] = (uint8_t)(0x10 | hl >> 8);
	return p + 10;
}

struct ctx {
	struct diag *dg;
	struct model *m;
	struct got got;
	struct decoded d;
	uint64_t ts, n;
};

static void feed(struct ctx *c, struct fb *f)
{
	size_t len = f->len < 60 ? 60 : f->len;

	c->ts += MS;
	decode_frame(f->buf, (uint32_t)len, &c->d);
	assert_int_equal(c->d.anomalies, 0);
	if (c->m)
		model_frame(c->m, &c->d, c->ts, (uint32_t)len, 0);
	diag_frame(c->dg, &c->d, c->ts, ++c->n);
}

static void ctx_init(struct ctx *c, bool with_model)
{
	memset(c, 0, sizeof(*c));
	c->ts = 1000 * MS;
	c->m = with_model ? model_new(NULL) : NULL;
	c->dg = diag_new(NULL, c->m, NULL);
	assert_non_null(c->dg);
	diag_set_sink(c->dg, sink, &c->got);
}

static void ctx_free(struct ctx *c)
{
	diag_free(c->dg);
	if (c->m)
		model_free(c->m);
}

static void lrw(struct ctx *c, uint16_t wkc)
{
	struct fb f;

	fb_begin(&f, true);
	fb_dgram(&f, ECAT_LRW, 0, 1, 8, wkc);
	feed(c, &f);
}

static void al_read(struct ctx *c, uint16_t station, uint16_t al,
		    int code, uint16_t wkc)
{
	struct fb f;
	uint8_t *p;

	fb_begin(&f, true);
	p = fb_dgram(&f, ECAT_FPRD, station, 0x0130, code >= 0 ? 6 : 2, wkc);
	if (wkc) {
		p[0] = (uint8_t)al;
		p[1] = (uint8_t)(al >> 8);
		if (code >= 0) {
			p[4] = (uint8_t)code;
			p[5] = (uint8_t)(code >> 8);
		}
	}
	feed(c, &f);
}

/* FPRD of 0x0300-0x0313 with the 20 counter bytes in v */
static void esc_read(struct ctx *c, uint16_t station, const uint8_t v[20])
{
	struct fb f;

	fb_begin(&f, true);
	memcpy(fb_dgram(&f, ECAT_FPRD, station, 0x0300, 20, 1), v, 20);
	feed(c, &f);
}

static const struct diag_finding *last_of(struct ctx *c, unsigned int rule)
{
	size_t i = c->got.n;

	while (i--)
		if (c->got.f[i].rule == rule)
			return &c->got.f[i];
	return NULL;
}

static void test_wkc_learnt_then_checked(void **state)
{
	struct ctx c;
	const struct diag_finding *f;
	int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 20; i++)
		lrw(&c, 9);
	assert_int_equal(c.got.n, 0);
	lrw(&c, 6);
	f = last_of(&c, ALERT_R_ECAT_WKC_MISMATCH);
	assert_non_null(f);
	assert_false(f->cleared);
	assert_string_equal(f->detail, "LRW 0x00010000: 6, expected 9 "
			    "(1 slave did not read and write)");
	/* a repeat counts in the alert, not as a new finding */
	lrw(&c, 6);
	assert_int_equal(c.got.n, 1);
	for (i = 0; i < 1000; i++)
		lrw(&c, 9);
	f = last_of(&c, ALERT_R_ECAT_WKC_MISMATCH);
	assert_true(f->cleared);
	assert_int_equal(c.got.n, 2);
	ctx_free(&c);
}

static void test_wkc_two_short_is_outputs(void **state)
{
	struct ctx c;
	int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 10; i++)
		lrw(&c, 9);
	lrw(&c, 7);
	assert_non_null(strstr(last_of(&c, ALERT_R_ECAT_WKC_MISMATCH)->detail,
			       "outputs were not written"));
	ctx_free(&c);
}

static void test_wkc_line_coming_up_is_learnt(void **state)
{
	struct ctx c;
	int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 10; i++)
		lrw(&c, 3);	/* slaves in SAFEOP: reads only */
	for (i = 0; i < 20; i++)
		lrw(&c, 9);	/* OP */
	assert_int_equal(c.got.n, 0);
	lrw(&c, 6);
	assert_non_null(last_of(&c, ALERT_R_ECAT_WKC_MISMATCH));
	assert_non_null(strstr(c.got.f[0].detail, "expected 9"));
	ctx_free(&c);
}

static void test_wkc_names_the_lost_slave(void **state)
{
	struct ctx c;
	const struct diag_finding *f;
	int i;

	(void)state;
	ctx_init(&c, false);
	al_read(&c, 0x1001, 0x08, -1, 1);
	al_read(&c, 0x1002, 0x08, -1, 1);
	for (i = 0; i < 10; i++)
		lrw(&c, 6);
	al_read(&c, 0x1002, 0, -1, 0);	/* no answer */
	f = last_of(&c, ALERT_R_ECAT_SLAVE_LOST);
	assert_non_null(f);
	assert_int_equal(f->station, 0x1002);
	lrw(&c, 3);
	f = last_of(&c, ALERT_R_ECAT_WKC_MISMATCH);
	assert_non_null(f);
	assert_non_null(strstr(f->detail, "slave 0x1002 lost"));
	assert_null(strstr(f->detail, "0x1001"));
	/* it answers again */
	al_read(&c, 0x1002, 0x08, -1, 1);
	assert_true(last_of(&c, ALERT_R_ECAT_SLAVE_LOST)->cleared);
	ctx_free(&c);
}

static void test_slave_count_drop(void **state)
{
	struct ctx c;
	struct fb f;
	int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 12; i++) {
		fb_begin(&f, true);
		fb_dgram(&f, ECAT_BRD, 0, 0x0130, 2, i < 10 ? 4 : 3)[0] = 8;
		feed(&c, &f);
	}
	assert_int_equal(c.got.n, 1);
	assert_string_equal(c.got.f[0].detail, "behind the master: 3 of 4 "
			    "slaves answer (1 missing from the chain)");
	ctx_free(&c);
}

static void test_esc_deltas(void **state)
{
	struct ctx c;
	uint8_t v[20] = { 0 };
	const struct diag_finding *f;

	(void)state;
	ctx_init(&c, false);
	v[0] = 5;		/* errors before we watched: a baseline */
	esc_read(&c, 0x1003, v);
	assert_int_equal(c.got.n, 0);
	v[0] = 7;		/* invalid frames port 0 */
	v[1] = 1;		/* RX errors port 0 */
	esc_read(&c, 0x1003, v);
	f = last_of(&c, ALERT_R_ECAT_ESC_RX_ERRORS);
	assert_non_null(f);
	assert_int_equal(f->port, 0);
	assert_int_equal(f->station, 0x1003);
	assert_non_null(strstr(f->detail, "3 new on port 0 (2 invalid frames, "
			       "1 RX errors): between the slave before slave "
			       "0x1003 and slave 0x1003 (port 0)"));
	/* forwarded errors alone are not this slave's cable */
	v[8 + 1] = 4;
	esc_read(&c, 0x1003, v);
	assert_int_equal(c.got.n, 1);
	ctx_free(&c);
}

static void test_esc_saturation(void **state)
{
	struct ctx c;
	uint8_t v[20] = { 0 };

	(void)state;
	ctx_init(&c, false);
	v[3] = 0xF0;
	esc_read(&c, 0x1001, v);
	v[3] = 0xFF;		/* port 1 RX errors stop at 0xFF */
	esc_read(&c, 0x1001, v);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].port, 1);
	assert_non_null(strstr(c.got.f[0].detail, "at least 15 new on port 1"));
	assert_non_null(strstr(c.got.f[0].detail, "saturated"));
	/* stuck there: nothing more to say */
	esc_read(&c, 0x1001, v);
	esc_read(&c, 0x1001, v);
	assert_int_equal(c.got.n, 1);
	ctx_free(&c);
}

static void test_esc_clearing_write(void **state)
{
	struct ctx c;
	struct diag_counters k;
	uint8_t v[20] = { 0 };
	struct fb f;

	(void)state;
	ctx_init(&c, false);
	v[0] = 40;
	esc_read(&c, 0x1001, v);
	/* the master clears every slave's counters (as TwinCAT does) */
	fb_begin(&f, true);
	fb_dgram(&f, ECAT_BWR, 1, 0x0300, 8, 1);
	feed(&c, &f);
	v[0] = 2;		/* lower than before: not backwards */
	esc_read(&c, 0x1001, v);
	assert_int_equal(c.got.n, 1);
	assert_non_null(strstr(c.got.f[0].detail, "2 new on port 0"));
	diag_get_counters(c.dg, &k);
	assert_int_equal(k.backwards, 0);
	assert_int_equal(k.esc_clears, 1);
	ctx_free(&c);
}

static void test_esc_backwards_is_anomaly(void **state)
{
	struct ctx c;
	struct diag_counters k;
	uint8_t v[20] = { 0 };

	(void)state;
	ctx_init(&c, false);
	v[0] = 40;
	esc_read(&c, 0x1001, v);
	v[0] = 3;		/* no clearing write seen */
	esc_read(&c, 0x1001, v);
	assert_int_equal(c.got.n, 0);
	diag_get_counters(c.dg, &k);
	assert_int_equal(k.backwards, 1);
	/* and the new value is the baseline */
	v[0] = 4;
	esc_read(&c, 0x1001, v);
	assert_int_equal(c.got.n, 1);
	ctx_free(&c);
}

static void test_esc_unconfirmed_clear_is_no_baseline(void **state)
{
	struct ctx c;
	uint8_t v[20] = { 0 };
	struct fb f;

	(void)state;
	ctx_init(&c, false);
	v[0] = 40;
	esc_read(&c, 0x1001, v);
	/* only the master's copy: did the slave clear? */
	fb_begin(&f, false);
	fb_dgram(&f, ECAT_FPWR, 0x1001, 0x0300, 2, 0);
	feed(&c, &f);
	v[0] = 41;
	esc_read(&c, 0x1001, v);
	assert_int_equal(c.got.n, 0);
	ctx_free(&c);
}

static void test_lost_link_localised(void **state)
{
	struct ctx c;
	uint8_t v[20] = { 0 };

	(void)state;
	ctx_init(&c, false);
	esc_read(&c, 0x1004, v);
	v[0x11] = 1;		/* lost link port 1 */
	esc_read(&c, 0x1004, v);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_ECAT_ESC_LOST_LINK);
	assert_int_equal(c.got.f[0].port, 1);
	assert_non_null(strstr(c.got.f[0].detail, "1 new lost link on port 1"));
	ctx_free(&c);
}

/* the master's start-up: station addresses by position, as the model
 * learns the ring from them */
static void assign_stations(struct ctx *c, unsigned int n)
{
	unsigned int i;
	struct fb f;

	for (i = 0; i < n; i++) {
		uint8_t *p;
		int back;

		for (back = 0; back < 2; back++) {
			fb_begin(&f, back);
			p = fb_dgram(&f, ECAT_APWR,
				     (uint16_t)(0U - i + (back ? n : 0)),
				     0x0010, 2, back);
			p[0] = (uint8_t)(0x1001 + i);
			p[1] = (uint8_t)((0x1001 + i) >> 8);
			feed(c, &f);
		}
	}
}

static void test_localisation_between_slaves(void **state)
{
	struct ctx c;
	uint8_t v[20] = { 0 };
	const struct diag_finding *f;
	unsigned int s;

	(void)state;
	ctx_init(&c, true);
	assign_stations(&c, 4);
	for (s = 0; s < 4; s++)
		esc_read(&c, (uint16_t)(0x1001 + s), v);
	/* the cable into the third slave (position 2) is bad: it counts
	 * its own errors, the fourth forwarded ones */
	v[1] = 6;
	esc_read(&c, 0x1003, v);
	v[1] = 0;
	v[8] = 6;
	esc_read(&c, 0x1004, v);
	assert_int_equal(c.got.n, 1);
	f = &c.got.f[0];
	assert_int_equal(f->position, 2);
	assert_non_null(strstr(f->detail, "between slave 1 (0x1002) (port 1) "
			       "and slave 2 (0x1003) (port 0)"));
	ctx_free(&c);
}

static void test_al_error_with_code_text(void **state)
{
	struct ctx c;
	const struct diag_finding *f;
	struct fb fr;

	(void)state;
	ctx_init(&c, false);
	al_read(&c, 0x1002, 0x08, 0, 1);
	al_read(&c, 0x1002, 0x14, 0x001B, 1);	/* SAFEOP + error */
	f = last_of(&c, ALERT_R_ECAT_AL_ERROR);
	assert_non_null(f);
	assert_string_equal(f->detail, "SAFEOP, AL status code 0x001b: "
			    "Sync manager watchdog");
	f = last_of(&c, ALERT_R_ECAT_AL_NOT_OP);
	assert_non_null(f);
	assert_string_equal(f->detail, "OP -> SAFEOP, AL status code 0x001b: "
			    "Sync manager watchdog");
	al_read(&c, 0x1002, 0x08, 0, 1);
	assert_true(last_of(&c, ALERT_R_ECAT_AL_NOT_OP)->cleared);
	assert_true(last_of(&c, ALERT_R_ECAT_AL_ERROR)->cleared);
	/* the master itself asks for PREOP: leaving OP is no fault */
	c.got.n = 0;
	fb_begin(&fr, true);
	fb_dgram(&fr, ECAT_BWR, 0, 0x0120, 2, 1)[0] = 0x02;
	feed(&c, &fr);
	al_read(&c, 0x1002, 0x02, 0, 1);
	assert_int_equal(c.got.n, 0);
	ctx_free(&c);
}

static void test_impossible_al_code_is_anomaly(void **state)
{
	struct ctx c;
	struct diag_counters k;

	(void)state;
	ctx_init(&c, false);
	al_read(&c, 0x1002, 0x08, 0, 1);
	al_read(&c, 0x1002, 0x12, 0x0005, 1);
	assert_non_null(strstr(last_of(&c, ALERT_R_ECAT_AL_ERROR)->detail,
			       "0x0005 (not in the ETG table)"));
	diag_get_counters(c.dg, &k);
	assert_true(k.bad_al_code > 0);
	ctx_free(&c);
}

static void test_al_code_table(void **state)
{
	(void)state;
	assert_string_equal(diag_al_code_text(0x001B), "Sync manager watchdog");
	assert_string_equal(diag_al_code_text(0x0000), "No error");
	assert_string_equal(diag_al_code_text(0x0011),
			    "Invalid requested state change");
	assert_string_equal(diag_al_code_text(0x00F0),
			    "Application controller available");
	assert_string_equal(diag_al_code_text(0x8123), "Vendor-specific error");
	assert_null(diag_al_code_text(0x0005));
	assert_null(diag_al_code_text(0x7FFF));
}

static void dc_read(struct ctx *c, uint16_t station, int32_t diff)
{
	struct fb f;
	uint32_t raw = diff < 0 ? 0x80000000U | (uint32_t)-diff :
		       (uint32_t)diff;
	uint8_t *p;

	fb_begin(&f, true);
	p = fb_dgram(&f, ECAT_FPRD, station, 0x092C, 4, 1);
	p[0] = (uint8_t)raw;
	p[1] = (uint8_t)(raw >> 8);
	p[2] = (uint8_t)(raw >> 16);
	p[3] = (uint8_t)(raw >> 24);
	feed(c, &f);
}

static void test_dc_out_of_sync_after_converged(void **state)
{
	struct ctx c;

	(void)state;
	ctx_init(&c, false);
	dc_read(&c, 0x1001, 250000);	/* converging: not judged */
	assert_int_equal(c.got.n, 0);
	dc_read(&c, 0x1001, -40);
	dc_read(&c, 0x1001, -2500);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_ECAT_DC_DRIFT);
	assert_string_equal(c.got.f[0].detail, "system time difference "
			    "-2500 ns (limit 1000 ns)");
	dc_read(&c, 0x1001, 30);
	assert_true(c.got.f[1].cleared);
	ctx_free(&c);
}

static void test_trend_ignores_spikes(void **state)
{
	struct trend t;
	struct trend_fit f;
	unsigned int i;

	(void)state;
	memset(&t, 0, sizeof(t));
	for (i = 0; i < DIAG_TREND; i++)	/* 2 per second, two spikes */
		trend_add(&t, (uint64_t)i * 1000000000ULL,
			  2.0 * i + (i == 5 || i == 11 ? 500 : 0));
	assert_int_equal(trend_fit(&t, &f), 0);
	assert_true(fabs(f.slope - 2.0) < 1e-9);
	assert_true(fabs(f.last - 30.0) < 1e-6);
	assert_true(fabs(trend_eta(&f, f.slope, 50.0) - 10.0) < 1e-6);
	/* flat: never */
	memset(&t, 0, sizeof(t));
	for (i = 0; i < DIAG_TREND; i++)
		trend_add(&t, (uint64_t)i * 1000000000ULL, i == 7 ? 100 : 1);
	assert_int_equal(trend_fit(&t, &f), 0);
	assert_true(f.slope == 0);
	assert_true(trend_eta(&f, f.slope, 50.0) < 0);
}

/*
 * A prediction's fitted line: value(t) = intercept + slope x (t - t0)
 * reaches the limit at its crossing time, after its last sample, and
 * the evidence says so for the engineer.
 */
static void assert_fit(const struct diag_finding *f, const char *metric,
		       double limit)
{
	double at;

	assert_true(f->fit.has);
	assert_string_equal(f->fit.metric, metric);
	assert_true(f->fit.limit == limit);
	assert_true(f->fit.slope_per_min > 0);
	assert_true(f->fit.cross_ns > f->fit.last_ns);
	assert_true(f->fit.last_ns > f->fit.t0_ns);
	assert_true(f->fit.cross_lo_ns <= f->fit.cross_ns);
	assert_true(!f->fit.cross_hi_ns || f->fit.cross_hi_ns >= f->fit.cross_ns);
	at = f->fit.intercept + f->fit.slope_per_min *
	     (double)(f->fit.cross_ns - f->fit.t0_ns) / 60e9;
	assert_true(fabs(at - limit) < limit * 1e-3);
	assert_true(f->fit.samples >= DIAG_TREND / 2);
	assert_non_null(strstr(f->evidence, "; fitted line "));
	assert_non_null(strstr(f->evidence, " per min, crossing "));
}

static void test_rising_error_rate_predicted(void **state)
{
	struct ctx c;
	uint8_t v[20] = { 0 };
	unsigned int i, total = 0;
	const struct diag_finding *f;

	(void)state;
	ctx_init(&c, false);
	esc_read(&c, 0x1002, v);
	/* one read a minute; the rate grows by 0.5 errors/min each minute:
	 * 10/min is 20 minutes away at the start */
	for (i = 1; i <= 12; i++) {
		c.ts += 60000 * MS - MS;
		total += i / 2;
		v[1] = (uint8_t)total;
		esc_read(&c, 0x1002, v);
	}
	f = last_of(&c, ALERT_R_DIAG_PREDICTED);
	assert_non_null(f);
	assert_int_equal(f->port, 0);
	assert_non_null(strstr(f->detail, "RX errors on port 0 reach 10/min"));
	assert_non_null(strstr(f->evidence, "Theil-Sen"));
	assert_fit(f, "rx_errors_p0", 10);
	/* the crossing is the detail's "in N min" after the last sample */
	assert_true(fabs((double)(f->fit.cross_ns - f->fit.last_ns) / 60e9 -
			 atof(strstr(f->detail, " in ") + 4)) < 1);
	ctx_free(&c);
}

/* the master's LRW on its way out and back */
static void lrw_cycle(struct ctx *c, uint16_t wkc)
{
	struct fb f;

	fb_begin(&f, false);
	fb_dgram(&f, ECAT_LRW, 0, 1, 8, 0);
	feed(c, &f);
	lrw(c, wkc);
}

/* a cyclic LRW once a second for a minute, errs of them with a working
 * counter one short (the learnt one is 3) */
static void lrw_minute(struct ctx *c, unsigned int errs)
{
	unsigned int i;

	for (i = 0; i < 60; i++) {
		c->ts += 1000 * MS - 2 * MS;
		lrw_cycle(c, i < errs ? 2 : 3);
	}
}

static void test_link_wkc_rate_predicted(void **state)
{
	struct ctx c;
	const struct diag_finding *f;
	unsigned int i;

	(void)state;
	ctx_init(&c, true);
	for (i = 0; i < 12; i++)
		lrw_cycle(&c, 3);
	/* the wrong counters per minute grow by one every two minutes:
	 * 10/min is 20 minutes away */
	for (i = 0; i < 12 && !last_of(&c, ALERT_R_DIAG_PREDICTED); i++)
		lrw_minute(&c, i / 2);
	f = last_of(&c, ALERT_R_DIAG_PREDICTED);
	assert_non_null(f);
	assert_int_equal(f->port, -1);
	assert_non_null(strstr(f->detail, "wrong working counters of link 1 "
			       "(logical 0x00010000) reach 10/min in "));
	assert_non_null(strstr(f->evidence, "Theil-Sen"));
	assert_fit(f, "wkc_errors", 10);
	/* at least ten minutes before the crossing */
	assert_true(atof(strstr(f->detail, " in ") + 4) >= 10);
	ctx_free(&c);
}

static void test_link_flat_rate_with_spikes_not_predicted(void **state)
{
	struct ctx c;
	unsigned int i;

	(void)state;
	ctx_init(&c, true);
	for (i = 0; i < 12; i++)
		lrw_cycle(&c, 3);
	for (i = 0; i < 40; i++)
		lrw_minute(&c, i % 9 == 4 ? 40 : 2 + i % 3);
	assert_null(last_of(&c, ALERT_R_DIAG_PREDICTED));
	ctx_free(&c);
}

/* a restart does not forget: a slave's error rate seeded from the
 * history predicts at the first minute that confirms the trend */
static void test_seeded_trend_survives_restart(void **state)
{
	struct ctx c;
	uint8_t v[20] = { 0 };
	char key[48];
	unsigned int i;
	uint8_t mac[6];
	struct diag_counters ctr;

	(void)state;
	ctx_init(&c, false);
	memcpy(mac, MASTER, 6);
	diag_slave_key(mac, 0x1002, key, sizeof(key));
	assert_string_equal(key, "ecatslave:00:1b:21:30:00:01:0x1002");
	/* ten stored minutes (a minute's sum of the 1 s samples: avg *
	 * count) with the rate rising 0.5/min each minute */
	for (i = 0; i < 10; i++)
		assert_int_equal(diag_seed(c.dg, key, LHS_RX_P0, true,
					   c.ts - (10 - i) * 60000 * MS,
					   i / 2.0 / 60, 60), 0);
	/* not an indicator with a trend */
	assert_int_equal(diag_seed(c.dg, key, LHS_LOST_LINKS, true, c.ts,
				   1, 60), -1);
	diag_get_counters(c.dg, &ctr);
	assert_int_equal(ctr.seeds, 10);
	esc_read(&c, 0x1002, v);
	c.ts += 60000 * MS;
	v[1] = 5;
	esc_read(&c, 0x1002, v);
	assert_non_null(last_of(&c, ALERT_R_DIAG_PREDICTED));
	/* without the seeds: nothing after one minute */
	ctx_free(&c);
	ctx_init(&c, false);
	memset(v, 0, sizeof(v));
	esc_read(&c, 0x1002, v);
	c.ts += 60000 * MS;
	v[1] = 5;
	esc_read(&c, 0x1002, v);
	assert_null(last_of(&c, ALERT_R_DIAG_PREDICTED));
	ctx_free(&c);
}

static void test_dc_drift_predicted_from_minute_means(void **state)
{
	struct ctx c;
	const struct diag_finding *f;
	unsigned int i, j;

	(void)state;
	ctx_init(&c, false);
	/* read every 100 ms, noisy by +-60 ns, drifting 20 ns a minute
	 * from 100 ns: 1000 ns is 45 minutes away */
	for (i = 0; i < 12; i++)
		for (j = 0; j < 600; j++) {
			c.ts += 100 * MS - MS;
			dc_read(&c, 0x1001, (int32_t)(100 + 20 * i +
					    (j % 3 ? 60 : -60)));
		}
	f = last_of(&c, ALERT_R_DIAG_PREDICTED);
	assert_non_null(f);
	assert_non_null(strstr(f->detail, "DC time difference reaches 1000 ns"));
	assert_non_null(strstr(f->evidence, "means of a minute"));
	assert_fit(f, "dc_diff_ns", 1000);
	ctx_free(&c);
}

/* the master's LRW with datagram index idx, out or back */
static void lrw_idx(struct ctx *c, uint8_t idx, bool returned)
{
	struct fb f;

	fb_begin(&f, returned);
	fb_dgram(&f, ECAT_LRW, 0, 1, 8, returned ? 3 : 0)[-9] = idx;
	feed(c, &f);
}

static size_t count_of(struct ctx *c, unsigned int rule)
{
	size_t i, n = 0;

	for (i = 0; i < c->got.n; i++)
		n += c->got.f[i].rule == rule;
	return n;
}

static void test_lost_frame_found_at_the_next_return(void **state)
{
	struct ctx c;
	struct diag_counters ctr;
	const struct diag_finding *f;
	unsigned int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 4; i++) {
		lrw_idx(&c, (uint8_t)i, false);
		lrw_idx(&c, (uint8_t)i, true);
	}
	lrw_idx(&c, 4, false);		/* never comes back */
	lrw_idx(&c, 4, false);		/* the mirror's second copy: one */
	lrw_idx(&c, 5, false);
	assert_null(last_of(&c, ALERT_R_ECAT_FRAME_LOST));
	lrw_idx(&c, 5, true);		/* a later one back first */
	f = last_of(&c, ALERT_R_ECAT_FRAME_LOST);
	assert_non_null(f);
	assert_int_equal(f->frame_no, 12);
	assert_string_equal(f->detail, "frame index 0x04 (LRW 0x00010000) "
			    "sent at frame 9 never came back");
	/* more losses while it is open count in it, not as findings */
	lrw_idx(&c, 6, false);
	lrw_idx(&c, 7, false);
	lrw_idx(&c, 7, true);
	assert_int_equal(count_of(&c, ALERT_R_ECAT_FRAME_LOST), 1);
	diag_get_counters(c.dg, &ctr);
	assert_int_equal(ctr.ecat_lost, 2);
	/* in flight when the capture ends: not lost */
	lrw_idx(&c, 8, false);
	diag_get_counters(c.dg, &ctr);
	assert_int_equal(ctr.ecat_lost, 2);
	ctx_free(&c);
}

static void test_lost_frames_need_both_directions(void **state)
{
	struct ctx c;
	struct diag_counters ctr;
	unsigned int i;

	(void)state;
	ctx_init(&c, false);
	/* a mirror of the outgoing direction only: 600 frames, indices
	 * reused, none back; nothing is lost that was never seen back */
	for (i = 0; i < 600; i++)
		lrw_idx(&c, (uint8_t)i, false);
	diag_get_counters(c.dg, &ctr);
	assert_int_equal(ctr.ecat_lost, 0);
	assert_null(last_of(&c, ALERT_R_ECAT_FRAME_LOST));
	/* returns of frames sent before the capture began say nothing */
	ctx_free(&c);
	ctx_init(&c, false);
	lrw_idx(&c, 200, true);
	lrw_idx(&c, 201, true);
	lrw_idx(&c, 202, false);
	lrw_idx(&c, 202, true);
	assert_null(last_of(&c, ALERT_R_ECAT_FRAME_LOST));
	ctx_free(&c);
}

static void pn_frame(struct ctx *c, uint64_t ts, uint8_t ds)
{
	uint8_t f[PN_TEST_FRAME];

	pn_test_frame(f, (uint16_t)c->n, ds);
	c->ts = ts;
	decode_frame(f, sizeof(f), &c->d);
	assert_int_equal(c->d.proto, DECODE_PN_RT);
	diag_frame(c->dg, &c->d, ts, ++c->n);
}

#define DS_OK (PN_DS_STATE | PN_DS_VALID | PN_DS_RUN | PN_DS_STATION_OK)

static void test_pn_data_status_events(void **state)
{
	struct ctx c;
	uint64_t t = 1000 * MS;
	int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 5; i++)
		pn_frame(&c, t += 2 * MS, DS_OK);
	assert_int_equal(c.got.n, 0);
	pn_frame(&c, t += 2 * MS, DS_OK & ~PN_DS_RUN);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_PN_PROVIDER_STOP);
	assert_non_null(strstr(c.got.f[0].detail, "provider state STOP"));
	pn_frame(&c, t += 2 * MS, DS_OK & ~PN_DS_RUN);
	assert_int_equal(c.got.n, 1);
	pn_frame(&c, t += 2 * MS, DS_OK & ~PN_DS_STATION_OK);
	assert_int_equal(c.got.n, 3);	/* RUN again, station problem */
	assert_true(c.got.f[1].cleared);
	assert_int_equal(c.got.f[2].rule, ALERT_R_PN_STATION_PROBLEM);
	ctx_free(&c);
}

static void test_pn_ar_lost_after_watchdog(void **state)
{
	struct ctx c;
	uint64_t t = 1000 * MS;
	int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 20; i++)
		pn_frame(&c, t += 2 * MS, DS_OK);
	/* another device's frames keep the clock going: 5 ms of silence
	 * is within 3 update times, 7 ms is not */
	t += 5 * MS;
	pn_frame(&c, t, DS_OK);
	assert_int_equal(c.got.n, 0);
	c.ts = t + 20 * MS;
	memset(&c.d, 0, sizeof(c.d));
	c.d.proto = DECODE_OTHER;
	diag_frame(c.dg, &c.d, t + 20 * MS, ++c.n);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_PN_AR_LOST);
	assert_non_null(strstr(c.got.f[0].detail, "no frame 0xc001 for 20 ms"));
	pn_frame(&c, t + 22 * MS, DS_OK);
	assert_true(c.got.f[1].cleared);
	ctx_free(&c);
}

/* a cyclic frame of FrameID fid (the device's other IOCRs) */
static void pn_frame_fid(struct ctx *c, uint64_t ts, uint16_t fid,
			 uint16_t cc)
{
	uint8_t f[PN_TEST_FRAME];

	pn_test_frame(f, cc, DS_OK);
	f[14] = (uint8_t)(fid >> 8);
	f[15] = (uint8_t)fid;
	c->ts = ts;
	decode_frame(f, sizeof(f), &c->d);
	assert_int_equal(c->d.proto, DECODE_PN_RT);
	diag_frame(c->dg, &c->d, ts, ++c->n);
}

/*
 * The silence check runs when the earliest deadline has passed, not on
 * every frame: a fast sender that starts after a slow one's deadline was
 * taken as the earliest must still be found silent on time (a scan
 * waiting for the slow one's 30 ms would report it 20 ms late).
 */
static void test_pn_ar_lost_fast_sender_after_slow(void **state)
{
	struct ctx c;
	uint64_t t = 1000 * MS;
	uint16_t slow = 0, fast = 0;
	int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 12; i++)
		pn_frame_fid(&c, t += 10 * MS, 0xC001, slow += 320);
	for (i = 0; i < 12; i++)	/* 0xC002 every ms, within 0xC001's */
		pn_frame_fid(&c, t += MS, 0xC002, fast += 32);
	/* 0xC002 silent for 10 ms, 0xC001 for 22 ms of its 30 */
	pn_frame_fid(&c, t + 10 * MS, 0xC001, slow += 704);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_PN_AR_LOST);
	assert_non_null(strstr(c.got.f[0].detail, "no frame 0xc002 for 10 ms"));
	ctx_free(&c);
}

static void pn_frame_cc(struct ctx *c, uint64_t ts, uint16_t cc, uint8_t ds)
{
	uint8_t f[PN_TEST_FRAME];

	pn_test_frame(f, cc, ds);
	c->ts = ts;
	decode_frame(f, sizeof(f), &c->d);
	assert_int_equal(c->d.proto, DECODE_PN_RT);
	diag_frame(c->dg, &c->d, ts, ++c->n);
}

static void pn_connect_subs(struct ctx *c, bool resp,
			    const struct pn_cm_iocr *cr, size_t ncr,
			    const uint16_t (*sub)[4], size_t nsub)
{
	uint8_t f[PN_TEST_CM_MAX];
	size_t len = pn_test_connect(f, resp, cr, ncr, sub, nsub);

	c->ts += MS;
	decode_frame(f, (uint32_t)len, &c->d);
	assert_int_equal(c->d.proto, DECODE_PNIO_CM);
	assert_int_equal(c->d.anomalies, 0);
	assert_int_equal(c->d.cm.niocr, ncr);
	diag_frame(c->dg, &c->d, c->ts, ++c->n);
}

static void pn_connect(struct ctx *c, bool resp, const struct pn_cm_iocr *cr,
		       size_t ncr)
{
	pn_connect_subs(c, resp, cr, ncr, NULL, 0);
}

/* without a connect the step is learnt; gaps in multiples of it are lost
 * frames, one finding whose later gaps only count */
static void test_pn_cycle_gap_learnt(void **state)
{
	struct diag_counters k;
	struct ctx c;
	uint64_t t = 1000 * MS;
	uint16_t cc = 0xFF00;		/* wraps on the way */
	int i;

	(void)state;
	ctx_init(&c, false);
	/* a gap before the step is learnt is not counted */
	pn_frame_cc(&c, t += MS, cc, DS_OK);
	pn_frame_cc(&c, t += 3 * MS, cc += 96, DS_OK);
	for (i = 0; i < 10; i++)
		pn_frame_cc(&c, t += MS, cc += 32, DS_OK);
	assert_int_equal(c.got.n, 0);
	pn_frame_cc(&c, t += 3 * MS, cc += 96, DS_OK);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_PN_CYCLE_LOST);
	assert_false(c.got.f[0].cleared);
	assert_non_null(strstr(c.got.f[0].detail, "2 frames 0xc001 lost"));
	assert_non_null(strstr(c.got.f[0].detail, "step 32)"));
	assert_non_null(strstr(c.got.f[0].evidence, "learnt"));
	pn_frame_cc(&c, t += MS, cc += 32, DS_OK);
	pn_frame_cc(&c, t += 2 * MS, cc += 64, DS_OK);
	assert_int_equal(c.got.n, 1);		/* counted in the open one */
	diag_get_counters(c.dg, &k);
	assert_int_equal(k.pn_lost, 3);
	assert_int_equal(k.pn_connects, 0);
	ctx_free(&c);
}

/*
 * The connect request gives the step (SendClockFactor 32 x
 * ReductionRatio 4: 128, a 4 ms update time) and WatchdogFactor 10, its
 * response the FrameID: a gap counts from the second frame, and the AR
 * is lost after 10 update times, not 3 of a learnt interval.
 */
static void test_pn_connect_gives_step_and_watchdog(void **state)
{
	const struct pn_cm_iocr req[2] = {
		{ .type = 1, .ref = 1, .frame_id = 0xFFFF, .scf = 32, .rr = 4,
		  .wdf = 10 },
		{ .type = 2, .ref = 2, .frame_id = 0xFFFF, .scf = 32, .rr = 4,
		  .wdf = 10 },
	};
	const struct pn_cm_iocr res[2] = {
		{ .type = 1, .ref = 1, .frame_id = 0xC001 },
		{ .type = 2, .ref = 2, .frame_id = 0xC002 },
	};
	struct diag_counters k;
	struct ctx c;
	uint64_t t;
	uint16_t cc = 100;

	(void)state;
	ctx_init(&c, false);
	pn_connect(&c, false, req, 2);
	pn_connect(&c, true, res, 2);
	diag_get_counters(c.dg, &k);
	assert_int_equal(k.pn_connects, 2);	/* input and output CR */
	t = c.ts;
	pn_frame_cc(&c, t += 4 * MS, cc, DS_OK);
	pn_frame_cc(&c, t += 16 * MS, cc += 4 * 128, DS_OK);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_PN_CYCLE_LOST);
	assert_non_null(strstr(c.got.f[0].detail, "3 frames 0xc001 lost"));
	assert_non_null(strstr(c.got.f[0].evidence, "connect request"));
	/* 30 ms of silence is within 10 x 4 ms (3 x 4 ms would not be) */
	c.ts = t + 30 * MS;
	memset(&c.d, 0, sizeof(c.d));
	c.d.proto = DECODE_OTHER;
	diag_frame(c.dg, &c.d, c.ts, ++c.n);
	assert_int_equal(c.got.n, 1);
	c.ts = t + 45 * MS;
	diag_frame(c.dg, &c.d, c.ts, ++c.n);
	assert_int_equal(c.got.n, 2);
	assert_int_equal(c.got.f[1].rule, ALERT_R_PN_AR_LOST);
	assert_non_null(strstr(c.got.f[1].detail, "more than 10 x its 4000 us "
			       "update time"));
	assert_non_null(strstr(c.got.f[1].evidence, "connect request"));
	/* frames resume after the AR was lost: no gap counted across it */
	pn_frame_cc(&c, t + 50 * MS, (uint16_t)(cc + 12 * 128), DS_OK);
	assert_int_equal(c.got.n, 3);
	assert_true(c.got.f[2].cleared);
	diag_get_counters(c.dg, &k);
	assert_int_equal(k.pn_lost, 3);
	ctx_free(&c);
}

/*
 * The input CR's layout: the DAP (slot 0 subslot 1, no data: its IOPS at
 * 0), an input module (slot 1 subslot 1: 4 bytes from 1, its IOPS at 5;
 * the ExpectedSubmoduleBlockReq gives the 4) and the IOCS of an output
 * module (slot 2 subslot 1 at 6; a byte unused between, as real devices
 * leave them).  A status byte going BAD names its submodule and the
 * instance that made it so; back to GOOD clears it.
 */
static void test_pn_submodule_status_bad(void **state)
{
	static const uint16_t io[3][4] = {
		{ 0, 1, 0, 0 }, { 1, 1, 1, 0 }, { 2, 1, 7, 1 },
	};
	static const uint16_t subs[3][4] = {
		{ 0, 1, 0, 0 }, { 1, 1, 4, 0 }, { 2, 1, 0, 2 },
	};
	const struct pn_cm_iocr req = { .type = 1, .ref = 1,
					.frame_id = 0xC001, .scf = 32,
					.rr = 1, .wdf = 3, .io = io,
					.nio = 3 };
	struct diag_counters k;
	uint8_t f[PN_TEST_FRAME];
	struct ctx c;
	uint16_t cc = 0;
	int i;

	(void)state;
	ctx_init(&c, false);
	pn_connect_subs(&c, false, &req, 1, subs, 3);
	diag_get_counters(c.dg, &k);
	assert_int_equal(k.pn_layouts, 1);
	for (i = 0; i < 12; i++) {
		pn_test_frame(f, cc += 32, DS_OK);
		f[16] = f[16 + 5] = f[16 + 7] = 0x80;	/* all GOOD */
		if (i >= 5)
			f[16 + 5] = 0x40;	/* BAD_BY_DEVICE */
		if (i >= 7)
			f[16 + 7] = 0x00;	/* the IOCS: BAD_BY_SUBSLOT */
		if (i >= 9)
			f[16 + 5] = 0x80;
		c.ts += MS;
		decode_frame(f, sizeof(f), &c.d);
		diag_frame(c.dg, &c.d, c.ts, ++c.n);
	}
	assert_int_equal(c.got.n, 3);
	assert_int_equal(c.got.f[0].rule, ALERT_R_PN_SUBMODULE_BAD);
	assert_string_equal(c.got.f[0].detail, "slot 1 subslot 0x0001: "
			    "provider status BAD_BY_DEVICE (IOPS 0x40)");
	assert_non_null(strstr(c.got.f[0].evidence, "C_SDU byte 5"));
	assert_string_equal(c.got.f[1].detail, "slot 2 subslot 0x0001: "
			    "consumer status BAD_BY_SUBSLOT (IOCS 0x00)");
	assert_true(c.got.f[2].cleared);
	assert_string_equal(c.got.f[2].detail, "slot 1 subslot 0x0001: "
			    "IOPS GOOD again");
	/* the finding is the device's, not its controller's */
	assert_memory_equal(c.got.f[0].master, DEVICE, 6);
	ctx_free(&c);
}

/* a switchover from primary to backup is an event; a backup AR whose
 * Redundancy bit says no AR is primary is a condition until one is */
static void test_pn_redundancy_switch(void **state)
{
	struct ctx c;
	uint64_t t = 1000 * MS;
	int i;

	(void)state;
	ctx_init(&c, false);
	for (i = 0; i < 3; i++)
		pn_frame(&c, t += 2 * MS, DS_OK);
	pn_frame(&c, t += 2 * MS, DS_OK & ~PN_DS_STATE);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_PN_REDUNDANCY_SWITCH);
	assert_string_equal(c.got.f[0].detail, "frame ID 0xc001 now backup, "
			    "was primary (cycle counter 3)");
	pn_frame(&c, t += 2 * MS, (DS_OK & ~PN_DS_STATE) | PN_DS_REDUNDANCY);
	assert_int_equal(c.got.n, 2);
	assert_int_equal(c.got.f[1].rule, ALERT_R_PN_REDUNDANCY_NO_PRIMARY);
	assert_false(c.got.f[1].cleared);
	pn_frame(&c, t += 2 * MS, (DS_OK & ~PN_DS_STATE) | PN_DS_REDUNDANCY);
	assert_int_equal(c.got.n, 2);
	pn_frame(&c, t += 2 * MS, DS_OK & ~PN_DS_STATE);
	assert_int_equal(c.got.n, 3);
	assert_true(c.got.f[2].cleared);
	pn_frame(&c, t += 2 * MS, DS_OK);	/* primary again */
	assert_int_equal(c.got.n, 4);
	assert_int_equal(c.got.f[3].rule, ALERT_R_PN_REDUNDANCY_SWITCH);
	ctx_free(&c);
}

/* a connect response for an IOCR never requested changes nothing */
static void test_pn_connect_response_alone(void **state)
{
	const struct pn_cm_iocr res = { .type = 1, .ref = 7,
					.frame_id = 0xC001 };
	struct diag_counters k;
	struct ctx c;

	(void)state;
	ctx_init(&c, false);
	pn_connect(&c, true, &res, 1);
	diag_get_counters(c.dg, &k);
	assert_int_equal(k.pn_connects, 0);
	ctx_free(&c);
}

/* a diagnosis alarm with one channel diagnosis; blen_adj corrupts the
 * block length */
static void pn_alarm(struct ctx *c, uint16_t type, uint16_t cet, int blen_adj)
{
	uint8_t f[80], *b;
	uint16_t blen = (uint16_t)(30 + blen_adj);

	memset(f, 0, sizeof(f));
	memcpy(f, "\x00\x0e\x8c\x00\x02\x01", 6);
	memcpy(f + 6, DEVICE, 6);
	f[12] = 0x88;
	f[13] = 0x92;
	f[14] = 0xFE;		/* alarm low */
	f[15] = 0x01;
	f[16 + 4] = 0x11;	/* DATA, version 1 */
	f[16 + 10] = 0;
	f[16 + 11] = 34;	/* var part: block header 4 + 30 */
	b = f + 28;
	b[1] = 0x02;		/* AlarmNotification low */
	b[2] = (uint8_t)(blen >> 8);
	b[3] = (uint8_t)blen;
	b[4] = 1;
	b[6] = (uint8_t)(type >> 8);
	b[7] = (uint8_t)type;
	b[13] = 3;		/* slot 3 */
	b[14] = 0x80;		/* subslot 0x8001 */
	b[15] = 0x01;
	b[26] = 0x80;		/* USI: channel diagnosis */
	b[29] = 5;		/* channel 5 */
	b[32] = (uint8_t)(cet >> 8);
	b[33] = (uint8_t)cet;
	c->ts += MS;
	decode_frame(f, sizeof(f), &c->d);
	assert_int_equal(c->d.proto, DECODE_PN_ALARM);
	diag_frame(c->dg, &c->d, c->ts, ++c->n);
}

static void test_pn_diagnosis_alarm_text(void **state)
{
	struct ctx c;
	struct diag_counters k;

	(void)state;
	ctx_init(&c, false);
	pn_alarm(&c, 0x0001, 0x0006, 0);
	assert_int_equal(c.got.n, 1);
	assert_int_equal(c.got.f[0].rule, ALERT_R_PN_ALARM_DIAG);
	assert_string_equal(c.got.f[0].detail, "slot 3 subslot 0x8001, "
			    "channel 5: wire break");
	pn_alarm(&c, 0x000C, 0x0006, 0);	/* disappears */
	assert_true(c.got.f[1].cleared);
	pn_alarm(&c, 0x0003, 0, 0);		/* pull */
	assert_int_equal(c.got.f[2].rule, ALERT_R_PN_ALARM_PULL);
	/* a block longer than its PDU: counted, no diagnosis */
	pn_alarm(&c, 0x0001, 0x0001, 40);
	assert_int_equal(c.got.n, 3);
	diag_get_counters(c.dg, &k);
	assert_int_equal(k.bad_alarm, 1);
	assert_string_equal(diag_channel_error_text(0x0002), "undervoltage");
	assert_null(diag_channel_error_text(0x000B));
	ctx_free(&c);
}

/*
 * Network load per port: a synthetic stream on a 1 Mbit/s port where a
 * 101-byte frame takes 125 bytes of the wire, so n frames a second are
 * n / 10 %.  Fine (10 %) raises nothing, check (30 %) an info finding,
 * reduce (60 %) a warning in its place; it is left only after five
 * seconds below it.  A runt counts as padded to 60 bytes.
 */
static uint64_t load_seconds(struct diag *dg, uint64_t t, unsigned int secs,
			     unsigned int fps)
{
	unsigned int s, i;

	for (s = 0; s < secs; s++, t += 1000 * MS)
		for (i = 0; i < fps; i++)
			diag_load(dg, "eth1", 101, t + i * (1000 * MS / fps));
	return t;
}

static void test_load_grades_fine_check_reduce(void **state)
{
	struct diag_opts o = { .port_mbps = 1 };
	struct alerts *al = alerts_new(NULL);
	struct diag *dg = diag_new(al, NULL, &o);
	struct diag_port_stat st[2];
	struct got g = { .n = 0 };
	uint64_t t = 1000 * MS;

	(void)state;
	assert_non_null(dg);
	diag_set_sink(dg, sink, &g);
	t = load_seconds(dg, t, 3, 100);
	t = load_seconds(dg, t, 3, 300);
	diag_load(dg, "eth1", 101, t);	/* ends the last second */
	assert_int_equal(g.n, 1);
	assert_int_equal(g.f[0].rule, ALERT_R_DIAG_LOAD_CHECK);
	assert_int_equal(g.f[0].severity, ALERT_SEV_INFO);
	assert_false(g.f[0].cleared);
	assert_string_equal(g.f[0].label, "port eth1");
	assert_int_equal(diag_port_stats(dg, st, 2), 1);
	assert_true(fabs(st[0].load_pct - 30.0) < 0.5);
	assert_true(fabs(st[0].bytes_per_ms - 37.5) < 0.2);
	assert_int_equal(st[0].grade, DIAG_LOAD_CHECK);

	t = load_seconds(dg, t, 3, 600);
	diag_load(dg, "eth1", 101, t);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.f[1].rule, ALERT_R_DIAG_LOAD_CHECK);
	assert_true(g.f[1].cleared);
	assert_int_equal(g.f[2].rule, ALERT_R_DIAG_LOAD_REDUCE);
	assert_int_equal(g.f[2].severity, ALERT_SEV_WARNING);
	assert_false(g.f[2].cleared);

	/* three seconds at check, two fine: the fifth calm one leaves */
	t = load_seconds(dg, t, 3, 300);
	t = load_seconds(dg, t, 1, 100);
	diag_load(dg, "eth1", 101, t);
	assert_int_equal(g.n, 3);
	t = load_seconds(dg, t, 1, 100);
	diag_load(dg, "eth1", 101, t);
	assert_int_equal(g.n, 4);
	assert_int_equal(g.f[3].rule, ALERT_R_DIAG_LOAD_REDUCE);
	assert_true(g.f[3].cleared);
	diag_port_stats(dg, st, 2);
	assert_int_equal(st[0].grade, DIAG_LOAD_FINE);
	assert_true(st[0].peak_pct > 59.0 && st[0].peak_pct < 61.0);

	/* a runt on another port takes 60 + 24 bytes */
	diag_load(dg, "eth2", 40, t);
	assert_int_equal(diag_port_stats(dg, st, 2), 2);
	assert_int_equal(st[1].bytes, 84);
	assert_int_equal(st[1].speed_mbps, 1);
	/* a reload's port_speed applies to the ports seen before it */
	o.port_mbps = 1000;
	diag_set_opts(dg, &o);
	diag_port_stats(dg, st, 2);
	assert_int_equal(st[0].speed_mbps, 1000);
	assert_int_equal(st[1].speed_mbps, 1000);
	diag_free(dg);
	alerts_free(al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wkc_learnt_then_checked),
		cmocka_unit_test(test_wkc_two_short_is_outputs),
		cmocka_unit_test(test_wkc_line_coming_up_is_learnt),
		cmocka_unit_test(test_wkc_names_the_lost_slave),
		cmocka_unit_test(test_slave_count_drop),
		cmocka_unit_test(test_esc_deltas),
		cmocka_unit_test(test_esc_saturation),
		cmocka_unit_test(test_esc_clearing_write),
		cmocka_unit_test(test_esc_backwards_is_anomaly),
		cmocka_unit_test(test_esc_unconfirmed_clear_is_no_baseline),
		cmocka_unit_test(test_lost_link_localised),
		cmocka_unit_test(test_localisation_between_slaves),
		cmocka_unit_test(test_al_error_with_code_text),
		cmocka_unit_test(test_impossible_al_code_is_anomaly),
		cmocka_unit_test(test_al_code_table),
		cmocka_unit_test(test_dc_out_of_sync_after_converged),
		cmocka_unit_test(test_trend_ignores_spikes),
		cmocka_unit_test(test_rising_error_rate_predicted),
		cmocka_unit_test(test_link_wkc_rate_predicted),
		cmocka_unit_test(test_lost_frame_found_at_the_next_return),
		cmocka_unit_test(test_lost_frames_need_both_directions),
		cmocka_unit_test(test_link_flat_rate_with_spikes_not_predicted),
		cmocka_unit_test(test_seeded_trend_survives_restart),
		cmocka_unit_test(test_dc_drift_predicted_from_minute_means),
		cmocka_unit_test(test_pn_data_status_events),
		cmocka_unit_test(test_pn_ar_lost_after_watchdog),
		cmocka_unit_test(test_pn_ar_lost_fast_sender_after_slow),
		cmocka_unit_test(test_pn_cycle_gap_learnt),
		cmocka_unit_test(test_pn_connect_gives_step_and_watchdog),
		cmocka_unit_test(test_pn_connect_response_alone),
		cmocka_unit_test(test_pn_submodule_status_bad),
		cmocka_unit_test(test_pn_redundancy_switch),
		cmocka_unit_test(test_pn_diagnosis_alarm_text),
		cmocka_unit_test(test_load_grades_fine_check_reduce),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
