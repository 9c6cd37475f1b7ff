/*
 * The alert model: ISA-18.2 state machine, dedup of repeats, flood
 * summaries, shelving and its expiry, escalation, the change queue,
 * bounded memory, messages in both languages.
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

#define S 1000000000ULL

static const uint8_t SRC[6] = { 2, 0xde, 0xad, 0xbe, 0xef, 1 };
static const uint8_t DST[6] = { 0, 0x1b, 0x1b, 0, 0, 2 };

static uint64_t raise_at(struct alerts *al, unsigned int rule, uint64_t key,
			 uint64_t ts, uint64_t frame)
{
	struct alert_ev ev;

	memset(&ev, 0, sizeof(ev));
	ev.rule = (uint16_t)rule;
	ev.ts_ns = ts;
	ev.frame_no = frame;
	ev.src = SRC;
	ev.dst = DST;
	ev.key = key;
	ev.label = "drive-1";
	ev.detail = "NameOfStation=\"x\"";
	return alerts_raise(al, &ev);
}

static size_t drain_kinds(struct alerts *al, uint8_t *kinds, size_t max)
{
	static struct alert_change ch[ALERTS_CHANGES + ALERTS_MAX];
	size_t n = alerts_drain(al, ch, sizeof(ch) / sizeof(ch[0])), i;

	for (i = 0; i < n && i < max; i++)
		kinds[i] = ch[i].kind;
	return n;
}

static void test_repeats_update_one_alert(void **state)
{
	struct alerts *al = alerts_new(NULL);
	struct alert a;
	uint64_t id, i;

	(void)state;
	id = raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 7, 10 * S, 5);
	assert_true(id > 0);
	for (i = 1; i < 1000; i++)
		assert_int_equal(raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 7,
					  10 * S + i, 5 + i), id);
	assert_int_equal(alerts_open_count(al), 1);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.count, 1000);
	assert_int_equal(a.first.frame_no, 5);
	assert_int_equal(a.last.frame_no, 1004);
	assert_int_equal(a.nevidence, ALERT_EVIDENCE);
	assert_int_equal(a.state, ALERT_ST_ACTIVE_UNACK);
	/* another key is another alert */
	assert_true(raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 8, 11 * S, 2000) !=
		    id);
	assert_int_equal(alerts_open_count(al), 2);
	alerts_free(al);
}

static void test_isa182_states(void **state)
{
	struct alerts *al = alerts_new(NULL);
	struct alert a;
	uint8_t k[16];
	uint64_t id;
	size_t n;

	(void)state;
	id = raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 1, 10 * S, 1);
	n = drain_kinds(al, k, 16);
	assert_int_equal(n, 1);
	assert_int_equal(k[0], ALERT_CH_RAISED);
	/* quiet for clear_s (60 s): active-unack → cleared-unack */
	alerts_tick(al, 69 * S, 0);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.state, ALERT_ST_ACTIVE_UNACK);
	alerts_tick(al, 71 * S, 0);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.state, ALERT_ST_CLEARED_UNACK);
	/* it returns: active-unack again, same alert */
	assert_int_equal(raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 1, 80 * S, 9),
			 id);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.state, ALERT_ST_ACTIVE_UNACK);
	/* ack: active-ack; a second ack is refused */
	assert_int_equal(alerts_ack(al, id, "alice", "seen", 5), ALERT_OP_OK);
	assert_int_equal(alerts_ack(al, id, "alice", NULL, 5), ALERT_OP_REFUSED);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.state, ALERT_ST_ACTIVE_ACK);
	assert_string_equal(a.ack_by, "alice");
	/* active-ack + clear → normal: it leaves the table */
	alerts_tick(al, 200 * S, 0);
	assert_int_equal(alerts_get(al, id, &a), -1);
	assert_int_equal(alerts_open_count(al), 0);
	n = drain_kinds(al, k, 16);
	assert_int_equal(n, 4);
	assert_int_equal(k[0], ALERT_CH_CLEARED);
	assert_int_equal(k[1], ALERT_CH_RETURNED);
	assert_int_equal(k[2], ALERT_CH_ACKED);
	assert_int_equal(k[3], ALERT_CH_NORMAL);
	/* raising again opens a new alert */
	assert_true(raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 1, 300 * S, 99) >
		    id);
	assert_int_equal(alerts_ack(al, 12345, "x", NULL, 0),
			 ALERT_OP_NO_ALERT);
	alerts_free(al);
}

