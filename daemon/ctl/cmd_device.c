/* iiotctl device show ID: one device, its links and its history. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"

static void when(long long ns, char *buf, size_t len)
{
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + strlen(buf), len - strlen(buf), ".%03lldZ",
		 (ns / 1000000LL) % 1000);
}

static int run_device(int argc, char **argv)
{
	const char *sock = NULL, *id = NULL;
	char err[512], req[CTL_MAX_REQ], t[48];
	int i, as_json = 0, show = 0;
	json_t *o, *dev, *h;
	const char *k;
	size_t n;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (!show && !strcmp(argv[i], "show"))
			show = 1;
		else if (show && !id)
			id = argv[i];
		else
			break;
	}
	if (!show || !id || i < argc || strchr(id, ' ') ||
	    strlen(id) >= CTL_MAX_ARG) {
		fprintf(stderr, "usage: iiotctl device show [-s SOCK] [--json] "
			"ID|MAC|STATION-NAME\n");
		return 2;
	}
	snprintf(req, sizeof(req), "device %s\n", id);
	o = ctl_call(ctl_socket_path(sock), req, err, sizeof(err));
	if (!o) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return 1;
	}
	if (as_json) {
		json_object_del(o, "ok");
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
		return 0;
	}
	dev = json_object_get(o, "device");
	json_object_foreach(dev, k, h) {
		char *s;

		if (!strcmp(k, "first_seen_ns") || !strcmp(k, "last_seen_ns")) {
			when(json_integer_value(h), t, sizeof(t));
			printf("%-16s %s\n", k, t);
			continue;
		}
		if (json_is_integer(h) && (!strcmp(k, "vendor_id") ||
					   !strcmp(k, "product_code") ||
					   !strcmp(k, "device_id") ||
					   !strcmp(k, "revision") ||
					   !strcmp(k, "serial") ||
					   !strcmp(k, "station_addr"))) {
			printf("%-16s 0x%llx (%lld)\n", k, json_integer_value(h),
			       json_integer_value(h));
			continue;
		}
		s = json_dumps(h, JSON_ENCODE_ANY);
		printf("%-16s %s\n", k, json_is_string(h) ?
		       json_string_value(h) : s);
		free(s);
	}
	printf("\nhistory (newest first):\n");
	json_array_foreach(json_object_get(o, "history"), n, h) {
		when(json_integer_value(json_object_get(h, "ts_ns")), t,
		     sizeof(t));
		printf("  %s  %-10s %s\n", t,
		       json_string_value(json_object_get(h, "event")),
		       json_string_value(json_object_get(h, "detail")));
	}
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_device = {
	.name = "device",
	.args = "show [--json] ID",
	.help = "one device: identity, state, counters, history",
	.run = run_device,
};
