/*
 * The EtherCAT matching rules of the model on hand-made frames: which
 * master a returning frame belongs to, where a slave is, when a slave
 * seen by position and one seen by station address are one.  Loss must
 * cost statistics, never identity (tests/daemon/loss.t on captures).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/decode.h"
#include "model/model.h"
#include "model/select.h"

struct dg {
	uint8_t cmd, idx;
	uint16_t adp, ado, len;
	uint32_t value;		/* first bytes of the data, little-endian */
	uint16_t wkc;
};

static const uint8_t MASTER[6] = { 0x00, 0x1b, 0x21, 0x00, 0x00, 0x01 };

/* One EtherCAT frame from mac (0x02 set when back) with n datagrams. */
static size_t frame(uint8_t *f, const uint8_t mac[6], int back,
		    const struct dg *g, size_t n)
{
	size_t i, k, len = 0, at;

	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	if (back)
		f[6] |= 0x02;
	f[12] = 0x88;
	f[13] = 0xa4;
	at = 16;
	for (i = 0; i < n; i++) {
		f[at++] = g[i].cmd;
		f[at++] = g[i].idx;
		f[at++] = (uint8_t)g[i].adp; f[at++] = (uint8_t)(g[i].adp >> 8);
		f[at++] = (uint8_t)g[i].ado; f[at++] = (uint8_t)(g[i].ado >> 8);
		f[at++] = (uint8_t)g[i].len;
		f[at++] = (uint8_t)((g[i].len >> 8) | (i + 1 < n ? 0x80 : 0));
		f[at++] = 0; f[at++] = 0;
		for (k = 0; k < g[i].len; k++)
			f[at++] = k < 4 ? (uint8_t)(g[i].value >> (8 * k)) : 0;
		f[at++] = (uint8_t)g[i].wkc; f[at++] = (uint8_t)(g[i].wkc >> 8);
	}
	len = at - 16;
	f[14] = (uint8_t)len;
	f[15] = (uint8_t)(0x10 | (len >> 8));
	while (at < 60)
		f[at++] = 0;
	return at;
}

static uint64_t now = 1000000000ULL;

static void feed(struct model *m, const uint8_t mac[6], int back,
		 const struct dg *g, size_t n)
{
	uint8_t f[1514];
	size_t len = frame(f, mac, back, g, n);

	now += 100000;		/* 100 µs: a return is well within time */
	model_frame_raw(m, f, (uint32_t)len, (uint32_t)len, now, 0);
}

/* out and back of one datagram through a ring of ring slaves */
static void pair(struct model *m, struct dg g, uint16_t ring,
		 uint16_t wkc)
{
	struct dg b = g;

	feed(m, MASTER, 0, &g, 1);
	if (g.cmd == ECAT_APRD || g.cmd == ECAT_APWR || g.cmd == ECAT_BRD)
		b.adp = (uint16_t)(g.adp + ring);
	b.wkc = wkc;
	feed(m, MASTER, 1, &b, 1);
}

static size_t count(const struct model *m, unsigned int kind)
{
	size_t i, n = 0;

	for (i = 0; i < model_device_count(m); i++)
		n += model_device_at(m, i)->kind == kind;
	return n;
}

static const struct model_device *slave(const struct model *m, size_t nth)
{
	size_t i;

	for (i = 0; i < model_device_count(m); i++)
		if (model_device_at(m, i)->kind == MODEL_DEV_ECAT_SLAVE &&
		    !nth--)
			return model_device_at(m, i);
	return NULL;
}

static uint64_t counter(const struct model *m, const char *name)
{
	struct model_counters c;
	size_t i;

	model_get_counters(m, &c);
	for (i = 0; i < model_counter_count; i++)
		if (!strcmp(model_counter_names[i], name))
			return ((const uint64_t *)&c)[i];
	fail_msg("no counter %s", name);
	return 0;
}

/* Returns from a master never seen going out: counted, no ghost master. */
static void return_without_master_is_counted(void **state)
{
	struct model *m = model_new(NULL);
	struct dg g = { ECAT_BRD, 1, 3, 0x0130, 2, 8, 3 };
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		feed(m, MASTER, 1, &g, 1);
	assert_int_equal(model_device_count(m), 0);
	assert_int_equal(counter(m, "ecat_unmatched"), 10);
	g.adp = 0;
	g.wkc = 0;
	feed(m, MASTER, 0, &g, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_MASTER), 1);
	model_free(m);
}

