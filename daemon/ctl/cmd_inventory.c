/*
 * iiotctl inventory [--json] FILE...: offline, the device inventory and
 * link statistics a capture yields, through the same decoder and model
 * code iiotd runs.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <pcap/pcap.h>

#include "core/ctlclient.h"
#include "ctl.h"
#include "model/model.h"

static int feed(struct model *m, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *p;
	pcap_t *pc;
	int rc, nano;

	pc = pcap_open_offline_with_tstamp_precision(path,
		PCAP_TSTAMP_PRECISION_NANO, errbuf);
	if (!pc) {
		fprintf(stderr, "iiotctl: %s\n", errbuf);
		return -1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "iiotctl: %s: link type %d is not Ethernet\n",
			path, pcap_datalink(pc));
		pcap_close(pc);
		return -1;
	}
	nano = pcap_get_tstamp_precision(pc) == PCAP_TSTAMP_PRECISION_NANO;
	while ((rc = pcap_next_ex(pc, &h, &p)) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL +
			(uint64_t)h->ts.tv_usec * (nano ? 1 : 1000);

		/* pcap files carry software stamps as far as we know */
		model_frame_raw(m, p, h->caplen, h->len, ts, 0);
	}
	if (rc == -1)
		fprintf(stderr, "iiotctl: %s: %s\n", path, pcap_geterr(pc));
	pcap_close(pc);
	return rc == -1 ? -1 : 0;
}

static int run_inventory(int argc, char **argv)
{
	const char *signals = NULL;
	int i, as_json = 0, nfiles = 0, rc = 0;
	char err[512];
	struct model *m;

	m = model_new(NULL);
	if (!m) {
		fprintf(stderr, "iiotctl: out of memory\n");
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			as_json = 1;
		} else if (!strcmp(argv[i], "--signals") && i + 1 < argc) {
			signals = argv[++i];
			if (model_load_signals(m, signals, err, sizeof(err))) {
				fprintf(stderr, "iiotctl: %s\n", err);
				model_free(m);
				return 1;
			}
		} else if (argv[i][0] == '-' && argv[i][1]) {
			nfiles = 0;
			break;
		} else {
			nfiles++;
		}
	}
	if (!nfiles || i < argc) {
		fprintf(stderr, "usage: iiotctl inventory [--json] "
			"[--signals MAP] FILE...\n");
		model_free(m);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--signals")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1])
			continue;
		if (feed(m, argv[i]))
			rc = 1;
	}
	/* online means "seen within the timeout before the capture ended" */
	model_tick(m, model_last_ts(m));
	if (as_json) {
		json_t *o = json_object();

		json_object_set_new(o, "devices", model_devices_json(m));
		json_object_set_new(o, "links", model_links_json(m));
		json_object_set_new(o, "counters", model_counters_json(m));
		if (signals)
			json_object_set_new(o, "signals",
					    model_signals_json(m));
		json_dumpf(o, stdout, JSON_INDENT(2));
		putchar('\n');
		json_decref(o);
	} else {
		json_t *d = model_devices_json(m), *l = model_links_json(m);

		ctl_print_devices(stdout, d);
		ctl_print_links(stdout, l);
		json_decref(d);
		json_decref(l);
	}
	model_free(m);
	return rc;
}

const struct ctl_cmd cmd_inventory = {
	.name = "inventory",
	.args = "[--json] FILE...",
	.help = "offline: devices and links a pcap/pcapng yields",
	.run = run_inventory,
};
