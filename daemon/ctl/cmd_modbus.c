/*
 * iiotctl modbus [-s SOCK] [--json] [DEVICE] | read DEVICE [POINT]: the
 * running iiotd's Modbus
 * TCP devices (docs/modbus.md): state, requests and errors by kind, and
 * each point with its last value.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"

static void print_dev(json_t *d, int points)
{
	json_t *c = json_object_get(d, "counters"), *p;
	size_t i;

	printf("%-16s %-21s unit %-3lld %-9s scans %lld failed %lld "
	       "timeouts %lld exceptions %lld bad %lld  %s\n",
	       ctl_jstr(d, "name"), ctl_jstr(d, "host"), ctl_jnum(d, "unit"), ctl_jstr(d, "state"),
	       ctl_jnum(c, "scans"), ctl_jnum(c, "scans_failed"), ctl_jnum(c, "timeouts"),
	       ctl_jnum(c, "exceptions"), ctl_jnum(c, "bad_replies"),
	       ctl_jstr(d, "last_error"));
	if (!points)
		return;
	json_array_foreach(json_object_get(d, "points"), i, p) {
		json_t *v = json_object_get(p, "value");

		printf("  %-20s %-8s %5lld %-4s %-8s ", ctl_jstr(p, "name"),
		       ctl_jstr(p, "area"), ctl_jnum(p, "address"), ctl_jstr(p, "type"),
		       ctl_jstr(p, "order"));
		if (json_is_number(v))
			printf("%.10g %s\n", json_number_value(v),
			       ctl_jstr(p, "unit"));
		else
			printf("-\n");
	}
}

#define USAGE "usage: iiotctl modbus [-s SOCK] [--json] [DEVICE] | read DEVICE " \
	"[POINT] |\n       write DEVICE POINT VALUE --reason TEXT [--dry-run]\n"

static int usage(void)
{
	fputs(USAGE, stderr);
	return 2;
}

/* one point of d, or every one; 1 when point names none */
static int print_read(json_t *d, const char *point)
{
	json_t *pts = json_object_get(d, "points"), *p, *keep;
	size_t i;

	if (!point) {
		print_dev(d, 1);
		return 0;
	}
	keep = json_array();
	json_array_foreach(pts, i, p)
		if (!strcmp(ctl_jstr(p, "name"), point))
			json_array_append(keep, p);
	if (!json_array_size(keep)) {
		json_decref(keep);
		fprintf(stderr, "iiotctl modbus: no point '%s' on %s\n", point,
			ctl_jstr(d, "name"));
		return 1;
	}
	json_object_set_new(d, "points", keep);
	print_dev(d, 1);
	return 0;
}

/*
 * write DEVICE POINT VALUE: a control action as the local operator
 * (docs/devices.md "From the command line"), gated and audited by iiotd;
 * the value is read back.
 */
static int write_point(const char *sock, const char **args, const char *reason,
		       int dry, int json)
{
	char *end, *js, req[CTL_MAX_REQ + 2];
	double v = strtod(args[2], &end);
	json_t *body, *o, *sent;

	if (*end || end == args[2] || strpbrk(args[0], " \n") ||
	    strlen(args[0]) > 64)
		return usage();
	if (!reason || !*reason) {
		fprintf(stderr, "iiotctl modbus: give --reason TEXT: every "
			"control action says why (it goes into the audit log)\n");
		return 2;
	}
	body = json_pack("{s:s, s:f, s:s, s:b}", "point", args[1], "value", v,
			 "reason", reason, "dry_run", dry);
	js = body ? json_dumps(body, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;
	json_decref(body);
	if (!js || snprintf(req, sizeof(req), "control modbus-write %s %s\n",
			    args[0], js) >= CTL_MAX_REQ) {
		free(js);
		fprintf(stderr, "iiotctl modbus: request too long\n");
		return 2;
	}
	free(js);
	o = ctl_query(sock, req);
	if (!o)
		return 1;
	if (json) {
		ctl_dump_json(o);
	} else {
		sent = json_object_get(o, "sent");
		printf("%s %s = %g: %s\n", ctl_jstr(o, "device"), ctl_jstr(o, "point"), v,
		       ctl_jstr(o, "result"));
		if (sent) {
			js = json_dumps(json_object_get(sent, "values"), JSON_COMPACT);
			printf("%s at %lld: %s\n", ctl_jstr(sent, "function"),
			       ctl_jnum(sent, "address"), js ? js : "");
			free(js);
		}
		if (json_object_get(o, "read_back"))
			printf("read back %.10g\n", json_number_value(
				json_object_get(o, "read_back")));
	}
	json_decref(o);
	return 0;
}

static int run_modbus(int argc, char **argv)
{
	const char *sock = NULL, *key = "", *reason = NULL, *args[4] = { NULL };
	char req[256];
	int json = 0, dry = 0, n, rc = 0;
	size_t j;
	json_t *o, *d;
	const struct ctl_opt opts[] = {
		{ "--json", &json, NULL }, { "--dry-run", &dry, NULL },
		{ "--reason", NULL, &reason }, { NULL },
	};

	if (ctl_opts(argc, argv, &sock, opts, args, 4, &n))
		return usage();
	sock = ctl_socket_path(sock);
	if (n && !strcmp(args[0], "write"))
		return n == 4 ? write_point(sock, args + 1, reason, dry, json) :
		       usage();
	if (n && !strcmp(args[0], "read")) {
		if (n < 2 || n > 3)
			return usage();
		key = args[1];
	} else if (n > 1) {
		return usage();
	} else if (n) {
		key = args[0];
	}
	if (strlen(key) > 64 || strpbrk(key, " \n")) {
		fprintf(stderr, "iiotctl modbus: bad device name\n");
		return 2;
	}
	snprintf(req, sizeof(req), "modbus%s%s\n", *key ? " " : "", key);
	o = ctl_query(sock, req);
	if (!o)
		return 1;
	json_object_del(o, "ok");
	if (json) {
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	} else if ((d = json_object_get(o, "device"))) {
		rc = print_read(d, n == 3 ? args[2] : NULL);
	} else {
		json_array_foreach(json_object_get(o, "devices"), j, d)
			print_dev(d, 0);
		if (!json_array_size(json_object_get(o, "devices")))
			printf("no Modbus devices configured\n");
	}
	json_decref(o);
	return rc;
}

const struct ctl_cmd cmd_modbus = {
	.name = "modbus",
	.args = "[-s SOCK] [--json] [DEVICE] | read DEVICE [POINT] | "
		"write DEVICE POINT VALUE --reason TEXT [--dry-run]",
	.help = "Modbus TCP devices iiotd polls (state, errors, points); "
		"write a point as the local operator (gated, audited)",
	.run = run_modbus,
};
