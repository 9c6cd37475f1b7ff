/*
 * iiot-kmodtool: the guest side of the iiot.ko VM test and benchmark.
 *
 *   send IFACE COUNT [PATTERN] [START] [FILL_FILE MAX]
 *                                        raw frames with sequence numbers;
 *                                        with FILL_FILE (a sysfs "fill"),
 *                                        wait while it exceeds MAX bytes
 *   expect COUNT [PATTERN] [START]       frames/bytes the filter must keep
 *   read DEV COUNT [PATTERN] [START] [SNAP] [TIMEOUT_S]
 *                                        drain a kmod ring, check every
 *                                        frame in order and byte-exact
 *   sendpcap IFACE FILE [FILL_FILE MAX]  send every frame of a pcap
 *   readpcap DEV FILE [TIMEOUT_S]        the pcap's EtherCAT/PROFINET
 *                                        frames arrive, in order, exact
 *   drain DEV                            consume what is in a ring
 *   sink DEV COUNT TIMEOUT_S [PERIOD_MS] count frames from a kmod ring,
 *                                        unchecked (pktgen's), until COUNT,
 *                                        the ring's end or TIMEOUT_S idle;
 *                                        with PERIOD_MS, drain once every
 *                                        PERIOD_MS instead of as soon as
 *                                        a frame is there
 *   tpv3 IFACE COUNT TIMEOUT_S [BYTES]   AF_PACKET TPACKET_V3 peer capture
 *                                        of what the default filter keeps,
 *                                        8 blocks of BYTES/8 (8 MiB)
 *   mmapcheck DEV                        per-part mapping permissions
 *   setcons DEV DELTA                    write the consumer position as
 *                                        the producer's plus DELTA (a
 *                                        hostile or broken consumer)
 *   asuser UID CMD [ARG...]              run CMD as UID, no capabilities
 *   badattr CASE                         send a malformed ATTACH request
 *                                        (CASE: unknown, output, short,
 *                                        nonul) and print the kernel's
 *                                        error and extended ack message
 *
 * sink and tpv3 print the reader's own CPU time (cpu_ns, user + system)
 * and how often they slept in poll for want of a frame (sleeps).
 * Frames are a pure function of their sequence number, so the reader
 * rebuilds each one and compares it with what the ring holds.
 * Patterns: "mixed" (EtherCAT, PROFINET, VLAN-tagged, sizes 60..1514 and
 * frames the default filter must skip), "ecat" (60-byte EtherCAT only).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/genetlink.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "iiot/genl_abi.h"
#include "libshm.h"

#define MAX_FRAME 1514

struct fdesc {
	uint16_t type;
	int vlan;
	unsigned int len;
	int match;		/* kept by the default filter */
	/* pattern "ip": IPv4 header words, protocol, ports, fragment */
	unsigned int ihl;
	uint8_t proto;
	uint16_t sport, dport, frag;
};

/*
 * Pattern "ip": what the default filter takes of IP (PNIO-CM: UDP port
 * 34964 either way, header options, in a VLAN) and what it leaves (DNS,
 * TCP to the port, a later fragment, a header cut before the ports).
 */
static void ip_desc(uint32_t seq, struct fdesc *d)
{
	d->type = 0x0800;
	d->ihl = 5;
	d->proto = 17;
	d->sport = 0xc001;
	d->dport = 34964;
	d->len = 90;
	switch (seq % 6) {
	case 0: break;
	case 1: d->ihl = 7; d->vlan = 1; d->sport = 34964; d->dport = 0xc001;
		d->len = 100; break;
	case 2: d->dport = 53; d->match = 0; break;
	case 3: d->proto = 6; d->match = 0; break;
	case 4: d->frag = 185; d->match = 0; break;
	default: d->ihl = 8; d->len = 14 + 32 + 2; d->match = 0; break;
	}
}

