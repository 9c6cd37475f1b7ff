/*
 * iiotctl status [--json]: is iiotd up, what it drains, what it knows, and
 * its health verdict (GET /api/v1/health's): "health: ok|degraded|failed"
 * and a line per check that is not ok, which pkg/iiot-upgrade-check reads.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"

static long long ival(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static void print_ring(json_t *r)
{
	const char *src = json_string_value(json_object_get(r, "source"));
	long long nic = ival(r, "nic_packets") | ival(r, "nic_missed") |
			ival(r, "nic_errors") | ival(r, "nic_nombuf");

	printf("ring:    %s %s, %lld drained, %lld drops, %lld corrupt\n",
	       json_string_value(json_object_get(r, "ring")),
	       json_is_true(json_object_get(r, "open")) ? "open" : "waiting",
	       ival(r, "drained"), ival(r, "drops"), ival(r, "corrupt"));
	/* as "iiotctl rings": a DPDK ring has a NIC even before any frame */
	if (nic || (src && !strcmp(src, "dpdk")))
		printf("         nic: %lld received, %lld missed, %lld errors, "
		       "%lld no buffer\n", ival(r, "nic_packets"),
		       ival(r, "nic_missed"), ival(r, "nic_errors"),
		       ival(r, "nic_nombuf"));
}

static void print_health(json_t *h)
{
	const char *st = json_string_value(json_object_get(h, "status"));
	char safe[512];
	size_t i;
	json_t *c;

	if (!st)
		return;
	printf("health:  %s\n", st);
	json_array_foreach(json_object_get(h, "checks"), i, c) {
		const char *cs = json_string_value(json_object_get(c, "status"));

		if (cs && strcmp(cs, "ok"))
			printf("         %s %s: %s\n", cs,
			       json_string_value(json_object_get(c, "name")),
			       ctl_safe(json_string_value(json_object_get(c, "reason")),
					safe, sizeof(safe)));
	}
}

static int run_status(int argc, char **argv)
{
	const char *sock = NULL;
	int as_json = 0;
	size_t k;
	json_t *o, *r;

	if (ctl_query_opts(argc, argv, &sock, &as_json))
		return 2;
	o = ctl_query(ctl_socket_path(sock), "status\n");
	if (!o)
		return 1;
	if (as_json) {
		ctl_dump_json(o);
		json_decref(o);
		return 0;
	}
	printf("iiotd %s, pid %lld, uid %lld, up %llds\n",
	       json_string_value(json_object_get(o, "version")),
	       json_integer_value(json_object_get(o, "pid")),
	       json_integer_value(json_object_get(o, "uid")),
	       json_integer_value(json_object_get(o, "uptime_s")));
	printf("config:  %s\n", json_string_value(json_object_get(o, "config")));
	printf("db:      %s (%lld bytes)\n",
	       json_string_value(json_object_get(o, "db")) ?: "-",
	       json_integer_value(json_object_get(o, "db_bytes")));
	printf("devices: %lld (%lld online), links %lld, signals %lld, "
	       "frames %lld\n",
	       json_integer_value(json_object_get(o, "devices")),
	       json_integer_value(json_object_get(o, "online")),
	       json_integer_value(json_object_get(o, "links")),
	       json_integer_value(json_object_get(o, "signals")),
	       json_integer_value(json_object_get(o, "frames")));
	json_array_foreach(json_object_get(o, "rings"), k, r)
		print_ring(r);
	print_health(json_object_get(o, "health"));
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_status = {
	.name = "status",
	.args = "[-s SOCK] [--json]",
	.help = "iiotd's state: uptime, rings, devices, database, health",
	.run = run_status,
};