static void test_ack_of_cleared_ends_it(void **state)
{
	struct alerts *al = alerts_new(NULL);
	uint64_t id;

	(void)state;
	id = raise_at(al, ALERT_R_ARP_IP_TAKEOVER, 1, 10 * S, 1);
	alerts_tick(al, 400 * S, 0);
	assert_int_equal(alerts_ack(al, id, "bob", NULL, 1), ALERT_OP_OK);
	assert_int_equal(alerts_open_count(al), 0);
	alerts_free(al);
}

static void test_explicit_clear(void **state)
{
	struct alerts *al = alerts_new(NULL);
	struct alert a;
	uint64_t id;

	(void)state;
	id = raise_at(al, ALERT_R_DEVICE_NEW, 3, 10 * S, 1);
	/* clear_s 0: never by time */
	alerts_tick(al, 100000 * S, 0);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.state, ALERT_ST_ACTIVE_UNACK);
	alerts_clear(al, ALERT_R_DEVICE_NEW, 0, 0, 3);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.state, ALERT_ST_CLEARED_UNACK);
	alerts_free(al);
}

static void test_flood_summarised(void **state)
{
	struct alerts_opts o = { 0 };
	struct alerts *al;
	struct alert snap[ALERTS_MAX];
	uint64_t i, fid = 0;
	size_t n;

	(void)state;
	o.flood_rule = 10;
	o.flood_total = 100;
	al = alerts_new(&o);
	for (i = 0; i < 500; i++) {
		uint64_t id = raise_at(al, ALERT_R_ARP_IP_TAKEOVER, i + 1,
				       10 * S + i, i + 1);

		assert_true(id > 0);
		if (i >= 10) {
			if (!fid)
				fid = id;
			assert_int_equal(id, fid);
		}
	}
	n = alerts_snapshot(al, snap, ALERTS_MAX);
	assert_int_equal(n, 11);
	assert_int_equal(snap[10].rule, ALERT_R_FLOOD);
	assert_int_equal(snap[10].count, 490);
	assert_int_equal(snap[10].first.frame_no, 11);
	assert_non_null(strstr(snap[10].detail, "arp.ip_takeover"));
	/* a new window lets the rule open alerts again */
	assert_true(raise_at(al, ALERT_R_ARP_IP_TAKEOVER, 9999, 1000 * S, 1) !=
		    fid);
	alerts_free(al);
}

static void test_global_flood_and_bounded(void **state)
{
	struct alerts_opts o = { 0 };
	struct alerts_counters c;
	struct alerts *al;
	uint64_t i;

	(void)state;
	o.flood_rule = 1000000;
	o.flood_total = 1000000;
	al = alerts_new(&o);
	for (i = 0; i < 5000; i++)
		assert_true(raise_at(al, ALERT_R_ARP_IP_TAKEOVER, i + 1, 10 * S,
				     i + 1) > 0);
	assert_true(alerts_open_count(al) <= ALERTS_MAX);
	alerts_get_counters(al, &c);
	assert_int_equal(c.opened, ALERTS_MAX - ALERTS_SUMMARY_SLOTS + 1);
	assert_int_equal(c.flooded, 5000 - (ALERTS_MAX - ALERTS_SUMMARY_SLOTS));
	assert_int_equal(c.full, 0);
	alerts_free(al);
}

