/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * iiot generic netlink ABI: the control interface of the kernel module
 * iiot.ko, spoken by iiotctl through libnl-genl.
 *
 * Family IIOT_GENL_NAME, version IIOT_GENL_VERSION.  Every request names
 * one interface by IIOT_A_IFNAME or IIOT_A_IFINDEX (LIST needs none).
 *
 *   ATTACH      admin  IFNAME|IFINDEX [RING_SIZE] [SNAPLEN] [FILTER]
 *   DETACH      admin  IFNAME|IFINDEX
 *   LIST        dump   one IIOT_CMD_LIST message per attached interface
 *   GET_STATS          IFNAME|IFINDEX → same attributes as LIST
 *   SET_FILTER  admin  IFNAME|IFINDEX FILTER
 *   SET_SNAPLEN admin  IFNAME|IFINDEX SNAPLEN
 *
 * "admin" commands need CAP_NET_ADMIN.  Errors carry an extended ack
 * message saying what was wrong.
 *
 * Multicast group IIOT_GENL_MCGRP_EVENTS carries IIOT_CMD_EVENT messages:
 * IIOT_A_EVENT (enum iiot_event), IFINDEX, IFNAME and, for overflow
 * events, DROPS (frames dropped so far on that ring).
 */
#ifndef IIOT_GENL_ABI_H
#define IIOT_GENL_ABI_H

#define IIOT_GENL_NAME		"iiot"
#define IIOT_GENL_VERSION	1
#define IIOT_GENL_MCGRP_EVENTS	"events"

/* Device node of an attached interface: IIOT_DEV_DIR "/" ifname */
#define IIOT_DEV_DIR		"/dev/iiot"

#define IIOT_FILTER_MAX		16	/* ethertypes in one filter */
/* A filter not given at ATTACH is IIOT_FILTER_DEFAULT_TEXT
 * (iiot/capture_filter.h): EtherCAT, PROFINET, LLDP and PNIO-CM. */
#define IIOT_RING_DEFAULT_DATA	(4U << 20)
#define IIOT_SNAP_MIN		14U	/* an Ethernet header */

enum iiot_cmd {
	IIOT_CMD_UNSPEC,
	IIOT_CMD_ATTACH,
	IIOT_CMD_DETACH,
	IIOT_CMD_LIST,
	IIOT_CMD_GET_STATS,
	IIOT_CMD_SET_FILTER,
	IIOT_CMD_SET_SNAPLEN,
	IIOT_CMD_EVENT,		/* multicast only */

	__IIOT_CMD_MAX,
	IIOT_CMD_MAX = __IIOT_CMD_MAX - 1
};

enum iiot_attr {
	IIOT_A_UNSPEC,
	IIOT_A_PAD,
	IIOT_A_IFINDEX,		/* u32 */
	IIOT_A_IFNAME,		/* NUL-terminated string, < IFNAMSIZ */
	IIOT_A_RING_SIZE,	/* u32: data bytes, power of two */
	IIOT_A_SNAPLEN,		/* u32: bytes kept of each frame */
	IIOT_A_FILTER,		/* nested: IIOT_FA_ETHERTYPE... */
	IIOT_A_STATE,		/* u8: enum iiot_state (reply) */
	IIOT_A_FRAMES,		/* u64 (reply) */
	IIOT_A_BYTES,		/* u64: captured bytes (reply) */
	IIOT_A_DROPS,		/* u64: frames lost, ring full (reply) */
	IIOT_A_DROP_BYTES,	/* u64 (reply) */
	IIOT_A_TRUNCATED,	/* u64: frames cut to snaplen (reply) */
	IIOT_A_BAD_CONS,	/* u64: consumer position out of range */
	IIOT_A_FILL,		/* u64: bytes waiting in the ring (reply) */
	IIOT_A_SNAP_MAX,	/* u32: largest snaplen this ring takes */
	IIOT_A_ABI_VERSION,	/* u32: IIOT_RING_ABI_VERSION (reply) */
	IIOT_A_EVENT,		/* u8: enum iiot_event (multicast) */
	IIOT_A_OVERFLOWS,	/* u64: overflow episodes (reply) */

	__IIOT_A_MAX,
	IIOT_A_MAX = __IIOT_A_MAX - 1
};

enum iiot_filter_attr {
	IIOT_FA_UNSPEC,
	IIOT_FA_ETHERTYPE,	/* u16, host order, >= 0x0600 */
	IIOT_FA_PNIO_CM,	/* flag: IPv4 UDP port 34964 too
				 * (iiot/capture_filter.h) */

	__IIOT_FA_MAX,
	IIOT_FA_MAX = __IIOT_FA_MAX - 1
};

enum iiot_state {
	IIOT_STATE_CAPTURING = 0,
	IIOT_STATE_OVERFLOW = 1,	/* ring full, frames being dropped */
};

enum iiot_event {
	IIOT_EVENT_ATTACH = 1,
	IIOT_EVENT_DETACH = 2,
	IIOT_EVENT_OVERFLOW_BEGIN = 3,
	IIOT_EVENT_OVERFLOW_END = 4,
};

#endif /* IIOT_GENL_ABI_H */
