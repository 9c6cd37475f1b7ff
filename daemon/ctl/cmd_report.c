/*
 * iiotctl report list [KIND] | show ID | html ID | make KIND [LINE]: the
 * running iiotd's shift and daily reports (docs/analytics.md, "Reports")
 * through the control socket; html prints the printable page, make makes
 * one now (the day so far, or the shift under way), audited.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "core/ctlproto.h"
#include "ctl.h"

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl report [-s SOCK] list [shift|day]\n"
		"       iiotctl report [-s SOCK] show|html ID\n"
		"       iiotctl report [-s SOCK] make shift|day [LINE]\n");
	return 2;
}

static void when(json_int_t ms, char *b, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(b, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static void list(json_t *a)
{
	char from[32], to[32];
	size_t i;
	json_t *x;

	printf("%-6s %-5s %-12s %-12s %-19s  %-19s %s\n", "ID", "KIND", "LINE",
	       "LABEL", "FROM", "TO", "HOW");
	json_array_foreach(a, i, x) {
		when(json_integer_value(json_object_get(x, "from_ms")), from,
		     sizeof(from));
		when(json_integer_value(json_object_get(x, "to_ms")), to,
		     sizeof(to));
		printf("%-6lld %-5s %-12s %-12s %-19s  %-19s %s\n",
		       (long long)json_integer_value(json_object_get(x, "id")),
		       json_string_value(json_object_get(x, "kind")),
		       json_string_value(json_object_get(x, "line")),
		       json_string_value(json_object_get(x, "label")), from,
		       to, json_string_value(json_object_get(x, "how")));
	}
}

static int run_report(int argc, char **argv)
{
	const char *sock = NULL, *a[3] = { NULL, NULL, NULL };
	char req[CTL_MAX_REQ + 2];
	int i, n = 0, rc;
	json_t *o;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (n == 3)
			return usage();
		a[n++] = argv[i];
	}
	for (i = 0; i < n; i++)
		if (!*a[i] || strpbrk(a[i], " \t\n"))
			return usage();
	if (!n || (!strcmp(a[0], "list") ? n > 2 : !strcmp(a[0], "make") ?
		   n < 2 : (strcmp(a[0], "show") && strcmp(a[0], "html")) ||
		   n != 2))
		return usage();
	rc = snprintf(req, sizeof(req), "report %s%s%s%s%s\n", a[0],
		      a[1] ? " " : "", a[1] ? a[1] : "", a[2] ? " " : "",
		      a[2] ? a[2] : "");
	if (rc < 0 || rc > CTL_MAX_REQ)
		return usage();
	o = ctl_query(ctl_socket_path(sock), req);
	if (!o)
		return 1;
	if (!strcmp(a[0], "list"))
		list(json_object_get(o, "reports"));
	else if (!strcmp(a[0], "html"))
		fputs(json_string_value(json_object_get(o, "html")), stdout);
	else {
		json_dumpf(json_object_get(o, "report"), stdout,
			   JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
	}
	json_decref(o);
	return 0;
}

const struct ctl_cmd cmd_report = {
	.name = "report",
	.args = "[-s SOCK] list|show|html|make ...",
	.help = "list, show, print or make iiotd's shift and daily reports",
	.run = run_report,
};