static void frame_desc(uint32_t seq, const char *pattern, struct fdesc *d)
{
	memset(d, 0, sizeof(*d));
	d->len = 60;
	d->match = 1;
	if (!strcmp(pattern, "ecat")) {
		d->type = 0x88a4;
		return;
	}
	if (!strcmp(pattern, "ip")) {
		ip_desc(seq, d);
		return;
	}
	switch (seq % 8) {
	case 0: d->type = 0x88a4; break;
	case 1: d->type = 0x8892; d->len = 64 + seq % 64; break;
	case 2: d->type = 0x0800; d->len = 98; d->match = 0; break;
	case 3: d->type = 0x88a4; d->vlan = 1; d->len = 64; break;
	case 4: d->type = 0x8892; d->len = MAX_FRAME; break;
	case 5: d->type = 0x88cc; d->len = 80; break;
	case 6: d->type = 0x8892; d->vlan = 1; d->len = 120; break;
	default: d->type = 0x88a4; d->len = 60 + seq % 900; break;
	}
}

static unsigned int frame_build(uint32_t seq, const char *pattern,
				uint8_t *b)
{
	static const uint8_t dst[6] = { 0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00 };
	static const uint8_t src[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	struct fdesc d;
	unsigned int off = 12, i;

	frame_desc(seq, pattern, &d);
	memcpy(b, dst, 6);
	memcpy(b + 6, src, 6);
	if (d.vlan) {
		/* priority 6, VLAN 5: what a PROFINET RT line uses */
		b[off++] = 0x81;
		b[off++] = 0x00;
		b[off++] = 0xc0;
		b[off++] = 0x05;
	}
	b[off++] = (uint8_t)(d.type >> 8);
	b[off++] = (uint8_t)d.type;
	if (d.ihl) {
		memset(b + off, 1, d.len - off);	/* NOP options */
		b[off] = (uint8_t)(0x40 | d.ihl);
		b[off + 1] = 0;
		b[off + 2] = (uint8_t)((d.len - off) >> 8);
		b[off + 3] = (uint8_t)(d.len - off);
		b[off + 6] = (uint8_t)(d.frag >> 8);
		b[off + 7] = (uint8_t)d.frag;
		b[off + 9] = d.proto;
		off += d.ihl * 4;
		if (off + 4 <= d.len) {
			b[off] = (uint8_t)(d.sport >> 8);
			b[off + 1] = (uint8_t)d.sport;
			b[off + 2] = (uint8_t)(d.dport >> 8);
			b[off + 3] = (uint8_t)d.dport;
		}
		return d.len;
	}
	b[off++] = (uint8_t)(seq >> 24);
	b[off++] = (uint8_t)(seq >> 16);
	b[off++] = (uint8_t)(seq >> 8);
	b[off++] = (uint8_t)seq;
	for (i = off; i < d.len; i++)
		b[i] = (uint8_t)(seq * 7 + i);
	return d.len;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* the calling process's CPU time, user and system */
static unsigned long long cpu_ns(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return ((unsigned long long)ru.ru_utime.tv_sec +
		(unsigned long long)ru.ru_stime.tv_sec) * 1000000000ULL +
	       ((unsigned long long)ru.ru_utime.tv_usec +
		(unsigned long long)ru.ru_stime.tv_usec) * 1000ULL;
}

/*
 * A frame sent into a veth is queued on the sending CPU's backlog: a
 * sender that migrates between CPUs lets later frames overtake earlier
 * ones before any tap sees them.  A real NIC queue keeps order, so the
 * sender stays on one CPU.
 */
static void pin_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int raw_socket(const char *ifname, int proto)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd = socket(AF_PACKET, SOCK_RAW, htons(proto));

	if (fd < 0) {
		perror("socket(AF_PACKET)");
		return -1;
	}
	sll.sll_protocol = htons(proto);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(fd, (struct sockaddr *)&sll,
				     sizeof(sll))) {
		fprintf(stderr, "bind %s: %s\n", ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static unsigned long long read_u64(const char *path)
{
	unsigned long long v = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int do_send(int argc, char **argv)
{
	uint32_t count, start, seq;
	const char *pattern;
	uint8_t buf[MAX_FRAME];
	const char *fill_file = NULL;
	unsigned long long fill_max = 0;
	uint64_t t0, dt;
	int fd;

	if (argc < 3)
		return 2;
	count = (uint32_t)strtoul(argv[2], NULL, 0);
	pattern = argc > 3 ? argv[3] : "mixed";
	start = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 0) : 0;
	if (argc > 6) {
		fill_file = argv[5];
		fill_max = strtoull(argv[6], NULL, 0);
	}
	pin_cpu();
	fd = raw_socket(argv[1], 0);
	if (fd < 0)
		return 1;
	t0 = now_ns();
	/* count 0: until killed (traffic for the detach tests) */
	for (seq = start; !count || seq - start < count; seq++) {
		unsigned int len = frame_build(seq, pattern, buf);

		/* flow control: the reader, not the ring size, sets the pace */
		while (fill_file && seq % 16 == 0 &&
		       read_u64(fill_file) > fill_max)
			usleep(200);

		while (send(fd, buf, len, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				if (count)
					perror("send");
				return count ? 1 : 0;
			}
			usleep(100);
		}
	}
	dt = now_ns() - t0;
	printf("sent=%u ns=%llu pps=%.0f\n", count, (unsigned long long)dt,
	       dt ? count * 1e9 / (double)dt : 0.0);
	close(fd);
	return 0;
}

static int do_expect(int argc, char **argv)
{
	uint32_t count, start, seq;
	unsigned long long frames = 0, bytes = 0;
	const char *pattern;
	struct fdesc d;

	if (argc < 2)
		return 2;
	count = (uint32_t)strtoul(argv[1], NULL, 0);
	pattern = argc > 2 ? argv[2] : "mixed";
	start = argc > 3 ? (uint32_t)strtoul(argv[3], NULL, 0) : 0;
	for (seq = start; seq - start < count; seq++) {
		frame_desc(seq, pattern, &d);
		if (d.match) {
			frames++;
			bytes += d.len;
		}
	}
	printf("frames=%llu bytes=%llu\n", frames, bytes);
	return 0;
}

static uint32_t next_match(uint32_t seq, const char *pattern)
{
	struct fdesc d;

	for (;; seq++) {
		frame_desc(seq, pattern, &d);
		if (d.match)
			return seq;
	}
}

/* Map a ring for a reader and tell the script it may start the traffic. */
static int cons_ready(const char *who, const char *dev, struct shm_ring **r)
{
	if (shm_cons_open(r, dev)) {
		fprintf(stderr, "%s: %s\n", who, shm_error());
		return -1;
	}
	printf("ready\n");
	fflush(stdout);
	return 0;
}

/*
 * After a reader's turn that consumed N records: 0 to go on (having slept
 * in poll when there was nothing), 1 at the ring's end, -1 once idle for
 * TIMEOUT_NS.
 */
static int cons_turn(struct shm_ring *r, unsigned int n, uint64_t *idle_since,
		     uint64_t timeout_ns)
{
	if (n) {
		*idle_since = now_ns();
		return 0;
	}
	if (shm_cons_eof(r))
		return 1;
	if (now_ns() - *idle_since > timeout_ns)
		return -1;
	shm_cons_wait(r, 200);
	return 0;
}

static int do_read(int argc, char **argv)
{
	unsigned long long got = 0, bytes = 0, bad = 0, gaps = 0, reorder = 0;
	unsigned long long trunc = 0, tx = 0, skipped;
	uint64_t now;
	uint32_t want, next, seq, snap;
	const char *pattern;
	uint8_t exp[MAX_FRAME];
	struct shm_ring *r;
	int timeout_s, eof = 0, st;
	uint64_t idle_since;

	if (argc < 3)
		return 2;
	want = (uint32_t)strtoul(argv[2], NULL, 0);
	pattern = argc > 3 ? argv[3] : "mixed";
	next = next_match(argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 0) : 0,
			  pattern);
	snap = argc > 5 ? (uint32_t)strtoul(argv[5], NULL, 0) : 65535;
	timeout_s = argc > 6 ? atoi(argv[6]) : 20;
	if (cons_ready("read", argv[1], &r))
		return 1;
	idle_since = now_ns();
	while (got < want) {
		const struct iiot_ring_rec *h;
		const uint8_t *f;
		unsigned int len, off;
		unsigned int n = 0;

		while ((h = shm_cons_peek(r, &f)) != NULL) {
			n++;
			got++;
			bytes += h->cap_len;
			off = h->cap_len >= 16 && f[12] == 0x81 ? 18 : 14;
			if (h->cap_len < off + 4) {
				bad++;
				continue;
			}
			seq = (uint32_t)f[off] << 24 | (uint32_t)f[off + 1] << 16 |
			      (uint32_t)f[off + 2] << 8 | f[off + 3];
			if (seq < next) {
				reorder++;
				continue;
			}
			for (skipped = 0; next < seq;
			     next = next_match(next + 1, pattern))
				skipped++;
			gaps += skipped;
			next = next_match(seq + 1, pattern);
			len = frame_build(seq, pattern, exp);
			if (h->wire_len != len ||
			    h->cap_len != (len < snap ? len : snap) ||
			    memcmp(f, exp, h->cap_len) ||
			    !!(h->flags & IIOT_RECF_TRUNCATED) !=
			    (h->cap_len < h->wire_len) ||
			    h->source != IIOT_SRC_KMOD || !h->ts_ns) {
				if (bad < 3)
					fprintf(stderr, "frame %u differs: cap "
						"%u wire %u want %u flags "
						"0x%x\n", seq, h->cap_len,
						h->wire_len, len, h->flags);
				bad++;
			}
			if (h->flags & IIOT_RECF_TRUNCATED)
				trunc++;
			if (h->flags & IIOT_RECF_TX)
				tx++;
			/* software stamps: CLOCK_REALTIME, taken just now */
			now = shm_now_ns();
			if (!(h->flags & IIOT_RECF_TS_HW) &&
			    (h->ts_ns > now || now - h->ts_ns > 60000000000ULL)) {
				if (bad < 3)
					fprintf(stderr, "frame %u: timestamp "
						"%llu, now %llu\n", seq,
						(unsigned long long)h->ts_ns,
						(unsigned long long)now);
				bad++;
			}
		}
		shm_cons_release(r);
		st = cons_turn(r, n, &idle_since,
			       (uint64_t)timeout_s * 1000000000ULL);
		if (st) {
			eof = st > 0;
			break;
		}
	}
	printf("frames=%llu bytes=%llu bad=%llu gaps=%llu reorder=%llu "
	       "truncated=%llu tx=%llu eof=%d\n", got, bytes, bad, gaps,
	       reorder, trunc, tx, eof);
	shm_ring_close(r, false);
	return got == want && !bad && !gaps && !reorder ? 0 : 1;
}

/* A classic pcap file in memory, walked frame by frame. */
struct pcap {
	uint8_t *buf;
	size_t len, off;
	int swap;
};

static uint32_t pcap_u32(const struct pcap *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p->buf + off, 4);
	return p->swap ? __builtin_bswap32(v) : v;
}

static int pcap_open(struct pcap *p, const char *path)
{
	FILE *f = fopen(path, "rb");
	uint32_t magic;
	long n;

	memset(p, 0, sizeof(*p));
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 24 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "%s: not a pcap file\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	p->len = (size_t)n;
	p->buf = malloc(p->len);
	if (!p->buf || fread(p->buf, 1, p->len, f) != p->len) {
		fclose(f);
		return -1;
	}
	fclose(f);
	memcpy(&magic, p->buf, 4);
	if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1)
		p->swap = 1;
	else if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
		fprintf(stderr, "%s: not a classic pcap file\n", path);
		return -1;
	}
	p->off = 24;
	return 0;
}

