/* iiotctl status [--json]: is iiotd up, what it drains, what it knows. */
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
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_status = {
	.name = "status",
	.args = "[-s SOCK] [--json]",
	.help = "iiotd's state: uptime, rings, devices, database",
	.run = run_status,
};
