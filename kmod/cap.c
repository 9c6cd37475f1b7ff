// SPDX-License-Identifier: GPL-2.0
/*
 * Captures: attaching to and detaching from interfaces, and changing the
 * filter or snap length of one.  Everything here runs under RTNL.
 */
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/poll.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "iiot.h"

static LIST_HEAD(iiot_caps);
static unsigned int iiot_ncaps;
static bool iiot_unloading;

static const struct iiot_filter iiot_default_filter = {
	.n = 3,
	.types = { htons(ETH_P_ETHERCAT), htons(ETH_P_PROFINET),
		   htons(ETH_P_LLDP) },
	.pnio_cm = true,
};

struct iiot_cap *iiot_cap_find(const struct net_device *dev)
{
	struct iiot_cap *cap;

	ASSERT_RTNL();
	list_for_each_entry(cap, &iiot_caps, node)
		if (cap->dev == dev)
			return cap;
	return NULL;
}

struct iiot_cap *iiot_cap_nth(unsigned int n)
{
	struct iiot_cap *cap;

	ASSERT_RTNL();
	list_for_each_entry(cap, &iiot_caps, node)
		if (!n--)
			return cap;
	return NULL;
}

static bool name_taken(const char *ifname)
{
	struct iiot_cap *cap;

	list_for_each_entry(cap, &iiot_caps, node)
		if (!strcmp(cap->ifname, ifname))
			return true;
	return false;
}

void iiot_cap_get(struct iiot_cap *cap)
{
	kref_get(&cap->ref);
}

static void iiot_cap_release(struct kref *ref)
{
	struct iiot_cap *cap = container_of(ref, struct iiot_cap, ref);

	/* the hook is gone (dev_remove_pack waited for it): no RCU reader */
	kfree(rcu_dereference_protected(cap->filter, 1));
	iiot_ring_free(&cap->ring);
	kfree(cap);
}

void iiot_cap_put(struct iiot_cap *cap)
{
	kref_put(&cap->ref, iiot_cap_release);
}

unsigned int iiot_cap_state(struct iiot_cap *cap)
{
	return READ_ONCE(cap->overflow) ? IIOT_STATE_OVERFLOW :
					  IIOT_STATE_CAPTURING;
}

int iiot_cap_attach(struct net_device *dev, const struct iiot_cap_opts *o,
		    struct netlink_ext_ack *extack)
{
	struct iiot_filter *filter;
	struct iiot_cap *cap;
	int err;

	ASSERT_RTNL();
	if (iiot_unloading) {
		NL_SET_ERR_MSG(extack, "iiot module is unloading");
		return -ESHUTDOWN;
	}
	if (iiot_cap_find(dev)) {
		NL_SET_ERR_MSG(extack, "interface is already attached");
		return -EEXIST;
	}
	if (name_taken(dev->name)) {
		NL_SET_ERR_MSG(extack,
			       "an interface of this name is attached in another network namespace");
		return -EEXIST;
	}
	if (iiot_ncaps >= IIOT_MAX_CAPS) {
		NL_SET_ERR_MSG(extack, "too many attached interfaces");
		return -ENOSPC;
	}
	if (dev->type != ARPHRD_ETHER) {
		NL_SET_ERR_MSG(extack, "not an Ethernet interface");
		return -EOPNOTSUPP;
	}
	if (o->snaplen > iiot_ring_snap_max(o->ring_size)) {
		NL_SET_ERR_MSG(extack,
			       "snap length too large for this ring size: a record may take at most a quarter of the ring");
		return -EINVAL;
	}

	cap = kzalloc(sizeof(*cap), GFP_KERNEL);
	if (!cap)
		return -ENOMEM;
	kref_init(&cap->ref);
	spin_lock_init(&cap->lock);
	init_waitqueue_head(&cap->wq);
	INIT_WORK(&cap->event_work, iiot_cap_overflow_work);
	write_pnet(&cap->net, dev_net(dev));
	cap->ifindex = dev->ifindex;
	strscpy(cap->ifname, dev->name, sizeof(cap->ifname));
	cap->snaplen = o->snaplen;

	err = -ENOMEM;
	filter = kmemdup(o->filter ?: &iiot_default_filter, sizeof(*filter),
			 GFP_KERNEL);
	if (!filter)
		goto free_cap;
	RCU_INIT_POINTER(cap->filter, filter);

