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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cookies),
		cmocka_unit_test(queries),
		cmocka_unit_test(bodies),
		cmocka_unit_test(paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
