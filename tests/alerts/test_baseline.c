/*
 * The baseline (daemon/ids/baseline.c, ids_baseline.c): its bounded
 * table, the JSON form and its errors, the learning window on the
 * capture's clock, and each deviation rule on frames built here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "alerts/alerts.h"
#include "decode/decode.h"
#include "ids/baseline.h"
#include "ids/ids.h"

#define S 1000000000ULL
#define MS 1000000ULL

static const uint8_t CTRL[6] = { 0, 0x1b, 0x1b, 0, 0, 1 };
static const uint8_t DEV[6] = { 0, 0x1b, 0x1b, 0, 0, 2 };
static const uint8_t DEV2[6] = { 0, 0x1b, 0x1b, 0, 0, 3 };
static const uint8_t STRANGER[6] = { 2, 0xde, 0xad, 0xbe, 0xef, 1 };
static const uint8_t MASTER[6] = { 0, 0xaa, 0, 0, 0, 1 };
static const uint8_t ROGUE[6] = { 0, 0xbb, 0, 0, 0, 1 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t DCP_MC[6] = { 1, 0x0e, 0xcf, 0, 0, 0 };

struct rig {
	struct alerts *al;
	struct ids *ids;
	struct decoded d;
	uint64_t ts;
	bool seen[ALERT_RULE_COUNT];
};

static void rig_init(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	r->al = alerts_new(NULL);
	r->ids = ids_new(r->al, NULL);
	assert_non_null(r->ids);
	r->ts = 1000 * S;
}

static void rig_free(struct rig *r)
{
	ids_free(r->ids);
	alerts_free(r->al);
}

static void collect(struct rig *r)
{
	static struct alert_change ch[256];
	size_t n, i;

	ids_flush(r->ids);
	while ((n = alerts_drain(r->al, ch, 256)) > 0) {
		for (i = 0; i < n; i++)
			r->seen[ch[i].a.rule] = true;
		if (n < 256)
			break;
	}
}

static size_t nseen(struct rig *r)
{
	size_t i, n = 0;

	collect(r);
	for (i = 0; i < ALERT_RULE_COUNT; i++)
		n += r->seen[i];
	return n;
}

static void feed(struct rig *r, const uint8_t *f, size_t len, uint64_t dt)
{
	r->ts += dt;
	decode_frame(f, (uint32_t)len, &r->d);
	ids_frame(r->ids, &r->d, r->ts, 0);
}

static size_t eth(uint8_t *f, const uint8_t dst[6], const uint8_t src[6],
		  uint16_t type)
{
	memset(f, 0, 64);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	return 14;
}

static void rt(struct rig *r, const uint8_t src[6], const uint8_t dst[6],
	       uint16_t fid, uint64_t dt)
{
	uint8_t f[64];
	size_t o = eth(f, dst, src, 0x8892);

	f[o] = (uint8_t)(fid >> 8);
	f[o + 1] = (uint8_t)fid;
	/* 40 bytes of IO data, cycle counter, data status, transfer status */
	f[o + 44] = 0x35;
	feed(r, f, 60, dt);
}

static void ident(struct rig *r, const uint8_t src[6], uint32_t xid,
		  uint64_t dt)
{
	uint8_t f[64];
	size_t o = eth(f, DCP_MC, src, 0x8892);
	uint8_t p[] = { 0xfe, 0xfe, 5, 0, (uint8_t)(xid >> 24),
			(uint8_t)(xid >> 16), (uint8_t)(xid >> 8),
			(uint8_t)xid, 0, 1, 0, 4, 0xff, 0xff, 0, 0 };

	memcpy(f + o, p, sizeof(p));
	feed(r, f, 60, dt);
}

static void arp_req(struct rig *r, const uint8_t src[6], uint8_t last,
		    uint64_t dt)
{
	uint8_t f[64];
	size_t o = eth(f, BCAST, src, 0x0806);
	uint8_t p[] = { 0, 1, 8, 0, 6, 4, 0, 1 };

	memcpy(f + o, p, sizeof(p));
	memcpy(f + o + 8, src, 6);
	f[o + 14] = 192, f[o + 15] = 168, f[o + 16] = 1, f[o + 17] = 20;
	f[o + 24] = 192, f[o + 25] = 168, f[o + 26] = 1, f[o + 27] = last;
	feed(r, f, 60, dt);
}