static void test_shelving_expires(void **state)
{
	struct alerts *al = alerts_new(NULL);
	uint64_t counts[4];
	struct alert a;
	uint8_t k[8];
	uint64_t id;

	(void)state;
	id = raise_at(al, ALERT_R_ECAT_INJECTED, 1, 10 * S, 1);
	alerts_active_counts(al, counts);
	assert_int_equal(counts[ALERT_SEV_CRITICAL], 1);
	assert_int_equal(alerts_shelve(al, id, 500 * S, "carol", "known"),
			 ALERT_OP_OK);
	alerts_active_counts(al, counts);
	assert_int_equal(counts[ALERT_SEV_CRITICAL], 0);
	/* shelved alerts still record */
	raise_at(al, ALERT_R_ECAT_INJECTED, 1, 11 * S, 2);
	alerts_tick(al, 12 * S, 499 * S);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.shelved_until_ns, 500 * S);
	assert_int_equal(a.count, 2);
	alerts_tick(al, 13 * S, 500 * S);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.shelved_until_ns, 0);
	assert_int_equal(drain_kinds(al, k, 8), 3);
	assert_int_equal(k[1], ALERT_CH_SHELVED);
	assert_int_equal(k[2], ALERT_CH_UNSHELVED);
	assert_int_equal(alerts_unshelve(al, id, "carol", NULL),
			 ALERT_OP_REFUSED);
	alerts_free(al);
}

static void test_escalation_needs_new_ack(void **state)
{
	struct alerts *al = alerts_new(NULL);
	struct alert_ev ev;
	struct alert a;
	uint64_t id;

	(void)state;
	id = raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 1, 10 * S, 1);
	alerts_ack(al, id, "x", NULL, 1);
	memset(&ev, 0, sizeof(ev));
	ev.rule = ALERT_R_PN_DCP_SET_STRANGER;
	ev.severity = ALERT_SEV_CRITICAL;
	ev.key = 1;
	ev.ts_ns = 11 * S;
	assert_int_equal(alerts_raise(al, &ev), id);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_int_equal(a.severity, ALERT_SEV_CRITICAL);
	assert_int_equal(a.state, ALERT_ST_ACTIVE_UNACK);
	alerts_free(al);
}

static void test_dirty_updates_drained(void **state)
{
	struct alerts *al = alerts_new(NULL);
	struct alert_change ch[8];
	size_t n;

	(void)state;
	raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 1, 10 * S, 1);
	assert_int_equal(alerts_drain(al, ch, 8), 1);
	assert_int_equal(alerts_drain(al, ch, 8), 0);
	raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 1, 11 * S, 2);
	raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 1, 12 * S, 3);
	n = alerts_drain(al, ch, 8);
	assert_int_equal(n, 1);
	assert_int_equal(ch[0].kind, ALERT_CH_UPDATED);
	assert_int_equal(ch[0].a.count, 3);
	alerts_free(al);
}

static void test_restore_and_ids(void **state)
{
	struct alerts *al = alerts_new(NULL);
	struct alert a;

	(void)state;
	memset(&a, 0, sizeof(a));
	a.id = 41;
	a.rule = ALERT_R_ARP_PORT_STEALING;
	a.state = ALERT_ST_CLEARED_UNACK;
	a.key = 5;
	assert_int_equal(alerts_restore(al, &a), 0);
	assert_int_equal(alerts_restore(al, &a), -1);
	a.state = ALERT_ST_NORMAL;
	assert_int_equal(alerts_restore(al, &a), -1);
	assert_int_equal(raise_at(al, ALERT_R_ARP_PORT_STEALING, 5, 1, 1), 41);
	assert_int_equal(raise_at(al, ALERT_R_ARP_PORT_STEALING, 6, 1, 1), 42);
	alerts_free(al);
}

