/*
 * iiotctl health [-s SOCK] [--json] [DEVICE]: the running iiotd's health
 * scores, 0-100 per device and per cyclic link with the reasons that took
 * points off (docs/diagnostics.md, "Health").
 * iiotctl health [--json] FILE...: the same at the end of a capture,
 * through the diagnostics "iiotctl diagnose" runs.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"
#include "diag/health.h"
#include "diagrun.h"

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl health [-s SOCK] [--json] [DEVICE]\n"
		"       iiotctl health [--json] FILE...\n");
	return 2;
}

static void print_reasons(json_t *reasons)
{
	char safe[512];
	json_t *r;
	size_t i;

	json_array_foreach(reasons, i, r)
		printf("%12s -%-3lld %-22s %s\n", "",
		       json_integer_value(json_object_get(r, "points")),
		       json_string_value(json_object_get(r, "code")),
		       ctl_safe(json_string_value(json_object_get(r, "text")),
				safe, sizeof(safe)));
}

static void print_sum(const char *what, json_t *s)
{
	printf("%s: %lld good, %lld check, %lld fault\n", what,
	       json_integer_value(json_object_get(s, "good")),
	       json_integer_value(json_object_get(s, "check")),
	       json_integer_value(json_object_get(s, "fault")));
}

static void print_table(json_t *o)
{
	json_t *sum = json_object_get(o, "summary"), *e;
	char safe[256], ends[48];
	size_t i;

	print_sum("devices", json_object_get(sum, "devices"));
	printf("%5s %5s %-6s %-14s %s\n", "ID", "SCORE", "GRADE", "KIND",
	       "DEVICE");
	json_array_foreach(json_object_get(o, "devices"), i, e) {
		const char *prod = json_string_value(json_object_get(e,
								     "product"));

		printf("%5lld %5lld %-6s %-14s %s%s%s%s\n",
		       json_integer_value(json_object_get(e, "id")),
		       json_integer_value(json_object_get(e, "score")),
		       json_string_value(json_object_get(e, "grade")),
		       json_string_value(json_object_get(e, "kind")),
		       ctl_safe(json_string_value(json_object_get(e, "label")),
				safe, sizeof(safe)), prod ? " (" : "",
		       prod ? prod : "", prod ? ")" : "");
		print_reasons(json_object_get(e, "reasons"));
	}
	print_sum("links", json_object_get(sum, "links"));
	printf("%5s %5s %-6s %s\n", "LINK", "SCORE", "GRADE", "SRC -> DST");
	json_array_foreach(json_object_get(o, "links"), i, e) {
		json_t *dst = json_object_get(e, "dst");

		if (dst)
			snprintf(ends, sizeof(ends), "%lld -> %lld",
				 json_integer_value(json_object_get(e, "src")),
				 json_integer_value(dst));
		else
			snprintf(ends, sizeof(ends), "%lld",
				 json_integer_value(json_object_get(e, "src")));
		printf("%5lld %5lld %-6s %s\n",
		       json_integer_value(json_object_get(e, "id")),
		       json_integer_value(json_object_get(e, "score")),
		       json_string_value(json_object_get(e, "grade")), ends);
		print_reasons(json_object_get(e, "reasons"));
	}
}

static void show(json_t *o, int as_json)
{
	if (as_json)
		ctl_dump_json(o);
	else
		print_table(o);
}

static int offline(int argc, char **argv, int as_json)
{
	struct diagrun *r = diagrun_new();
	json_t *o;
	int rc, i, n = 0;

	if (!r)
		return 1;
	/* the files, less the options already read */
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			argv[++n] = argv[i];
	rc = diagrun_files(r, n + 1, argv, 1);
	diagrun_settle(r);
	o = health_report(r->m, r->al, 0);
	if (o)
		show(o, as_json);
	else
		rc = 1;
	json_decref(o);
	diagrun_free(r);
	return rc;
}

static int live(const char *sock, const char *key, int as_json)
{
	char req[300];
	json_t *o;

	if (key && strlen(key) > 250)
		return usage();
	snprintf(req, sizeof(req), "health%s%s\n", key ? " " : "",
		 key ? key : "");
	o = ctl_query(ctl_socket_path(sock), req);
	if (!o)
		return 1;
	json_object_del(o, "ok");
	show(o, as_json);
	json_decref(o);
	return 0;
}

static int run_health(int argc, char **argv)
{
	const char *sock = NULL, *arg = NULL;
	int i, as_json = 0, words = 0;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (argv[i][0] == '-')
			return usage();
		else if (!words++)
			arg = argv[i];
	}
	if (sock && words > 1)
		return usage();
	/* a file that opens is a capture; a device key never names one */
	if (!sock && arg) {
		FILE *f = fopen(arg, "rb");

		if (f) {
			fclose(f);
			return offline(argc, argv, as_json);
		}
	}
	if (words > 1)
		return usage();
	return live(sock, arg, as_json);
}

const struct ctl_cmd cmd_health = {
	.name = "health",
	.args = "[-s SOCK] [--json] [DEVICE] | [--json] FILE...",
	.help = "health scores of devices and links, with their reasons",
	.run = run_health,
};