/* one LRW out and back, from master m */
static void ecat_cycle(struct rig *r, const uint8_t m[6], uint8_t idx,
		       uint64_t dt)
{
	uint8_t f[64], src[6];
	size_t o;
	int back;

	memcpy(src, m, 6);
	for (back = 0; back < 2; back++) {
		if (back)
			src[0] |= 0x02;
		o = eth(f, BCAST, src, 0x88a4);
		f[o] = 10 + 12, f[o + 1] = 0x10;	/* length 22, type 1 */
		f[o + 2] = 12;				/* LRW */
		f[o + 3] = idx;
		f[o + 6] = 0x00, f[o + 7] = 0x10;	/* ado 0x1000 */
		f[o + 8] = 8;				/* 8 bytes */
		f[o + 20] = back ? 3 : 0;		/* wkc */
		feed(r, f, 60, back ? 10000 : dt);
	}
}

static void eth_ip(struct rig *r, const uint8_t src[6], const uint8_t dst[6],
		   uint64_t dt)
{
	uint8_t f[64];
	size_t o = eth(f, dst, src, 0x0800);

	f[o] = 0x45;
	feed(r, f, 60, dt);
}

/* the normal line: an AR both ways, an EtherCAT master, one Identify */
static void line(struct rig *r, unsigned int ms, bool with_ecat)
{
	unsigned int i;

	ident(r, CTRL, 1, MS);
	for (i = 0; i < ms / 2; i++) {
		rt(r, CTRL, DEV, 0x8001, 2 * MS);
		rt(r, DEV, CTRL, 0x8002, 10000);
		if (with_ecat)
			ecat_cycle(r, MASTER, (uint8_t)i, 10000);
	}
}

/* learn 2 s of the normal line, then 1 s protected with nothing new */
static void learned(struct rig *r, bool with_ecat)
{
	ids_baseline_learn(r->ids, 2 * S, true);
	line(r, 3000, with_ecat);
	assert_int_equal(ids_baseline(r->ids)->state, BL_PROTECTING);
	assert_int_equal(nseen(r), 0);
}

static void test_table_add_find_remove_bounded(void **state)
{
	struct baseline *bl = baseline_new();
	struct bl_entry e, *f;
	size_t i, stored = 0;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.kind = BL_PAIR;
	e.ethertype = 0x8892;
	for (i = 0; i < BL_MAX; i++) {
		e.a[4] = (uint8_t)(i >> 8);
		e.a[5] = (uint8_t)i;
		if (baseline_add(bl, &e))
			stored++;
	}
	assert_int_equal(stored, BL_MAX * 3 / 4);
	assert_int_equal(bl->n, stored);
	assert_int_equal(bl->full, BL_MAX - stored);
	/* remove every other one; the rest must still be found */
	for (i = 0; i < stored; i += 2) {
		e.a[4] = (uint8_t)(i >> 8);
		e.a[5] = (uint8_t)i;
		assert_int_equal(baseline_remove(bl, &e), 0);
	}
	for (i = 0; i < stored; i++) {
		e.a[4] = (uint8_t)(i >> 8);
		e.a[5] = (uint8_t)i;
		f = baseline_find(bl, &e);
		if (i % 2)
			assert_non_null(f);
		else
			assert_null(f);
	}
	e.a[4] = e.a[5] = 0;
	assert_int_equal(baseline_remove(bl, &e), -1);
	/* another ethertype is another pair */
	e.a[5] = 1;
	e.ethertype = 0x0800;
	assert_null(baseline_find(bl, &e));
	baseline_free(bl);
}

