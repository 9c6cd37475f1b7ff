/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * iiot ring ABI: the one shared-memory ring format written by every capture
 * producer (kernel module, XDP helper, DPDK helper, replay, simulator) and
 * drained by iiotd through libshm.
 *
 * This header is included unchanged by kernel, BPF, DPDK and user code, so it
 * holds only fixed-width types, explicit padding and constants: no functions.
 *
 * Mapping layout (offsets from the start of the mapping / device):
 *
 *   0                  struct iiot_ring_hdr   written once by the creator
 *   IIOT_RING_PAGE     struct iiot_ring_prod  written by the producer only
 *   2*IIOT_RING_PAGE   struct iiot_ring_cons  written by the consumer only
 *   3*IIOT_RING_PAGE   data[data_size]        records, written by producer
 *
 * Each part sits on its own page so each side can map the other's parts
 * read-only (the kernel module enforces this on its device).
 *
 * Positions are free-running byte counters; a record lives at pos & (size-1).
 * A record never wraps: when one does not fit before the end of the data
 * area, the producer fills the tail with an IIOT_REC_PAD record and starts
 * again at offset 0.  Every record length is a multiple of 8.
 *
 * Producer rule: never trust cons.pos beyond the ring size; a full ring
 * drops the new frame and counts it in prod.drops.
 * Consumer rule: validate every record; a corrupt one is counted in
 * cons.corrupt and the consumer resynchronises to prod.pos.
 */
#ifndef IIOT_RING_ABI_H
#define IIOT_RING_ABI_H

#include <linux/types.h>

#define IIOT_RING_MAGIC		0x544f4949U	/* "IIOT" little endian */
/*
 * Version 2 moved the consumer's waiting flag to its own cache line
 * (offset 64 of the consumer page): a version-1 ring file would be misread,
 * so it is refused at open and a producer replaces it.
 */
#define IIOT_RING_ABI_VERSION	2

#define IIOT_RING_PAGE		4096U
#define IIOT_RING_HDR_OFF	0U
#define IIOT_RING_PROD_OFF	IIOT_RING_PAGE
#define IIOT_RING_CONS_OFF	(2U * IIOT_RING_PAGE)
#define IIOT_RING_DATA_OFF	(3U * IIOT_RING_PAGE)

#define IIOT_RING_MIN_DATA	(64U * 1024U)
#define IIOT_RING_MAX_DATA	(1U << 30)
#define IIOT_RING_ALIGN		8U
#define IIOT_RING_MAX_SNAP	16384U	/* largest cap_len a record may carry */
#define IIOT_RING_DEFAULT_SNAP	1518U

/* Linktype of the frames in a ring (pcap's LINKTYPE_ETHERNET). */
#define IIOT_LINK_ETHERNET	1

/* struct iiot_ring_hdr.source and struct iiot_ring_rec.source */
enum iiot_ring_source {
	IIOT_SRC_UNKNOWN = 0,
	IIOT_SRC_KMOD = 1,
	IIOT_SRC_XDP = 2,
	IIOT_SRC_DPDK = 3,
	IIOT_SRC_REPLAY = 4,
	IIOT_SRC_SIM = 5,
};

struct iiot_ring_hdr {
	__u32 magic;		/* IIOT_RING_MAGIC */
	__u16 abi_version;	/* IIOT_RING_ABI_VERSION */
	__u16 hdr_size;		/* sizeof(struct iiot_ring_hdr) */
	__u32 page_size;	/* IIOT_RING_PAGE */
	__u32 flags;		/* reserved, 0 */
	__u64 data_off;		/* IIOT_RING_DATA_OFF */
	__u64 data_size;	/* power of two, MIN_DATA..MAX_DATA */
	__u32 snap_len;		/* largest cap_len the producer writes */
	__u32 ifindex;		/* capture interface, 0 when none */
	__u16 source;		/* enum iiot_ring_source */
	__u16 linktype;		/* IIOT_LINK_ETHERNET */
	__u32 producer_pid;	/* user-space producer, 0 for the kernel */
	__u8  name[32];		/* NUL-terminated ring / interface name */
	__u64 created_ns;	/* CLOCK_REALTIME at creation */
};

struct iiot_ring_prod {
	__u64 pos;		/* bytes published, release-stored */
	__u64 records;		/* frames published */
	__u64 bytes;		/* frame bytes published (cap_len) */
	__u64 drops;		/* frames dropped: ring full */
	__u64 drop_bytes;	/* wire bytes of dropped frames */
	__u64 bad_cons;		/* times cons.pos was out of range */
	__u64 truncated;	/* frames cut to snap_len */
	__u64 heartbeat_ns;	/* CLOCK_MONOTONIC of last commit */
	__u32 state;		/* enum iiot_ring_state */
	__u32 pad0;
	/*
	 * Counters of the NIC behind the ring, totals since the source
	 * started it; 0 when the source does not report them; set by the
	 * producer once per tick (relaxed stores, not ordered with pos).
	 *
	 * Appended after the rest: readers built before them never look
	 * past pad0, and every producer's page starts zeroed (a new
	 * ring file is ftruncate'd, the module's page comes from
	 * vmalloc_user), so a producer that predates them reads as "not
	 * reported".  Fields may be appended here again the same way; any
	 * other change to this struct needs a new version.
	 */
	__u64 nic_packets;	/* frames the NIC received, unfiltered */
	__u64 nic_missed;	/* dropped by the NIC: no RX descriptor free */
	__u64 nic_errors;	/* bad frames (CRC, length), not delivered */
	__u64 nic_nombuf;	/* dropped: no buffer to receive into */
};

