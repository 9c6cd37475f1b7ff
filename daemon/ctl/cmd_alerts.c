/*
 * iiotctl alerts FILE... [--policy FILE] [--learn SECONDS | --baseline
 * JSON] [--export-baseline JSON]: offline, the alerts a capture raises
 * through the same decoder, model, IDS and alert code iiotd runs, one JSON
 * object per alert on stdout (like Zeek or Suricata reading a file).
 * Frame numbers are 1-based as in Wireshark.  --learn learns a baseline
 * from the capture's first SECONDS and protects it for the rest;
 * --baseline protects one exported from iiotd (its first line stands for
 * the capture); --export-baseline writes what was learned.
 *
 * iiotctl alerts [--json] [--all] [--follow]: the running iiotd's open
 * (or all) alerts; --follow prints each again when it changes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "core/conf.h"
#include "core/ctlclient.h"
#include "ctl.h"
#include "decode/decode.h"
#include "ids/baseline.h"
#include "ids/ids.h"
#include "model/model.h"
#include "pcapfile.h"

struct offline {
	struct model *m;
	struct alerts *al;
	struct ids *ids;
	struct decoded d;
	uint64_t next_tick;
	struct alert *seen;		/* last known state by id */
	size_t nseen, cap;
	struct alert_change ch[64];
};

static int keep(struct offline *o, const struct alert *a)
{
	if (a->id > o->cap) {
		size_t n = o->cap ? o->cap : 64;
		struct alert *p;

		while (n < a->id)
			n *= 2;
		p = realloc(o->seen, n * sizeof(*p));
		if (!p)
			return -1;
		memset(p + o->cap, 0, (n - o->cap) * sizeof(*p));
		o->seen = p;
		o->cap = n;
	}
	o->seen[a->id - 1] = *a;
	if (a->id > o->nseen)
		o->nseen = a->id;
	return 0;
}

static void collect(struct offline *o)
{
	size_t n, i;

	while ((n = alerts_drain(o->al, o->ch, 64))) {
		for (i = 0; i < n; i++)
			if (keep(o, &o->ch[i].a))
				fprintf(stderr, "iiotctl: out of memory\n");
		if (n < 64)
			break;
	}
}

static void frame(void *arg, const uint8_t *p, uint32_t caplen, uint32_t len,
		  uint64_t ts, uint64_t frame_no)
{
	struct offline *o = arg;

	decode_frame(p, caplen, &o->d);
	model_frame(o->m, &o->d, ts, len, 0);
	ids_frame(o->ids, &o->d, ts, frame_no);
	/* quiet conditions clear on the capture's own clock */
	if (ts >= o->next_tick) {
		alerts_tick(o->al, ts, 0);
		o->next_tick = ts + 1000000000ULL;
		collect(o);
	}
}

static int load_policy(struct ids *ids, const char *path)
{
	struct ids_policy p;
	char err[512];
	struct conf *c = conf_load(path, err, sizeof(err));

	if (!c || ids_policy_conf(c, &p, err, sizeof(err))) {
		fprintf(stderr, "iiotctl: %s\n", err);
		conf_free(c);
		return -1;
	}
	conf_free(c);
	ids_set_policy(ids, &p);
	return 0;
}

static int load_baseline(struct ids *ids, const char *path)
{
	struct baseline *bl = ids_baseline(ids);
	json_error_t je;
	char err[256];
	json_t *j = json_load_file(path, 0, &je);

	if (!j) {
		fprintf(stderr, "iiotctl: %s:%d: %s\n", path, je.line, je.text);
		return -1;
	}
	if (baseline_from_json(bl, j, err, sizeof(err))) {
		fprintf(stderr, "iiotctl: %s: %s\n", path, err);
		json_decref(j);
		return -1;
	}
	json_decref(j);
	ids_set_line(ids, bl->nlines ? bl->lines[0] : NULL);
	return 0;
}

static int save_baseline(struct ids *ids, const char *path)
{
	json_t *j = baseline_json(ids_baseline(ids));
	int rc = j ? json_dump_file(j, path, JSON_INDENT(1)) : -1;

	json_decref(j);
	if (rc)
		fprintf(stderr, "iiotctl: cannot write %s\n", path);
	return rc;
}

/* the options that take a value */
static bool has_arg(const char *opt)
{
	return !strcmp(opt, "--policy") || !strcmp(opt, "-s") ||
	       !strcmp(opt, "--learn") || !strcmp(opt, "--baseline") ||
	       !strcmp(opt, "--export-baseline");
}

static int offline_opts(struct offline *o, int argc, char **argv,
			const char **export)
{
	char *end;
	double s;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--policy") && load_policy(o->ids,
								argv[++i]))
			return -1;
		if (!strcmp(argv[i], "--baseline") && load_baseline(o->ids,
								    argv[++i]))
			return -1;
		if (!strcmp(argv[i], "--export-baseline"))
			*export = argv[++i];
		if (!strcmp(argv[i], "--learn")) {
			s = strtod(argv[++i], &end);
			if (*end || !(s > 0) || s > 366 * 86400.0) {
				fprintf(stderr, "iiotctl: --learn: '%s' is not "
					"a number of seconds\n", argv[i]);
				return -1;
			}
			ids_set_line(o->ids, NULL);
			ids_baseline_learn(o->ids, (uint64_t)(s * 1e9), true);
		}
	}
	return 0;
}