static void test_json_round_trip_and_errors(void **state)
{
	struct rig r;
	struct baseline *b = baseline_new();
	json_t *j, *bad;
	char err[256];

	(void)state;
	rig_init(&r);
	learned(&r, true);
	j = baseline_json(ids_baseline(r.ids));
	assert_int_equal(baseline_from_json(b, j, err, sizeof(err)), 0);
	assert_int_equal(b->n, ids_baseline(r.ids)->n);
	assert_int_equal(b->state, BL_PROTECTING);
	assert_int_equal(json_array_size(json_object_get(j, "ars")), 2);
	assert_int_equal(json_array_size(json_object_get(j, "masters")), 1);
	json_decref(j);

	bad = json_loads("{\"version\":1,\"ars\":[{\"src\":\"00:1b:1b:00:00:01\","
			 "\"dst\":\"00:1b:1b:00:00:02\",\"frame_id\":\"0x1ffff\"}]}",
			 0, NULL);
	assert_int_equal(baseline_from_json(b, bad, err, sizeof(err)), -1);
	assert_string_equal(err, "ars[0].frame_id: out of range");
	/* a refused import leaves nothing half-read */
	assert_int_equal(b->n, 0);
	json_decref(bad);
	bad = json_loads("{\"kind\":\"gadget\"}", 0, NULL);
	assert_int_equal(baseline_entry_from_json(b, bad, &(struct bl_entry){0},
						  err, sizeof(err)), -1);
	assert_non_null(strstr(err, "entry.kind: missing or not one of"));
	json_decref(bad);
	baseline_free(b);
	rig_free(&r);
}

static void test_learning_raises_nothing_and_ends_on_capture_clock(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r);
	ids_baseline_learn(r.ids, 2 * S, true);
	line(&r, 1000, true);
	eth_ip(&r, DEV2, DEV, MS);	/* new, but learned */
	assert_int_equal(ids_baseline(r.ids)->state, BL_LEARNING);
	line(&r, 2000, true);
	assert_int_equal(ids_baseline(r.ids)->state, BL_PROTECTING);
	eth_ip(&r, DEV2, DEV, MS);
	assert_int_equal(nseen(&r), 0);
	/* learning 0 stops it; what was learned is protected */
	ids_baseline_learn(r.ids, 0, false);
	assert_int_equal(ids_baseline(r.ids)->state, BL_PROTECTING);
	rig_free(&r);
}

static void test_no_baseline_no_baseline_rules(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r);
	line(&r, 1000, true);
	eth_ip(&r, DEV2, DEV, MS);
	rt(&r, STRANGER, DEV, 0x8001, MS);
	assert_false(r.seen[ALERT_R_NET_PAIR_NEW] ||
		     r.seen[ALERT_R_PN_RT_FOREIGN]);
	assert_int_equal(nseen(&r), 0);
	rig_free(&r);
}

static void test_pair_new(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r);
	learned(&r, true);
	eth_ip(&r, DEV2, DEV, MS);
	assert_int_equal(nseen(&r), 1);
	assert_true(r.seen[ALERT_R_NET_PAIR_NEW]);
	rig_free(&r);
}

static void test_frame_id_new(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r);
	learned(&r, true);
	rt(&r, CTRL, DEV, 0x8003, MS);
	assert_int_equal(nseen(&r), 1);
	assert_true(r.seen[ALERT_R_PN_FRAME_ID_NEW]);
	rig_free(&r);
}

static void test_foreign_source(void **state)
{
	struct rig r;

	(void)state;
	rig_init(&r);
	learned(&r, true);
	rt(&r, STRANGER, DEV, 0x8001, MS);
	assert_int_equal(nseen(&r), 1);
	assert_true(r.seen[ALERT_R_PN_RT_FOREIGN]);
	rig_free(&r);
}

static void test_master_changed(void **state)
{
	struct rig r;
	unsigned int i;

	(void)state;
	rig_init(&r);
	learned(&r, true);
	for (i = 0; i < 10; i++)
		ecat_cycle(&r, ROGUE, (uint8_t)i, 2 * MS);
	collect(&r);
	assert_true(r.seen[ALERT_R_ECAT_MASTER_CHANGED]);
	assert_false(r.seen[ALERT_R_ECAT_MASTER_UNKNOWN]);
	assert_false(r.seen[ALERT_R_NET_PAIR_NEW]);
	rig_free(&r);
}

static void test_master_unknown_and_engineering_exempt(void **state)
{
	struct rig r;
	struct ids_policy p;
	unsigned int i;

	(void)state;
	rig_init(&r);
	learned(&r, false);
	for (i = 0; i < 10; i++)
		ecat_cycle(&r, ROGUE, (uint8_t)i, 2 * MS);
	collect(&r);
	assert_true(r.seen[ALERT_R_ECAT_MASTER_UNKNOWN]);
	assert_false(r.seen[ALERT_R_ECAT_MASTER_CHANGED]);
	rig_free(&r);

	rig_init(&r);
	ids_policy_default(&p);
	memcpy(p.engineering[0], ROGUE, 6);
	p.nengineering = 1;
	ids_set_policy(r.ids, &p);
	learned(&r, false);
	for (i = 0; i < 10; i++)
		ecat_cycle(&r, ROGUE, (uint8_t)i, 2 * MS);
	assert_int_equal(nseen(&r), 0);
	rig_free(&r);
}

