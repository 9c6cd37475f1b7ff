/*
 * iiotctl mqtt [list] | show NAME | add NAME [options] SIGNAL... |
 * remove NAME: the running iiotd's MQTT devices (docs/devices.md) through
 * the control socket, as GET/POST/DELETE /api/v1/mqtt/devices do; adds
 * and removes audited under your Unix user.  add prints the device's
 * generated password, the only time it exists in clear.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"

#define MAX_OPERANDS	(2 + 256)	/* add NAME and MQ_SIGNALS_MAX lines */

static int usage(void)
{
	fputs("usage: iiotctl mqtt [-s SOCK] [--json] [list]\n"
	      "       iiotctl mqtt [-s SOCK] [--json] show NAME\n"
	      "       iiotctl mqtt [-s SOCK] [--json] add NAME [--topic TOPIC] "
	      "[--interval TIME]\n"
	      "                    [--time PATH] [--cert-cn CN] "
	      "'PATH NAME [TYPE] [scale=] [offset=] [unit=]'...\n"
	      "       iiotctl mqtt [-s SOCK] [--json] remove NAME\n", stderr);
	return 2;
}

/* a wall-clock time in ns as UTC, "-" for none */
static const char *when(json_t *o, const char *k, char *buf, size_t len)
{
	time_t t = (time_t)(ctl_jnum(o, k) / 1000000000LL);

	if (!ctl_jnum(o, k) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ",
				    gmtime(&t)))
		snprintf(buf, len, "-");
	return buf;
}

static void print_dev(json_t *d, int signals)
{
	json_t *c = json_object_get(d, "counters"), *s, *v;
	char buf[32];
	size_t i;

	printf("%-16s %-8s %-28s %-11s %-16s msgs %lld values %lld "
	       "malformed %lld  last %s\n", ctl_jstr(d, "name"), ctl_jstr(d, "state"),
	       ctl_jstr(d, "topic"), ctl_jstr(d, "auth"), ctl_jstr(d, "username"),
	       ctl_jnum(c, "messages"), ctl_jnum(c, "values"), ctl_jnum(c, "malformed"),
	       when(d, "last_seen_ns", buf, sizeof(buf)));
	if (!signals)
		return;
	printf("  counters: missing %lld bad_type %lld bad_time %lld\n",
	       ctl_jnum(c, "missing"), ctl_jnum(c, "bad_type"), ctl_jnum(c, "bad_time"));
	json_array_foreach(json_object_get(d, "signals"), i, s) {
		v = json_object_get(s, "value");
		printf("  %-20s %-24s %-6s ", ctl_jstr(s, "name"), ctl_jstr(s, "path"),
		       ctl_jstr(s, "type"));
		if (json_is_number(v))
			printf("%.10g %s  at %s\n", json_number_value(v),
			       ctl_jstr(s, "unit"), when(s, "ts_ns", buf,
						    sizeof(buf)));
		else
			printf("-\n");
	}
}

/* the API's POST body from the options and the signal lines */
static char *add_body(const char **sig, int nsig, const char *const opt[4])
{
	static const char *const keys[4] = { "topic", "interval", "time",
					     "cert_cn" };
	json_t *o = json_object(), *a = json_array();
	char *s;
	int i;

	for (i = 0; i < 4; i++)
		if (opt[i])
			json_object_set_new(o, keys[i], json_string(opt[i]));
	for (i = 0; i < nsig; i++)
		json_array_append_new(a, json_string(sig[i]));
	json_object_set_new(o, "signals", a);
	s = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(o);
	return s;
}

static void print_added(json_t *d)
{
	printf("%s added: topic %s, user %s (%s)\n", ctl_jstr(d, "name"),
	       ctl_jstr(d, "topic"), ctl_jstr(d, "username"), ctl_jstr(d, "auth"));
	if (json_object_get(d, "password"))
		printf("password for %s: %s\n(shown this once: iiotd keeps "
		       "only its hash)\n", ctl_jstr(d, "username"),
		       ctl_jstr(d, "password"));
}

static int run_mqtt(int argc, char **argv)
{
	const char *sock = NULL, *args[MAX_OPERANDS], *opt[4] = { NULL };
	const char *sub;
	char req[CTL_MAX_REQ + 2], *body = NULL;
	int json = 0, n, rc;
	size_t i;
	json_t *o, *d;
	const struct ctl_opt opts[] = {
		{ "--json", &json, NULL }, { "--topic", NULL, &opt[0] },
		{ "--interval", NULL, &opt[1] }, { "--time", NULL, &opt[2] },
		{ "--cert-cn", NULL, &opt[3] }, { NULL },
	};

	if (ctl_opts(argc, argv, &sock, opts, args, MAX_OPERANDS, &n))
		return usage();
	sub = n ? args[0] : "list";
	/* a name is one word of the request line */
	if (n > 1 && (!*args[1] || strlen(args[1]) > 64 ||
		      strpbrk(args[1], " \t\n")))
		return usage();
	if (strcmp(sub, "add") && (opt[0] || opt[1] || opt[2] || opt[3]))
		return usage();
	if (!strcmp(sub, "list") && n <= 1) {
		rc = snprintf(req, sizeof(req), "mqtt list\n");
	} else if ((!strcmp(sub, "show") || !strcmp(sub, "remove")) &&
		   n == 2) {
		rc = snprintf(req, sizeof(req), "mqtt %s %s\n", sub, args[1]);
	} else if (!strcmp(sub, "add") && n >= 3) {
		if (!(body = add_body(args + 2, n - 2, opt))) {
			fprintf(stderr, "iiotctl mqtt: out of memory\n");
			return 1;
		}
		rc = snprintf(req, sizeof(req), "mqtt add %s %s\n", args[1],
			      body);
		free(body);
	} else {
		return usage();
	}
	if (rc < 0 || rc > CTL_MAX_REQ) {
		fprintf(stderr, "iiotctl mqtt: the device is longer than a "
			"control socket request may be (%d bytes)\n",
			CTL_MAX_REQ);
		return 1;
	}
	/* a refusal is said on stderr by ctl_query */
	o = ctl_query(ctl_socket_path(sock), req);
	if (!o)
		return 1;
	json_object_del(o, "ok");
	json_object_del(o, "status");
	if (json)
		ctl_dump_json(o);
	else if (!strcmp(sub, "add"))
		print_added(o);
	else if (!strcmp(sub, "remove"))
		printf("%s: %s\n", ctl_jstr(o, "device"), ctl_jstr(o, "result"));
	else if ((d = json_object_get(o, "device")))
		print_dev(d, 1);
	else if (!json_array_size(json_object_get(o, "devices")))
		printf("no MQTT devices\n");
	else
		json_array_foreach(json_object_get(o, "devices"), i, d)
			print_dev(d, 0);
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_mqtt = {
	.name = "mqtt",
	.args = "[-s SOCK] [--json] list|show|add|remove ...",
	.help = "MQTT devices iiotd reads (state, counters, values); add "
		"one (its password shown once) or remove one (audited)",
	.run = run_mqtt,
};
