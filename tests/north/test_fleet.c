/*
 * Unit tests of fleet mode's inventory and sessions (daemon/fleet/inv.c)
 * and [fleet] configuration: births give aliases that data use, a seq gap
 * or data from a node without a session asks for one Rebirth within the
 * interval, an NDEATH of another session's bdSeq is stale, historical
 * data by name need no alias, bad topics and payloads are counted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "core/conf.h"
#include "fleet/fleet.h"
#include "fleet/inv.h"
#include "north/spb.h"

struct got {
	char rows[64][160];
	double num[64];
	bool hist[64];
	int n, rebirths;
};

static void row(void *arg, const struct inv_row *r)
{
	struct got *g = arg;

	if (g->n == 64)
		return;
	snprintf(g->rows[g->n], sizeof(g->rows[0]), "%s|%s|%s|%s|%lld",
		 r->group, r->edge, r->device, r->metric, (long long)r->ts_ms);
	g->num[g->n] = r->has_num ? r->num : -1;
	g->hist[g->n++] = r->historical;
}

static void rebirth(void *arg, const char *group, const char *edge)
{
	struct got *g = arg;

	(void)group;
	(void)edge;
	g->rebirths++;
}

struct m {
	const char *name;
	uint64_t alias;			/* 0: none */
	double d;
	bool hist;
};

static int send(struct inv *v, struct got *g, const char *topic, int seq,
		const struct m *ms, size_t n, uint64_t now)
{
	struct inv_sink s = { row, NULL, rebirth, g };
	struct spb_buf b;
	uint8_t *buf;
	size_t len, i;
	char why[128];
	int rc;

	spb_init(&b, 1764900000000ULL);
	for (i = 0; i < n; i++) {
		struct spb_value val = { .type = SPB_DOUBLE, .d = ms[i].d };

		if (!strcmp(ms[i].name ? ms[i].name : "", "bdSeq")) {
			val.type = SPB_INT64;
			val.u = (uint64_t)ms[i].d;
		}
		spb_add(&b, ms[i].name, ms[i].alias != 0, ms[i].alias,
			1764900000000ULL + i, &val, ms[i].hist);
	}
	len = spb_pack(&b, seq >= 0, (uint64_t)(seq < 0 ? 0 : seq), &buf);
	spb_free(&b);
	assert_non_null(buf);
	rc = inv_message(v, topic, buf, len, now, &s, why, sizeof(why));
	free(buf);
	return rc;
}

static void aliases_from_births_name_the_data(void **state)
{
	struct inv *v = inv_new(1000);
	struct got g = { 0 };
	struct m nb[] = { { "bdSeq", 0, 7, false },
			  { "Capture/Frames", 1, 10, false } };
	struct m db[] = { { "Frames", 2, 5, false } };
	struct m data[] = { { NULL, 2, 6, false } };
	json_t *j;

	(void)state;
	assert_int_equal(send(v, &g, "spBv1.0/s1/NBIRTH/ipc", 0, nb, 2, 1), 0);
	assert_int_equal(send(v, &g, "spBv1.0/s1/DBIRTH/ipc/dev1", 1, db, 1, 2), 0);
	assert_int_equal(send(v, &g, "spBv1.0/s1/DDATA/ipc/dev1", 2, data, 1, 3), 0);
	assert_int_equal(g.n, 4);
	assert_string_equal(g.rows[3], "s1|ipc|dev1|Frames|1764900000000");
	assert_true(g.num[3] == 6);
	assert_int_equal(g.rebirths, 0);
	j = inv_devices_json(v, "s1", "ipc");
	assert_int_equal(json_array_size(j), 1);
	assert_true(json_is_true(json_object_get(json_array_get(j, 0), "online")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 0),
							    "frames")), 6);
	json_decref(j);
	j = inv_sites_json(v);
	assert_int_equal(json_array_size(j), 1);
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(j, 0), "health")), "ok");
	json_decref(j);
	inv_free(v);
}

/* a node metric's row names metric */
static bool named(const char *row, const char *metric)
{
	char want[64];

	snprintf(want, sizeof(want), "s|e||%s|", metric);
	return !strncmp(row, want, strlen(want));
}