/* The daemon measures silence on the monotonic receive clock: a wall
 * clock step of 8 days between two ticks takes no device offline, real
 * silence still does. */
static void wall_step_takes_no_device_offline(void **state)
{
	struct model *m = model_new(NULL);
	struct dg g = { ECAT_BRD, 1, 0, 0x0130, 2, 0, 0 };
	uint64_t mono = 5000000000ULL, step = 8ULL * 86400 * 1000000000ULL;

	(void)state;
	model_set_rx_clock(m, mono);
	feed(m, MASTER, 0, &g, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_MASTER), 1);
	model_set_rx_clock(m, mono + 1000000000ULL);
	model_tick(m, now + step);
	assert_true(model_device_at(m, 0)->online);
	model_set_rx_clock(m, mono + 4000000000ULL);
	model_tick(m, now + step + 3000000000ULL);
	assert_false(model_device_at(m, 0)->online);
	model_free(m);
}

/* The return carries the master's MAC with 0x02: it is that master's
 * even when another master has an outgoing frame with the same index. */
static void return_goes_to_its_own_master(void **state)
{
	static const uint8_t other[6] = { 0x00, 0x1b, 0x21, 0, 0, 2 };
	struct model *m = model_new(NULL);
	struct dg g = { ECAT_APRD, 7, 0xffff, 0x0130, 2, 8, 0 };

	(void)state;
	feed(m, other, 0, &g, 1);
	feed(m, MASTER, 0, &g, 1);
	g.adp = 1;
	g.wkc = 1;
	feed(m, MASTER, 1, &g, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_MASTER), 2);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 1);
	assert_int_equal(model_device_get(m, slave(m, 0)->parent)->mac[5], 1);
	assert_int_equal(slave(m, 0)->ring_pos, 1);
	model_free(m);
}

/* Each slave increments ADP: a position comes from the outgoing copy,
 * or from the shift the ring showed, never from the returning ADP alone
 * (which made 200 slaves at position 65535). */
static void position_from_pair_or_learnt_shift(void **state)
{
	struct model *m = model_new(NULL);
	struct dg brd = { ECAT_BRD, 1, 0, 0x0000, 1, 0, 0 };
	struct dg aprd = { ECAT_APRD, 9, 0, 0x0130, 2, 8, 1 };

	(void)state;
	feed(m, MASTER, 0, &brd, 1);	/* the master is known */
	aprd.adp = 2;			/* position 1 of 3, return only */
	feed(m, MASTER, 1, &aprd, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 0);
	assert_int_equal(counter(m, "ecat_unplaced"), 1);
	pair(m, brd, 3, 3);
	brd.idx = 2;
	pair(m, brd, 3, 3);
	feed(m, MASTER, 1, &aprd, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 1);
	assert_int_equal(slave(m, 0)->ring_pos, 1);
	model_free(m);
}

/* An outgoing copy too old for the return is another frame that used
 * the same index: no pair, no slave where its ADP pointed. */
static void stale_index_is_no_pair(void **state)
{
	struct model *m = model_new(NULL);
	struct dg g = { ECAT_APRD, 9, (uint16_t)-5, 0x0130, 2, 8, 0 };

	(void)state;
	feed(m, MASTER, 0, &g, 1);
	now += 50000000ULL;		/* 50 ms later */
	g.adp = 2;
	g.wkc = 1;
	feed(m, MASTER, 1, &g, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 0);
	assert_int_equal(counter(m, "ecat_unpaired"), 1);
	model_free(m);
}

/* A master whose own MAC has the 0x02 bit: both copies carry it; a few
 * out-and-back pairs make it a master, one answered frame does not. */
static void locally_administered_master(void **state)
{
	static const uint8_t la[6] = { 0x02, 0, 0, 0, 0, 0x42 };
	struct model *m = model_new(NULL);
	struct dg g = { ECAT_BRD, 0, 0, 0x0130, 2, 0, 0 };
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		g.idx = (uint8_t)i;
		g.adp = 0; g.wkc = 0;
		feed(m, la, 0, &g, 1);
		g.adp = 2; g.wkc = 2;
		feed(m, la, 0, &g, 1);
	}
	assert_int_equal(model_device_count(m), 0);
	g.idx = 2;
	g.adp = 0; g.wkc = 0;
	feed(m, la, 0, &g, 1);
	g.adp = 2; g.wkc = 2;
	feed(m, la, 0, &g, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_MASTER), 1);
	assert_int_equal(model_device_at(m, 0)->mac[0], 0x02);
	model_free(m);
}

