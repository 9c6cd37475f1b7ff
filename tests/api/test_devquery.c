/* Unit tests of daemon/api/devquery.c: the device list's query and CSV. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/devquery.h"

static json_t *inventory(void)
{
	return json_loads("["
		"{\"id\":1,\"label\":\"m\",\"kind\":\"ecat-master\",\"lifecycle\":\"active\",\"online\":true,\"frames\":10},"
		"{\"id\":2,\"label\":\"s0\",\"kind\":\"ecat-slave\",\"lifecycle\":\"pending\",\"online\":false,"
		"\"parent\":1,\"station_addr\":4097,\"frames\":5},"
		"{\"id\":3,\"label\":\"=cmd|' /C calc'!A0\",\"kind\":\"pn-device\",\"lifecycle\":\"pending\","
		"\"online\":true,\"station_name\":\"io, \\\"west\\\"\",\"vendor_id\":42,\"frames\":7}]", 0, NULL);
}

static json_t *run(json_t *all, const char *query)
{
	struct devquery dq;
	const char *why = NULL;

	assert_int_equal(devquery_parse(query, &dq, &why), 0);
	return devquery_apply(all, &dq);
}

static void ids(json_t *o, const char *want)
{
	char got[64] = "";
	size_t i;
	json_t *d;

	json_array_foreach(json_object_get(o, "devices"), i, d)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%lld", i ? "," : "",
			 (long long)json_integer_value(json_object_get(d, "id")));
	assert_string_equal(got, want);
}

static void query_sort_page(void **state)
{
	json_t *all = inventory(), *o;
	struct devquery dq;
	const char *why;

	(void)state;
	o = run(all, "sort=-frames"); ids(o, "1,3,2"); json_decref(o);
	/* a column some devices lack: those go last, both ways */
	o = run(all, "sort=station_addr"); ids(o, "2,1,3"); json_decref(o);
	o = run(all, "sort=-station_addr"); ids(o, "2,3,1"); json_decref(o);
	o = run(all, "sort=online&offset=1&limit=1"); ids(o, "1");
	assert_int_equal(json_integer_value(json_object_get(o, "total")), 3);
	json_decref(o);
	o = run(all, "q=0x1001"); ids(o, "2"); json_decref(o);
	o = run(all, "q=0X0000002A"); ids(o, "3"); json_decref(o);
	o = run(all, "q=WEST&state=online"); ids(o, "3"); json_decref(o);
	o = run(all, "parent=1"); ids(o, "2"); json_decref(o);
	o = run(all, "kind=ecat"); ids(o, ""); json_decref(o);
	assert_int_equal(devquery_parse("sort=password", &dq, &why), -1);
	assert_int_equal(devquery_parse("sort=-", &dq, &why), -1);
	assert_int_equal(devquery_parse("state=maybe", &dq, &why), -1);
	assert_int_equal(devquery_parse("format=xml", &dq, &why), -1);
	assert_int_equal(devquery_parse("limit=10001", &dq, &why), -1);
	assert_int_equal(devquery_parse("format=csv", &dq, &why), 0);
	assert_true(dq.csv);
	json_decref(all);
}

static void csv(void **state)
{
	json_t *all = inventory();
	size_t len;
	char *s = devquery_csv(all, &len);

	(void)state;
	assert_non_null(s);
	assert_int_equal(strlen(s), len);
	assert_true(!strncmp(s, "id,label,kind,lifecycle,online,", 31));
	/* a name off the wire cannot become a spreadsheet formula */
	assert_non_null(strstr(s, "\r\n3,'=cmd|' /C calc'!A0,pn-device,"));
	/* quotes and commas quoted (RFC 4180); identifiers in hex */
	assert_non_null(strstr(s, ",\"io, \"\"west\"\"\","));
	assert_non_null(strstr(s, ",0x1001,"));
	assert_non_null(strstr(s, ",0x0000002A,"));
	free(s);
	json_decref(all);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(query_sort_page),
		cmocka_unit_test(csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
