/*
 * iiotctl inventory [--json] FILE...: offline, the device inventory and
 * link statistics a capture yields, through the same decoder and model
 * code iiotd runs.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/ctlclient.h"
#include "ctl.h"
#include "model/model.h"
#include "pcapfile.h"

static void feed_frame(void *arg, const uint8_t *p, uint32_t caplen,
		       uint32_t len, uint64_t ts, uint64_t frame_no)
{
	(void)frame_no;
	/* pcap files carry software stamps as far as we know */
	model_frame_raw(arg, p, caplen, len, ts, 0);
}

static int feed(struct model *m, const char *path)
{
	return ctl_pcap_feed(path, feed_frame, m);
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