/* APWR of the station address register at a position: the slave seen
 * by that address and the one at that position are one.  Once one slave
 * links the two, ring order places the others. */
static void station_register_links_position(void **state)
{
	struct model *m = model_new(NULL);
	struct dg fprd = { ECAT_FPRD, 1, 0x1001, 0x0130, 2, 8, 0 };
	struct dg aprd = { ECAT_APRD, 2, 0, 0x0130, 2, 8, 0 };
	struct dg apwr = { ECAT_APWR, 3, 0, 0x0010, 2, 0x1001, 0 };
	const struct model_device *s;

	(void)state;
	/* a ring of 4, so that nothing is full and order proves nothing */
	pair(m, fprd, 4, 1);
	pair(m, aprd, 4, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 2);
	pair(m, apwr, 4, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 1);
	assert_int_equal(counter(m, "ecat_merged"), 1);
	s = slave(m, 0);
	assert_int_equal(s->ring_pos, 0);
	assert_int_equal(s->station_addr, 0x1001);
	/* the merged id leads to the slave kept */
	assert_ptr_equal(model_device_get(m, s->id + 1), s);
	/* address 0x1002 then position 1: the offset the linked slave
	 * shows makes them one without a merge */
	fprd.idx = 4;
	fprd.adp = 0x1002;
	pair(m, fprd, 4, 1);
	aprd.idx = 5;
	aprd.adp = (uint16_t)-1;
	pair(m, aprd, 4, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 2);
	s = slave(m, 1);
	assert_int_equal(s->ring_pos, 1);
	assert_int_equal(s->station_addr, 0x1002);
	model_free(m);
}

/* Two terminals read by position and polled by station address, the
 * frames that set the addresses missed: the BRD count says two, and
 * ring order pairs them (TwinCAT in run mode made four). */
static void ring_count_and_order_link(void **state)
{
	struct model *m = model_new(NULL);
	struct dg brd = { ECAT_BRD, 1, 0, 0x0130, 2, 8, 0 };
	struct dg g = { ECAT_FPRD, 10, 1001, 0x0130, 2, 8, 0 };
	uint8_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		brd.idx = i;
		pair(m, brd, 2, 2);
	}
	pair(m, g, 2, 1);
	g.idx = 11;
	g.adp = 1002;
	pair(m, g, 2, 1);
	g.cmd = ECAT_APRD;
	g.idx = 12;
	g.adp = 0;
	pair(m, g, 2, 1);
	g.idx = 13;
	g.adp = (uint16_t)-1;
	pair(m, g, 2, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(slave(m, i)->ring_pos, i);
		assert_int_equal(slave(m, i)->station_addr, 1001 + i);
	}
	assert_int_equal(model_device_get(m, slave(m, 0)->parent)->nslaves, 2);
	/* the ring is full: a position it cannot hold is no third slave */
	g.idx = 14;
	g.adp = (uint16_t)-5;
	pair(m, g, 2, 1);
	assert_int_equal(count(m, MODEL_DEV_ECAT_SLAVE), 2);
	assert_int_equal(counter(m, "ecat_unplaced"), 1);
	model_free(m);
}

/*
 * The key table starts small and grows with the line: 3,000 PROFINET
 * senders (devices, links and their keys, several doublings) are each
 * found again by MAC and by link after the last growth, and no key was
 * refused.
 */
