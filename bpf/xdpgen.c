/*
 * iiot-xdpgen: send industrial test frames on an interface as fast as the
 * machine allows (AF_PACKET TX ring, qdisc bypass) or at a fixed rate.
 * Drives the XDP tests and benchmark.  Prints one JSON line: frames and
 * bytes handed to the driver, seconds, rate.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/if_link.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RING_FRAME	2048U
#define RING_BLOCK	(1U << 16)
#define RING_BLOCKS	64U
#define RING_FRAMES	(RING_BLOCK / RING_FRAME * RING_BLOCKS)

struct gen {
	int fd;
	uint8_t *ring;
	size_t ring_len;
	unsigned int idx;
	uint8_t tmpl[RING_FRAME];
	uint32_t size;
	uint32_t seq_off;
};

/* tx_dropped of the interface, through netlink (right in any netns). */
static uint64_t tx_dropped(const char *ifname)
{
	struct ifaddrs *ifa, *i;
	uint64_t v = 0;

	if (getifaddrs(&ifa))
		return 0;
	for (i = ifa; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_PACKET &&
		    i->ifa_data && !strcmp(i->ifa_name, ifname))
			v = ((struct rtnl_link_stats *)i->ifa_data)->tx_dropped;
	freeifaddrs(ifa);
	return v;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: iiot-xdpgen --iface IF [--count N] [--rate PPS] [--size BYTES]\n"
"                   [--proto P] [--src MAC] [--dst MAC] [--vlan ID]\n"
"                   [--qinq ID] [--ip-opts WORDS]\n"
"  --count N     frames to send (1000)\n"
"  --rate PPS    frames per second; 0 = as fast as possible (0)\n"
"  --size BYTES  frame length without FCS, 14..1514 (64); frames shorter\n"
"                than their headers test the receiver's parser\n"
"  --proto P     ecat, pn-rt, pn-dcp, pn-alarm, pn-other, other, lldp,\n"
"                pnio-cm (IPv4 UDP to port 34964), pnio-cm-rsp (from it),\n"
"                pnio-cm-frag (a later fragment of one), udp53 or tcp (ecat)\n"
"  --vlan ID     one 802.1Q tag;  --qinq ID  an 802.1ad outer tag too\n"
"  --ip-opts N   IPv4 frames: N words of header options (0..10, 0)\n");
}

static int parse_mac(const char *s, uint8_t *m)
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 255)
			return -1;
		m[i] = (uint8_t)b[i];
	}
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/*
 * An IPv4 header of ihl words at p (options NOPs), then the first four
 * bytes of the transport header: the ports.  Returns the length written.
 */
static uint32_t build_ip(uint8_t *p, unsigned int ihl, uint8_t proto,
			 uint16_t frag, uint16_t sport, uint16_t dport,
			 uint32_t total)
{
	uint32_t hl = ihl * 4;

	p[0] = (uint8_t)(0x40 | ihl);
	put16(p + 2, (uint16_t)total);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	memcpy(p + 12, (uint8_t[]){ 192, 168, 0, 10, 192, 168, 0, 20 }, 8);
	memset(p + 20, 1, hl - 20);		/* NOP options */
	put16(p + hl, sport);
	put16(p + hl + 2, dport);
	return hl + 4;
}

/* IPv4 kinds: protocol, fragment field, ports. */
static int ip_kind(const char *proto, uint8_t *ipp, uint16_t *frag,
		   uint16_t *sport, uint16_t *dport)
{
	*frag = 0;
	*ipp = 17;
	*sport = 0xc001;
	*dport = 34964;
	if (!strcmp(proto, "pnio-cm"))
		return 0;
	if (!strcmp(proto, "pnio-cm-rsp")) {
		*sport = 34964;
		*dport = 0xc001;
		return 0;
	}
	if (!strcmp(proto, "pnio-cm-frag")) {
		*frag = 185;		/* offset 1480 bytes: payload, no ports */
		return 0;
	}
	*dport = 53;
	if (!strcmp(proto, "udp53"))
		return 0;
	*ipp = 6;
	*dport = 34964;		/* TCP to the port: still not PNIO-CM */
	return !strcmp(proto, "tcp") ? 0 : -1;
}

