/*
 * iiot-xdp: load the iiot XDP program on an interface, move the industrial
 * frames it hands over into a libshm ring, and detach on SIGTERM/SIGINT
 * leaving the interface as it was found.
 *
 *   iiot-xdp --iface IF --mode tap|inline --ring NAME [options]
 *   iiot-xdp stats --iface IF [--json]
 *   iiot-xdp block add|del|list --iface IF [MAC]
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>

#include "blocklist.h"
#include "iiot_xdp.h"
#include "iiot_xdp.skel.h"
#include "libshm.h"
#include "xsk.h"

#define MAX_QUEUES	64
#define RX_BATCH	256

static const char *const ctr_names[IIOT_CTR_MAX] = {
	[IIOT_CTR_ECAT] = "ethercat",
	[IIOT_CTR_PN_RT] = "profinet_rt",
	[IIOT_CTR_PN_ALARM] = "profinet_alarm",
	[IIOT_CTR_PN_DCP] = "profinet_dcp",
	[IIOT_CTR_PN_OTHER] = "profinet_other",
	[IIOT_CTR_OTHER] = "other",
	[IIOT_CTR_MALFORMED] = "malformed",
	[IIOT_CTR_BLOCKED] = "blocked",
	[IIOT_CTR_CAPTURED] = "captured",
	[IIOT_CTR_CAPTURE_FAIL] = "capture_fail",
	[IIOT_CTR_VLAN] = "vlan",
};

struct opts {
	const char *iface;
	const char *ring;
	int mode;			/* enum iiot_xdp_mode */
	const char *xdp_mode;		/* auto, native, generic */
	uint16_t etypes[IIOT_XDP_MAX_ETYPES];
	unsigned int n_etypes;
	int pnio_cm;			/* IPv4 UDP 34964 too */
	uint32_t snaplen;
	uint64_t ring_size;
	uint32_t frames;		/* UMEM frames per queue */
	uint32_t rb_size;		/* inline: BPF ring buffer bytes */
	const char *block[16];
	unsigned int n_block;
	const char *ts;			/* auto, hw, sw */
	bool verbose;
};

struct run {
	struct opts *o;
	struct iiot_xdp *skel;
	int link_fd;
	struct shm_ring *ring;
	struct ring_buffer *rb;
	struct iiot_xsk xsks[MAX_QUEUES];
	unsigned int nq;
	unsigned int ifindex;
	int64_t mono2real;		/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	uint64_t frames, bytes, bad, hw_stamped;
	bool hw_prog;			/* the device-bound variant runs */
	uint64_t fail_seen, fail_bytes_seen, xsk_seen;
	char pin_dir[128];
	char ctr_pin[160];
	bool counters_pinned;
	const char *attach_mode;
};

static volatile sig_atomic_t stop;
static bool verbose;
static bool quiet;		/* a fallback will follow: keep libbpf still */

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

__attribute__((format(printf, 1, 2)))
static void die_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("iiot-xdp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int libbpf_log(enum libbpf_print_level level, const char *fmt,
		      va_list ap)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	if (quiet && !verbose)
		return 0;
	if (level == LIBBPF_INFO && !verbose)
		return 0;
	/* The verifier log is long; -v shows it. */
	if (!verbose && strstr(fmt, "PROG LOAD LOG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: iiot-xdp --iface IF --mode tap|inline --ring NAME [options]\n"
"       iiot-xdp stats --iface IF [--json]\n"
"       iiot-xdp block add|del|list --iface IF [MAC]\n"
"capture options:\n"
"  --mode tap       mirror port: industrial frames go to AF_XDP (consumed)\n"
"  --mode inline    on the line: frames are copied, then passed on\n"
"  --ethertypes L   comma list of ethertypes to capture, and pnio-cm for\n"
"                   PROFINET's connect (IPv4 UDP port 34964)\n"
"                   (" IIOT_FILTER_DEFAULT_TEXT "; the fieldbus frames\n"
"                   only: " IIOT_FILTER_NARROW_TEXT ")\n"
"  --snaplen N      bytes kept per frame (1518)\n"
"  --xdp-mode M     auto (native, else generic), native or generic\n"
"  --ring-size B    ring data bytes, power of two (16 MiB)\n"
"  --frames N       tap: AF_XDP buffers per RX queue, power of two (8192)\n"
"  --rb-size B      inline: BPF ring buffer bytes, power of two (8 MiB)\n"
"  --block MAC      add MAC to the blocklist before attaching (repeatable)\n"
"  --timestamps T   auto: NIC RX timestamps where the driver gives them\n"
"                   (native XDP, Linux 6.3+), else software; hw: require\n"
"                   the device-bound program; sw: software only (auto)\n"
"  -v, --verbose    libbpf and verifier messages\n"
"On SIGTERM/SIGINT the program is detached and final counters are printed\n"
"as one JSON line on stdout.\n");
}

