// SPDX-License-Identifier: GPL-2.0
/*
 * iiot XDP fast path: parse Ethernet / 802.1Q / QinQ, count frames per
 * industrial protocol, drop blocklisted source MACs, and hand the
 * configured ethertypes (and PROFINET's connect over UDP 34964, see
 * iiot/capture_filter.h) to user space:
 *   tap mode    - redirect to the AF_XDP socket of the RX queue (consumed);
 *   inline mode - copy into a BPF ring buffer and XDP_PASS, so the host
 *                 stack (and an EtherCAT master on the same NIC) keeps
 *                 every frame.
 * Settings are read-only data fixed at load time by iiot-xdp.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "iiot_xdp.h"

/*
 * NIC RX timestamp (Linux 6.3+, device-bound programs only).  Weak: on an
 * older kernel the object still loads, and only iiot_xdp_hwts is refused.
 */
extern int bpf_xdp_metadata_rx_timestamp(const struct xdp_md *ctx,
					 __u64 *timestamp) __ksym __weak;

const volatile __u16 cfg_etypes[IIOT_XDP_MAX_ETYPES] = {
	IIOT_ETH_P_ECAT, IIOT_ETH_P_PNIO, IIOT_ETYPE_LLDP,
};
const volatile __u32 cfg_n_etypes = 3;
const volatile __u32 cfg_pnio_cm = 1;	/* IPv4 UDP port 34964 too */
const volatile __u32 cfg_mode = IIOT_XDP_TAP;
const volatile __u32 cfg_snaplen = IIOT_RING_DEFAULT_SNAP;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct iiot_xdp_ctrs);
} ctrs SEC(".maps");

/* Pinned by name so iiotd and `iiot-xdp block` can edit it while we run,
 * and so the policy survives a restart of iiot-xdp. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IIOT_XDP_BLOCK_MAX);
	__type(key, struct iiot_block_key);
	__type(value, struct iiot_block_val);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} blocklist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

/* Size set by iiot-xdp before load (a page in tap mode). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 22);
} events SEC(".maps");

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

static __always_inline void count(struct iiot_xdp_ctrs *c, int slot, __u32 len)
{
	c->pkts[slot]++;
	c->bytes[slot] += len;
}

/*
 * Bounds-checked parse: returns the inner ethertype (host order) and the
 * offset of the payload after up to two VLAN tags, or -1 when the frame is
 * shorter than the headers it announces.
 */
static __always_inline int parse_eth(void *data, void *end, __u16 *proto,
				     __u32 *off, int *tags)
{
	struct ethhdr *eth = data;
	struct vlan_hdr *vh;
	__u16 p;
	int i;

	if ((void *)(eth + 1) > end)
		return -1;
	p = bpf_ntohs(eth->h_proto);
	*off = sizeof(*eth);
	*tags = 0;
#pragma unroll
	for (i = 0; i < 2; i++) {
		if (p != ETH_P_8021Q && p != ETH_P_8021AD && p != 0x9100)
			break;
		vh = data + *off;
		if ((void *)(vh + 1) > end)
			return -1;
		p = bpf_ntohs(vh->proto);
		*off += sizeof(*vh);
		*tags += 1;
	}
	*proto = p;
	return 0;
}

/* PROFINET class from the FrameID (IEC 61158-6-10 FrameID ranges). */
static __always_inline int pn_slot(void *data, void *end, __u32 off)
{
	__be16 *fid = data + off;
	__u16 id;

	if ((void *)(fid + 1) > end)
		return -1;
	id = bpf_ntohs(*fid);
	if (id >= 0x0100 && id <= 0xFBFF)
		return IIOT_CTR_PN_RT;
	if (id == 0xFC01 || id == 0xFE01)
		return IIOT_CTR_PN_ALARM;
	if (id >= 0xFEFC && id <= 0xFEFF)
		return IIOT_CTR_PN_DCP;
	return IIOT_CTR_PN_OTHER;
}

static __always_inline int wanted(__u16 proto)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < IIOT_XDP_MAX_ETYPES; i++) {
		if (i >= cfg_n_etypes)
			break;
		if (cfg_etypes[i] == proto)
			return 1;
	}
	return 0;
}

/*
 * PNIO-CM: IPv4, UDP, first fragment, source or destination port 34964.
 * Only IPv4 frames get here; each read is bounded by the packet's end and
 * the header length is the packet's own (0..60 bytes as the mask says).
 */
static __always_inline int pnio_cm(void *data, void *end, __u32 off)
{
	__u8 *ip = data + off;
	__be16 *ports;
	__u32 ihl;

	if ((void *)(ip + 20) > end || (ip[0] >> 4) != 4 || ip[9] != 17 ||
	    ((ip[6] & 0x1f) | ip[7]))
		return 0;
	ihl = (ip[0] & 0x0f) * 4;
	if (ihl < 20)
		return 0;
	ports = (void *)ip + ihl;
	if ((void *)(ports + 2) > end)
		return 0;
	return ports[0] == bpf_htons(IIOT_PNIO_CM_PORT) ||
	       ports[1] == bpf_htons(IIOT_PNIO_CM_PORT);
}