static const uint8_t *pcap_next(struct pcap *p, uint32_t *len)
{
	const uint8_t *f;

	if (p->off + 16 > p->len)
		return NULL;
	*len = pcap_u32(p, p->off + 8);
	if (*len > p->len - p->off - 16)
		return NULL;
	f = p->buf + p->off + 16;
	p->off += 16 + *len;
	return f;
}

/* What the module's default filter keeps (outer or one VLAN deep):
 * EtherCAT, PROFINET, LLDP and IPv4 UDP to or from port 34964. */
static int default_match(const uint8_t *f, uint32_t len)
{
	uint32_t off = 14, hl;
	uint16_t t;

	if (len < 14)
		return 0;
	t = (uint16_t)(f[12] << 8 | f[13]);
	if ((t == 0x8100 || t == 0x88a8) && len >= 18) {
		t = (uint16_t)(f[16] << 8 | f[17]);
		off = 18;
	}
	if (t == 0x88a4 || t == 0x8892 || t == 0x88cc)
		return 1;
	if (t != 0x0800 || len < off + 20)
		return 0;
	hl = (f[off] & 0x0f) * 4u;
	if (f[off] >> 4 != 4 || hl < 20 || f[off + 9] != 17 ||
	    (f[off + 6] & 0x1f) || f[off + 7] || len < off + hl + 4)
		return 0;
	return (f[off + hl] << 8 | f[off + hl + 1]) == 34964 ||
	       (f[off + hl + 2] << 8 | f[off + hl + 3]) == 34964;
}