/* Build the frame template; returns -1 for an unknown protocol. */
static int build(struct gen *g, const char *proto, const uint8_t *src,
		 const uint8_t *dst, int vlan, int qinq, unsigned int ip_opts)
{
	uint16_t frag, sport, dport;
	uint8_t ipp;
	uint8_t *p = g->tmpl;
	uint16_t et, fid = 0;
	uint32_t off = 12;

	memset(g->tmpl, 0, sizeof(g->tmpl));
	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	if (qinq >= 0) {
		put16(p + off, ETH_P_8021AD);
		put16(p + off + 2, (uint16_t)qinq);
		off += 4;
	}
	if (vlan >= 0) {
		put16(p + off, ETH_P_8021Q);
		put16(p + off + 2, (uint16_t)vlan);
		off += 4;
	}
	if (!strcmp(proto, "ecat"))
		et = 0x88a4;
	else if (!strcmp(proto, "other"))
		et = 0x88b5;	/* IEEE local experimental */
	else if (!strcmp(proto, "lldp"))
		et = 0x88cc;
	else if (!ip_kind(proto, &ipp, &frag, &sport, &dport)) {
		et = 0x0800;
		put16(p + off, et);
		off += 2;
		/* a frame shorter than its headers is cut from the whole
		 * template: a test of the receiver's bounds checks */
		off += build_ip(p + off, 5 + ip_opts, ipp, frag, sport, dport,
				g->size - off);
		g->seq_off = off + 4 <= g->size ? off : 0;
		return 0;
	} else {
		et = 0x8892;
		if (!strcmp(proto, "pn-rt"))
			fid = 0x8000;
		else if (!strcmp(proto, "pn-dcp"))
			fid = 0xfefe;
		else if (!strcmp(proto, "pn-alarm"))
			fid = 0xfc01;
		else if (!strcmp(proto, "pn-other"))
			fid = 0xff40;
		else
			return -1;
	}
	put16(p + off, et);
	off += 2;
	if (et == 0x88a4) {
		/* EtherCAT header: datagram length, type 1; then an LRW */
		uint16_t dlen = g->size > off + 2 ?
				(uint16_t)(g->size - off - 2) : 0;

		p[off] = (uint8_t)(dlen & 0xff);
		p[off + 1] = (uint8_t)(0x10 | ((dlen >> 8) & 0x7));
		p[off + 2] = 0x0c;	/* LRW */
		off += 2;
	} else if (et == 0x8892) {
		put16(p + off, fid);
		off += 2;
	}
	/* A sequence number where it fits; short frames test the parser. */
	g->seq_off = off + 4 + 4 <= g->size ? off + 4 : 0;
	return 0;
}

static struct tpacket2_hdr *slot(struct gen *g, unsigned int i)
{
	return (struct tpacket2_hdr *)(g->ring + (size_t)i * RING_FRAME);
}