/* The ring buffer reserves constant sizes only: one copy per size class. */
#define COPY_CLASS(N)							\
static __noinline int copy_##N(struct xdp_md *ctx, __u32 cap, __u32 wire, \
			       __u64 ts, __u32 flags)			\
{									\
	struct iiot_xdp_rec *r;						\
	__u32 len = cap;						\
									\
	r = bpf_ringbuf_reserve(&events, sizeof(*r) + (N), 0);		\
	if (!r)								\
		return -1;						\
	/* The caller keeps 1 <= cap <= N; this mask states it so the	\
	 * verifier sees the bound (the barrier stops clang dropping it). */ \
	asm volatile("" : "+r"(len));					\
	len = ((len - 1) & ((N) - 1)) + 1;				\
	if (bpf_xdp_load_bytes(ctx, 0, (void *)(r + 1), len)) {	\
		bpf_ringbuf_discard(r, 0);				\
		return -1;						\
	}								\
	r->ts_ns = ts;							\
	r->cap_len = len;						\
	r->wire_len = wire;						\
	r->rx_queue = ctx->rx_queue_index;				\
	r->flags = flags;						\
	bpf_ringbuf_submit(r, 0);					\
	return 0;							\
}
COPY_CLASS(64)
COPY_CLASS(128)
COPY_CLASS(256)
COPY_CLASS(512)
COPY_CLASS(1024)
COPY_CLASS(2048)

static __always_inline int copy_frame(struct xdp_md *ctx, __u32 wire,
				      __u64 ts, __u32 flags)
{
	__u32 cap = wire;

	if (cap > cfg_snaplen)
		cap = cfg_snaplen;
	if (cap <= 64)
		return copy_64(ctx, cap, wire, ts, flags);
	if (cap <= 128)
		return copy_128(ctx, cap, wire, ts, flags);
	if (cap <= 256)
		return copy_256(ctx, cap, wire, ts, flags);
	if (cap <= 512)
		return copy_512(ctx, cap, wire, ts, flags);
	if (cap <= 1024)
		return copy_1024(ctx, cap, wire, ts, flags);
	return copy_2048(ctx, cap, wire, ts, flags);
}

static __always_inline int handle(struct xdp_md *ctx, const int hwts)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct iiot_block_key key = {};
	struct iiot_block_val *bv;
	struct iiot_xdp_ctrs *c;
	struct iiot_xdp_meta *meta;
	struct ethhdr *eth = data;
	__u32 zero = 0, off = 0;
	__u32 len = (__u32)(end - data);
	__u16 proto = 0;
	int tags = 0, slot;
	__u32 tsf = 0;
	__u64 ts;

	c = bpf_map_lookup_elem(&ctrs, &zero);
	if (!c)
		return XDP_PASS;

	if (parse_eth(data, end, &proto, &off, &tags) < 0) {
		count(c, IIOT_CTR_MALFORMED, len);
		return XDP_PASS;
	}
	if (tags)
		count(c, IIOT_CTR_VLAN, len);

	__builtin_memcpy(key.mac, eth->h_source, ETH_ALEN);
	bv = bpf_map_lookup_elem(&blocklist, &key);
	if (bv) {
		__sync_fetch_and_add(&bv->hits, 1);
		__sync_fetch_and_add(&bv->bytes, len);
		bv->last_hit_ns = bpf_ktime_get_ns();
		count(c, IIOT_CTR_BLOCKED, len);
		return XDP_DROP;
	}

	if (proto == IIOT_ETH_P_ECAT) {
		slot = IIOT_CTR_ECAT;
	} else if (proto == IIOT_ETH_P_PNIO) {
		slot = pn_slot(data, end, off);
		if (slot < 0) {
			count(c, IIOT_CTR_MALFORMED, len);
			return XDP_PASS;
		}
	} else {
		slot = IIOT_CTR_OTHER;
	}
	count(c, slot, len);

	/* Fieldbus frames decide on the ethertype alone; only IPv4 frames
	 * look further, and only when PNIO-CM is asked for. */
	if (!wanted(proto) && !(proto == IIOT_ETYPE_IPV4 && cfg_pnio_cm &&
				pnio_cm(data, end, off)))
		return XDP_PASS;

	/* Stamp as early as possible; the NIC's stamp where it has one. */
	ts = 0;
	if (hwts && bpf_xdp_metadata_rx_timestamp(ctx, &ts) == 0 && ts)
		tsf = IIOT_XDP_TS_HW;
	else
		ts = bpf_ktime_get_ns();

	if (cfg_mode == IIOT_XDP_INLINE) {
		if (copy_frame(ctx, len, ts, tsf) == 0)
			count(c, IIOT_CTR_CAPTURED, len);
		else
			count(c, IIOT_CTR_CAPTURE_FAIL, len);
		return XDP_PASS;
	}

	/* Tap: the stamp travels in the metadata area; then redirect. */
	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)) == 0) {
		meta = (void *)(long)ctx->data_meta;
		if ((void *)(meta + 1) <= (void *)(long)ctx->data) {
			meta->magic = IIOT_XDP_META_MAGIC;
			meta->flags = tsf;
			meta->ts_ns = ts;
		}
	}
	/* No socket on this queue: let the frame through, count the miss. */
	if (bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS) ==
	    XDP_REDIRECT) {
		count(c, IIOT_CTR_CAPTURED, len);
		return XDP_REDIRECT;
	}
	count(c, IIOT_CTR_CAPTURE_FAIL, len);
	return XDP_PASS;
}

SEC("xdp")
int iiot_xdp(struct xdp_md *ctx)
{
	return handle(ctx, 0);
}

/* Loaded device-bound (prog_ifindex + BPF_F_XDP_DEV_BOUND_ONLY) instead of
 * iiot_xdp when the NIC's RX timestamps are wanted. */
SEC("xdp")
int iiot_xdp_hwts(struct xdp_md *ctx)
{
	return handle(ctx, 1);
}

char LICENSE[] SEC("license") = "GPL";
