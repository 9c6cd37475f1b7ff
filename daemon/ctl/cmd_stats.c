/* iiotctl stats [--json]: every counter of capture, model, store, socket. */
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
	char err[512];
	int i, as_json = 0;
	json_t *o;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else {
			fprintf(stderr, "usage: iiotctl stats [-s SOCK] "
				"[--json]\n");
			return 2;
		}
	}
	o = ctl_call(ctl_socket_path(sock), "stats\n", err, sizeof(err));
	if (!o) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return 1;
	}
	json_object_del(o, "ok");
	if (as_json) {
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
	} else {
		print_obj("capture", json_object_get(o, "capture"));
		print_obj("model", json_object_get(o, "model"));
		print_obj("store", json_object_get(o, "store"));
		print_obj("ctl", json_object_get(o, "ctl"));
		ctl_print_links(stdout, json_object_get(o, "links"));
	}
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_stats = {
	.name = "stats",
	.args = "[-s SOCK] [--json]",
	.help = "counters: capture, decode, model, store, control socket",
	.run = run_stats,
};