static void test_messages_and_names(void **state)
{
	struct alerts *al = alerts_new(NULL);
	struct alert a;
	char buf[ALERT_MSG_MAX];
	json_t *j;
	uint64_t id;

	(void)state;
	id = raise_at(al, ALERT_R_PN_DCP_SET_STRANGER, 1, 10 * S, 3);
	assert_int_equal(alerts_get(al, id, &a), 0);
	alert_message(&a, "en", buf, sizeof(buf));
	assert_string_equal(buf, "DCP Set NameOfStation=\"x\" to drive-1 from "
			    "02:de:ad:be:ef:01, which is neither an engineering "
			    "station nor the device's controller");
	alert_message(&a, "zh-CN", buf, sizeof(buf));
	assert_non_null(strstr(buf, "工程师站"));
	alert_message(&a, "en", buf, 10);
	assert_int_equal(strlen(buf), 9);
	j = alert_json(&a);
	assert_string_equal(json_string_value(json_object_get(j, "technique")),
			    "T0855");
	assert_string_equal(json_string_value(json_object_get(j, "state")),
			    "active-unack");
	assert_int_equal(json_integer_value(json_array_get(
				json_object_get(j, "frames"), 0)), 3);
	json_decref(j);
	assert_int_equal(alert_rule_parse("pn.dcp.set_from_stranger"),
			 ALERT_R_PN_DCP_SET_STRANGER);
	assert_int_equal(alert_rule_parse("no.such.rule"), -1);
	assert_int_equal(alert_state_parse("cleared-unack"),
			 ALERT_ST_CLEARED_UNACK);
	assert_int_equal(alert_severity_parse("critical"), ALERT_SEV_CRITICAL);
	assert_int_equal(alert_severity_parse("bad"), -1);
	alerts_free(al);
}

/*
 * Regression: alert texts quote frames (a DCP Set's NameOfStation, an FoE
 * file name) and were kept as given, cut anywhere: escape sequences went
 * to terminals and a detail that was not UTF-8 vanished from the JSON.
 */
static void test_alert_text_from_the_wire_escaped(void **state)
{
	struct alerts *al = alerts_new(NULL);
	char detail[300] = "NameOfStation=\"\x1b[2J\xff\"";
	struct alert_ev ev;
	struct alert a;
	json_t *o;
	uint64_t id;
	size_t n;

	(void)state;
	/* then 2-byte characters past the end of what an alert keeps */
	for (n = strlen(detail); n + 2 < sizeof(detail); n += 2)
		memcpy(detail + n, "\xc3\xa9", 2);
	detail[n] = '\0';
	memset(&ev, 0, sizeof(ev));
	ev.rule = ALERT_R_PN_DCP_SET_STRANGER;
	ev.ts_ns = 10 * S;
	ev.src = SRC;
	ev.key = 1;
	ev.label = "dev\r\nfake";
	ev.detail = detail;
	id = alerts_raise(al, &ev);
	assert_int_equal(alerts_get(al, id, &a), 0);
	assert_string_equal(a.label, "dev\\x0d\\x0afake");
	assert_memory_equal(a.detail, "NameOfStation=\"\\x1b[2J\\xff\"\xc3\xa9",
			    strlen("NameOfStation=\"\\x1b[2J\\xff\"\xc3\xa9"));
	o = alert_json(&a);
	assert_non_null(o);
	/* jansson takes only valid UTF-8: the detail is there, whole */
	assert_string_equal(json_string_value(json_object_get(o, "detail")),
			    a.detail);
	json_decref(o);
	alerts_free(al);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_repeats_update_one_alert),
		cmocka_unit_test(test_isa182_states),
		cmocka_unit_test(test_ack_of_cleared_ends_it),
		cmocka_unit_test(test_explicit_clear),
		cmocka_unit_test(test_flood_summarised),
		cmocka_unit_test(test_global_flood_and_bounded),
		cmocka_unit_test(test_shelving_expires),
		cmocka_unit_test(test_escalation_needs_new_ack),
		cmocka_unit_test(test_dirty_updates_drained),
		cmocka_unit_test(test_restore_and_ids),
		cmocka_unit_test(test_messages_and_names),
		cmocka_unit_test(test_alert_text_from_the_wire_escaped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
