/*
 * iiotctl alerts FILE... [--policy FILE]: offline, the alerts a capture
 * raises through the same decoder, model, IDS and alert code iiotd runs,
 * one JSON object per alert on stdout (like Zeek or Suricata reading a
 * file).  Frame numbers are 1-based as in Wireshark.
 *
 * iiotctl alerts [--json] [--all]: the running iiotd's alerts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "core/conf.h"
#include "core/ctlclient.h"
#include "ctl.h"
#include "decode/decode.h"
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

static int offline(int argc, char **argv)
{
	struct offline *o = calloc(1, sizeof(*o));
	int i, rc = 0;
	size_t k;

	if (!o || !(o->m = model_new(NULL)) || !(o->al = alerts_new(NULL)) ||
	    !(o->ids = ids_new(o->al, o->m))) {
		fprintf(stderr, "iiotctl: out of memory\n");
		return 1;
	}
	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--policy") &&
		    load_policy(o->ids, argv[++i])) {
			rc = 2;
			goto out;
		}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--policy")) {
			i++;
			continue;
		}
		if (ctl_pcap_feed(argv[i], frame, o))
			rc = 1;
	}
	ids_flush(o->ids);
	collect(o);
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
	fprintf(stderr, "usage: iiotctl alerts FILE... [--policy FILE]\n"
		"       iiotctl alerts [--json] [--all]\n");
	return 2;
}

static int live(int argc, char **argv);

static int run_alerts(int argc, char **argv)
{
	int i, files = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--policy")) {
			if (++i == argc)
				return usage();
		} else if (argv[i][0] != '-') {
			files++;
		} else if (strcmp(argv[i], "--json") &&
			   strcmp(argv[i], "--all")) {
			return usage();
		}
	}
	return files ? offline(argc, argv) : live(argc, argv);
}

static int live(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "iiotctl alerts: reading the running iiotd's alerts "
		"is not built yet; give a capture file\n");
	return 1;
}

const struct ctl_cmd cmd_alerts = {
	.name = "alerts",
	.args = "FILE... [--policy FILE] | [--json] [--all]",
	.help = "alerts a capture raises (offline), or iiotd's alerts",
	.run = run_alerts,
};
