// SPDX-License-Identifier: GPL-2.0
/*
 * The packet hook: a per-device ETH_P_ALL packet_type, the same tap the
 * kernel gives AF_PACKET.  It sees every frame of the interface, RX and
 * TX, after the driver and before the protocol stack, and never changes
 * the skb: frames the stack needs go on untouched, whatever happens here.
 *
 * A frame is "viewed" as its MAC header (before skb->data on receive)
 * followed by the skb data.  A VLAN tag the driver or the stack moved out
 * of the frame (skb->vlan_tci) is put back in the copy, so the ring holds
 * the frame as it was on the wire.
 */
#include <linux/if_vlan.h>
#include <linux/ktime.h>
#include <linux/poll.h>
#include <linux/skbuff.h>

#include "iiot.h"

static int view_copy(const struct sk_buff *skb, unsigned int hlen,
		     unsigned int off, void *dst, unsigned int len)
{
	unsigned int n;

	if (off < hlen) {
		n = min(len, hlen - off);
		memcpy(dst, skb_mac_header(skb) + off, n);
		dst += n;
		off += n;
		len -= n;
	}
	return len ? skb_copy_bits(skb, off - hlen, dst, len) : 0;
}

static bool filter_has(const struct iiot_filter *f, __be16 type)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (f->types[i] == type)
			return true;
	return false;
}

/*
 * PNIO-CM in the IPv4 packet at view offset off: its first bytes (a
 * header with the most options and the ports at most) copied out, as
 * many as the frame has.
 */
static bool ip_is_pnio_cm(const struct sk_buff *skb, unsigned int hlen,
			  unsigned int off)
{
	u8 ip[60 + 4];
	unsigned int n;

	if (hlen + skb->len <= off)
		return false;
	n = min_t(unsigned int, sizeof(ip), hlen + skb->len - off);
	return !view_copy(skb, hlen, off, ip, n) &&
	       iiot_ipv4_is_pnio_cm(ip, n);
}

/*
 * Match the outer ethertype (so a filter may name 0x8100) or the one
 * inside at most two VLAN tags; behind it, IPv4 is looked into only for
 * PNIO-CM.
 */
static bool frame_matches(struct iiot_cap *cap, const struct sk_buff *skb,
			  unsigned int hlen)
{
	const struct iiot_filter *f;
	__be16 outer, inner;
	unsigned int off = 2 * ETH_ALEN, i;
	bool hit, cm;

	if (view_copy(skb, hlen, off, &inner, sizeof(inner)))
		return false;
	outer = skb_vlan_tag_present(skb) ? skb->vlan_proto : inner;
	for (i = 0; i < 2 && eth_type_vlan(inner); i++) {
		off += VLAN_HLEN;
		if (view_copy(skb, hlen, off, &inner, sizeof(inner)))
			break;
	}
	rcu_read_lock();
	f = rcu_dereference(cap->filter);
	hit = f && (filter_has(f, inner) || filter_has(f, outer));
	cm = f && !hit && f->pnio_cm && inner == htons(ETH_P_IP);
	rcu_read_unlock();
	return hit || (cm && ip_is_pnio_cm(skb, hlen, off + 2));
}

static void frame_copy(const struct sk_buff *skb, unsigned int hlen,
		       bool tagged, u8 *dst, unsigned int len)
{
	unsigned int n;
	__be16 tag[2];

	if (!tagged) {
		n = 0;
	} else {
		n = min_t(unsigned int, len, 2 * ETH_ALEN);
		if (view_copy(skb, hlen, 0, dst, n))
			goto fault;
		tag[0] = skb->vlan_proto;
		tag[1] = htons(skb_vlan_tag_get(skb));
		memcpy(dst + n, tag, min_t(unsigned int, len - n, VLAN_HLEN));
		if (len <= n + VLAN_HLEN)
			return;
		dst += n + VLAN_HLEN;
		len -= n + VLAN_HLEN;
	}
	if (view_copy(skb, hlen, n, dst, len))
		goto fault;
	return;
fault:
	/* cannot happen for len <= frame length; never leak stale bytes */
	memset(dst, 0, len);
}

int iiot_hook_rcv(struct sk_buff *skb, struct net_device *dev,
		  struct packet_type *pt, struct net_device *orig_dev)
{
	struct iiot_cap *cap = container_of(pt, struct iiot_cap, pt);
	struct iiot_ring *r = &cap->ring;
	bool tagged, event = false;
	u32 wire_len, cap_len;
	unsigned int hlen;
	u16 flags = 0;
	ktime_t hw;
	u64 ts;
	void *p;

	if (!skb_mac_header_was_set(skb) || skb_mac_header(skb) > skb->data)
		goto out;
	hlen = skb->data - skb_mac_header(skb);
	if (hlen + skb->len < ETH_HLEN || !frame_matches(cap, skb, hlen))
		goto out;

	tagged = skb_vlan_tag_present(skb);
	wire_len = hlen + skb->len + (tagged ? VLAN_HLEN : 0);
	cap_len = min(wire_len, READ_ONCE(cap->snaplen));
	if (cap_len < wire_len)
		flags |= IIOT_RECF_TRUNCATED;
	if (skb->pkt_type == PACKET_OUTGOING)
		flags |= IIOT_RECF_TX;
	hw = skb_hwtstamps(skb)->hwtstamp;
	if (hw) {
		ts = ktime_to_ns(hw);
		flags |= IIOT_RECF_TS_HW;
	} else {
		ts = ktime_get_real_ns();
	}

	spin_lock(&cap->lock);
	p = iiot_ring_reserve(r, cap_len, wire_len, cap->ifindex, ts, flags);
	if (p) {
		frame_copy(skb, hlen, tagged, p, cap_len);
		/* hysteresis: an overflow ends once half the ring is free */
		if (cap->overflow && r->head - READ_ONCE(r->cons->pos) <=
		    r->size / 2) {
			WRITE_ONCE(cap->overflow, false);
			cap->overflows_ended++;
			event = true;
		}
		iiot_ring_commit(r);
	} else if (!cap->overflow) {
		/* sysfs and netlink read these without the lock */
		WRITE_ONCE(cap->overflow, true);
		WRITE_ONCE(cap->overflows, cap->overflows + 1);
		event = true;
	}
	spin_unlock(&cap->lock);

	if (p && wq_has_sleeper(&cap->wq))
		wake_up_interruptible_poll(&cap->wq, EPOLLIN | EPOLLRDNORM);
	if (event)
		schedule_work(&cap->event_work);
out:
	consume_skb(skb);
	return NET_RX_SUCCESS;
}