/* a birth of many aliases: the table grows as they come, every one names
 * its data after, a rebirth of the same aliases adds none */
static void a_large_birth_names_every_alias(void **state)
{
	enum { N = 500 };
	struct inv *v = inv_new(1000);
	struct got g = { 0 };
	static struct m nb[N + 1];
	static char names[N][16];
	struct m d[2];
	struct inv_counters c;
	size_t i;

	(void)state;
	nb[0] = (struct m){ "bdSeq", 0, 1, false };
	for (i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "M%zu", i);
		nb[i + 1] = (struct m){ names[i], 1000 + 7 * i, 0, false };
	}
	assert_int_equal(send(v, &g, "spBv1.0/s/NBIRTH/e", 0, nb, N + 1, 1), 0);
	assert_int_equal(send(v, &g, "spBv1.0/s/NBIRTH/e", 0, nb, N + 1, 2), 0);
	for (i = 0; i < N; i += 97) {
		g.n = 0;
		d[0] = (struct m){ NULL, 1000 + 7 * i, (double)i, false };
		d[1] = (struct m){ NULL, 1000 + 7 * (N - 1 - i), 1, false };
		assert_int_equal(send(v, &g, "spBv1.0/s/NDATA/e", 1, d, 2, 3), 0);
		assert_int_equal(g.n, 2);
		assert_true(named(g.rows[0], names[i]));
		assert_true(g.num[0] == (double)i);
		assert_true(named(g.rows[1], names[N - 1 - i]));
		send(v, &g, "spBv1.0/s/NBIRTH/e", 0, nb, N + 1, 4);
	}
	inv_counters(v, &c);
	assert_int_equal(c.unknown_alias, 0);
	assert_int_equal(c.full, 0);
	inv_free(v);
}

static void seq_gap_asks_one_rebirth_within_the_interval(void **state)
{
	struct inv *v = inv_new(1000);
	struct got g = { 0 };
	struct m nb[] = { { "bdSeq", 0, 1, false }, { "A", 1, 1, false } };
	struct m d[] = { { NULL, 1, 2, false } };
	struct inv_counters c;

	(void)state;
	send(v, &g, "spBv1.0/s/NBIRTH/e", 0, nb, 2, 1000);
	send(v, &g, "spBv1.0/s/NDATA/e", 1, d, 1, 1001);
	assert_int_equal(g.rebirths, 0);
	send(v, &g, "spBv1.0/s/NDATA/e", 3, d, 1, 1002);	/* 2 lost */
	assert_int_equal(g.rebirths, 1);
	send(v, &g, "spBv1.0/s/NDATA/e", 9, d, 1, 1500);	/* within 1 s */
	assert_int_equal(g.rebirths, 1);
	send(v, &g, "spBv1.0/s/NDATA/e", 200, d, 1, 2600);
	assert_int_equal(g.rebirths, 2);
	/* the new NBIRTH: in order again */
	send(v, &g, "spBv1.0/s/NBIRTH/e", 0, nb, 2, 2700);
	send(v, &g, "spBv1.0/s/NDATA/e", 1, d, 1, 2701);
	inv_counters(v, &c);
	assert_int_equal(c.seq_gaps, 3);
	assert_int_equal(g.rebirths, 2);
	inv_free(v);
}

static void data_of_an_unborn_node_ask_for_a_birth(void **state)
{
	struct inv *v = inv_new(1000);
	struct got g = { 0 };
	struct m d[] = { { NULL, 5, 2, false }, { "Signals/t", 0, 3, true } };
	struct inv_counters c;

	(void)state;
	send(v, &g, "spBv1.0/s/DDATA/e/x", 4, d, 2, 1000);
	inv_counters(v, &c);
	assert_int_equal(c.unborn, 1);
	assert_int_equal(c.unknown_alias, 1);
	assert_int_equal(g.rebirths, 1);
	/* the historical metric by name is kept all the same */
	assert_int_equal(g.n, 1);
	assert_string_equal(g.rows[0], "s|e|x|Signals/t|1764900000001");
	assert_true(g.hist[0]);
	inv_free(v);
}

