/* Offline diagnostics shared by "iiotctl diagnose" and "iiotctl health". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagrun.h"
#include "pcapfile.h"

struct diagrun *diagrun_new(void)
{
	struct diagrun *r = calloc(1, sizeof(*r));

	if (!r || !(r->m = model_new(NULL)) || !(r->al = alerts_new(NULL)) ||
	    !(r->dg = diag_new(r->al, r->m, NULL))) {
		fprintf(stderr, "iiotctl: out of memory\n");
		diagrun_free(r);
		return NULL;
	}
	return r;
}

static void frame(void *arg, const uint8_t *p, uint32_t caplen, uint32_t len,
		  uint64_t ts, uint64_t frame_no)
{
	struct diagrun *r = arg;

	decode_frame(p, caplen, &r->d);
	model_frame(r->m, &r->d, ts, len, 0);
	diag_load(r->dg, r->port, len, ts);
	diag_frame(r->dg, &r->d, ts, frame_no);
}

int diagrun_files(struct diagrun *r, int argc, char **argv, int from)
{
	int i, rc = 0;

	/* a file is a port: its load is its own */
	for (i = from; i < argc; i++) {
		r->port = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 :
			  argv[i];
		if (ctl_pcap_feed(argv[i], frame, r))
			rc = 1;
	}
	return rc;
}

void diagrun_settle(struct diagrun *r)
{
	uint64_t now = model_last_ts(r->m);

	model_tick(r->m, now);
	alerts_set_clock(r->al, now);
	alerts_tick(r->al, now, now);
}

void diagrun_free(struct diagrun *r)
{
	if (!r)
		return;
	diag_free(r->dg);
	alerts_free(r->al);
	model_free(r->m);
	free(r);
}