static int offline(int argc, char **argv)
{
	struct offline *o = calloc(1, sizeof(*o));
	const char *export = NULL;
	int i, rc = 0;
	size_t k;

	if (!o || !(o->m = model_new(NULL)) || !(o->al = alerts_new(NULL)) ||
	    !(o->ids = ids_new(o->al, o->m))) {
		fprintf(stderr, "iiotctl: out of memory\n");
		return 1;
	}
	if (offline_opts(o, argc, argv, &export)) {
		rc = 2;
		goto out;
	}
	for (i = 1; i < argc; i++) {
		if (has_arg(argv[i])) {
			i++;
			continue;
		}
		if (ctl_pcap_feed(argv[i], frame, o))
			rc = 1;
	}
	ids_flush(o->ids);
	collect(o);
	if (export && save_baseline(o->ids, export))
		rc = 1;
	for (k = 0; k < o->nseen; k++) {
		json_t *j;

		if (!o->seen[k].id)
			continue;
		j = alert_json(&o->seen[k]);
		if (j)
			json_dumpf(j, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(j);
	}
out:
	ids_free(o->ids);
	alerts_free(o->al);
	model_free(o->m);
	free(o->seen);
	free(o);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl alerts FILE... [--policy FILE] "
		"[--learn SECONDS | --baseline JSON] [--export-baseline JSON]\n"
		"       iiotctl alerts [-s SOCK] [--json] [--all] [--follow]\n");
	return 2;
}

static void print_alert(json_t *a, int as_json)
{
	char ts[32];
	time_t t;

	if (as_json) {
		json_dumpf(a, stdout, JSON_COMPACT);
		putchar('\n');
		return;
	}
	t = (time_t)(json_integer_value(json_object_get(a, "last_ns")) /
		     1000000000LL);
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", gmtime(&t));
	printf("%-6lld %-8s %-13s %-19s %-26s %-20s %6lld  %s%s\n",
	       (long long)json_integer_value(json_object_get(a, "id")),
	       json_string_value(json_object_get(a, "severity")),
	       json_string_value(json_object_get(a, "state")), ts,
	       json_string_value(json_object_get(a, "rule")),
	       json_is_string(json_object_get(a, "device")) ?
	       json_string_value(json_object_get(a, "device")) : "-",
	       (long long)json_integer_value(json_object_get(a, "count")),
	       json_string_value(json_object_get(a, "message")),
	       json_is_integer(json_object_get(a, "shelved_until_ns")) ?
	       " [shelved]" : "");
	if (json_is_string(json_object_get(a, "note")))
		printf("       %s\n", json_string_value(json_object_get(a,
								     "note")));
}

/* what makes a followed alert worth printing again */
static char *fingerprint(json_t *a)
{
	json_t *k = json_pack("[O, O, O, O, O]", json_object_get(a, "state"),
			      json_object_get(a, "count"),
			      json_object_get(a, "severity"),
			      json_object_get(a, "shelved_until_ns"),
			      json_object_get(a, "note"));
	char *s = k ? json_dumps(k, JSON_COMPACT) : NULL;

	json_decref(k);
	return s;
}

static int live(int argc, char **argv)
{
	const char *sock = NULL;
	int i, as_json = 0, all = 0, follow = 0;
	json_t *seen = json_object(), *o, *a;
	size_t k;

	for (i = 1; i < argc; i++) {
		if (ctl_opt_socket(argc, argv, &i, &sock))
			continue;
		if (!strcmp(argv[i], "--json"))
			as_json = 1;
		else if (!strcmp(argv[i], "--all"))
			all = 1;
		else if (!strcmp(argv[i], "--follow"))
			follow = 1;
		else
			return usage();
	}
	sock = ctl_socket_path(sock);
	do {
		o = ctl_query(sock, all ? "alerts all\n" : "alerts\n");
		if (!o || !json_is_true(json_object_get(o, "ok"))) {
			if (o)
				fprintf(stderr, "iiotctl: %s\n", json_string_value(
					json_object_get(o, "error")));
			json_decref(o);
			json_decref(seen);
			return 1;
		}
		a = json_object_get(o, "alerts");
		/* oldest first, as a log reads */
		for (k = json_array_size(a); k-- > 0;) {
			json_t *al = json_array_get(a, k);
			char id[24], *fp = fingerprint(al);
			const char *old;

			snprintf(id, sizeof(id), "%lld", (long long)
				 json_integer_value(json_object_get(al, "id")));
			old = json_string_value(json_object_get(seen, id));
			if (!fp || !old || strcmp(old, fp))
				print_alert(al, as_json);
			if (fp)
				json_object_set_new(seen, id, json_string(fp));
			free(fp);
		}
		json_decref(o);
		fflush(stdout);
		if (follow)
			sleep(1);
	} while (follow);
	json_decref(seen);
	return 0;
}

static int run_alerts(int argc, char **argv)
{
	int i, files = 0;

	for (i = 1; i < argc; i++) {
		if (has_arg(argv[i])) {
			if (++i == argc)
				return usage();
		} else if (argv[i][0] != '-') {
			files++;
		}
	}
	return files ? offline(argc, argv) : live(argc, argv);
}

const struct ctl_cmd cmd_alerts = {
	.name = "alerts",
	.args = "FILE... [--policy FILE] [--learn SECONDS | --baseline JSON] "
		"[--export-baseline JSON] | [-s SOCK] [--json] [--all] [--follow]",
	.help = "alerts a capture raises (offline), or iiotd's alerts",
	.run = run_alerts,
};