static int do_sendpcap(int argc, char **argv)
{
	unsigned long long n = 0;
	const uint8_t *f;
	struct pcap p;
	uint32_t len;
	int fd;

	if (argc < 3 || pcap_open(&p, argv[2]))
		return argc < 3 ? 2 : 1;
	pin_cpu();
	fd = raw_socket(argv[1], 0);
	if (fd < 0)
		return 1;
	while ((f = pcap_next(&p, &len)) != NULL) {
		while (argc > 4 && n % 16 == 0 &&
		       read_u64(argv[3]) > strtoull(argv[4], NULL, 0))
			usleep(200);
		while (send(fd, f, len, 0) < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("send");
				return 1;
			}
			usleep(100);
		}
		n++;
	}
	printf("sent=%llu\n", n);
	return 0;
}

static int do_readpcap(int argc, char **argv)
{
	unsigned long long want = 0, got = 0, bad = 0;
	const struct iiot_ring_rec *h;
	const uint8_t *f, *e;
	uint32_t len;
	struct pcap p;
	struct shm_ring *r;
	uint64_t idle_since;
	int timeout_s;

	if (argc < 3 || pcap_open(&p, argv[2]))
		return argc < 3 ? 2 : 1;
	timeout_s = argc > 3 ? atoi(argv[3]) : 20;
	while ((e = pcap_next(&p, &len)) != NULL)
		want += default_match(e, len);
	p.off = 24;
	if (cons_ready("readpcap", argv[1], &r))
		return 1;
	idle_since = now_ns();
	while (got < want) {
		int n = 0;

		while (got < want && (h = shm_cons_peek(r, &f)) != NULL) {
			do {
				e = pcap_next(&p, &len);
			} while (e && !default_match(e, len));
			n++;
			got++;
			if (!e || h->wire_len != len || h->cap_len != len ||
			    memcmp(f, e, len)) {
				if (bad < 3)
					fprintf(stderr, "frame %llu differs "
						"(cap %u wire %u, pcap %u)\n",
						got, h->cap_len, h->wire_len,
						e ? len : 0);
				bad++;
			}
		}
		shm_cons_release(r);
		if (n) {
			idle_since = now_ns();
			continue;
		}
		if (shm_cons_eof(r) || now_ns() - idle_since >
		    (uint64_t)timeout_s * 1000000000ULL)
			break;
		shm_cons_wait(r, 200);
	}
	printf("frames=%llu want=%llu bad=%llu\n", got, want, bad);
	shm_ring_close(r, false);
	return got == want && !bad ? 0 : 1;
}