static void key_table_grows_with_the_line(void **state)
{
	struct model *m = model_new(NULL);
	uint8_t f[64] = { 0x00, 0x0e, 0xcf, 0x00, 0x00, 0x01 };
	uint8_t mac[6] = { 0x00, 0x0e, 0xcf, 0x10, 0x00, 0x00 };
	const struct model_device *d;
	unsigned int i, round;

	(void)state;
	assert_non_null(m);
	f[12] = 0x88;
	f[13] = 0x92;
	f[14] = 0x80;		/* FrameID 0x8001: cyclic RT class 1 */
	f[15] = 0x01;
	f[62] = 0x35;		/* data status: valid, primary, run, ok */
	for (round = 0; round < 2; round++)
		for (i = 0; i < 3000; i++) {
			mac[4] = (uint8_t)(i >> 8);
			mac[5] = (uint8_t)i;
			memcpy(f + 6, mac, 6);
			f[60] = (uint8_t)(round >> 8);
			f[61] = (uint8_t)round;
			now += 1000;
			model_frame_raw(m, f, sizeof(f), sizeof(f), now, 0);
		}
	assert_int_equal(model_device_count(m), 3000);	/* the senders */
	assert_int_equal(model_link_count(m), 3000);
	assert_int_equal(counter(m, "keys_full"), 0);
	assert_int_equal(counter(m, "links_full"), 0);
	for (i = 0; i < 3000; i++) {
		mac[4] = (uint8_t)(i >> 8);
		mac[5] = (uint8_t)i;
		d = model_device_by_mac(m, mac);
		assert_non_null(d);
		assert_memory_equal(d->mac, mac, 6);
		/* the second round found the first round's link */
		assert_int_equal(d->frames, 2);
	}
	for (i = 0; i < model_link_count(m); i++)
		assert_int_equal(model_link_at(m, i)->frames, 2);
	model_free(m);
}

/* what an alias may be: UTF-8 (no overlong forms, no surrogates), no
 * control characters of C0, DEL or C1, at most 64 characters */