static void test_link_flood(void **state)
{
	struct rig r;
	unsigned int i;

	(void)state;
	rig_init(&r);
	learned(&r, true);
	/* learned: about 4,000 frames in a 10 s window; 4x + 1000 */
	for (i = 0; i < 12000; i++)
		rt(&r, CTRL, DEV, 0x8001, 10000);
	assert_int_equal(nseen(&r), 0);
	for (i = 0; i < 8000; i++)
		rt(&r, CTRL, DEV, 0x8001, 10000);
	assert_int_equal(nseen(&r), 1);
	assert_true(r.seen[ALERT_R_NET_LINK_FLOOD]);
	rig_free(&r);
}

static void test_dcp_rate(void **state)
{
	struct rig r;
	unsigned int i;

	(void)state;
	rig_init(&r);
	learned(&r, true);
	/* learned 1 per 10 s: the limit is 2 x 1 + 10 */
	for (i = 0; i < 11; i++)
		ident(&r, CTRL, 100 + i, 10 * MS);
	assert_int_equal(nseen(&r), 0);
	ident(&r, CTRL, 200, 10 * MS);
	ident(&r, CTRL, 201, 10 * MS);
	assert_int_equal(nseen(&r), 1);
	assert_true(r.seen[ALERT_R_PN_DCP_RATE]);
	rig_free(&r);
}

static void test_arp_rate(void **state)
{
	struct rig r;
	unsigned int i;

	(void)state;
	rig_init(&r);
	ids_baseline_learn(r.ids, 2 * S, true);
	arp_req(&r, DEV, 1, MS);
	line(&r, 3000, true);
	for (i = 0; i < 12; i++)
		arp_req(&r, DEV, (uint8_t)(100 + i), 10 * MS);
	assert_int_equal(nseen(&r), 0);
	arp_req(&r, DEV, 200, 10 * MS);
	assert_int_equal(nseen(&r), 1);
	assert_true(r.seen[ALERT_R_ARP_RATE]);
	rig_free(&r);
}

static void test_imported_entry_is_known(void **state)
{
	struct rig r;
	json_t *j;
	struct bl_entry e;
	char err[256];
	struct baseline *bl;

	(void)state;
	rig_init(&r);
	learned(&r, true);
	bl = ids_baseline(r.ids);
	j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "kind", "pair", "line",
		      "capture", "src", "00:1b:1b:00:00:03", "dst",
		      "00:1b:1b:00:00:02", "ethertype", "0x0800");
	assert_int_equal(baseline_entry_from_json(bl, j, &e, err, sizeof(err)),
			 0);
	assert_non_null(baseline_add(bl, &e));
	eth_ip(&r, DEV2, DEV, MS);
	assert_int_equal(nseen(&r), 0);
	/* removed again: a deviation */
	assert_int_equal(baseline_remove(bl, &e), 0);
	eth_ip(&r, DEV2, DEV, MS);
	assert_int_equal(nseen(&r), 1);
	assert_true(r.seen[ALERT_R_NET_PAIR_NEW]);
	json_decref(j);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_add_find_remove_bounded),
		cmocka_unit_test(test_json_round_trip_and_errors),
		cmocka_unit_test(test_learning_raises_nothing_and_ends_on_capture_clock),
		cmocka_unit_test(test_no_baseline_no_baseline_rules),
		cmocka_unit_test(test_pair_new),
		cmocka_unit_test(test_frame_id_new),
		cmocka_unit_test(test_foreign_source),
		cmocka_unit_test(test_master_changed),
		cmocka_unit_test(test_master_unknown_and_engineering_exempt),
		cmocka_unit_test(test_link_flood),
		cmocka_unit_test(test_dcp_rate),
		cmocka_unit_test(test_arp_rate),
		cmocka_unit_test(test_imported_entry_is_known),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