	err = iiot_ring_alloc(&cap->ring, o->ring_size, dev->ifindex,
			      dev->name);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot allocate the ring");
		goto free_filter;
	}
	err = iiot_chardev_add(cap);
	if (err) {
		NL_SET_ERR_MSG(extack, "cannot register the ring device");
		goto free_ring;
	}

	cap->dev = dev;
	netdev_hold(dev, &cap->dev_tracker, GFP_KERNEL);
	cap->pt.type = htons(ETH_P_ALL);
	cap->pt.dev = dev;
	cap->pt.func = iiot_hook_rcv;
	list_add_tail(&cap->node, &iiot_caps);
	iiot_ncaps++;
	dev_add_pack(&cap->pt);
	iiot_genl_event(cap, IIOT_EVENT_ATTACH, GFP_KERNEL);
	netdev_info(dev, "iiot: capturing into %s (%llu byte ring)\n",
		    cap->node_name, cap->ring.size);
	return 0;

free_ring:
	iiot_ring_free(&cap->ring);
free_filter:
	kfree(filter);
free_cap:
	kfree(cap);
	return err;
}

void iiot_cap_detach(struct iiot_cap *cap)
{
	ASSERT_RTNL();
	list_del(&cap->node);
	iiot_ncaps--;
	/* waits (synchronize_net) until no CPU runs the hook any more */
	dev_remove_pack(&cap->pt);
	cancel_work_sync(&cap->event_work);

	iiot_ring_close(&cap->ring);
	WRITE_ONCE(cap->closed, true);
	wake_up_interruptible_poll(&cap->wq, EPOLLIN | EPOLLHUP);
	iiot_genl_event(cap, IIOT_EVENT_DETACH, GFP_KERNEL);
	iiot_chardev_del(cap);
	netdev_info(cap->dev, "iiot: detached\n");
	netdev_put(cap->dev, &cap->dev_tracker);
	cap->dev = NULL;
	/* open readers keep the ring until they close it */
	iiot_cap_put(cap);
}

void iiot_cap_detach_all(void)
{
	struct iiot_cap *cap, *tmp;

	ASSERT_RTNL();
	iiot_unloading = true;
	list_for_each_entry_safe(cap, tmp, &iiot_caps, node)
		iiot_cap_detach(cap);
}

int iiot_cap_set_filter(struct iiot_cap *cap, const struct iiot_filter *f)
{
	struct iiot_filter *nf, *old;

	ASSERT_RTNL();
	nf = kmemdup(f, sizeof(*nf), GFP_KERNEL);
	if (!nf)
		return -ENOMEM;
	old = rtnl_dereference(cap->filter);
	rcu_assign_pointer(cap->filter, nf);
	kfree_rcu(old, rcu);
	return 0;
}

int iiot_cap_set_snaplen(struct iiot_cap *cap, u32 snaplen,
			 struct netlink_ext_ack *extack)
{
	ASSERT_RTNL();
	if (snaplen > cap->ring.snap_max) {
		NL_SET_ERR_MSG(extack,
			       "snap length larger than this ring takes (see snap_max): detach and attach with a larger ring");
		return -EINVAL;
	}
	WRITE_ONCE(cap->snaplen, snaplen);
	return 0;
}

int iiot_filter_print(struct iiot_cap *cap, char *buf, size_t len)
{
	const struct iiot_filter *f;
	unsigned int i;
	int n = 0;

	rcu_read_lock();
	f = rcu_dereference(cap->filter);
	for (i = 0; f && i < f->n; i++)
		n += scnprintf(buf + n, len - n, "%s0x%04x", i ? " " : "",
			       ntohs(f->types[i]));
	if (f && f->pnio_cm)
		n += scnprintf(buf + n, len - n, "%s" IIOT_FILTER_PNIO_CM_NAME,
			       f->n ? " " : "");
	rcu_read_unlock();
	n += scnprintf(buf + n, len - n, "\n");
	return n;
}

/*
 * Overflow events, sent from process context.  Episodes that began and
 * ended before this work ran fold into one begin/end pair.
 */
void iiot_cap_overflow_work(struct work_struct *work)
{
	struct iiot_cap *cap = container_of(work, struct iiot_cap, event_work);
	u64 begun, ended;

	spin_lock_bh(&cap->lock);
	begun = cap->overflows;
	ended = cap->overflows_ended;
	spin_unlock_bh(&cap->lock);

	if (ended > cap->sent_end) {
		if (cap->sent_begin == cap->sent_end)
			iiot_genl_event(cap, IIOT_EVENT_OVERFLOW_BEGIN,
					GFP_KERNEL);
		iiot_genl_event(cap, IIOT_EVENT_OVERFLOW_END, GFP_KERNEL);
		cap->sent_begin = ended;
		cap->sent_end = ended;
	}
	if (begun > cap->sent_begin && cap->sent_begin == cap->sent_end) {
		iiot_genl_event(cap, IIOT_EVENT_OVERFLOW_BEGIN, GFP_KERNEL);
		cap->sent_begin = begun;
	}
}