static void ndeath_of_another_session_is_stale(void **state)
{
	struct inv *v = inv_new(1000);
	struct got g = { 0 };
	struct m nb[] = { { "bdSeq", 0, 4, false } };
	struct m old[] = { { "bdSeq", 0, 3, false } };
	struct inv_counters c;
	json_t *j;

	(void)state;
	send(v, &g, "spBv1.0/s/NBIRTH/e", 0, nb, 1, 1);
	send(v, &g, "spBv1.0/s/NDEATH/e", -1, old, 1, 2);
	j = inv_nodes_json(v, "s");
	assert_true(json_is_true(json_object_get(json_array_get(j, 0), "online")));
	json_decref(j);
	send(v, &g, "spBv1.0/s/NDEATH/e", -1, nb, 1, 3);
	j = inv_nodes_json(v, "s");
	assert_true(json_is_false(json_object_get(json_array_get(j, 0), "online")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0),
							      "health")), "offline");
	json_decref(j);
	inv_counters(v, &c);
	assert_int_equal(c.deaths, 1);
	assert_int_equal(c.deaths_stale, 1);
	assert_null(inv_nodes_json(v, "other"));
	inv_free(v);
}

static void bad_topics_and_payloads_counted(void **state)
{
	struct inv *v = inv_new(1000);
	struct inv_sink s = { row, NULL, rebirth, NULL };
	struct got g = { 0 };
	struct inv_counters c;
	char why[128];

	(void)state;
	s.arg = &g;
	assert_int_equal(inv_message(v, "spBv1.0/s/NBIRTH/e", "\x0a\xff\xff", 3,
				     1, &s, why, sizeof(why)), -1);
	assert_string_equal(why, "not a Sparkplug B payload");
	assert_int_equal(inv_message(v, "spBv1.0/s/DDATA/e", "", 0, 1, &s, why,
				     sizeof(why)), -1);
	assert_int_equal(inv_message(v, "spBv1.0/s/XDATA/e", "", 0, 1, &s, why,
				     sizeof(why)), -1);
	assert_int_equal(inv_message(v, "other/s/NDATA/e", "", 0, 1, &s, why,
				     sizeof(why)), -1);
	assert_int_equal(inv_message(v, "spBv1.0/STATE/h", "{}", 2, 1, &s, why,
				     sizeof(why)), 0);
	inv_counters(v, &c);
	assert_int_equal(c.bad, 4);
	assert_int_equal(c.messages, 5);
	assert_int_equal(g.n, 0);
	inv_free(v);
}

static void fleet_config(void **state)
{
	static const char good[] =
		"[fleet]\nbroker = mqtt://127.0.0.1:1883\nhost_id = plat\n"
		"group = a\ngroup = b\npostgres = dbname=x\nflush = 50ms\n";
	static const char bad[] = "[fleet]\nbroker = mqtt://h\nhost_id = a/b\n";
	struct fleet_conf fc;
	struct conf *c;
	char err[256];

	(void)state;
	c = conf_parse(good, sizeof(good) - 1, "t.conf", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(fleet_conf_read(c, &fc, err, sizeof(err)), 0);
	assert_true(fc.enabled);
	assert_string_equal(fc.host_id, "plat");
	assert_string_equal(fc.link.client_id, "plat-host");
	assert_int_equal(fc.ngroups, 2);
	assert_string_equal(fc.postgres, "dbname=x");
	assert_int_equal(fc.flush_ms, 50);
	assert_int_equal(fc.batch, 5000);
	conf_free(c);
	c = conf_parse(bad, sizeof(bad) - 1, "t.conf", err, sizeof(err));
	assert_non_null(c);
	assert_int_equal(fleet_conf_read(c, &fc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:3: fleet.host_id"));
	conf_free(c);
	c = conf_empty();
	assert_int_equal(fleet_conf_read(c, &fc, err, sizeof(err)), 0);
	assert_false(fc.enabled);
	conf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(aliases_from_births_name_the_data),
		cmocka_unit_test(a_large_birth_names_every_alias),
		cmocka_unit_test(seq_gap_asks_one_rebirth_within_the_interval),
		cmocka_unit_test(data_of_an_unborn_node_ask_for_a_birth),
		cmocka_unit_test(ndeath_of_another_session_is_stale),
		cmocka_unit_test(bad_topics_and_payloads_counted),
		cmocka_unit_test(fleet_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
