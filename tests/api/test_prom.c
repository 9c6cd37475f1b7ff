/* Unit tests of daemon/api/prom.c: the stats tree as Prometheus text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/prom.h"

static char *render(const char *json)
{
	json_t *j = json_loads(json, 0, NULL);
	size_t n;
	char *s;

	assert_non_null(j);
	s = prom_from_json(j, &n);
	json_decref(j);
	assert_non_null(s);
	assert_int_equal(strlen(s), n);
	return s;
}

static void counters_and_gauges(void **state)
{
	char *s;

	(void)state;
	s = render("{\"store\": {\"commits\": 7, \"queue\": 3, \"last_commit_ns\": 1500000}}");
	assert_non_null(strstr(s, "# HELP iiot_store_commits_total iiotctl stats store.commits\n"
			       "# TYPE iiot_store_commits_total counter\n"
			       "iiot_store_commits_total 7\n"));
	assert_non_null(strstr(s, "# TYPE iiot_store_queue gauge\niiot_store_queue 3\n"));
	/* base units: a nanosecond figure is shown in seconds */
	assert_non_null(strstr(s, "iiot_store_last_commit_seconds 0.0015\n"));
	free(s);
}

static void rings_are_labels(void **state)
{
	char *s;

	(void)state;
	/* one family per field, each ring a series, even when fields interleave */
	s = render("{\"rings\": [{\"ring\": \"a\", \"drained\": 1, \"open\": true},"
		   "{\"ring\": \"b\\\"x\", \"drained\": 2, \"open\": false}]}");
	assert_non_null(strstr(s, "# TYPE iiot_rings_drained_total counter\n"
			       "iiot_rings_drained_total{ring=\"a\"} 1\n"
			       "iiot_rings_drained_total{ring=\"b\\\"x\"} 2\n"));
	assert_non_null(strstr(s, "iiot_rings_open{ring=\"a\"} 1\niiot_rings_open{ring=\"b\\\"x\"} 0\n"));
	free(s);
}

static void names_are_clean(void **state)
{
	char *s;

	(void)state;
	/* strings are not samples; odd keys become [a-z0-9_]; one series each */
	s = render("{\"capture\": {\"anomaly\": {\"pn.short-frame\": 2}, \"iface\": \"eth0\"},"
		   " \"a\": {\"b_c\": 1}, \"a_b\": {\"c\": 2}}");
	assert_non_null(strstr(s, "iiot_capture_anomaly_pn_short_frame_total 2\n"));
	assert_null(strstr(s, "eth0"));
	assert_non_null(strstr(s, "iiot_a_b_c_total 1\n"));
	assert_null(strstr(s, "iiot_a_b_c_total 2\n"));
	free(s);
}

static void by_label_and_links_skipped(void **state)
{
	char *s;

	(void)state;
	s = render("{\"alerts\": {\"active_by_severity\": {\"info\": 0, \"critical\": 2}},"
		   " \"links\": [{\"id\": 1, \"frames\": 5}]}");
	assert_non_null(strstr(s, "# TYPE iiot_alerts_active gauge\n"
			       "iiot_alerts_active{severity=\"info\"} 0\n"
			       "iiot_alerts_active{severity=\"critical\"} 2\n"));
	assert_null(strstr(s, "iiot_links"));
	free(s);
}

static void gauge_words(void **state)
{
	(void)state;
	assert_true(prom_is_gauge("fill"));
	assert_true(prom_is_gauge("queue_depth"));
	assert_true(prom_is_gauge("last_commit_ns"));
	assert_false(prom_is_gauge("frames"));
	assert_false(prom_is_gauge("blast"));
	assert_false(prom_is_gauge("drops"));
	assert_false(prom_is_gauge("open_errors"));
	assert_false(prom_is_gauge("devices_full"));
}

static void histograms(void **state)
{
	char *s;

	(void)state;
	s = render("{\"api\": {\"request_seconds\": [{\"route\": \"auth\", \"le\": [0.001, 0.5],"
		   " \"buckets\": [1, 3, 4], \"sum\": 2.25, \"count\": 4}]},"
		   " \"store\": {\"commit_seconds\": {\"le\": [0.01], \"buckets\": [2, 2],"
		   " \"sum\": 0.004, \"count\": 2}}}");
	assert_non_null(strstr(s, "# TYPE iiot_api_request_seconds histogram\n"
			       "iiot_api_request_seconds_bucket{route=\"auth\",le=\"0.001\"} 1\n"
			       "iiot_api_request_seconds_bucket{route=\"auth\",le=\"0.5\"} 3\n"
			       "iiot_api_request_seconds_bucket{route=\"auth\",le=\"+Inf\"} 4\n"
			       "iiot_api_request_seconds_sum{route=\"auth\"} 2.25\n"
			       "iiot_api_request_seconds_count{route=\"auth\"} 4\n"));
	assert_non_null(strstr(s, "# TYPE iiot_store_commit_seconds histogram\n"
			       "iiot_store_commit_seconds_bucket{le=\"0.01\"} 2\n"));
	/* the parts are not counters of their own */
	assert_null(strstr(s, "_le"));
	assert_null(strstr(s, "buckets"));
	free(s);
	/* buckets that are not cumulative, or a count that disagrees: left out */
	s = render("{\"x_seconds\": {\"le\": [1], \"buckets\": [3, 2], \"sum\": 1, \"count\": 2},"
		   " \"y_seconds\": {\"le\": [1], \"buckets\": [1, 2], \"sum\": 1, \"count\": 5}}");
	assert_null(strstr(s, "iiot_x_seconds"));
	assert_null(strstr(s, "iiot_y_seconds"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(counters_and_gauges),
		cmocka_unit_test(rings_are_labels),
		cmocka_unit_test(names_are_clean),
		cmocka_unit_test(by_label_and_links_skipped),
		cmocka_unit_test(gauge_words),
		cmocka_unit_test(histograms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