static bool pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end ? -EINVAL : 0;
}

static int parse_etypes(struct opts *o, const char *s)
{
	if (iiot_filter_parse(s, o->etypes, IIOT_XDP_MAX_ETYPES, &o->n_etypes,
			      &o->pnio_cm)) {
		die_msg("--ethertypes: '%s' is not a list of up to %d "
			"ethertypes (0x0600-0xffff) and " IIOT_FILTER_PNIO_CM_NAME,
			s, IIOT_XDP_MAX_ETYPES);
		return -EINVAL;
	}
	return 0;
}

/* RX queues of the interface: one AF_XDP socket each (ethtool channels). */
static unsigned int rx_queues(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr;
	unsigned int n = 1;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return 1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0) {
		n = ch.rx_count > ch.combined_count ? ch.rx_count :
						      ch.combined_count;
		if (n == 0)
			n = 1;
	}
	close(fd);
	return n > MAX_QUEUES ? MAX_QUEUES : n;
}

/* ---- counters ---- */

static int read_ctrs(int fd, struct iiot_xdp_ctrs *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct iiot_xdp_ctrs *v;
	__u32 key = 0;
	int i, j;

	memset(sum, 0, sizeof(*sum));
	if (ncpu <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &key, v)) {
		free(v);
		return -errno;
	}
	for (i = 0; i < ncpu; i++)
		for (j = 0; j < IIOT_CTR_MAX; j++) {
			sum->pkts[j] += v[i].pkts[j];
			sum->bytes[j] += v[i].bytes[j];
		}
	free(v);
	return 0;
}

static void print_ctrs_json(FILE *f, const struct iiot_xdp_ctrs *c)
{
	int i;

	for (i = 0; i < IIOT_CTR_MAX; i++)
		fprintf(f, "%s\"%s\":{\"frames\":%llu,\"bytes\":%llu}",
			i ? "," : "", ctr_names[i],
			(unsigned long long)c->pkts[i],
			(unsigned long long)c->bytes[i]);
}

static void print_ctrs_text(FILE *f, const struct iiot_xdp_ctrs *c)
{
	int i;

	fprintf(f, "%-16s %14s %16s\n", "counter", "frames", "bytes");
	for (i = 0; i < IIOT_CTR_MAX; i++)
		fprintf(f, "%-16s %14llu %16llu\n", ctr_names[i],
			(unsigned long long)c->pkts[i],
			(unsigned long long)c->bytes[i]);
}

/* ---- frames into the ring ---- */

static void refresh_clock(struct run *r)
{
	uint64_t m = clock_ns(CLOCK_MONOTONIC);
	uint64_t t = clock_ns(CLOCK_REALTIME);

	r->mono2real = (int64_t)(t - m);
}

/* XDP stamps are monotonic (software) or the NIC's clock (hardware). */
static void put_frame(struct run *r, const uint8_t *data, uint32_t cap,
		      uint32_t wire, uint64_t ts, uint32_t tsf)
{
	uint16_t flags = 0;

	/* inline copies at most IIOT_XDP_MAX_SNAP bytes of a jumbo frame */
	if (cap < wire)
		flags |= IIOT_RECF_TRUNCATED;
	if (tsf & IIOT_XDP_TS_HW) {
		flags |= IIOT_RECF_TS_HW;
		r->hw_stamped++;
	} else {
		ts += (uint64_t)r->mono2real;
	}
	r->frames++;
	r->bytes += cap;
	shm_prod_write(r->ring, data, cap, wire, ts, r->ifindex, flags);
}