static int do_drain(int argc, char **argv)
{
	const struct iiot_ring_rec *h;
	const uint8_t *f;
	struct shm_ring *r;
	unsigned long long n = 0;

	if (argc < 2 || shm_cons_open(&r, argv[1])) {
		fprintf(stderr, "drain: %s\n", shm_error());
		return 1;
	}
	while ((h = shm_cons_peek(r, &f)) != NULL)
		n++;
	shm_cons_release(r);
	shm_ring_close(r, false);
	printf("drained=%llu\n", n);
	return 0;
}

/*
 * The benchmark's reader: what a consumer that keeps up costs, without
 * the per-frame checks of read (pktgen's frames carry no sequence of ours).
 */
static int do_sink(int argc, char **argv)
{
	const struct iiot_ring_rec *h;
	const uint8_t *f;
	struct shm_ring *r;
	unsigned long long got = 0, want, sleeps = 0;
	uint64_t idle_since, timeout;
	unsigned int period_us;
	int eof = 0, st;

	if (argc < 4)
		return 2;
	want = strtoull(argv[2], NULL, 0);
	timeout = strtoull(argv[3], NULL, 0) * 1000000000ULL;
	period_us = argc > 4 ? (unsigned int)strtoul(argv[4], NULL, 0) * 1000 : 0;
	if (cons_ready("sink", argv[1], &r))
		return 1;
	idle_since = now_ns();
	while (!want || got < want) {
		unsigned int n = 0;

		while ((h = shm_cons_peek(r, &f)) != NULL)
			n++;
		shm_cons_release(r);
		got += n;
		if (period_us && !shm_cons_eof(r)) {
			/* a batch per period, as TPACKET_V3's block timer */
			if (n)
				idle_since = now_ns();
			else if (now_ns() - idle_since > timeout)
				break;
			usleep(period_us);
			sleeps++;
			continue;
		}
		sleeps += !n;
		st = cons_turn(r, n, &idle_since, timeout);
		if (st) {
			eof = st > 0;
			break;
		}
	}
	printf("frames=%llu eof=%d cpu_ns=%llu sleeps=%llu\n", got, eof,
	       cpu_ns(), sleeps);
	shm_ring_close(r, false);
	return 0;
}

