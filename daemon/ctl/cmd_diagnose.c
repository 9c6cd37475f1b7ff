/*
 * iiotctl diagnose FILE...: offline, the fieldbus diagnoses a capture
 * gives through the same decoder, model and diagnostics iiotd runs, one
 * JSON object per finding on stdout (docs/diagnostics.md).  Frame
 * numbers are 1-based as in Wireshark.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "alerts/alerts.h"
#include "ctl.h"
#include "decode/decode.h"
#include "diag/diag.h"
#include "model/model.h"
#include "pcapfile.h"

struct offline {
	struct model *m;
	struct alerts *al;
	struct diag *dg;
	struct decoded d;
};

static void print(void *arg, const struct diag_finding *f)
{
	json_t *j = diag_finding_json(f);

	(void)arg;
	if (j)
		json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
}

static void frame(void *arg, const uint8_t *p, uint32_t caplen, uint32_t len,
		  uint64_t ts, uint64_t frame_no)
{
	struct offline *o = arg;

	decode_frame(p, caplen, &o->d);
	model_frame(o->m, &o->d, ts, len, 0);
	diag_frame(o->dg, &o->d, ts, frame_no);
}

static int run_diagnose(int argc, char **argv)
{
	struct offline *o;
	int i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: iiotctl diagnose FILE...\n");
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-') {
			fprintf(stderr, "usage: iiotctl diagnose FILE...\n");
			return 2;
		}
	o = calloc(1, sizeof(*o));
	if (!o || !(o->m = model_new(NULL)) || !(o->al = alerts_new(NULL)) ||
	    !(o->dg = diag_new(o->al, o->m, NULL))) {
		fprintf(stderr, "iiotctl: out of memory\n");
		return 1;
	}
	diag_set_sink(o->dg, print, o);
	for (i = 1; i < argc; i++)
		if (ctl_pcap_feed(argv[i], frame, o))
			rc = 1;
	fflush(stdout);
	diag_free(o->dg);
	alerts_free(o->al);
	model_free(o->m);
	free(o);
	return rc;
}

const struct ctl_cmd cmd_diagnose = {
	.name = "diagnose",
	.args = "FILE...",
	.help = "fieldbus diagnoses of a capture, as JSON lines",
	.run = run_diagnose,
};