static void on_xsk_frame(void *ctx, const uint8_t *data, uint32_t len,
			 const uint8_t *base, uint32_t room)
{
	struct run *r = ctx;
	struct iiot_xdp_meta m;

	(void)base;
	if (room >= sizeof(m)) {
		memcpy(&m, data - sizeof(m), sizeof(m));
		if (m.magic == IIOT_XDP_META_MAGIC) {
			/* the buffer is ours until refilled: clear the mark */
			memset((uint8_t *)data - sizeof(m), 0, sizeof(m.magic));
			put_frame(r, data, len, len, m.ts_ns, m.flags);
			return;
		}
	}
	put_frame(r, data, len, len, clock_ns(CLOCK_MONOTONIC), 0);
}

static int on_rb_rec(void *ctx, void *data, size_t size)
{
	struct run *r = ctx;
	const struct iiot_xdp_rec *rec = data;

	if (size < sizeof(*rec) || rec->cap_len > size - sizeof(*rec) ||
	    rec->cap_len == 0) {
		r->bad++;
		return 0;
	}
	put_frame(r, (const uint8_t *)(rec + 1), rec->cap_len, rec->wire_len,
		  rec->ts_ns, rec->flags);
	return 0;
}

/*
 * Frames the XDP program or the socket could not deliver are counted as
 * ring drops, so loss shows wherever the ring's counters show.
 */
static void account_drops(struct run *r)
{
	struct iiot_xdp_ctrs c;
	uint64_t xd = 0;
	unsigned int q;

	if (read_ctrs(bpf_map__fd(r->skel->maps.ctrs), &c) == 0) {
		uint64_t f = c.pkts[IIOT_CTR_CAPTURE_FAIL];
		uint64_t b = c.bytes[IIOT_CTR_CAPTURE_FAIL];

		if (f > r->fail_seen)
			shm_prod_add_drops(r->ring, f - r->fail_seen,
					   b - r->fail_bytes_seen);
		r->fail_seen = f;
		r->fail_bytes_seen = b;
	}
	for (q = 0; q < r->nq; q++) {
		struct iiot_xsk_drops d;

		if (iiot_xsk_drops(&r->xsks[q], &d) == 0)
			xd += d.dropped + d.ring_full;
	}
	if (xd > r->xsk_seen)
		shm_prod_add_drops(r->ring, xd - r->xsk_seen, 0);
	r->xsk_seen = xd;
}

static unsigned int drain(struct run *r)
{
	unsigned int q, n, total = 0;

	if (r->o->mode == IIOT_XDP_INLINE) {
		int rc = r->rb ? ring_buffer__consume(r->rb) : 0;

		return rc > 0 ? (unsigned int)rc : 0;
	}
	for (q = 0; q < r->nq; q++) {
		do {
			n = iiot_xsk_rx(&r->xsks[q], RX_BATCH, on_xsk_frame,
					 r);
			total += n;
		} while (n == RX_BATCH);
	}
	return total;
}

/* ---- setup and teardown ---- */

/* Effective capabilities allow loading and attaching XDP programs? */
static bool bpf_capable(void)
{
	unsigned long long eff = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	/* CAP_SYS_ADMIN (21), or CAP_BPF (39) with CAP_NET_ADMIN (12) */
	return (eff >> 21 & 1) || ((eff >> 39 & 1) && (eff >> 12 & 1));
}

#ifndef BPF_F_XDP_DEV_BOUND_ONLY
#define BPF_F_XDP_DEV_BOUND_ONLY	(1U << 6)	/* Linux 6.3 uapi */
#endif

/*
 * hw: load iiot_xdp_hwts bound to the device, which may ask the driver for
 * RX timestamps; else the plain program.  Errors are printed unless quiet.
 */
