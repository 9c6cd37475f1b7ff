/*
 * Inventory flooding: 200,000 source MACs, far more than the model's
 * device table (MODEL_MAX_DEVICES) and the IDS's station table hold,
 * through the real decoder, model, IDS and alert table.  One
 * inventory.mac_flood alert; admitted devices keep their place and id;
 * offline unadmitted ones go first; a real device that turns up during
 * the flood and one after it both register; the tables stay their size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "alerts/alerts.h"
#include "ids/ids_int.h"
#include "model/model.h"

#define FLOOD		200000
#define FLOOD_RATE_NS	50000ULL	/* 20,000 new MACs a second */

struct rig {
	struct alerts *al;
	struct model *m;
	struct ids *ids;
	uint64_t ts, frame_no;
	size_t mac_flood_raised, device_new_raised, evicted_events;
	uint32_t last_evicted;
	char last_detail[256];
};

static void sink_event(void *arg, const struct model_device *dev,
		       unsigned int ev, const char *detail, uint64_t ts_ns)
{
	struct rig *r = arg;

	if (ev == MODEL_EV_EVICTED) {
		r->evicted_events++;
		r->last_evicted = dev->id;
		snprintf(r->last_detail, sizeof(r->last_detail), "%s", detail);
	}
	ids_device_event(r->ids, dev, ev, ts_ns);
}

static void drain(struct rig *r)
{
	struct alert_change ch[64];
	size_t n, i;

	do {
		n = alerts_drain(r->al, ch, 64);
		for (i = 0; i < n; i++) {
			if (ch[i].kind != ALERT_CH_RAISED)
				continue;
			if (ch[i].a.rule == ALERT_R_INVENTORY_FLOOD)
				r->mac_flood_raised++;
			if (ch[i].a.rule == ALERT_R_DEVICE_NEW)
				r->device_new_raised++;
		}
	} while (n == 64);
}

static void feed(struct rig *r, const uint8_t *f, uint32_t len)
{
	struct decoded d;

	decode_frame(f, len, &d);
	model_frame(r->m, &d, r->ts, len, 0);
	ids_frame(r->ids, &d, r->ts, ++r->frame_no);
	if (!(r->frame_no % 256)) {
		model_tick(r->m, r->ts);
		alerts_tick(r->al, r->ts, r->ts);
		drain(r);
	}
}

static uint32_t dcp_head(uint8_t *f, const uint8_t src[6], const uint8_t dst[6],
			 uint16_t frame_id, uint8_t service, uint8_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x88;
	f[13] = 0x92;
	f[14] = (uint8_t)(frame_id >> 8);
	f[15] = (uint8_t)frame_id;
	f[16] = service;
	f[17] = type;
	memset(f + 18, 0, 8);		/* xid, delay, length */
	f[21] = 1;
	return 26;
}

static uint32_t finish(uint8_t *f, uint32_t at)
{
	uint32_t dlen = at - 26;

	f[24] = (uint8_t)(dlen >> 8);
	f[25] = (uint8_t)dlen;
	while (at < 60)
		f[at++] = 0;
	return at;
}

/* A DCP Identify request, as a flooding tool sends it from random MACs. */
static void identify_request(struct rig *r, const uint8_t src[6])
{
	static const uint8_t mc[6] = { 0x01, 0x0e, 0xcf, 0, 0, 0 };
	uint8_t f[64];
	uint32_t at = dcp_head(f, src, mc, 0xfefe, DCP_IDENTIFY, 0);

	f[at++] = 0xff;
	f[at++] = 0xff;
	f[at++] = 0;
	f[at++] = 0;
	feed(r, f, finish(f, at));
}

/* A device answering Identify with its NameOfStation. */
static void identify_response(struct rig *r, const uint8_t src[6],
			      const char *name)
{
	static const uint8_t plc[6] = { 0x00, 0x0e, 0x8c, 0, 0, 1 };
	uint8_t f[128];
	uint32_t at = dcp_head(f, src, plc, 0xfeff, DCP_IDENTIFY, 1);
	size_t n = strlen(name);

	f[at++] = 2;
	f[at++] = 2;
	f[at++] = 0;
	f[at++] = (uint8_t)(n + 2);
	f[at++] = 0;
	f[at++] = 0;
	memcpy(f + at, name, n);
	at += (uint32_t)n;
	if (n & 1)
		f[at++] = 0;
	feed(r, f, finish(f, at));
}

