/*
 * iiotctl analyse FILE... --signals MAP [--rules FILE] [--interval MS]
 *                 [--no-anomaly]
 *
 * Offline process analytics: the capture's frames go through the same
 * decoder, model (signal map → samples, one per signal per interval,
 * 100 ms as iiotd samples by default) and analytics (rules, anomalies)
 * as in iiotd; every alert transition is one JSON line on stdout: the
 * alert as "iiotctl alerts" shows it plus "change" (raised, escalated,
 * cleared, returned) and "at_ns" (the capture time it happened).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "analytics/analytics.h"
#include "core/conf.h"
#include "ctl.h"
#include "decode/decode.h"
#include "model/model.h"
#include "pcapfile.h"

#define TICK_NS		1000000000ULL
#define DRAIN_NS	100000000ULL

struct analyse {
	struct model *m;
	struct alerts *al;
	struct analytics *an;
	struct decoded d;
	uint64_t next_tick, next_drain;
	struct alert_change ch[64];
};

static void print_changes(struct analyse *o)
{
	size_t n, i;

	while ((n = alerts_drain(o->al, o->ch, 64))) {
		for (i = 0; i < n; i++) {
			const struct alert_change *c = &o->ch[i];
			json_t *j;

			if (c->kind == ALERT_CH_UPDATED ||
			    c->kind == ALERT_CH_NORMAL)
				continue;
			j = alert_json(&c->a);
			if (!j)
				continue;
			json_object_set_new(j, "change",
				json_string(alert_change_name(c->kind)));
			json_object_set_new(j, "at_ns",
				json_integer((json_int_t)c->clock_ns));
			json_dumpf(j, stdout, JSON_COMPACT | JSON_SORT_KEYS);
			putchar('\n');
			json_decref(j);
		}
		if (n < 64)
			break;
	}
}

static bool sample(void *arg, const struct model_sample *s)
{
	struct analyse *o = arg;

	analytics_sample(o->an, s->signal, s->ts_ns, s->value);
	return true;
}

static void frame(void *arg, const uint8_t *p, uint32_t caplen, uint32_t len,
		  uint64_t ts, uint64_t frame_no)
{
	struct analyse *o = arg;

	(void)frame_no;
	alerts_set_clock(o->al, ts);
	decode_frame(p, caplen, &o->d);
	model_frame(o->m, &o->d, ts, len, 0);
	if (ts >= o->next_tick) {
		analytics_devices_from(o->an, o->m);
		if (o->next_tick)
			analytics_tick(o->an, ts);
		alerts_tick(o->al, ts, 0);
		o->next_tick = ts + TICK_NS;
	}
	if (ts >= o->next_drain) {
		print_changes(o);
		o->next_drain = ts + DRAIN_NS;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: iiotctl analyse FILE... --signals MAP "
		"[--rules FILE] [--interval MS] [--no-anomaly]\n");
	return 2;
}

static int setup(struct analyse *o, const char *map, const char *rules,
		 bool anomaly)
{
	struct model_sink sink = { sample, NULL, o };
	char err[512];
	struct conf *c;
	size_t i;
	int rc;

	if (model_load_signals(o->m, map, err, sizeof(err))) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return -1;
	}
	model_set_sink(o->m, &sink);
	for (i = 0; i < model_signal_count(o->m); i++) {
		struct model_signal tmp;
		const struct model_signal *s = model_signal_at(o->m, i, &tmp);

		if (analytics_add_signal(o->an, s->id, s->name)) {
			fprintf(stderr, "iiotctl: out of memory\n");
			return -1;
		}
	}
	c = rules ? conf_load(rules, err, sizeof(err)) : conf_empty();
	if (!c) {
		fprintf(stderr, "iiotctl: %s\n", err);
		return -1;
	}
	if (!anomaly && !rules) {
		conf_free(c);
		c = conf_parse("[anomaly]\nenable = false\n", 26,
			       "--no-anomaly", err, sizeof(err));
	} else if (!anomaly) {
		fprintf(stderr, "iiotctl: --no-anomaly with --rules: say "
			"'enable = false' in the rules' [anomaly]\n");
		conf_free(c);
		return -1;
	}
	rc = c ? analytics_load_rules(o->an, c, err, sizeof(err)) : -1;
	if (rc)
		fprintf(stderr, "iiotctl: %s\n", err);
	conf_free(c);
	return rc;
}

static int run_analyse(int argc, char **argv)
{
	const char *map = NULL, *rules = NULL;
	struct analyse *o;
	uint64_t interval = 100;
	bool anomaly = true;
	int i, rc = 0, files = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--signals") && i + 1 < argc)
			map = argv[++i];
		else if (!strcmp(argv[i], "--rules") && i + 1 < argc)
			rules = argv[++i];
		else if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			if (conf_parse_u64(argv[++i], &interval) ||
			    interval > 3600000)
				return usage();
		} else if (!strcmp(argv[i], "--no-anomaly"))
			anomaly = false;
		else if (argv[i][0] == '-')
			return usage();
		else
			files++;
	}
	if (!map || !files)
		return usage();
	o = calloc(1, sizeof(*o));
	if (!o || !(o->m = model_new(NULL)) || !(o->al = alerts_new(NULL)) ||
	    !(o->an = analytics_new(o->al))) {
		fprintf(stderr, "iiotctl: out of memory\n");
		return 1;
	}
	model_set_sample_interval(o->m, interval * 1000000ULL);
	if (setup(o, map, rules, anomaly)) {
		rc = 2;
		goto out;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--signals") || !strcmp(argv[i], "--rules") ||
		    !strcmp(argv[i], "--interval")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		if (ctl_pcap_feed(argv[i], frame, o))
			rc = 1;
	}
	print_changes(o);
out:
	analytics_free(o->an);
	alerts_free(o->al);
	model_free(o->m);
	free(o);
	return rc;
}

const struct ctl_cmd cmd_analyse = {
	.name = "analyse",
	.args = "FILE... --signals MAP [--rules FILE] [--interval MS] "
		"[--no-anomaly]",
	.help = "process analytics of a capture: rule and anomaly alerts",
	.run = run_analyse,
};
