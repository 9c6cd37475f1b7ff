/* iiotctl stats [--json]: every counter of capture, model, store, socket, API. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"

static void print_obj(const char *prefix, json_t *o)
{
	const char *k;
	json_t *v;

	json_object_foreach(o, k, v) {
		char p[128];

		snprintf(p, sizeof(p), "%s.%s", prefix, k);
		if (json_is_object(v))
			print_obj(p, v);
		else if (json_is_integer(v))
			printf("%-40s %lld\n", p, json_integer_value(v));
		else if (json_is_string(v))
			printf("%-40s %s\n", p, json_string_value(v));
	}
}

static int run_stats(int argc, char **argv)
{
	const char *sock = NULL;
	int as_json = 0;
	json_t *o;

	if (ctl_query_opts(argc, argv, &sock, &as_json))
		return 2;
	o = ctl_query(ctl_socket_path(sock), "stats\n");
	if (!o)
		return 1;
	json_object_del(o, "ok");
	if (as_json) {
		ctl_dump_json(o);
	} else {
		print_obj("capture", json_object_get(o, "capture"));
		print_obj("model", json_object_get(o, "model"));
		print_obj("store", json_object_get(o, "store"));
		print_obj("ctl", json_object_get(o, "ctl"));
		print_obj("api", json_object_get(o, "api"));
		ctl_print_links(stdout, json_object_get(o, "links"));
	}
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_stats = {
	.name = "stats",
	.args = "[-s SOCK] [--json]",
	.help = "counters: capture, decode, model, store, control socket, API",
	.run = run_stats,
};