static int do_tpv3(int argc, char **argv)
{
	struct tpacket_req3 req = {
		.tp_block_size = 1 << 20,
		.tp_block_nr = 8,
		.tp_frame_size = 2048,
		.tp_retire_blk_tov = 10,
	};
	struct tpacket_stats_v3 st;
	socklen_t sl = sizeof(st);
	unsigned long long got = 0, drops = 0, sleeps = 0;
	unsigned int blk = 0, want, timeout_s;
	int fd, v = TPACKET_V3;
	uint64_t idle_since;
	uint8_t *map;

	if (argc < 4)
		return 2;
	want = (unsigned int)strtoul(argv[2], NULL, 0);
	timeout_s = (unsigned int)strtoul(argv[3], NULL, 0);
	/* the same memory as the module's ring it is compared with */
	if (argc > 4)
		req.tp_block_size = (unsigned int)(strtoull(argv[4], NULL, 0) /
						   req.tp_block_nr);
	fd = raw_socket(argv[1], ETH_P_ALL);
	req.tp_frame_nr = req.tp_block_size * req.tp_block_nr /
			  req.tp_frame_size;
	if (fd < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_VERSION, &v, sizeof(v)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req))) {
		perror("tpv3 setup");
		return 1;
	}
	map = mmap(NULL, (size_t)req.tp_block_size * req.tp_block_nr,
		   PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		perror("tpv3 mmap");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);
	idle_since = now_ns();
	while (got < want) {
		struct tpacket_block_desc *b =
			(void *)(map + (size_t)blk * req.tp_block_size);
		struct tpacket3_hdr *h;
		unsigned int i;

		if (!(b->hdr.bh1.block_status & TP_STATUS_USER)) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (now_ns() - idle_since >
			    (uint64_t)timeout_s * 1000000000ULL)
				break;
			poll(&p, 1, 100);
			sleeps++;
			continue;
		}
		h = (void *)((uint8_t *)b + b->hdr.bh1.offset_to_first_pkt);
		for (i = 0; i < b->hdr.bh1.num_pkts; i++) {
			const uint8_t *f = (uint8_t *)h + h->tp_mac;

			/* the same frames the module's default filter keeps
			 * (the stack took a VLAN tag off: these are tagged
			 * EtherCAT or PROFINET frames of the mixed pattern) */
			if (default_match(f, h->tp_snaplen) ||
			    (h->tp_status & TP_STATUS_VLAN_VALID))
				got++;
			h = (void *)((uint8_t *)h + h->tp_next_offset);
		}
		b->hdr.bh1.block_status = TP_STATUS_KERNEL;
		blk = (blk + 1) % req.tp_block_nr;
		idle_since = now_ns();
	}
	if (!getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &sl))
		drops = st.tp_drops;
	printf("frames=%llu drops=%llu cpu_ns=%llu sleeps=%llu\n", got, drops,
	       cpu_ns(), sleeps);
	return 0;
}

static int try_map(int fd, off_t off, size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_SHARED, fd, off);

	if (p == MAP_FAILED)
		return -errno;
	munmap(p, len);
	return 0;
}