static void alias_check_refuses_what_is_not_text(void **state)
{
	static const struct { const char *s; int ok; } cases[] = {
		{ "", 1 }, { "Press 1", 1 }, { "压机 1", 1 }, { "\xf0\x9f\x8f\xad", 1 },
		{ "a\x07" "b", 0 }, { "a\x7f", 0 }, { "a\xc2\x85", 0 },
		{ "a\xe2\x80\xa8", 0 }, { "\xc0\xaf", 0 }, { "\xed\xa0\x80", 0 },
		{ "\xe5\x8e", 0 }, { "\xff", 0 }, { " a", 0 }, { "a ", 0 },
	};
	char why[160], buf[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(model_alias_check(cases[i].s, strlen(cases[i].s),
						   why, sizeof(why)) == 0,
				 cases[i].ok);
	for (i = 0; i < 64; i++)
		memcpy(buf + 3 * i, "\xe5\xad\x97", 3);
	assert_int_equal(model_alias_check(buf, 192, why, sizeof(why)), 0);
	memcpy(buf + 192, "x", 1);
	assert_int_equal(model_alias_check(buf, 193, why, sizeof(why)), -1);
	assert_string_equal(why, "alias: at most 64 characters");
}

/* set, replace, clear; a snapshot keeps the table it was taken with */
static void alias_table_kept_by_label_and_shared(void **state)
{
	struct model *m = model_new(NULL), *s;

	(void)state;
	assert_non_null(m);
	assert_null(model_alias_get(m, "b"));
	assert_int_equal(model_alias_set(m, "b", "Bee"), 0);
	assert_int_equal(model_alias_set(m, "a", "Ay"), 0);
	assert_int_equal(model_alias_set(m, "c", "Cee"), 0);
	s = model_snapshot(m, NULL);
	assert_non_null(s);
	assert_int_equal(model_alias_set(m, "b", "Bee 2"), 0);
	assert_int_equal(model_alias_set(m, "a", ""), 0);
	assert_int_equal(model_alias_set(m, "zz", NULL), 0);
	assert_null(model_alias_get(m, "a"));
	assert_string_equal(model_alias_get(m, "b"), "Bee 2");
	assert_string_equal(model_alias_get(m, "c"), "Cee");
	assert_null(model_alias_get(m, "zz"));
	assert_string_equal(model_alias_get(s, "a"), "Ay");
	assert_string_equal(model_alias_get(s, "b"), "Bee");
	model_free(m);
	/* the snapshot's table outlives the model's */
	assert_string_equal(model_alias_get(s, "c"), "Cee");
	model_snapshot_free(s);
}

/* a PROFINET frame from mac with a reserved FrameID (0x2000): a device
 * without a link, so it may be evicted */
static void pn_from(struct model *m, const uint8_t mac[6])
{
	uint8_t f[64] = { 0x02, 0, 0, 0, 0, 0x01 };

	memcpy(f + 6, mac, 6);
	f[12] = 0x88; f[13] = 0x92; f[14] = 0x20; f[15] = 0x00;
	now += 100000;
	model_frame_raw(m, f, sizeof(f), sizeof(f), now, 0);
}

/*
 * A device evicted from a full table by newcomers (it was never admitted)
 * has its alias again when it comes back: the model keeps aliases by the
 * device's identity, its label (MAC), not by the slot.  The store's side,
 * across a restart: test_store's evicted_device_keeps_alias.
 */
static void alias_back_after_eviction(void **state)
{
	static const uint8_t mac[6] = { 0x00, 0x0e, 0x8c, 0x10, 0x00, 0x09 };
	struct model *m = model_new(NULL);
	const struct model_device *d;
	uint8_t other[6] = { 0x02, 0x66, 0, 0, 0, 0 };
	uint32_t i;

	(void)state;
	assert_non_null(m);
	pn_from(m, mac);
	d = model_device_find(m, "00:0e:8c:10:00:09");
	assert_non_null(d);
	assert_int_equal(model_alias_set(m, "00:0e:8c:10:00:09", "Press 4"), 0);
	for (i = 0; i < MODEL_MAX_DEVICES; i++) {
		other[3] = (uint8_t)(i >> 16);
		other[4] = (uint8_t)(i >> 8);
		other[5] = (uint8_t)i;
		pn_from(m, other);
	}
	assert_true(counter(m, "devices_evicted") >= 1);
	assert_null(model_device_find(m, "00:0e:8c:10:00:09"));
	pn_from(m, mac);
	d = model_device_find(m, "00:0e:8c:10:00:09");
	assert_non_null(d);
	assert_non_null(model_device_alias(m, d));
	assert_string_equal(model_device_alias(m, d), "Press 4");
	model_free(m);
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * link_stats' order statistics by selection are the sort's: its chain
 * (the median, then p99 above it, then the max above that) and a lone
 * k, on windows of one value, few values (duplicates), any value, and
 * already in order.
 */
static void select_matches_sort(void **state)
{
	static const uint32_t ranges[] = { 1, 3, 50, UINT32_MAX };
	uint32_t v[MODEL_JITTER_WINDOW], sorted[MODEL_JITTER_WINDOW];
	unsigned int seed = 16, r, round;
	size_t n, i, k99, k;

	(void)state;
	for (round = 0; round < 3000; round++) {
		n = round < 8 ? round % 4 + 1 :
		    (size_t)rand_r(&seed) % MODEL_JITTER_WINDOW + 1;
		r = ranges[round % 4];
		for (i = 0; i < n; i++)
			v[i] = r == UINT32_MAX ? (uint32_t)rand_r(&seed) * 2654435761u :
			       (uint32_t)rand_r(&seed) % r + 1000000;
		if (round % 7 == 0)	/* a sorted window, or reversed */
			qsort(v, n, sizeof(v[0]), cmp_u32);
		if (round % 14 == 0)
			for (i = 0; i < n / 2; i++) {
				uint32_t t = v[i];

				v[i] = v[n - 1 - i];
				v[n - 1 - i] = t;
			}
		memcpy(sorted, v, n * sizeof(v[0]));
		qsort(sorted, n, sizeof(v[0]), cmp_u32);
		k = (size_t)rand_r(&seed) % n;
		k99 = (n * 99) / 100 < n ? (n * 99) / 100 : n - 1;
		assert_int_equal(u32_select(v, n, n / 2), sorted[n / 2]);
		assert_int_equal(u32_select(v + n / 2, n - n / 2, k99 - n / 2),
				 sorted[k99]);
		assert_int_equal(u32_select(v + k99, n - k99, n - k99 - 1),
				 sorted[n - 1]);
		assert_int_equal(u32_select(v, n, k), sorted[k]);
		/* reordered, not changed: still the same values */
		qsort(v, n, sizeof(v[0]), cmp_u32);
		assert_memory_equal(v, sorted, n * sizeof(v[0]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(return_without_master_is_counted),
		cmocka_unit_test(wall_step_takes_no_device_offline),
		cmocka_unit_test(return_goes_to_its_own_master),
		cmocka_unit_test(position_from_pair_or_learnt_shift),
		cmocka_unit_test(stale_index_is_no_pair),
		cmocka_unit_test(locally_administered_master),
		cmocka_unit_test(station_register_links_position),
		cmocka_unit_test(ring_count_and_order_link),
		cmocka_unit_test(key_table_grows_with_the_line),
		cmocka_unit_test(alias_check_refuses_what_is_not_text),
		cmocka_unit_test(alias_table_kept_by_label_and_shared),
		cmocka_unit_test(alias_back_after_eviction),
		cmocka_unit_test(select_matches_sort),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
