/* iiotctl devices [--json]: the live inventory with link statistics. */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"

static int run_devices(int argc, char **argv)
{
	const char *sock = NULL;
	char err[512];
	int i, as_json = 0;
	json_t *o, *l;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else {
			fprintf(stderr, "usage: iiotctl devices [-s SOCK] "
				"[--json]\n");
			return 2;
		}
	}
	sock = ctl_socket_path(sock);
	o = ctl_call(sock, "devices\n", err, sizeof(err));
	l = o ? ctl_call(sock, "links\n", err, sizeof(err)) : NULL;
	if (!o || !l) {
		fprintf(stderr, "iiotctl: %s\n", err);
		json_decref(o);
		return 1;
	}
	if (as_json) {
		json_object_del(o, "ok");
		json_object_set(o, "links", json_object_get(l, "links"));
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
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