static void flood_mac(uint32_t i, uint8_t mac[6])
{
	/* unicast, spread like random ones */
	uint32_t h = i * 2654435761u;

	mac[0] = 0x02;
	mac[1] = 0x66;
	mac[2] = (uint8_t)(h >> 24);
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static const uint8_t ADMITTED[3][6] = {
	{ 0x00, 0x0e, 0x8c, 0x10, 0x00, 0x01 },
	{ 0x00, 0x0e, 0x8c, 0x10, 0x00, 0x02 },
	{ 0x00, 0x0e, 0x8c, 0x10, 0x00, 0x03 },
};
static const uint8_t PENDING[6] = { 0x00, 0x0e, 0x8c, 0x10, 0x00, 0x04 };
static const uint8_t NEW_DURING[6] = { 0x00, 0x0e, 0x8c, 0x20, 0x00, 0x01 };
static const uint8_t NEW_AFTER[6] = { 0x00, 0x0e, 0x8c, 0x20, 0x00, 0x02 };

static void admit(struct rig *r, const char *name)
{
	const struct model_device *d = model_device_find(r->m, name);
	char why[160];

	assert_non_null(d);
	assert_int_equal(model_set_lifecycle(r->m, d->id, "commissioned",
					     "test", r->ts, why, sizeof(why)),
			 MODEL_LC_OK);
	assert_int_equal(model_set_lifecycle(r->m, d->id, "active", "test",
					     r->ts, why, sizeof(why)),
			 MODEL_LC_OK);
}

static struct model_counters model_ctr(const struct model *m)
{
	struct model_counters c;

	model_get_counters(m, &c);
	return c;
}

static void test_flood_evicts_only_unadmitted(void **state)
{
	struct rig r = { .ts = 1000000000ULL };
	struct model_sink sink = { .device_event = sink_event, .arg = &r };
	struct ids_counters ic;
	uint32_t ids_before[3], pending_id, i;
	const struct model_device *d;
	uint8_t mac[6];
	char name[16];

	(void)state;
	r.al = alerts_new(NULL);
	r.m = model_new(NULL);
	r.ids = ids_new(r.al, r.m);
	assert_non_null(r.al);
	assert_non_null(r.m);
	assert_non_null(r.ids);
	model_set_sink(r.m, &sink);

	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "io-%u", i + 1);
		identify_response(&r, ADMITTED[i], name);
		admit(&r, name);
		ids_before[i] = model_device_find(r.m, name)->id;
	}
	identify_response(&r, PENDING, "not-admitted");
	pending_id = model_device_find(r.m, "not-admitted")->id;

	/* the admitted devices fall silent: offline, yet never evicted */
	for (i = 0; i < FLOOD; i++) {
		r.ts += FLOOD_RATE_NS;
		flood_mac(i, mac);
		identify_request(&r, mac);
		/* a real device joins mid-flood and keeps talking */
		if (i >= FLOOD / 2 && !(i % 1000))
			identify_response(&r, NEW_DURING, "new-during");
	}
	/* the flood stops; 10 s later a real device turns up */
	r.ts += 10000000000ULL;
	model_tick(r.m, r.ts);
	identify_response(&r, NEW_AFTER, "new-after");
	alerts_tick(r.al, r.ts, r.ts);
	drain(&r);

	for (i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "io-%u", i + 1);
		d = model_device_find(r.m, name);
		assert_non_null(d);
		assert_int_equal(d->id, ids_before[i]);
		assert_int_equal(d->lifecycle, MODEL_LC_ACTIVE);
		assert_non_null(ids_station(r.ids, ADMITTED[i], false));
	}
	/* the unadmitted one was offline: it went early in the flood */
	d = model_device_find(r.m, "not-admitted");
	assert_null(d);
	assert_null(model_device_by_mac(r.m, PENDING));
	(void)pending_id;

	d = model_device_find(r.m, "new-during");
	assert_non_null(d);
	d = model_device_find(r.m, "new-after");
	assert_non_null(d);
	assert_int_equal(d->lifecycle, MODEL_LC_PENDING);
	assert_non_null(ids_station(r.ids, NEW_AFTER, false));

	/* bounded: the tables kept their size, the rest was evicted */
	assert_true(model_device_count(r.m) <= MODEL_MAX_DEVICES);
	assert_int_equal(model_ctr(r.m).devices_full, 0);
	assert_true(model_ctr(r.m).devices_evicted >=
		    FLOOD + 6 - MODEL_MAX_DEVICES);
	assert_int_equal(r.evicted_events, model_ctr(r.m).devices_evicted);
	assert_non_null(strstr(r.last_detail, "evicted for a new device"));
	ids_get_counters(r.ids, &ic);
	print_message("stations evicted %llu, full %llu\n", (unsigned long long)ic.stations_evicted, (unsigned long long)ic.stations_full);
	assert_true(ic.stations_evicted > FLOOD - IDS_STATIONS);
	assert_true(ic.stations_full < FLOOD / 100);

	/* one flood alert for the whole flood */
	assert_int_equal(r.mac_flood_raised, 1);

	ids_free(r.ids);
	model_free(r.m);
	alerts_free(r.al);
}

/*
 * A table of admitted devices has nothing to evict: a new device is
 * counted as not added, and nobody loses a place.
 */