static int load(struct run *r, bool hw)
{
	struct opts *o = r->o;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = r->pin_dir);
	struct iiot_xdp *s;
	unsigned int i;
	int err;

	s = iiot_xdp__open_opts(&oo);
	if (!s) {
		die_msg("cannot open the XDP object: %s", strerror(errno));
		return -1;
	}
	r->skel = s;
	r->hw_prog = hw;
	bpf_program__set_autoload(hw ? s->progs.iiot_xdp : s->progs.iiot_xdp_hwts,
				  false);
	if (hw) {
		struct bpf_program *p = s->progs.iiot_xdp_hwts;

		bpf_program__set_ifindex(p, r->ifindex);
		bpf_program__set_flags(p, bpf_program__flags(p) |
				       BPF_F_XDP_DEV_BOUND_ONLY);
	}
	for (i = 0; i < o->n_etypes; i++)
		s->rodata->cfg_etypes[i] = o->etypes[i];
	s->rodata->cfg_n_etypes = o->n_etypes;
	s->rodata->cfg_pnio_cm = (__u32)o->pnio_cm;
	s->rodata->cfg_mode = (__u32)o->mode;
	s->rodata->cfg_snaplen = o->snaplen < IIOT_XDP_MAX_SNAP ?
				 o->snaplen : IIOT_XDP_MAX_SNAP;
	bpf_map__set_max_entries(s->maps.events,
				 o->mode == IIOT_XDP_INLINE ? o->rb_size :
				 (uint32_t)sysconf(_SC_PAGESIZE));
	err = iiot_xdp__load(s);
	if (err && quiet)
		return -1;
	if (err && hw) {
		die_msg("NIC RX timestamps need Linux 6.3+ and a driver with "
			"XDP RX metadata; %s has neither (%s); try "
			"--timestamps auto", r->o->iface, strerror(-err));
		return -1;
	}
	if (err) {
		if ((err == -EPERM || err == -EACCES) && !bpf_capable())
			die_msg("loading BPF was refused: needs CAP_BPF, "
				"CAP_NET_ADMIN and CAP_PERFMON (or CAP_SYS_ADMIN, "
				"or root)");
		else
			die_msg("the kernel rejected the XDP program (%s); it "
				"needs BPF ring buffers (Linux 5.8) and "
				"bpf_xdp_load_bytes (5.18); run with -v for "
				"the verifier log", strerror(-err));
		return -1;
	}
	return 0;
}

static int attach(struct run *r)
{
	LIBBPF_OPTS(bpf_link_create_opts, lo);
	LIBBPF_OPTS(bpf_xdp_query_opts, qo);
	int prog = bpf_program__fd(r->hw_prog ? r->skel->progs.iiot_xdp_hwts :
				   r->skel->progs.iiot_xdp);
	/* a device-bound program runs in the driver only */
	const char *m = r->hw_prog ? "native" : r->o->xdp_mode;
	int fd = -1, err = 0;

	/* A link, not a netlink attach: if we die, the kernel detaches. */
	if (strcmp(m, "generic")) {
		lo.flags = XDP_FLAGS_DRV_MODE;
		fd = bpf_link_create(prog, (int)r->ifindex, BPF_XDP, &lo);
		err = fd < 0 ? -errno : 0;
	}
	if (fd < 0 && (!strcmp(m, "generic") ||
		       (!strcmp(m, "auto") && err != -EBUSY &&
			err != -EEXIST && err != -EPERM))) {
		lo.flags = XDP_FLAGS_SKB_MODE;
		fd = bpf_link_create(prog, (int)r->ifindex, BPF_XDP, &lo);
		err = fd < 0 ? -errno : 0;
	}
	if (fd < 0 && quiet)
		return -1;
	if (fd < 0) {
		if (err == -EBUSY || err == -EEXIST)
			die_msg("%s already has an XDP program attached (see "
				"'bpftool net show dev %s'); iiot-xdp leaves "
				"it alone", r->o->iface, r->o->iface);
		else if (err == -EPERM || err == -EACCES)
			die_msg("attaching XDP to %s: permission denied "
				"(needs CAP_NET_ADMIN)", r->o->iface);
		else if (!strcmp(m, "native"))
			die_msg("the driver of %s has no native XDP (%s); try "
				"--xdp-mode generic", r->o->iface,
				strerror(-err));
		else
			die_msg("attaching XDP to %s: %s (kernel needs "
				"CONFIG_XDP_SOCKETS and BPF links, Linux 5.9)",
				r->o->iface, strerror(-err));
		return -1;
	}
	r->link_fd = fd;
	if (bpf_xdp_query((int)r->ifindex, 0, &qo) == 0)
		r->attach_mode = qo.attach_mode == XDP_ATTACHED_DRV ? "native" :
				 qo.attach_mode == XDP_ATTACHED_HW ? "offload" :
				 "generic";
	return 0;
}

