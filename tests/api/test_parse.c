/* Unit tests of daemon/api/parse.c: cookies, queries, bodies, paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "api/parse.h"

static void cookies(void **state)
{
	char v[80];

	(void)state;
	assert_int_equal(cookie_get("a=1; __Host-iiot=abc; b=2", "__Host-iiot", v, sizeof(v)), 0);
	assert_string_equal(v, "abc");
	assert_int_equal(cookie_get("__Host-iiot=xyz", "__Host-iiot", v, sizeof(v)), 0);
	assert_string_equal(v, "xyz");
	/* a longer name with the same prefix is another cookie */
	assert_int_equal(cookie_get("__Host-iiotx=1", "__Host-iiot", v, sizeof(v)), -1);
	assert_int_equal(cookie_get("x__Host-iiot=1", "__Host-iiot", v, sizeof(v)), -1);
	assert_int_equal(cookie_get("", "__Host-iiot", v, sizeof(v)), -1);
	assert_int_equal(cookie_get(NULL, "__Host-iiot", v, sizeof(v)), -1);
	assert_int_equal(cookie_get("__Host-iiot=0123456789", "__Host-iiot", v, 5), -1);
}

static void queries(void **state)
{
	char v[16];
	int64_t n;

	(void)state;
	assert_int_equal(query_get("q=ab%20c&state=online", "q", v, sizeof(v)), 0);
	assert_string_equal(v, "ab c");
	assert_int_equal(query_get("q=a+b", "q", v, sizeof(v)), 0);
	assert_string_equal(v, "a b");
	assert_int_equal(query_get("qq=1", "q", v, sizeof(v)), 1);
	assert_int_equal(query_get(NULL, "q", v, sizeof(v)), 1);
	assert_int_equal(query_get("q=%zz", "q", v, sizeof(v)), -1);
	assert_int_equal(query_get("q=%00", "q", v, sizeof(v)), -1);
	assert_int_equal(query_get("q=%4", "q", v, sizeof(v)), -1);
	assert_int_equal(query_get("q=0123456789abcdefghij", "q", v, sizeof(v)), -1);
	assert_int_equal(query_int("limit=50", "limit", 1, 100, 7, &n), 0);
	assert_int_equal(n, 50);
	assert_int_equal(query_int("x=1", "limit", 1, 100, 7, &n), 0);
	assert_int_equal(n, 7);
	assert_int_equal(query_int("limit=500", "limit", 1, 100, 7, &n), -1);
	assert_int_equal(query_int("limit=5x", "limit", 1, 100, 7, &n), -1);
	assert_int_equal(query_int("limit=", "limit", 1, 100, 7, &n), -1);
	assert_int_equal(query_int("limit=99999999999999999999", "limit", 1, 100, 7, &n), -1);
}

static void bodies(void **state)
{
	const char *why;
	json_t *o;

	(void)state;
	o = body_object("{\"a\":\"x\",\"b\":1}", 15, 100, &why);
	assert_non_null(o);
	assert_string_equal(body_str(o, "a", 5), "x");
	assert_null(body_str(o, "b", 5));
	assert_null(body_str(o, "c", 5));
	json_decref(o);
	assert_null(body_object("[1]", 3, 100, &why));
	assert_string_equal(why, "body must be a JSON object");
	assert_null(body_object("{\"a\":1,\"a\":2}", 13, 100, &why));
	assert_null(body_object("{}", 2, 1, &why));
	assert_string_equal(why, "request body too large");
	assert_null(body_object("{\"a\":\"\\u0000\"}x", 14, 100, &why));
	/* an escaped NUL never reaches a handler */
	assert_null(body_object("{\"a\":\"x\\u0000y\"}", 16, 100, &why));
	o = body_object("{\"c\":\"t\\tab\"}", 13, 100, &why);
	assert_non_null(o);
	assert_null(body_str(o, "c", 10));	/* control character */
	json_decref(o);
}

static void paths(void **state)
{
	char p[64];

	(void)state;
	assert_int_equal(path_clean("/js/app.js", p, sizeof(p)), 0);
	assert_string_equal(p, "/js/app.js");
	assert_int_equal(path_clean("/", p, sizeof(p)), 0);
	assert_int_equal(path_clean("/a%2Fb.js", p, sizeof(p)), 0);
	assert_string_equal(p, "/a/b.js");
	assert_int_equal(path_clean("/../etc/passwd", p, sizeof(p)), -1);
	assert_int_equal(path_clean("/js/%2e%2e/x", p, sizeof(p)), -1);
	assert_int_equal(path_clean("/.git/config", p, sizeof(p)), -1);
	assert_int_equal(path_clean("/a//b", p, sizeof(p)), -1);
	assert_int_equal(path_clean("/a\\b", p, sizeof(p)), -1);
	assert_int_equal(path_clean("/a%00b", p, sizeof(p)), -1);
	assert_int_equal(path_clean("relative", p, sizeof(p)), -1);
	assert_int_equal(path_clean("/a b", p, sizeof(p)), -1);
}

/* fleet ids outside [A-Za-z0-9._-]: a space, UTF-8, ':' (issue 20) */
static void path_segments(void **state)
{
	struct path_segs ps;

	(void)state;
	assert_int_equal(path_split("/api/v1/fleet/sites/Plant%20Ost/nodes/IPC%201%20Stra%C3%9Fe%3A%CE%B1/devices", &ps), 0);
	assert_int_equal(ps.n, 8);
	assert_string_equal(ps.seg[4], "Plant Ost");
	assert_string_equal(ps.seg[6], "IPC 1 Straße:α");
	assert_true(seg_id(ps.seg[6]));
	assert_false(seg_plain(ps.seg[6]));
	/* raw UTF-8 and ':' as some clients send them */
	assert_int_equal(path_split("/a/b:c/\xce\xb1", &ps), 0);
	assert_int_equal(ps.n, 3);
	assert_true(seg_id(ps.seg[1]));
	/* an escaped '/' stays in its segment and is refused there */
	assert_int_equal(path_split("/a/b%2Fc", &ps), -1);
	assert_int_equal(path_split("/a%00b", &ps), -1);
	assert_int_equal(path_split("/a%0ab", &ps), -1);
	assert_int_equal(path_split("/a//b", &ps), -1);
	assert_int_equal(path_split("relative", &ps), -1);
	assert_int_equal(path_split("/a%2", &ps), -1);
	assert_int_equal(path_split("/", &ps), 0);
	assert_int_equal(path_split("/a/", &ps), 0);
	assert_int_equal(ps.n, 2);
	assert_string_equal(ps.seg[1], "");
	assert_int_equal(path_split("/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17", &ps), -1);
	/* what a Sparkplug id may not be */
	assert_false(seg_id("a+b"));
	assert_false(seg_id("a#b"));
	assert_false(seg_id(".."));
	assert_false(seg_id("."));
	assert_false(seg_id(""));
	assert_false(seg_id("a\x01"));
	assert_false(seg_id("\xc3"));		/* cut short */
	assert_false(seg_id("\xc0\xaf"));	/* overlong */
	assert_false(seg_id("\xed\xa0\x80"));	/* a surrogate */
	assert_true(seg_id(".hidden is fine"));
	/* the API's own names keep path_clean's rules */
	assert_true(seg_plain("plc1.sp-2_x"));
	assert_false(seg_plain(".x"));
	assert_false(seg_plain("a b"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cookies),
		cmocka_unit_test(queries),
		cmocka_unit_test(bodies),
		cmocka_unit_test(paths),
		cmocka_unit_test(path_segments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
