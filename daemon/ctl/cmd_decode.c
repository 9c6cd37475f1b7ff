/*
 * iiotctl decode [--summary|--stats-only] FILE: decode a pcap/pcapng
 * offline, one JSON object per frame (docs/decode.md).  Frames are
 * numbered from 1 in file order, as tshark numbers them.
 */
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "decode/decode.h"

static void print_summary(FILE *f, const struct decode_stats *s)
{
	unsigned int i;

	fprintf(f, "{\"frames\":%llu,\"bytes\":%llu,\"anomalous\":%llu,"
		"\"proto\":{", (unsigned long long)s->frames,
		(unsigned long long)s->bytes, (unsigned long long)s->anomalous);
	for (i = 0; i < DECODE_PROTO_COUNT; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", decode_proto_name(i),
			(unsigned long long)s->proto[i]);
	fprintf(f, "},\"anomalies\":{");
	for (i = 0; i < DECODE_ANOMALY_COUNT; i++)
		fprintf(f, "%s\"%s\":%llu", i ? "," : "", decode_anomaly_name(i),
			(unsigned long long)s->anomaly[i]);
	fprintf(f, "}}\n");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: iiotctl decode [--summary] [--stats-only] FILE\n"
		"  one JSON object per frame on stdout;\n"
		"  --summary     counters per protocol and anomaly on stderr\n"
		"  --stats-only  decode without printing frames, counters on"
		" stdout\n");
}

static int decode_file(const char *path, int print, struct decode_stats *st)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct decoded d;
	uint64_t n = 0;
	pcap_t *pc;
	int rc;

	pc = pcap_open_offline_with_tstamp_precision(path,
			PCAP_TSTAMP_PRECISION_NANO, err);
	if (!pc) {
		fprintf(stderr, "iiotctl decode: %s\n", err);
		return 1;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		fprintf(stderr, "iiotctl decode: %s: link type %s, only Ethernet"
			" captures can be decoded\n", path,
			pcap_datalink_val_to_name(pcap_datalink(pc)) ?: "?");
		pcap_close(pc);
		return 1;
	}
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		uint64_t ts = (uint64_t)h->ts.tv_sec * 1000000000ULL +
			      (uint64_t)h->ts.tv_usec;

		n++;
		decode_frame(data, h->caplen, &d);
		decode_stats_add(st, &d, h->len);
		if (print && decode_print_json(stdout, &d, n, ts, h->len)) {
			fprintf(stderr, "iiotctl decode: write failed\n");
			pcap_close(pc);
			return 1;
		}
	}
	if (rc == PCAP_ERROR) {
		/* a truncated file still yields every whole frame before it */
		fprintf(stderr, "iiotctl decode: %s: frame %llu: %s\n", path,
			(unsigned long long)n + 1, pcap_geterr(pc));
		pcap_close(pc);
		return 1;
	}
	pcap_close(pc);
	return 0;
}

static int run_decode(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "summary", no_argument, NULL, 's' },
		{ "stats-only", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct decode_stats st;
	int summary = 0, stats_only = 0, c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's': summary = 1; break;
		case 'S': stats_only = 1; break;
		case 'h': usage(); return 0;
		default: usage(); return 2;
		}
	}
	if (optind != argc - 1) {
		usage();
		return 2;
	}
	memset(&st, 0, sizeof(st));
	rc = decode_file(argv[optind], !stats_only, &st);
	if (fflush(stdout))
		rc = 1;
	if (stats_only)
		print_summary(stdout, &st);
	else if (summary)
		print_summary(stderr, &st);
	return rc;
}

const struct ctl_cmd cmd_decode = {
	.name = "decode",
	.args = "[--summary|--stats-only] FILE",
	.help = "decode a pcap/pcapng offline, one JSON object per frame",
	.run = run_decode,
};