static int open_sockets(struct run *r)
{
	bool skb = !strcmp(r->o->xdp_mode, "generic");
	char err[256];
	unsigned int q;
	int rc;

	r->nq = rx_queues(r->o->iface);
	for (q = 0; q < r->nq; q++) {
		int fd;

		rc = iiot_xsk_open(&r->xsks[q], r->o->iface, q, r->o->frames,
				   2048, skb, err, sizeof(err));
		if (rc) {
			die_msg("%s: %s", r->o->iface, err);
			r->nq = q;
			return -1;
		}
		fd = r->xsks[q].fd;
		if (bpf_map_update_elem(bpf_map__fd(r->skel->maps.xsks), &q,
					&fd, BPF_ANY)) {
			die_msg("registering the AF_XDP socket of queue %u: %s",
				q, strerror(errno));
			r->nq = q + 1;
			return -1;
		}
	}
	return 0;
}

static int pin_counters(struct run *r)
{
	snprintf(r->ctr_pin, sizeof(r->ctr_pin), "%s/counters", r->pin_dir);
	unlink(r->ctr_pin);	/* left by an iiot-xdp that was killed */
	if (bpf_map__pin(r->skel->maps.ctrs, r->ctr_pin)) {
		die_msg("pinning counters at %s: %s", r->ctr_pin,
			strerror(errno));
		return -1;
	}
	r->counters_pinned = true;
	return 0;
}

/* Undo load + sockets, to try again with the plain program. */
static void unload(struct run *r)
{
	unsigned int q;

	for (q = 0; q < r->nq; q++)
		iiot_xsk_close(&r->xsks[q]);
	r->nq = 0;
	if (r->rb)
		ring_buffer__free(r->rb);
	r->rb = NULL;
	iiot_xdp__destroy(r->skel);
	r->skel = NULL;
}

static void teardown(struct run *r)
{
	unsigned int q;

	if (r->link_fd > 0) {
		LIBBPF_OPTS(bpf_xdp_query_opts, qo);

		close(r->link_fd);
		r->link_fd = -1;
		if (bpf_xdp_query((int)r->ifindex, 0, &qo) == 0 &&
		    qo.attach_mode != XDP_ATTACHED_NONE)
			die_msg("warning: %s still has an XDP program after "
				"detach", r->o->iface);
	}
	if (r->ring && r->skel) {
		/* detached: what is still queued is the last of the stream */
		drain(r);
		account_drops(r);
	}
	for (q = 0; q < r->nq; q++)
		iiot_xsk_close(&r->xsks[q]);
	if (r->rb)
		ring_buffer__free(r->rb);
	if (r->counters_pinned)
		unlink(r->ctr_pin);
}

/* need_wakeup kicks: a zero-copy driver that ran out of fill buffers */
static uint64_t sum_wakeups(const struct run *r)
{
	uint64_t n = 0;
	unsigned int q;

	for (q = 0; q < r->nq; q++)
		n += r->xsks[q].wakeups;
	return n;
}

static void print_final(struct run *r)
{
	struct iiot_xdp_ctrs c;
	struct shm_stats st;

	memset(&st, 0, sizeof(st));
	if (r->ring)
		shm_ring_stats(r->ring, &st);
	if (read_ctrs(bpf_map__fd(r->skel->maps.ctrs), &c))
		memset(&c, 0, sizeof(c));
	printf("{\"iface\":\"%s\",\"mode\":\"%s\",\"xdp_mode\":\"%s\","
	       "\"queues\":%u,\"ring\":\"%s\",\"frames\":%" PRIu64
	       ",\"bytes\":%" PRIu64 ",\"ring_drops\":%" PRIu64
	       ",\"socket_drops\":%" PRIu64 ",\"bad_records\":%" PRIu64
	       ",\"hw_ts_program\":%s,\"hw_stamped\":%" PRIu64
	       ",\"xsk_wakeups\":%" PRIu64 ",",
	       r->o->iface, r->o->mode == IIOT_XDP_TAP ? "tap" : "inline",
	       r->attach_mode, r->nq, r->o->ring, r->frames, r->bytes,
	       st.drops, r->xsk_seen, r->bad, r->hw_prog ? "true" : "false",
	       r->hw_stamped, sum_wakeups(r));
	print_ctrs_json(stdout, &c);
	printf("}\n");
	fflush(stdout);
}

