/*
 * iiotctl device show ID: one device, its links and its history.
 * iiotctl device lifecycle ID STATE [--reason TEXT]: move it through its
 * lifecycle, by the rules of the API (daemon/model/model_lifecycle.c).
 * iiotctl device alias ID TEXT: name it ("" clears the name), as
 * PATCH /api/v1/devices/{id} does.
 */
#include <stdbool.h>
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

/* identity, state and counters, one "name value" line each */
static void print_device(json_t *dev)
{
	char t[48], safe[1024];
	const char *k;
	json_t *h;

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
		       ctl_safe(json_string_value(h), safe, sizeof(safe)) : s);
		free(s);
	}
}

static void print_history(json_t *hist)
{
	char t[48], ev[64], detail[1024];
	json_t *h;
	size_t n;

	printf("\nhistory (newest first):\n");
	json_array_foreach(hist, n, h) {
		when(json_integer_value(json_object_get(h, "ts_ns")), t,
		     sizeof(t));
		printf("  %s  %-10s %s\n", t,
		       ctl_safe(json_string_value(json_object_get(h, "event")),
				ev, sizeof(ev)),
		       ctl_safe(json_string_value(json_object_get(h, "detail")),
				detail, sizeof(detail)));
	}
}

struct dev_args {
	const char *sock, *sub, *pos[2], *reason;
	int as_json, npos;
};

/* [-s SOCK] [--json] [--reason TEXT] SUBCOMMAND ARGS...; -1 on a misfit */
static int parse(int argc, char **argv, struct dev_args *a)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &a->sock))
			continue;
		if (!strcmp(argv[i], "--json"))
			a->as_json = 1;
		else if (!strcmp(argv[i], "--reason") && i + 1 < argc)
			a->reason = argv[++i];
		else if (!a->sub)
			a->sub = argv[i];
		else if (a->npos < 2)
			a->pos[a->npos++] = argv[i];
		else
			return -1;
	}
	return 0;
}

/* A word the control protocol carries as one argument. */
static bool one_word(const char *s, size_t max)
{
	return s && *s && !strchr(s, ' ') && strlen(s) < max;
}

/* The reason travels as the rest of the request line: printable ASCII. */
static bool reason_ok(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

static int show(const struct dev_args *a)
{
	char req[CTL_MAX_REQ];
	json_t *o;

	snprintf(req, sizeof(req), "device %s\n", a->pos[0]);
	o = ctl_query(ctl_socket_path(a->sock), req);
	if (!o)
		return 1;
	if (a->as_json) {
		json_object_del(o, "ok");
		ctl_dump_json(o);
	} else {
		print_device(json_object_get(o, "device"));
		print_history(json_object_get(o, "history"));
	}
	json_decref(o);
	return 0;
}

static int lifecycle(const struct dev_args *a)
{
	char req[CTL_MAX_REQ];
	json_t *o, *dev;
	const char *from, *to;

	snprintf(req, sizeof(req), "lifecycle %s %s %s\n", a->pos[0],
		 a->pos[1], a->reason ? a->reason : "");
	o = ctl_query(ctl_socket_path(a->sock), req);
	if (!o)
		return 1;
	dev = json_object_get(o, "device");
	from = json_string_value(json_object_get(o, "from"));
	to = json_string_value(json_object_get(dev, "lifecycle"));
	if (a->as_json) {
		json_object_del(o, "ok");
		ctl_dump_json(o);
	} else if (from && to && !strcmp(from, to)) {
		printf("device %lld %s: already %s\n",
		       json_integer_value(json_object_get(dev, "id")),
		       json_string_value(json_object_get(dev, "label")), to);
	} else {
		printf("device %lld %s: %s -> %s\n",
		       json_integer_value(json_object_get(dev, "id")),
		       json_string_value(json_object_get(dev, "label")),
		       from, to);
	}
	json_decref(o);
	return 0;
}

static int alias(const struct dev_args *a)
{
	char req[CTL_MAX_REQ], safe[1024];
	const unsigned char *t = (const unsigned char *)a->pos[1];
	size_t n, len = strlen(a->pos[1]);
	const char *to;
	json_t *o;

	/* the line is printable ASCII: the UTF-8 travels as hex */
	n = (size_t)snprintf(req, sizeof(req), "alias %s%s", a->pos[0],
			     len ? " " : "");
	if (n + 2 * len + 2 > sizeof(req)) {
		fprintf(stderr, "iiotctl: the alias is too long\n");
		return 2;
	}
	for (; *t; t++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, "%02x", *t);
	snprintf(req + n, sizeof(req) - n, "\n");
	o = ctl_query(ctl_socket_path(a->sock), req);
	if (!o)
		return 1;
	to = json_string_value(json_object_get(o, "alias"));
	if (a->as_json) {
		json_object_del(o, "ok");
		ctl_dump_json(o);
	} else {
		printf("device %lld %s: ",
		       json_integer_value(json_object_get(o, "id")),
		       json_string_value(json_object_get(o, "label")));
		if (to && *to)
			printf("alias \"%s\"\n", ctl_safe(to, safe, sizeof(safe)));
		else
			printf("alias cleared\n");
	}
	json_decref(o);
	return 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: iiotctl device show [-s SOCK] [--json] ID|MAC|STATION-NAME\n"
		"       iiotctl device lifecycle [-s SOCK] [--json] ID|MAC|STATION-NAME STATE\n"
		"                                [--reason TEXT]\n"
		"       iiotctl device alias [-s SOCK] [--json] ID|MAC|STATION-NAME TEXT\n"
		"STATE: discovered, pending, commissioned, active, maintenance, retired\n");
	return 2;
}

static int run_device(int argc, char **argv)
{
	struct dev_args a = { 0 };

	if (parse(argc, argv, &a) || !a.sub || !one_word(a.pos[0], CTL_MAX_ARG))
		return usage();
	if (!strcmp(a.sub, "show") && a.npos == 1 && !a.reason)
		return show(&a);
	if (!strcmp(a.sub, "alias") && a.npos == 2 && !a.reason)
		return alias(&a);
	if (strcmp(a.sub, "lifecycle") || a.npos != 2 || !one_word(a.pos[1], 32))
		return usage();
	if (!reason_ok(a.reason) || (a.reason && strlen(a.reason) >= CTL_MAX_ARG)) {
		fprintf(stderr, "iiotctl: --reason: at most %d characters of "
			"printable ASCII\n", CTL_MAX_ARG - 1);
		return 2;
	}
	return lifecycle(&a);
}

const struct ctl_cmd cmd_device = {
	.name = "device",
	.args = "show|lifecycle|alias ID [STATE|TEXT]",
	.help = "one device (identity, lifecycle, history); move its "
		"lifecycle; name it",
	.run = run_device,
};
