/*
 * iiotctl modbus [-s SOCK] [--json] [DEVICE]: the running iiotd's Modbus
 * TCP devices (docs/modbus.md): state, requests and errors by kind, and
 * each point with its last value.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static long long num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void print_dev(json_t *d, int points)
{
	json_t *c = json_object_get(d, "counters"), *p;
	size_t i;

	printf("%-16s %-21s unit %-3lld %-9s scans %lld failed %lld "
	       "timeouts %lld exceptions %lld bad %lld  %s\n",
	       str(d, "name"), str(d, "host"), num(d, "unit"), str(d, "state"),
	       num(c, "scans"), num(c, "scans_failed"), num(c, "timeouts"),
	       num(c, "exceptions"), num(c, "bad_replies"),
	       str(d, "last_error"));
	if (!points)
		return;
	json_array_foreach(json_object_get(d, "points"), i, p) {
		json_t *v = json_object_get(p, "value");

		printf("  %-20s %-8s %5lld %-4s %-8s ", str(p, "name"),
		       str(p, "area"), num(p, "address"), str(p, "type"),
		       str(p, "order"));
		if (json_is_number(v))
			printf("%.10g %s\n", json_number_value(v),
			       str(p, "unit"));
		else
			printf("-\n");
	}
}

static int run_modbus(int argc, char **argv)
{
	const char *sock = NULL, *key = "";
	char req[256];
	int json = 0, i;
	size_t j;
	json_t *o, *d;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (argv[i][0] != '-' && !*key)
			key = argv[i];
		else {
			fprintf(stderr, "usage: iiotctl modbus [-s SOCK] "
				"[--json] [DEVICE]\n");
			return 2;
		}
	}
	if (strlen(key) > 64 || strpbrk(key, " \n")) {
		fprintf(stderr, "iiotctl modbus: bad device name\n");
		return 2;
	}
	snprintf(req, sizeof(req), "modbus%s%s\n", *key ? " " : "", key);
	o = ctl_query(ctl_socket_path(sock), req);
	if (!o)
		return 1;
	json_object_del(o, "ok");
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else if ((d = json_object_get(o, "device"))) {
		print_dev(d, 1);
	} else {
		json_array_foreach(json_object_get(o, "devices"), j, d)
			print_dev(d, 0);
		if (!json_array_size(json_object_get(o, "devices")))
			printf("no Modbus devices configured\n");
	}
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_modbus = {
	.name = "modbus",
	.args = "[-s SOCK] [--json] [DEVICE]",
	.help = "Modbus TCP devices iiotd polls: state, errors, points and values",
	.run = run_modbus,
};
