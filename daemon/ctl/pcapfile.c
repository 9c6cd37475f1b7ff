/*
 * Reading a capture file for the offline commands (inventory, alerts):
 * pcap or pcapng through libpcap, nanosecond timestamps, Ethernet only.
 */
#include <pcap/pcap.h>
#include <stdio.h>

#include "pcapfile.h"

int ctl_pcap_feed(const char *path, ctl_frame_fn fn, void *arg)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *p;
	uint64_t n = 0;
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

		fn(arg, p, h->caplen, h->len, ts, ++n);
	}
	if (rc == -1)
		fprintf(stderr, "iiotctl: %s: %s\n", path, pcap_geterr(pc));
	pcap_close(pc);
	return rc == -1 ? -1 : 0;
}
