/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * Shared between the XDP program (iiot_xdp.bpf.c) and its user-space side
 * (iiot-xdp, blocklist.c): map layouts, counter indexes, inline-mode
 * record header.  Fixed-width types only, like the ring ABI.
 */
#ifndef IIOT_XDP_H
#define IIOT_XDP_H

#include <linux/types.h>

#include "iiot/capture_filter.h"
#include "iiot/ring_abi.h"

#define IIOT_ETH_P_ECAT		IIOT_ETYPE_ECAT
#define IIOT_ETH_P_PNIO		IIOT_ETYPE_PNIO

/* Ethertypes captured by default; up to IIOT_XDP_MAX_ETYPES configurable. */
#define IIOT_XDP_MAX_ETYPES	8

/* Entries of the blocklist; the hash is preallocated, so this is a cap. */
#define IIOT_XDP_BLOCK_MAX	1024

/* Largest frame copied to user space in inline mode. */
#define IIOT_XDP_MAX_SNAP	2048

enum iiot_xdp_mode {
	IIOT_XDP_TAP = 0,	/* redirect to AF_XDP: frame consumed */
	IIOT_XDP_INLINE = 1,	/* copy to the BPF ring buffer, XDP_PASS */
};

/*
 * Counter slots (per CPU; user space sums them).  The protocol slots
 * partition every frame that was parsed; the others count what happened.
 */
enum iiot_xdp_ctr {
	IIOT_CTR_ECAT = 0,	/* EtherCAT (0x88A4) */
	IIOT_CTR_PN_RT,		/* PROFINET cyclic RT, FrameID 0x0100-0xFBFF */
	IIOT_CTR_PN_ALARM,	/* PROFINET alarm, FrameID 0xFC01 / 0xFE01 */
	IIOT_CTR_PN_DCP,	/* PROFINET DCP, FrameID 0xFEFC-0xFEFF */
	IIOT_CTR_PN_OTHER,	/* PROFINET PTCP, fragments, reserved IDs */
	IIOT_CTR_OTHER,		/* any other ethertype */
	IIOT_CTR_MALFORMED,	/* too short for the headers it announces */
	IIOT_CTR_BLOCKED,	/* dropped: source MAC on the blocklist */
	IIOT_CTR_CAPTURED,	/* handed to user space (redirect or copy) */
	IIOT_CTR_CAPTURE_FAIL,	/* should have been captured: no socket or
				 * ring buffer full; wire bytes in .bytes */
	IIOT_CTR_VLAN,		/* frames carrying one or two VLAN tags */
	IIOT_CTR_MAX,
};

struct iiot_xdp_ctrs {
	__u64 pkts[IIOT_CTR_MAX];
	__u64 bytes[IIOT_CTR_MAX];
};

/* Blocklist: key is the source MAC, zero-padded to 8 bytes. */
struct iiot_block_key {
	__u8 mac[6];
	__u8 pad[2];
};

struct iiot_block_val {
	__u64 hits;		/* frames dropped, atomically added */
	__u64 bytes;
	__u64 added_ns;		/* CLOCK_REALTIME when the entry was added */
	__u64 last_hit_ns;	/* CLOCK_MONOTONIC of the last drop */
};

/*
 * Inline mode: one BPF ring buffer record per copied frame.  Records come
 * in a few fixed size classes (the ring buffer reserves constant sizes);
 * cap_len says how many frame bytes are valid.
 */
struct iiot_xdp_rec {
	__u64 ts_ns;		/* IIOT_XDP_TS_HW: NIC clock; else
				 * bpf_ktime_get_ns() at XDP time */
	__u32 cap_len;
	__u32 wire_len;
	__u32 rx_queue;
	__u32 flags;		/* IIOT_XDP_TS_* */
	/* __u8 frame[] follows */
};

/*
 * Tap mode puts the XDP-time stamp in front of the frame (the metadata
 * area); AF_XDP copies it into the UMEM just before the frame.  The magic
 * tells user space the stamp is there (drivers may refuse metadata).
 */
struct iiot_xdp_meta {
	__u32 magic;
	__u32 flags;		/* IIOT_XDP_TS_* */
	__u64 ts_ns;		/* as in struct iiot_xdp_rec */
};

/* The stamp came from the NIC (bpf_xdp_metadata_rx_timestamp). */
#define IIOT_XDP_TS_HW		0x1U
#define IIOT_XDP_META_MAGIC	0x4d544949U	/* "IITM" */

#endif /* IIOT_XDP_H */
