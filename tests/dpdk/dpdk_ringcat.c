/*
 * Test helper: print the frames of a ring, or of a capture file read with
 * libpcap, one line each, so a shell test can compare them byte for byte:
 *
 *   dpdk-ringcat ring RING   ts_ns flags source ifindex wire_len cap_len hex
 *   dpdk-ringcat pcap FILE   ts_ns 0 0 0 wire_len cap_len hex
 *
 * "ring" prints the ring's counters on stderr as JSON:
 *   {"records":N,"consumed":N,"drops":N,"state":"closed"|"active"}
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libshm.h"

static void put_frame(uint64_t ts, unsigned int flags, unsigned int source,
		      unsigned int ifindex, unsigned int wire,
		      const uint8_t *f, unsigned int cap)
{
	static const char hex[] = "0123456789abcdef";
	unsigned int i;

	printf("%llu %u %u %u %u %u ", (unsigned long long)ts, flags, source,
	       ifindex, wire, cap);
	for (i = 0; i < cap; i++) {
		putchar(hex[f[i] >> 4]);
		putchar(hex[f[i] & 15]);
	}
	putchar('\n');
}

static int cat_ring(const char *path)
{
	const struct iiot_ring_rec *rec;
	const uint8_t *f;
	struct shm_ring *r;
	struct shm_stats st;

	if (shm_cons_open(&r, path)) {
		fprintf(stderr, "dpdk-ringcat: %s\n", shm_error());
		return 1;
	}
	while ((rec = shm_cons_peek(r, &f)))
		put_frame(rec->ts_ns, rec->flags, rec->source, rec->ifindex,
			  rec->wire_len, f, rec->cap_len);
	shm_cons_release(r);
	shm_ring_stats(r, &st);
	fprintf(stderr, "{\"records\":%llu,\"consumed\":%llu,\"drops\":%llu,"
		"\"corrupt\":%llu,\"state\":\"%s\",\"source\":%u}\n",
		(unsigned long long)st.records,
		(unsigned long long)st.consumed,
		(unsigned long long)st.drops, (unsigned long long)st.corrupt,
		st.state == IIOT_RING_CLOSED ? "closed" : "active", st.source);
	shm_ring_close(r, false);
	return 0;
}

static int cat_pcap(const char *file)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *f;
	pcap_t *p;
	int rc;

	p = pcap_open_offline_with_tstamp_precision(file,
			PCAP_TSTAMP_PRECISION_NANO, err);
	if (!p) {
		fprintf(stderr, "dpdk-ringcat: %s\n", err);
		return 1;
	}
	while ((rc = pcap_next_ex(p, &h, &f)) == 1)
		put_frame((uint64_t)h->ts.tv_sec * 1000000000ULL +
			  (uint64_t)h->ts.tv_usec, 0, 0, 0, h->len, f,
			  h->caplen);
	if (rc == PCAP_ERROR)
		fprintf(stderr, "dpdk-ringcat: %s: %s\n", file, pcap_geterr(p));
	pcap_close(p);
	return rc == PCAP_ERROR;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "ring"))
		return cat_ring(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "pcap"))
		return cat_pcap(argv[2]);
	fprintf(stderr, "usage: dpdk-ringcat ring RING | pcap FILE\n");
	return 2;
}