static int setup(struct gen *g, const char *ifname)
{
	struct tpacket_req req = {
		.tp_block_size = RING_BLOCK, .tp_block_nr = RING_BLOCKS,
		.tp_frame_size = RING_FRAME, .tp_frame_nr = RING_FRAMES,
	};
	struct sockaddr_ll sll = { 0 };
	int v = TPACKET_V2, one = 1;
	unsigned int ifindex = if_nametoindex(ifname);

	if (!ifindex) {
		fprintf(stderr, "iiot-xdpgen: no interface '%s'\n", ifname);
		return -1;
	}
	g->fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (g->fd < 0) {
		fprintf(stderr, "iiot-xdpgen: packet socket: %s%s\n",
			strerror(errno), errno == EPERM ?
			" (needs CAP_NET_RAW)" : "");
		return -1;
	}
	if (setsockopt(g->fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) ||
	    setsockopt(g->fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req))) {
		fprintf(stderr, "iiot-xdpgen: TX ring: %s\n", strerror(errno));
		return -1;
	}
	/* Straight to the driver: the qdisc is not what is measured. */
	setsockopt(g->fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	g->ring_len = (size_t)RING_BLOCK * RING_BLOCKS;
	g->ring = mmap(NULL, g->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		       g->fd, 0);
	if (g->ring == MAP_FAILED) {
		fprintf(stderr, "iiot-xdpgen: mmap: %s\n", strerror(errno));
		return -1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = 0;	/* send only: never receive a copy */
	sll.sll_ifindex = (int)ifindex;
	if (bind(g->fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "iiot-xdpgen: bind: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Wait for a free slot; flushes queued frames when the ring is full. */
static uint8_t *next_slot(struct gen *g, uint64_t *errors)
{
	struct tpacket2_hdr *h = slot(g, g->idx);

	for (;;) {
		uint32_t st = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

		if (st == TP_STATUS_AVAILABLE)
			break;
		if (st & TP_STATUS_WRONG_FORMAT) {
			(*errors)++;
			break;
		}
		if (send(g->fd, NULL, 0, 0) < 0 && errno != ENOBUFS &&
		    errno != EAGAIN && errno != EINTR)
			return NULL;
	}
	return (uint8_t *)h + TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "size", required_argument, NULL, 's' },
		{ "proto", required_argument, NULL, 'p' },
		{ "src", required_argument, NULL, 'S' },
		{ "dst", required_argument, NULL, 'D' },
		{ "vlan", required_argument, NULL, 'V' },
		{ "qinq", required_argument, NULL, 'Q' },
		{ "ip-opts", required_argument, NULL, 'O' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	uint8_t src[6] = { 0x02, 0x11, 0x07, 0, 0, 0x01 };
	uint8_t dst[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	const char *iface = NULL, *proto = "ecat";
	uint64_t count = 1000, rate = 0, sent = 0, errors = 0, t0, t1, drop0;
	int vlan = -1, qinq = -1, c;
	unsigned int ip_opts = 0;
	struct gen g;
	unsigned int batch;
	double secs;

	memset(&g, 0, sizeof(g));
	g.size = 64;
	while ((c = getopt_long(argc, argv, "i:c:r:s:p:h", lo, NULL)) != -1) {
		switch (c) {
		case 'i': iface = optarg; break;
		case 'c': count = strtoull(optarg, NULL, 0); break;
		case 'r': rate = strtoull(optarg, NULL, 0); break;
		case 's': g.size = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'p': proto = optarg; break;
		case 'V': vlan = atoi(optarg) & 0xfff; break;
		case 'Q': qinq = atoi(optarg) & 0xfff; break;
		case 'O':
			ip_opts = (unsigned int)strtoul(optarg, NULL, 0);
			if (ip_opts > 10) {
				usage(stderr);
				return 2;
			}
			break;
		case 'S':
		case 'D':
			if (parse_mac(optarg, c == 'S' ? src : dst)) {
				fprintf(stderr, "iiot-xdpgen: bad MAC '%s'\n",
					optarg);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!iface || g.size < 14 || g.size > 1514) {
		usage(stderr);
		return 2;
	}
	if (build(&g, proto, src, dst, vlan, qinq, ip_opts)) {
		fprintf(stderr, "iiot-xdpgen: unknown protocol '%s'\n", proto);
		return 2;
	}
	if (setup(&g, iface))
		return 1;

	/* Paced: small batches on a clock; flat out: fill the ring. */
	batch = rate ? (unsigned int)(rate / 20000 + 1) : RING_FRAMES / 2;
	if (batch > RING_FRAMES / 2)
		batch = RING_FRAMES / 2;
	drop0 = tx_dropped(iface);
	t0 = now_ns();
	while (sent < count) {
		unsigned int k, n = batch;

		if (rate) {
			uint64_t due = t0 + sent * 1000000000ULL / rate;
			uint64_t now = now_ns();

			if (due > now) {
				struct timespec ts = {
					.tv_sec = (time_t)(due / 1000000000ULL),
					.tv_nsec = (long)(due % 1000000000ULL),
				};
				clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
						&ts, NULL);
			}
		}
		if (n > count - sent)
			n = (unsigned int)(count - sent);
		for (k = 0; k < n; k++) {
			uint8_t *p = next_slot(&g, &errors);
			uint32_t seq = htonl((uint32_t)(sent + k));

			if (!p) {
				fprintf(stderr, "iiot-xdpgen: send: %s\n",
					strerror(errno));
				return 1;
			}
			memcpy(p, g.tmpl, g.size);
			if (g.seq_off)
				memcpy(p + g.seq_off, &seq, 4);
			slot(&g, g.idx)->tp_len = g.size;
			__atomic_store_n(&slot(&g, g.idx)->tp_status,
					 TP_STATUS_SEND_REQUEST,
					 __ATOMIC_RELEASE);
			g.idx = (g.idx + 1) % RING_FRAMES;
		}
		sent += n;
		if (send(g.fd, NULL, 0, rate ? 0 : MSG_DONTWAIT) < 0 &&
		    errno != EAGAIN && errno != ENOBUFS && errno != EINTR) {
			fprintf(stderr, "iiot-xdpgen: send: %s\n",
				strerror(errno));
			return 1;
		}
	}
	/* wait until the kernel took every queued frame */
	while (send(g.fd, NULL, 0, 0) < 0 && errno == EINTR)
		;
	for (;;) {
		unsigned int i, busy = 0;

		for (i = 0; i < RING_FRAMES; i++) {
			uint32_t st = __atomic_load_n(&slot(&g, i)->tp_status,
						      __ATOMIC_ACQUIRE);

			if (st & TP_STATUS_WRONG_FORMAT) {
				errors++;
				slot(&g, i)->tp_status = TP_STATUS_AVAILABLE;
			} else if (st != TP_STATUS_AVAILABLE) {
				busy++;
			}
		}
		if (!busy)
			break;
		send(g.fd, NULL, 0, 0);
	}
	t1 = now_ns();
	secs = (double)(t1 - t0) / 1e9;
	/* tx_dropped: frames the driver took but could not deliver (a veth
	 * whose peer's XDP queue was full) */
	printf("{\"sent\":%" PRIu64 ",\"bytes\":%" PRIu64 ",\"errors\":%"
	       PRIu64 ",\"tx_dropped\":%" PRIu64 ",\"seconds\":%.6f,"
	       "\"pps\":%.0f}\n", sent - errors, (sent - errors) * g.size,
	       errors, tx_dropped(iface) - drop0, secs,
	       secs > 0 ? (double)(sent - errors) / secs : 0.0);
	return 0;
}