static int do_mmapcheck(int argc, char **argv)
{
	const struct iiot_ring_hdr *h;
	int fd, fails = 0, rw = PROT_READ | PROT_WRITE;
	void *p;

	if (argc < 2)
		return 2;
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	h = mmap(NULL, IIOT_RING_PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (h == MAP_FAILED || h->magic != IIOT_RING_MAGIC) {
		fprintf(stderr, "header not readable\n");
		return 1;
	}
#define EXPECT(what, cond) do { \
		if (!(cond)) { fprintf(stderr, "mmapcheck: %s\n", what); \
			fails++; } } while (0)
	EXPECT("header mapped writable", try_map(fd, 0, IIOT_RING_PAGE, rw));
	EXPECT("producer page mapped writable",
	       try_map(fd, IIOT_RING_PROD_OFF, IIOT_RING_PAGE, rw));
	EXPECT("data mapped writable",
	       try_map(fd, IIOT_RING_DATA_OFF, IIOT_RING_PAGE, rw));
	EXPECT("whole ring mapped writable",
	       try_map(fd, 0, IIOT_RING_MAP_SIZE(h->data_size), rw));
	EXPECT("consumer page not writable",
	       !try_map(fd, IIOT_RING_CONS_OFF, IIOT_RING_PAGE, rw));
	EXPECT("whole ring not readable",
	       !try_map(fd, 0, IIOT_RING_MAP_SIZE(h->data_size), PROT_READ));
	EXPECT("mapping past the end",
	       try_map(fd, (off_t)IIOT_RING_MAP_SIZE(h->data_size),
		       IIOT_RING_PAGE, PROT_READ));
	p = mmap(NULL, IIOT_RING_PAGE, PROT_READ, MAP_SHARED, fd,
		 IIOT_RING_DATA_OFF);
	EXPECT("data not readable", p != MAP_FAILED);
	if (p != MAP_FAILED) {
		EXPECT("data made writable by mprotect",
		       mprotect(p, IIOT_RING_PAGE, rw));
		munmap(p, IIOT_RING_PAGE);
	}
	printf("mmapcheck %s\n", fails ? "failed" : "ok");
	return fails ? 1 : 0;
}

static int do_setcons(int argc, char **argv)
{
	const struct iiot_ring_prod *p;
	struct iiot_ring_cons *c;
	int fd;

	if (argc < 3)
		return 2;
	fd = open(argv[1], O_RDWR);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	p = mmap(NULL, IIOT_RING_PAGE, PROT_READ, MAP_SHARED, fd,
		 IIOT_RING_PROD_OFF);
	c = mmap(NULL, IIOT_RING_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 IIOT_RING_CONS_OFF);
	if (p == MAP_FAILED || c == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	__atomic_store_n(&c->pos, p->pos + (uint64_t)strtoll(argv[2], NULL, 0),
			 __ATOMIC_RELEASE);
	printf("setcons prod=%llu cons=%llu\n", (unsigned long long)p->pos,
	       (unsigned long long)c->pos);
	close(fd);
	return 0;
}

/* Raw generic netlink, so requests can be malformed on purpose. */
struct nlreq {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	uint8_t attrs[256];
};

static size_t put_attr(uint8_t *at, uint16_t type, const void *v,
		       uint16_t len)
{
	struct nlattr a = { .nla_len = (uint16_t)(NLA_HDRLEN + len),
			    .nla_type = type };

	memcpy(at, &a, sizeof(a));
	memcpy(at + NLA_HDRLEN, v, len);
	return NLA_ALIGN(a.nla_len);
}

/* Send; return the ack's error and copy its message into msg. */
static int nl_call(int fd, struct nlreq *q, size_t alen, char *msg,
		   size_t mlen, void *reply, size_t rlen)
{
	uint8_t buf[8192];
	struct nlmsghdr *h;
	ssize_t n;

	q->nh.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + GENL_HDRLEN + alen);
	q->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	q->nh.nlmsg_seq++;
	msg[0] = '\0';
	if (send(fd, q, q->nh.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			struct nlmsgerr *e = NLMSG_DATA(h);
			struct nlattr *a;
			size_t off;

			if (h->nlmsg_type != NLMSG_ERROR) {
				if (reply)
					memcpy(reply, h, h->nlmsg_len < rlen ?
					       h->nlmsg_len : rlen);
				continue;
			}
			off = NLMSG_HDRLEN + sizeof(*e);
			if (!(h->nlmsg_flags & NLM_F_CAPPED))
				off += e->msg.nlmsg_len - NLMSG_HDRLEN;
			while (off + NLA_HDRLEN <= h->nlmsg_len) {
				a = (void *)((uint8_t *)h + off);
				if (a->nla_len < NLA_HDRLEN)
					break;
				if (a->nla_type == NLMSGERR_ATTR_MSG)
					snprintf(msg, mlen, "%.*s",
						 (int)(a->nla_len - NLA_HDRLEN),
						 (char *)a + NLA_HDRLEN);
				off += NLA_ALIGN(a->nla_len);
			}
			return e->error;
		}
	}
}