static int run_capture(struct opts *o)
{
	struct run r;
	struct shm_ring_opts ro = { 0 };
	char path[256];
	uint64_t next_tick, last_rx = 0;
	unsigned int i;
	int rc = 1, err;
	bool hw;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.link_fd = -1;
	r.attach_mode = "none";
	r.ifindex = if_nametoindex(o->iface);
	if (!r.ifindex) {
		die_msg("no interface '%s' in this network namespace",
			o->iface);
		return 1;
	}
	if (iiot_bpf_dir(o->iface, r.pin_dir, sizeof(r.pin_dir), true)) {
		die_msg("%s", iiot_bl_error());
		return 1;
	}
	for (i = 0; i < o->n_block; i++) {
		uint8_t mac[6];
		int fd;

		if (iiot_mac_parse(o->block[i], mac) ||
		    (fd = iiot_bl_open(o->iface, true)) < 0) {
			die_msg("--block: %s", iiot_bl_error());
			return 1;
		}
		err = iiot_bl_add(fd, mac);
		iiot_bl_close(fd);
		if (err) {
			die_msg("--block: %s", iiot_bl_error());
			return 1;
		}
	}
	if (!shm_ring_path(o->ring, path, sizeof(path))) {
		die_msg("ring name '%s' is too long", o->ring);
		goto out;
	}
	ro.data_size = o->ring_size;
	ro.snap_len = o->snaplen;
	ro.ifindex = r.ifindex;
	ro.source = IIOT_SRC_XDP;
	ro.name = o->ring;
	err = shm_prod_create(&r.ring, path, &ro);
	if (err) {
		die_msg("ring %s: %s", path, shm_error());
		r.ring = NULL;
		goto out;
	}
	refresh_clock(&r);

	/* The device-bound variant first where NIC stamps may exist;
	 * in auto mode, quietly fall back to the plain program. */
	hw = strcmp(o->ts, "sw") && strcmp(o->xdp_mode, "generic");
	for (;; hw = false) {
		quiet = hw && !strcmp(o->ts, "auto");
		if (load(&r, hw))
			goto retry;
		if (o->mode == IIOT_XDP_TAP) {
			if (open_sockets(&r))
				goto out;
		} else {
			r.rb = ring_buffer__new(bpf_map__fd(r.skel->maps.events),
						on_rb_rec, &r, NULL);
			if (!r.rb) {
				die_msg("BPF ring buffer: %s", strerror(errno));
				goto out;
			}
		}
		if (attach(&r) == 0)
			break;
retry:
		if (!quiet)
			goto out;
		unload(&r);
	}
	quiet = false;
	if (pin_counters(&r))
		goto out;
	fprintf(stderr, "iiot-xdp: %s: %s mode, %s XDP, %u queue(s)%s, "
		"%s timestamps, ring %s\n", o->iface,
		o->mode == IIOT_XDP_TAP ? "tap" : "inline", r.attach_mode,
		o->mode == IIOT_XDP_TAP ? r.nq : 0,
		o->mode == IIOT_XDP_TAP && r.nq && r.xsks[0].zerocopy ?
		" zero-copy" : "", r.hw_prog ? "NIC (where stamped) or software" :
		"software", path);

	next_tick = clock_ns(CLOCK_MONOTONIC) + 1000000000ULL;
	while (!stop) {
		struct pollfd pfd[MAX_QUEUES];
		unsigned int n = 0, got;
		uint64_t now;

		if (o->mode == IIOT_XDP_TAP) {
			for (i = 0; i < r.nq; i++) {
				pfd[i].fd = r.xsks[i].fd;
				pfd[i].events = POLLIN;
			}
			n = r.nq;
		} else {
			pfd[0].fd = ring_buffer__epoll_fd(r.rb);
			pfd[0].events = POLLIN;
			n = 1;
		}
		/*
		 * While frames flow, drain on a short timer instead of
		 * sleeping in poll(): a waiter makes the kernel wake it for
		 * every NAPI flush (for every frame when the sender trickles),
		 * and those wakeups cost the receiving CPU more than the
		 * capture.  Idle for 50 ms: block in poll(), no CPU used.
		 */
		got = drain(&r);
		now = clock_ns(CLOCK_MONOTONIC);
		if (got) {
			last_rx = now;
		} else if (now - last_rx < 50000000ULL) {
			struct timespec ts = { 0, 100000 };

			nanosleep(&ts, NULL);
		} else {
			if (poll(pfd, n, 200) < 0 && errno != EINTR) {
				die_msg("poll: %s", strerror(errno));
				break;
			}
			if (drain(&r))
				last_rx = clock_ns(CLOCK_MONOTONIC);
		}
		shm_prod_commit(r.ring);
		now = clock_ns(CLOCK_MONOTONIC);
		if (now >= next_tick) {
			next_tick = now + 1000000000ULL;
			refresh_clock(&r);
			account_drops(&r);
		}
	}
	rc = 0;
out:
	teardown(&r);
	if (r.skel)
		print_final(&r);
	if (r.ring)
		shm_prod_close(r.ring);
	iiot_xdp__destroy(r.skel);
	return rc;
}

