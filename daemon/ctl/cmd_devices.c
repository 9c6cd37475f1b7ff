/* iiotctl devices [--json]: the live inventory with link statistics. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"

static int run_devices(int argc, char **argv)
{
	const char *sock = NULL;
	int as_json = 0;
	json_t *o, *l;

	if (ctl_query_opts(argc, argv, &sock, &as_json))
		return 2;
	sock = ctl_socket_path(sock);
	o = ctl_query(sock, "devices\n");
	l = o ? ctl_query(sock, "links\n") : NULL;
	if (!o || !l) {
		json_decref(o);
		return 1;
	}
	if (as_json) {
		json_object_del(o, "ok");
		json_object_set(o, "links", json_object_get(l, "links"));
		ctl_dump_json(o);
	} else {
		ctl_print_devices(stdout, json_object_get(o, "devices"));
		ctl_print_links(stdout, json_object_get(l, "links"));
	}
	json_decref(o);
	json_decref(l);
	return 0;
}

const struct ctl_cmd cmd_devices = {
	.name = "devices",
	.args = "[-s SOCK] [--json]",
	.help = "device inventory and cyclic link statistics",
	.run = run_devices,
};
