/*
 * iiotctl blocks [--json]: the running iiotd's XDP blocklist — each
 * blocked source MAC with where it came from (an IDS rule, by hand, or
 * added outside iiotd), its reason, expiry and the frames dropped — and
 * whether iiot can block at all (inline or tap mode, enforcement on/off).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"

static void when(json_t *v, char *buf, size_t len)
{
	time_t t;
	struct tm tm;

	if (!json_is_integer(v)) {
		snprintf(buf, len, "never");
		return;
	}
	t = (time_t)(json_integer_value(v) / 1000);
	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void print(json_t *o)
{
	json_t *a = json_object_get(o, "blocks"), *b;
	const char *reason = json_string_value(json_object_get(o, "reason"));
	char exp[32];
	size_t i;

	printf("mode %s, enforcement %s%s%s\n",
	       json_string_value(json_object_get(o, "mode")),
	       json_is_true(json_object_get(o, "enabled")) ? "on" : "off",
	       reason ? ": " : "", reason ? reason : "");
	if (!json_array_size(a)) {
		printf("no blocks\n");
		return;
	}
	printf("%-17s  %-8s  %-20s  %10s  %s\n", "MAC", "SOURCE", "EXPIRES",
	       "DROPPED", "REASON");
	json_array_foreach(a, i, b) {
		when(json_object_get(b, "expires_ms"), exp, sizeof(exp));
		printf("%-17s  %-8s  %-20s  %10lld  %s\n",
		       json_string_value(json_object_get(b, "mac")),
		       json_string_value(json_object_get(b, "source")), exp,
		       (long long)json_integer_value(json_object_get(b,
								     "hits")),
		       json_string_value(json_object_get(b, "reason")));
	}
}

static int run_blocks(int argc, char **argv)
{
	const char *sock = NULL;
	int json, rc;
	json_t *o;

	if ((rc = ctl_query_opts(argc, argv, &sock, &json)))
		return rc;
	o = ctl_query(ctl_socket_path(sock), "blocks\n");
	if (!o)
		return 1;
	json_object_del(o, "ok");
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else {
		print(o);
	}
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_blocks = {
	.name = "blocks",
	.args = "[-s SOCK] [--json]",
	.help = "list the XDP blocklist and whether iiot can block",
	.run = run_blocks,
};