static void test_admitted_table_stays_whole(void **state)
{
	struct rig r = { .ts = 1000000000ULL };
	struct model_sink sink = { .device_event = sink_event, .arg = &r };
	char why[160];
	uint8_t mac[6];
	uint32_t i;

	(void)state;
	r.al = alerts_new(NULL);
	r.m = model_new(NULL);
	r.ids = ids_new(r.al, r.m);
	assert_non_null(r.m);
	model_set_sink(r.m, &sink);
	for (i = 0; i < MODEL_MAX_DEVICES; i++) {
		r.ts += 1000000;
		flood_mac(i, mac);
		identify_request(&r, mac);
		assert_int_equal(model_set_lifecycle(r.m, i + 1, "commissioned",
						     NULL, r.ts, why,
						     sizeof(why)),
				 MODEL_LC_OK);
	}
	r.ts += 10000000000ULL;
	model_tick(r.m, r.ts);
	identify_response(&r, NEW_AFTER, "new-after");
	assert_null(model_device_by_mac(r.m, NEW_AFTER));
	assert_int_equal(model_ctr(r.m).devices_full, 1);
	assert_int_equal(model_ctr(r.m).devices_evicted, 0);
	assert_int_equal(model_device_count(r.m), MODEL_MAX_DEVICES);
	ids_free(r.ids);
	model_free(r.m);
	alerts_free(r.al);
}

/*
 * Regression: device.new is keyed by the device's MAC now; one raised
 * before (keyed 0, restored from alerts.db) must still clear when the
 * device is admitted.
 */
static void test_admission_clears_old_device_new(void **state)
{
	struct rig r = { .ts = 1000000000ULL };
	struct model_sink sink = { .device_event = sink_event, .arg = &r };
	struct alert_change ch[64];
	struct alert_ev ev = { .rule = ALERT_R_DEVICE_NEW };
	const struct model_device *d;
	char why[160];
	size_t n, i, cleared = 0;

	(void)state;
	r.al = alerts_new(NULL);
	r.m = model_new(NULL);
	r.ids = ids_new(r.al, r.m);
	model_set_sink(r.m, &sink);
	identify_response(&r, ADMITTED[0], "io-1");
	d = model_device_find(r.m, "io-1");
	assert_non_null(d);
	ev.device = d->id;
	ev.ts_ns = r.ts;
	assert_true(alerts_raise(r.al, &ev) != 0);
	while (alerts_drain(r.al, ch, 64) == 64)
		;
	assert_int_equal(model_set_lifecycle(r.m, d->id, "commissioned", NULL,
					     r.ts, why, sizeof(why)),
			 MODEL_LC_OK);
	n = alerts_drain(r.al, ch, 64);
	for (i = 0; i < n; i++)
		if (ch[i].kind == ALERT_CH_CLEARED &&
		    ch[i].a.rule == ALERT_R_DEVICE_NEW)
			cleared++;
	/* the MAC-keyed one of its discovery and the old one */
	assert_int_equal(cleared, 2);
	ids_free(r.ids);
	model_free(r.m);
	alerts_free(r.al);
}

/*
 * The pair cache (ids_pair) never leads to a slot another MAC took: a
 * station evicted while its pair is cached is found again, by its own
 * MAC, and the MAC now in its old slot is left alone.
 */
static void test_pair_cache_follows_evictions(void **state)
{
	static const uint8_t X[6] = { 0x00, 0x0e, 0x8c, 0x30, 0x00, 0x01 };
	static const uint8_t Y[6] = { 0x00, 0x0e, 0x8c, 0x30, 0x00, 0x02 };
	struct ids *ids = ids_new(NULL, NULL);
	struct station *a, *b, *old;
	uint8_t mac[6];
	uint32_t i;

	(void)state;
	assert_non_null(ids);
	ids->ts = 1000000000ULL;
	a = ids_pair(ids, X, Y, ids_mac_key(X), ids_mac_key(Y), &b);
	assert_non_null(a);
	assert_non_null(b);
	old = a;
	/* X is idle and holds nothing a rule needs: new MACs take its place */
	for (i = 0; i < 4 * IDS_STATIONS && ids_station(ids, X, false); i++) {
		ids->ts += 1000000ULL;
		flood_mac(i, mac);
		ids_station(ids, mac, true);
		ids_station(ids, Y, true);	/* Y stays busy */
	}
	assert_null(ids_station(ids, X, false));
	ids->ts += 1000000ULL;
	a = ids_pair(ids, X, Y, ids_mac_key(X), ids_mac_key(Y), &b);
	assert_non_null(a);
	assert_non_null(b);
	assert_memory_equal(a->mac, X, 6);
	assert_memory_equal(b->mac, Y, 6);
	assert_ptr_equal(ids_station(ids, X, false), a);
	if (old != a && old->used && !old->dead)
		assert_true(memcmp(old->mac, X, 6) != 0);
	ids_free(ids);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flood_evicts_only_unadmitted),
		cmocka_unit_test(test_admitted_table_stays_whole),
		cmocka_unit_test(test_admission_clears_old_device_new),
		cmocka_unit_test(test_pair_cache_follows_evictions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