/* ---- stats and block subcommands ---- */

static int cmd_stats(const char *iface, bool json)
{
	struct iiot_xdp_ctrs c;
	char dir[128], path[160];
	int fd, err;

	if (!iface) {
		die_msg("stats: give --iface IF");
		return 2;
	}
	if (iiot_bpf_dir(iface, dir, sizeof(dir), false)) {
		die_msg("%s", iiot_bl_error());
		return 1;
	}
	snprintf(path, sizeof(path), "%s/counters", dir);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			die_msg("iiot-xdp is not running on %s (nothing "
				"pinned at %s)", iface, path);
		else
			die_msg("%s: %s%s", path, strerror(errno),
				errno == EPERM ? " (needs CAP_BPF or root)" :
				"");
		return 1;
	}
	err = read_ctrs(fd, &c);
	close(fd);
	if (err) {
		die_msg("reading counters: %s", strerror(-err));
		return 1;
	}
	if (json) {
		printf("{\"iface\":\"%s\",", iface);
		print_ctrs_json(stdout, &c);
		printf("}\n");
	} else {
		print_ctrs_text(stdout, &c);
	}
	return 0;
}

static int cmd_block(const char *op, const char *iface, const char *macs,
		     bool json)
{
	struct iiot_bl_entry e[IIOT_XDP_BLOCK_MAX];
	uint8_t mac[6];
	char s[18];
	int fd, n, i, rc = 0;

	if (!iface || !op) {
		die_msg("block: give add|del|list and --iface IF");
		return 2;
	}
	if (strcmp(op, "list") && (!macs || iiot_mac_parse(macs, mac))) {
		die_msg("block %s: %s", op, macs ? iiot_bl_error() :
			"give a MAC address");
		return 2;
	}
	fd = iiot_bl_open(iface, !strcmp(op, "add"));
	if (fd < 0) {
		die_msg("%s", iiot_bl_error());
		return 1;
	}
	if (!strcmp(op, "add")) {
		rc = iiot_bl_add(fd, mac);
	} else if (!strcmp(op, "del")) {
		rc = iiot_bl_del(fd, mac);
	} else if (!strcmp(op, "list")) {
		n = iiot_bl_list(fd, e, IIOT_XDP_BLOCK_MAX);
		if (n < 0) {
			rc = n;
		} else {
			if (json)
				printf("[");
			for (i = 0; i < n && i < IIOT_XDP_BLOCK_MAX; i++) {
				iiot_mac_format(e[i].mac, s);
				if (json)
					printf("%s{\"mac\":\"%s\",\"hits\":%"
					       PRIu64 ",\"bytes\":%" PRIu64
					       ",\"added_ns\":%" PRIu64 "}",
					       i ? "," : "", s, e[i].hits,
					       e[i].bytes, e[i].added_ns);
				else
					printf("%s hits %" PRIu64 " bytes %"
					       PRIu64 "\n", s, e[i].hits,
					       e[i].bytes);
			}
			if (json)
				printf("]\n");
		}
	} else {
		die_msg("block: unknown operation '%s' (add, del, list)", op);
		rc = -EINVAL;
	}
	if (rc)
		die_msg("%s", iiot_bl_error());
	iiot_bl_close(fd);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "iface", required_argument, NULL, 'i' },
		{ "mode", required_argument, NULL, 'm' },
		{ "ring", required_argument, NULL, 'r' },
		{ "ethertypes", required_argument, NULL, 'e' },
		{ "snaplen", required_argument, NULL, 's' },
		{ "xdp-mode", required_argument, NULL, 'x' },
		{ "ring-size", required_argument, NULL, 'R' },
		{ "frames", required_argument, NULL, 'F' },
		{ "rb-size", required_argument, NULL, 'B' },
		{ "block", required_argument, NULL, 'b' },
		{ "timestamps", required_argument, NULL, 'T' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct opts o = {
		.mode = -1, .xdp_mode = "auto", .snaplen = IIOT_RING_DEFAULT_SNAP,
		.ring_size = SHM_DEFAULT_DATA, .frames = 8192,
		.rb_size = 8U << 20, .n_etypes = 3, .pnio_cm = 1,
		.etypes = { IIOT_ETH_P_ECAT, IIOT_ETH_P_PNIO, IIOT_ETYPE_LLDP },
		.ts = "auto",
	};
	const char *cmd = NULL;
	struct sigaction sa;
	uint64_t v;
	bool json = false;
	int c;

	if (argc > 1 && argv[1][0] != '-') {
		cmd = argv[1];
		argv++;
		argc--;
	}
	while ((c = getopt_long(argc, argv, "i:m:r:jvh", lo, NULL)) != -1) {
		switch (c) {
		case 'i': o.iface = optarg; break;
		case 'r': o.ring = optarg; break;
		case 'j': json = true; break;
		case 'v': o.verbose = verbose = true; break;
		case 'm':
			if (!strcmp(optarg, "tap"))
				o.mode = IIOT_XDP_TAP;
			else if (!strcmp(optarg, "inline"))
				o.mode = IIOT_XDP_INLINE;
			else {
				die_msg("--mode is tap or inline");
				return 2;
			}
			break;
		case 'x':
			if (strcmp(optarg, "auto") && strcmp(optarg, "native") &&
			    strcmp(optarg, "generic")) {
				die_msg("--xdp-mode is auto, native or generic");
				return 2;
			}
			o.xdp_mode = optarg;
			break;
		case 'e':
			if (parse_etypes(&o, optarg))
				return 2;
			break;
		case 's':
			if (parse_u64(optarg, &v) || v < 14 ||
			    v > IIOT_RING_MAX_SNAP) {
				die_msg("--snaplen is 14..%u", IIOT_RING_MAX_SNAP);
				return 2;
			}
			o.snaplen = (uint32_t)v;
			break;
		case 'R':
			if (parse_u64(optarg, &v) || !pow2(v) ||
			    v < IIOT_RING_MIN_DATA || v > IIOT_RING_MAX_DATA) {
				die_msg("--ring-size is a power of two, 64 KiB "
					"to 1 GiB");
				return 2;
			}
			o.ring_size = v;
			break;
		case 'F':
			if (parse_u64(optarg, &v) || !pow2(v) || v < 64 ||
			    v > 262144) {
				die_msg("--frames is a power of two, 64..262144");
				return 2;
			}
			o.frames = (uint32_t)v;
			break;
		case 'B':
			if (parse_u64(optarg, &v) || !pow2(v) || v < 65536 ||
			    v > (1U << 30)) {
				die_msg("--rb-size is a power of two, 64 KiB "
					"to 1 GiB");
				return 2;
			}
			o.rb_size = (uint32_t)v;
			break;
		case 'T':
			if (strcmp(optarg, "auto") && strcmp(optarg, "hw") &&
			    strcmp(optarg, "sw")) {
				die_msg("--timestamps is auto, hw or sw");
				return 2;
			}
			o.ts = optarg;
			break;
		case 'b':
			if (o.n_block == 16) {
				die_msg("at most 16 --block options");
				return 2;
			}
			o.block[o.n_block++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	libbpf_set_print(libbpf_log);

	if (cmd && !strcmp(cmd, "stats"))
		return cmd_stats(o.iface, json);
	if (cmd && !strcmp(cmd, "block")) {
		const char *op = optind < argc ? argv[optind] : NULL;
		const char *mac = optind + 1 < argc ? argv[optind + 1] : NULL;

		return cmd_block(op, o.iface, mac, json);
	}
	if (cmd || optind < argc) {
		die_msg("unknown command '%s'", cmd ? cmd : argv[optind]);
		usage(stderr);
		return 2;
	}
	if (!strcmp(o.ts, "hw") && !strcmp(o.xdp_mode, "generic")) {
		die_msg("--timestamps hw needs native XDP (a device-bound "
			"program cannot run in generic mode)");
		return 2;
	}
	if (!o.iface || !o.ring || o.mode < 0) {
		die_msg("give --iface IF --mode tap|inline --ring NAME");
		usage(stderr);
		return 2;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* Older kernels charge BPF maps and UMEM to RLIMIT_MEMLOCK. */
	{
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		setrlimit(RLIMIT_MEMLOCK, &rl);
	}
	return run_capture(&o);
}