static int genl_family(int fd, const char *name)
{
	struct {
		struct nlmsghdr nh;
		struct genlmsghdr gh;
		uint8_t attrs[1024];
	} r;
	struct nlreq q = { .nh = { .nlmsg_type = GENL_ID_CTRL },
			   .gh = { .cmd = CTRL_CMD_GETFAMILY, .version = 1 } };
	char msg[256];
	size_t off;

	memset(&r, 0, sizeof(r));
	if (nl_call(fd, &q, put_attr(q.attrs, CTRL_ATTR_FAMILY_NAME, name,
				     (uint16_t)(strlen(name) + 1)),
		    msg, sizeof(msg), &r, sizeof(r)))
		return -1;
	for (off = 0; off + NLA_HDRLEN <= sizeof(r.attrs);) {
		struct nlattr *a = (void *)(r.attrs + off);
		uint16_t id;

		if (a->nla_len < NLA_HDRLEN)
			break;
		if (a->nla_type == CTRL_ATTR_FAMILY_ID) {
			memcpy(&id, (uint8_t *)a + NLA_HDRLEN, 2);
			return id;
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return -1;
}

static int do_badattr(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlreq q = { .gh = { .cmd = IIOT_CMD_ATTACH,
				   .version = IIOT_GENL_VERSION } };
	uint64_t v64 = 1;
	uint8_t v8 = 1;
	char msg[256];
	size_t alen;
	int fd, fam, one = 1, err;

	if (argc < 2)
		return 2;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		return 1;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	fam = genl_family(fd, IIOT_GENL_NAME);
	if (fam < 0) {
		fprintf(stderr, "badattr: family %s not found\n",
			IIOT_GENL_NAME);
		return 1;
	}
	q.nh.nlmsg_type = (uint16_t)fam;
	alen = put_attr(q.attrs, IIOT_A_IFNAME, "veth0", 6);
	if (!strcmp(argv[1], "unknown"))
		alen += put_attr(q.attrs + alen, IIOT_A_MAX + 5, &v64, 8);
	else if (!strcmp(argv[1], "output"))
		alen += put_attr(q.attrs + alen, IIOT_A_FRAMES, &v64, 8);
	else if (!strcmp(argv[1], "short"))
		alen += put_attr(q.attrs + alen, IIOT_A_SNAPLEN, &v8, 1);
	else if (!strcmp(argv[1], "nonul"))
		alen = put_attr(q.attrs, IIOT_A_IFNAME, "veth0", 5);
	else
		return 2;
	err = nl_call(fd, &q, alen, msg, sizeof(msg), NULL, 0);
	printf("error=%d (%s) message=%s\n", err, err ? strerror(-err) : "none",
	       msg);
	close(fd);
	return err ? 0 : 1;
}

static int do_asuser(int argc, char **argv)
{
	uid_t uid;

	if (argc < 3)
		return 2;
	uid = (uid_t)strtoul(argv[1], NULL, 0);
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
	    setresuid(uid, uid, uid)) {
		perror("asuser");
		return 1;
	}
	execv(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "send", do_send }, { "expect", do_expect },
		{ "read", do_read }, { "drain", do_drain }, { "sink", do_sink },
		{ "sendpcap", do_sendpcap }, { "readpcap", do_readpcap },
		{ "tpv3", do_tpv3 }, { "mmapcheck", do_mmapcheck },
		{ "asuser", do_asuser }, { "badattr", do_badattr },
		{ "setcons", do_setcons },
	};
	size_t i;
	int rc;

	for (i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name)) {
			rc = cmds[i].fn(argc - 1, argv + 1);
			if (rc == 2)
				fprintf(stderr, "iiot-kmodtool %s: missing "
					"arguments\n", argv[1]);
			return rc;
		}
	fprintf(stderr, "usage: iiot-kmodtool send|expect|read|drain|sink|sendpcap|"
		"readpcap|tpv3|mmapcheck|asuser|setcons ...\n");
	return 2;
}
