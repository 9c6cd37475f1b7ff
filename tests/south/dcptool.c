/*
 * A test helper for tests/south/dcp_frames.t (not installed):
 *   dcptool requests OUT.pcap   every DCP control request, one frame each
 *   dcptool answers IN.pcap     each DCP answer in a capture as iiot's
 *                               answer check reads it, one line each:
 *                               frame xid mac result name ip
 * The requests are taken apart by tshark there; the answers compared with
 * tshark's reading of the same capture.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <pcap/pcap.h>

#include "south/dcp.h"

static const uint8_t me[6] = { 0x02, 0, 0, 0, 0, 0x50 };
static const uint8_t dev[6] = { 0x00, 0x0e, 0x8c, 0x10, 0x00, 0x03 };

static int requests(const char *out)
{
	pcap_t *p = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *w = p ? pcap_dump_open(p, out) : NULL;
	struct dcp_request q;
	uint8_t f[DCP_FRAME_MAX];
	int i;

	if (!w) {
		fprintf(stderr, "dcptool: %s: %s\n", out, p ? pcap_geterr(p) : "pcap");
		return 1;
	}
	for (i = 0; i < 7; i++) {
		struct pcap_pkthdr h = { .ts = { i, 0 } };

		memset(&q, 0, sizeof(q));
		memcpy(q.src, me, 6);
		memcpy(q.dst, dev, 6);
		q.xid = 0x100 + (uint32_t)i;
		q.response_delay = 1;
		switch (i) {
		case 0: q.op = DCP_OP_IDENTIFY; break;
		case 1: q.op = DCP_OP_IDENTIFY; strcpy(q.name, "et200sp-3"); break;
		case 2: q.op = DCP_OP_SIGNAL; break;
		case 3: q.op = DCP_OP_SET_NAME; strcpy(q.name, "press-7.line-2");
			q.permanent = true; break;
		case 4: q.op = DCP_OP_SET_IP; q.ip = 0xc0a80063; q.mask = 0xffffff00;
			q.gw = 0xc0a80001; break;
		case 5: q.op = DCP_OP_SET_IP; q.ip = 0x0a000002; q.mask = 0xff000000;
			q.permanent = true; break;
		default: q.op = DCP_OP_RESET; q.reset_mode = DCP_RESET_COMM; break;
		}
		h.caplen = h.len = (bpf_u_int32)dcp_encode(&q, f, sizeof(f));
		if (!h.len) {
			fprintf(stderr, "dcptool: request %d not encoded\n", i);
			return 1;
		}
		pcap_dump((u_char *)w, &h, f);
	}
	pcap_dump_close(w);
	pcap_close(p);
	return 0;
}

static const char *result(enum dcp_match m)
{
	static const char *const s[] = { "none", "ok", "refused", "bad" };

	return s[m];
}

/* one frame: the request it would answer is made from it */
static void answer(unsigned long n, const uint8_t *f, uint32_t len)
{
	static const enum dcp_op sets[] = { DCP_OP_SET_NAME, DCP_OP_SET_IP,
					    DCP_OP_SIGNAL, DCP_OP_RESET };
	struct dcp_request q;
	struct dcp_answer a;
	enum dcp_match m = DCP_MATCH_NONE;
	uint32_t off = 12;
	unsigned int i;
	struct in_addr ip;

	while (len >= off + 4 && f[off] == 0x81 && f[off + 1] == 0)
		off += 4;
	if (len < off + 14 || f[off] != 0x88 || f[off + 1] != 0x92 ||
	    f[off + 2] != 0xfe || f[off + 5] == 0)
		return;
	memset(&q, 0, sizeof(q));
	memcpy(q.src, f, 6);
	q.xid = (uint32_t)f[off + 6] << 24 | (uint32_t)f[off + 7] << 16 |
		(uint32_t)f[off + 8] << 8 | f[off + 9];
	q.reset_mode = DCP_RESET_COMM;
	if (f[off + 3] == 0xff) {
		q.op = DCP_OP_IDENTIFY;
		m = dcp_answer_check(&q, f, len, &a);
	} else if (f[off + 3] == 0xfd && f[off + 4] == 4) {
		for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
			q.op = sets[i];
			m = dcp_answer_check(&q, f, len, &a);
			if (m != DCP_MATCH_BAD || a.anomaly != DCP_AN_NO_RESULT)
				break;
		}
	} else {
		return;
	}
	if (m == DCP_MATCH_NONE)
		return;
	ip.s_addr = htonl(a.ip);
	printf("%lu\t0x%08x\t%02x:%02x:%02x:%02x:%02x:%02x\t%s\t%s\t%s\n", n,
	       q.xid, a.mac[0], a.mac[1], a.mac[2], a.mac[3], a.mac[4], a.mac[5],
	       m == DCP_MATCH_BAD ? dcp_anomaly_name(a.anomaly) : result(m),
	       a.name, a.has_ip ? inet_ntoa(ip) : "");
}

static int answers(const char *in)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline(in, err);
	struct pcap_pkthdr *h;
	const u_char *f;
	unsigned long n = 0;

	if (!p) {
		fprintf(stderr, "dcptool: %s\n", err);
		return 1;
	}
	while (pcap_next_ex(p, &h, &f) == 1)
		if (pcap_datalink(p) == DLT_EN10MB)
			answer(++n, f, h->caplen);
	pcap_close(p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "requests"))
		return requests(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "answers"))
		return answers(argv[2]);
	fprintf(stderr, "usage: dcptool requests OUT.pcap | answers IN.pcap\n");
	return 2;
}