struct iiot_ring_cons {
	__u64 pos;		/* bytes consumed, release-stored */
	__u64 records;		/* frames consumed */
	__u64 corrupt;		/* invalid records seen */
	__u64 resyncs;		/* times the consumer skipped to prod.pos */
	__u64 pad0[4];
	/*
	 * On its own cache line: the producer reads it at every commit and
	 * must not pull the line the consumer writes pos to at every release.
	 */
	__u32 waiting;		/* consumer sleeps: producer must wake it */
	__u32 pad1;
};

enum iiot_ring_state {
	IIOT_RING_ACTIVE = 0,
	IIOT_RING_CLOSED = 1,	/* producer finished cleanly */
};

/* struct iiot_ring_rec.kind */
#define IIOT_REC_PAD		0x5044U	/* filler up to the end of data */
#define IIOT_REC_FRAME		0x4652U

/* struct iiot_ring_rec.flags */
#define IIOT_RECF_TS_HW		0x0001U	/* timestamp from the NIC clock */
#define IIOT_RECF_TRUNCATED	0x0002U	/* cap_len < wire_len */
#define IIOT_RECF_TX		0x0004U	/* frame sent by this host */

struct iiot_ring_rec {
	__u32 rec_len;		/* header + frame + padding, multiple of 8 */
	__u16 kind;		/* IIOT_REC_FRAME or IIOT_REC_PAD */
	__u16 flags;		/* IIOT_RECF_* */
	__u32 cap_len;		/* frame bytes following this header */
	__u32 wire_len;		/* length on the wire */
	__u32 ifindex;
	__u16 source;		/* enum iiot_ring_source */
	__u16 pad0;
	__u64 ts_ns;		/* CLOCK_REALTIME, nanoseconds */
	/* __u8 frame[cap_len] follows, then zero padding to 8 bytes */
};

/* Record length for a frame of cap_len bytes. */
#define IIOT_REC_LEN(cap_len) \
	(((__u32)sizeof(struct iiot_ring_rec) + (cap_len) + \
	  IIOT_RING_ALIGN - 1) & ~(IIOT_RING_ALIGN - 1))

/* A frame record's header, as every producer writes it. */
static inline void iiot_rec_init(struct iiot_ring_rec *rec, __u32 cap_len,
				 __u32 wire_len, __u64 ts_ns, __u32 ifindex,
				 __u16 source, __u16 flags)
{
	rec->rec_len = IIOT_REC_LEN(cap_len);
	rec->kind = IIOT_REC_FRAME;
	rec->flags = flags;
	rec->cap_len = cap_len;
	rec->wire_len = wire_len;
	rec->ifindex = ifindex;
	rec->source = source;
	rec->pad0 = 0;
	rec->ts_ns = ts_ns;
}

/* Bytes of a full mapping for a data area of data_size bytes. */
#define IIOT_RING_MAP_SIZE(data_size) \
	((__u64)IIOT_RING_DATA_OFF + (__u64)(data_size))

#ifdef __KERNEL__
#define IIOT_ABI_ASSERT(c, m) BUILD_BUG_ON_MSG(!(c), m)
#else
#define IIOT_ABI_ASSERT(c, m) _Static_assert(c, m)
#endif

/*
 * Size asserts: call once from any function on each side (the kernel's
 * BUILD_BUG_ON needs function scope).
 */
#define IIOT_RING_ABI_CHECK() do { \
	IIOT_ABI_ASSERT(sizeof(struct iiot_ring_hdr) == 88, "hdr size"); \
	IIOT_ABI_ASSERT(sizeof(struct iiot_ring_prod) == 104, "prod size"); \
	IIOT_ABI_ASSERT(__builtin_offsetof(struct iiot_ring_prod, nic_packets) \
			== 72, "NIC counters appended after the first fields"); \
	IIOT_ABI_ASSERT(sizeof(struct iiot_ring_prod) <= IIOT_RING_PAGE, \
			"prod on its page"); \
	IIOT_ABI_ASSERT(sizeof(struct iiot_ring_cons) == 72, "cons size"); \
	IIOT_ABI_ASSERT(sizeof(struct iiot_ring_rec) == 32, "rec size"); \
	IIOT_ABI_ASSERT(__builtin_offsetof(struct iiot_ring_cons, waiting) == 64, \
			"waiting on its own cache line"); \
	IIOT_ABI_ASSERT((IIOT_RING_MIN_DATA & (IIOT_RING_MIN_DATA - 1)) == 0, \
			"min data power of two"); \
} while (0)

#endif /* IIOT_RING_ABI_H */
