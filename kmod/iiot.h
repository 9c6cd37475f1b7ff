/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iiot.ko internals: one struct iiot_cap per attached interface, holding
 * the packet hook, the ring and the device that maps it.
 *
 * Locking: RTNL guards the list of captures and every change to one
 * (attach, detach, filter, snap length), so the netdevice notifier and the
 * netlink commands never race.  cap->lock serialises producers (the hook
 * runs on any CPU, RX and TX); readers of counters take no lock.
 *
 * Lifetime: a capture is reference counted.  The attachment holds one
 * reference, every open file another, so a ring stays mapped and valid
 * after detach until the last reader closes it (it then sees the ring
 * closed and drained).
 */
#ifndef IIOT_KMOD_H
#define IIOT_KMOD_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/netdevice.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "iiot/capture_filter.h"
#include "iiot/genl_abi.h"
#include "iiot/ring_abi.h"

#define IIOT_VERSION		"0.1.0"
#define IIOT_MAX_CAPS		64

struct iiot_filter {
	struct rcu_head rcu;
	unsigned int n;
	bool pnio_cm;			/* IPv4 UDP port 34964 too */
	__be16 types[IIOT_FILTER_MAX];
};

struct iiot_ring {
	void *mem;			/* vmalloc_user: header .. data */
	size_t mem_size;
	struct iiot_ring_hdr *hdr;
	struct iiot_ring_prod *prod;
	struct iiot_ring_cons *cons;	/* written by user space */
	u8 *data;
	u64 size;
	u64 head;			/* producer position, private copy */
	u32 snap_max;			/* hdr->snap_len: cap_len bound */
};

struct iiot_cap {
	struct list_head node;		/* iiot_caps, under RTNL */
	struct kref ref;
	struct net_device *dev;
	netdevice_tracker dev_tracker;
	possible_net_t net;
	int ifindex;
	char ifname[IFNAMSIZ];
	char misc_name[IFNAMSIZ + 8];
	char node_name[IFNAMSIZ + 8];

	struct packet_type pt;
	struct miscdevice misc;
	struct iiot_filter __rcu *filter;
	u32 snaplen;

	spinlock_t lock;		/* producers */
	struct iiot_ring ring;
	bool overflow;			/* under lock */
	u64 overflows;			/* episodes begun, under lock */
	u64 overflows_ended;		/* under lock */
	u64 sent_begin, sent_end;	/* event work only */
	struct work_struct event_work;

	wait_queue_head_t wq;
	bool closed;			/* detached: readers see hang-up */
};

/* ring.c */
int iiot_ring_alloc(struct iiot_ring *r, u64 size, u32 ifindex,
		    const char *name);
void iiot_ring_free(struct iiot_ring *r);
u32 iiot_ring_snap_max(u64 size);
void *iiot_ring_reserve(struct iiot_ring *r, u32 cap_len, u32 wire_len,
			u32 ifindex, u64 ts, u16 flags);
void iiot_ring_commit(struct iiot_ring *r);
u64 iiot_ring_fill(const struct iiot_ring *r);
void iiot_ring_close(struct iiot_ring *r);

/* hook.c */
int iiot_hook_rcv(struct sk_buff *skb, struct net_device *dev,
		  struct packet_type *pt, struct net_device *orig_dev);

/* cap.c */
struct iiot_cap_opts {
	u64 ring_size;
	u32 snaplen;
	const struct iiot_filter *filter;	/* NULL: the default */
};

struct iiot_cap *iiot_cap_find(const struct net_device *dev);
int iiot_cap_attach(struct net_device *dev, const struct iiot_cap_opts *o,
		    struct netlink_ext_ack *extack);
void iiot_cap_detach(struct iiot_cap *cap);
void iiot_cap_detach_all(void);
int iiot_cap_set_filter(struct iiot_cap *cap, const struct iiot_filter *f);
int iiot_cap_set_snaplen(struct iiot_cap *cap, u32 snaplen,
			 struct netlink_ext_ack *extack);
void iiot_cap_put(struct iiot_cap *cap);
void iiot_cap_get(struct iiot_cap *cap);
struct iiot_cap *iiot_cap_nth(unsigned int n);
unsigned int iiot_cap_state(struct iiot_cap *cap);
void iiot_cap_overflow_work(struct work_struct *work);
int iiot_filter_print(struct iiot_cap *cap, char *buf, size_t len);

/* chardev.c */
int iiot_chardev_add(struct iiot_cap *cap);
void iiot_chardev_del(struct iiot_cap *cap);

/* sysfs.c */
const struct attribute_group **iiot_sysfs_groups(void);

/* genl.c */
int iiot_genl_init(void);
void iiot_genl_exit(void);
void iiot_genl_event(struct iiot_cap *cap, u8 event, gfp_t gfp);

#endif /* IIOT_KMOD_H */
