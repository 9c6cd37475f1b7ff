/* Unit tests of daemon/api/dashdoc.c: what a dashboard document may hold. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "api/dashdoc.h"

/* the checked copy of json, or NULL with why */
static json_t *check(const char *json, int envelope, char *why)
{
	json_t *in = json_loads(json, 0, NULL), *out;

	assert_non_null(in);
	why[0] = 0;
	out = dash_doc_check(in, envelope, why, 160);
	json_decref(in);
	return out;
}

static void refused(const char *json, int envelope, const char *want)
{
	char why[160];
	json_t *o = check(json, envelope, why);

	if (o || !strstr(why, want))
		fail_msg("%s: got '%s', want '%s'", json, why, want);
}

static void every_widget_kept(void **state)
{
	char why[160];
	json_t *o;

	(void)state;
	o = check("{\"name\":\"Line 1\",\"shared\":\"operator\",\"widgets\":["
		  "{\"id\":\"c\",\"type\":\"chart\",\"x\":0,\"y\":0,\"w\":6,\"h\":4,\"signals\":[1,2],\"range_min\":15},"
		  "{\"id\":\"g\",\"type\":\"gauge\",\"x\":6,\"y\":0,\"w\":3,\"h\":3,\"signal\":2,\"warn\":70.5,\"alarm\":90,\"min\":0,\"max\":100},"
		  "{\"id\":\"v\",\"type\":\"value\",\"x\":9,\"y\":0,\"w\":3,\"h\":2,\"signal\":3},"
		  "{\"id\":\"l\",\"type\":\"lamp\",\"x\":0,\"y\":4,\"w\":2,\"h\":2,\"signal\":4},"
		  "{\"id\":\"d\",\"type\":\"devices\",\"x\":2,\"y\":4,\"w\":10,\"h\":4},"
		  "{\"id\":\"a\",\"type\":\"alerts\",\"x\":0,\"y\":8,\"w\":6,\"h\":3,\"limit\":5},"
		  "{\"id\":\"o\",\"type\":\"oee\",\"x\":6,\"y\":8,\"w\":3,\"h\":3,\"line\":\"line1\"},"
		  "{\"id\":\"p\",\"type\":\"topology\",\"x\":9,\"y\":8,\"w\":3,\"h\":3,\"title\":\"Net\"},"
		  "{\"id\":\"t\",\"type\":\"text\",\"x\":0,\"y\":11,\"w\":12,\"h\":1,\"text\":\"Shift A\\nline 2\"}]}", 0, why);
	assert_non_null(o);
	assert_int_equal(json_array_size(json_object_get(o, "widgets")), 9);
	/* the request's own members are not part of the document */
	assert_null(json_object_get(o, "shared"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(o, "widgets"), 7), "title")), "Net");
	json_decref(o);
}

static void bad_documents_named(void **state)
{
	(void)state;
	refused("[]", 0, "a JSON object");
	refused("{\"widgets\":[]}", 0, "name:");
	refused("{\"name\":\"\",\"widgets\":[]}", 0, "name:");
	refused("{\"name\":\"x\"}", 0, "widgets:");
	refused("{\"name\":\"x\",\"widgets\":[],\"colour\":1}", 0, "unknown key 'colour'");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"pie\",\"x\":0,\"y\":0,\"w\":1,\"h\":1}]}", 0,
		"widgets[0].type");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"text\",\"x\":8,\"y\":0,\"w\":5,\"h\":1}]}", 0,
		"widgets[0]: x + w beyond");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"text\",\"x\":0,\"y\":0,\"w\":0,\"h\":1}]}", 0,
		"widgets[0].w:");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"text\",\"x\":0,\"y\":0,\"w\":1,\"h\":1,\"signal\":3}]}", 0,
		"unknown key 'signal' for a text");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"chart\",\"x\":0,\"y\":0,\"w\":1,\"h\":1,"
		"\"signals\":[1,2,3,4,5,6,7,8,9,10,11]}]}", 0, "widgets[0].signals:");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"chart\",\"x\":0,\"y\":0,\"w\":1,\"h\":1}]}", 0,
		"chart needs signals");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"gauge\",\"x\":0,\"y\":0,\"w\":1,\"h\":1}]}", 0,
		"needs signal");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a b\",\"type\":\"topology\",\"x\":0,\"y\":0,\"w\":1,\"h\":1}]}", 0,
		"widgets[0].id");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"topology\",\"x\":0,\"y\":0,\"w\":1,\"h\":1},"
		"{\"id\":\"a\",\"type\":\"topology\",\"x\":1,\"y\":0,\"w\":1,\"h\":1}]}", 0, "widgets[1].id: the same");
	refused("{\"name\":\"x\",\"widgets\":[{\"id\":\"a\",\"type\":\"value\",\"x\":0,\"y\":0,\"w\":1,\"h\":1,"
		"\"signal\":1,\"warn\":\"hot\"}]}", 0, "widgets[0].warn:");
}

static void import_needs_its_envelope(void **state)
{
	char why[160];
	json_t *o;

	(void)state;
	refused("{\"name\":\"x\",\"widgets\":[]}", 1, "format:");
	refused("{\"format\":\"iiot-dashboard\",\"version\":2,\"name\":\"x\",\"widgets\":[]}", 1, "version: 1");
	o = check("{\"format\":\"iiot-dashboard\",\"version\":1,\"name\":\"x\",\"widgets\":[]}", 1, why);
	assert_non_null(o);
	json_decref(o);
}

static void widget_count_limited(void **state)
{
	char buf[8192], *p = buf;
	int i;

	(void)state;
	p += sprintf(p, "{\"name\":\"many\",\"widgets\":[");
	for (i = 0; i <= DASH_MAX_WIDGETS; i++)
		p += sprintf(p, "%s{\"id\":\"w%d\",\"type\":\"topology\",\"x\":0,\"y\":%d,\"w\":1,\"h\":1}",
			     i ? "," : "", i, i);
	sprintf(p, "]}");
	refused(buf, 0, "at most 40 widgets");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_widget_kept),
		cmocka_unit_test(bad_documents_named),
		cmocka_unit_test(import_needs_its_envelope),
		cmocka_unit_test(widget_count_limited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
