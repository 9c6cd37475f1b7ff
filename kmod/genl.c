// SPDX-License-Identifier: GPL-2.0
/*
 * The "iiot" generic netlink family (include/iiot/genl_abi.h): strict
 * policies reject malformed requests before any handler runs; handlers
 * explain every refusal in the extended ack.
 */
#include <linux/if_ether.h>
#include <linux/rtnetlink.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "iiot.h"

static struct netlink_range_validation iiot_ring_range __ro_after_init = {
	.min = IIOT_RING_MIN_DATA,
	.max = IIOT_RING_MAX_DATA,
};

static const struct nla_policy iiot_filter_policy[IIOT_FA_MAX + 1] = {
	/* below 0x0600 the field is an 802.3 length, not a type */
	[IIOT_FA_ETHERTYPE] = NLA_POLICY_MIN(NLA_U16, ETH_P_802_3_MIN),
	[IIOT_FA_PNIO_CM] = { .type = NLA_FLAG },
};

/* attributes only sent by the kernel stay NLA_UNSPEC: refused in requests */
static const struct nla_policy iiot_policy[IIOT_A_MAX + 1] = {
	[IIOT_A_IFINDEX] = NLA_POLICY_MIN(NLA_U32, 1),
	[IIOT_A_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
	[IIOT_A_RING_SIZE] = NLA_POLICY_FULL_RANGE(NLA_U32, &iiot_ring_range),
	[IIOT_A_SNAPLEN] = NLA_POLICY_RANGE(NLA_U32, IIOT_SNAP_MIN,
					    IIOT_RING_MAX_SNAP),
	[IIOT_A_FILTER] = NLA_POLICY_NESTED(iiot_filter_policy),
};

static struct genl_family iiot_family;

/* The interface a request names, under RTNL. */
static struct net_device *iiot_nl_dev(struct genl_info *info)
{
	struct nlattr *ai = info->attrs[IIOT_A_IFINDEX];
	struct nlattr *an = info->attrs[IIOT_A_IFNAME];
	struct net *net = genl_info_net(info);
	struct net_device *dev = NULL;

	if (!ai && !an) {
		NL_SET_ERR_MSG(info->extack,
			       "name the interface (IIOT_A_IFNAME or IIOT_A_IFINDEX)");
		return ERR_PTR(-EINVAL);
	}
	if (ai)
		dev = __dev_get_by_index(net, nla_get_u32(ai));
	if (!ai && an)
		dev = __dev_get_by_name(net, nla_data(an));
	if (!dev) {
		NL_SET_ERR_MSG_ATTR(info->extack, ai ?: an,
				    "no such network interface");
		return ERR_PTR(-ENODEV);
	}
	if (ai && an && strcmp(dev->name, nla_data(an))) {
		NL_SET_ERR_MSG_ATTR(info->extack, an,
				    "interface name and index disagree");
		return ERR_PTR(-EINVAL);
	}
	return dev;
}

static struct iiot_cap *iiot_nl_cap(struct genl_info *info)
{
	struct net_device *dev = iiot_nl_dev(info);
	struct iiot_cap *cap;

	if (IS_ERR(dev))
		return ERR_CAST(dev);
	cap = iiot_cap_find(dev);
	if (!cap) {
		NL_SET_ERR_MSG(info->extack, "interface is not attached");
		return ERR_PTR(-ENOENT);
	}
	return cap;
}

static int iiot_nl_filter(const struct nlattr *nest, struct iiot_filter *f,
			  struct netlink_ext_ack *extack)
{
	const struct nlattr *a;
	unsigned int i;
	__be16 type;
	int rem;

	memset(f, 0, sizeof(*f));
	nla_for_each_nested(a, nest, rem) {
		if (nla_type(a) == IIOT_FA_PNIO_CM) {
			f->pnio_cm = true;
			continue;
		}
		type = htons(nla_get_u16(a));
		for (i = 0; i < f->n && f->types[i] != type; i++)
			;
		if (i < f->n)
			continue;
		if (f->n == IIOT_FILTER_MAX) {
			NL_SET_ERR_MSG_ATTR(extack, a,
					    "too many ethertypes in the filter (at most 16)");
			return -E2BIG;
		}
		f->types[f->n++] = type;
	}
	if (!f->n && !f->pnio_cm) {
		NL_SET_ERR_MSG_ATTR(extack, nest,
				    "the filter names no ethertype");
		return -EINVAL;
	}
	return 0;
}

static int iiot_nl_fill(struct sk_buff *skb, struct iiot_cap *cap,
			u32 portid, u32 seq, int flags)
{
	const struct iiot_ring_prod *p = cap->ring.prod;
	const struct iiot_filter *f;
	struct nlattr *nest;
	unsigned int i;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &iiot_family, flags,
			  IIOT_CMD_LIST);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, IIOT_A_IFINDEX, cap->ifindex) ||
	    nla_put_string(skb, IIOT_A_IFNAME, cap->ifname) ||
	    nla_put_u8(skb, IIOT_A_STATE, iiot_cap_state(cap)) ||
	    nla_put_u32(skb, IIOT_A_RING_SIZE, cap->ring.size) ||
	    nla_put_u32(skb, IIOT_A_SNAPLEN, READ_ONCE(cap->snaplen)) ||
	    nla_put_u32(skb, IIOT_A_SNAP_MAX, cap->ring.snap_max) ||
	    nla_put_u32(skb, IIOT_A_ABI_VERSION, IIOT_RING_ABI_VERSION) ||
	    nla_put_u64_64bit(skb, IIOT_A_FRAMES, READ_ONCE(p->records),
			      IIOT_A_PAD) ||
	    nla_put_u64_64bit(skb, IIOT_A_BYTES, READ_ONCE(p->bytes),
			      IIOT_A_PAD) ||
	    nla_put_u64_64bit(skb, IIOT_A_DROPS, READ_ONCE(p->drops),
			      IIOT_A_PAD) ||
	    nla_put_u64_64bit(skb, IIOT_A_DROP_BYTES, READ_ONCE(p->drop_bytes),
			      IIOT_A_PAD) ||
	    nla_put_u64_64bit(skb, IIOT_A_TRUNCATED, READ_ONCE(p->truncated),
			      IIOT_A_PAD) ||
	    nla_put_u64_64bit(skb, IIOT_A_BAD_CONS, READ_ONCE(p->bad_cons),
			      IIOT_A_PAD) ||
	    nla_put_u64_64bit(skb, IIOT_A_FILL, iiot_ring_fill(&cap->ring),
			      IIOT_A_PAD) ||
	    nla_put_u64_64bit(skb, IIOT_A_OVERFLOWS,
			      READ_ONCE(cap->overflows), IIOT_A_PAD))
		goto cancel;
	nest = nla_nest_start(skb, IIOT_A_FILTER);
	if (!nest)
		goto cancel;
	f = rtnl_dereference(cap->filter);
	for (i = 0; i < f->n; i++)
		if (nla_put_u16(skb, IIOT_FA_ETHERTYPE, ntohs(f->types[i])))
			goto cancel;
	if (f->pnio_cm && nla_put_flag(skb, IIOT_FA_PNIO_CM))
		goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static int iiot_nl_attach(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	struct iiot_cap_opts o = {
		.ring_size = IIOT_RING_DEFAULT_DATA,
		.snaplen = IIOT_RING_DEFAULT_SNAP,
	};
	struct iiot_filter filter;
	struct net_device *dev;
	int err;

	if (a[IIOT_A_RING_SIZE]) {
		o.ring_size = nla_get_u32(a[IIOT_A_RING_SIZE]);
		if (!is_power_of_2(o.ring_size)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a[IIOT_A_RING_SIZE],
					    "ring size must be a power of two");
			return -EINVAL;
		}
	}
	if (a[IIOT_A_SNAPLEN])
		o.snaplen = nla_get_u32(a[IIOT_A_SNAPLEN]);
	else
		o.snaplen = min(o.snaplen, iiot_ring_snap_max(o.ring_size));
	if (a[IIOT_A_FILTER]) {
		err = iiot_nl_filter(a[IIOT_A_FILTER], &filter, info->extack);
		if (err)
			return err;
		o.filter = &filter;
	}

	rtnl_lock();
	dev = iiot_nl_dev(info);
	err = IS_ERR(dev) ? PTR_ERR(dev) :
			    iiot_cap_attach(dev, &o, info->extack);
	rtnl_unlock();
	return err;
}

static int iiot_nl_detach(struct sk_buff *skb, struct genl_info *info)
{
	struct iiot_cap *cap;
	int err = 0;

	rtnl_lock();
	cap = iiot_nl_cap(info);
	if (IS_ERR(cap))
		err = PTR_ERR(cap);
	else
		iiot_cap_detach(cap);
	rtnl_unlock();
	return err;
}

static int iiot_nl_get(struct sk_buff *skb, struct genl_info *info)
{
	struct iiot_cap *cap;
	struct sk_buff *msg;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	rtnl_lock();
	cap = iiot_nl_cap(info);
	if (IS_ERR(cap))
		err = PTR_ERR(cap);
	else
		err = iiot_nl_fill(msg, cap, info->snd_portid, info->snd_seq,
				   0);
	rtnl_unlock();
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int iiot_nl_list(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	unsigned long i = cb->args[0];
	struct iiot_cap *cap;

	rtnl_lock();
	for (; (cap = iiot_cap_nth(i)); i++) {
		if (!net_eq(read_pnet(&cap->net), net))
			continue;
		if (iiot_nl_fill(skb, cap, NETLINK_CB(cb->skb).portid,
				 cb->nlh->nlmsg_seq, NLM_F_MULTI))
			break;
	}
	rtnl_unlock();
	cb->args[0] = i;
	return skb->len;
}

static int iiot_nl_set_filter(struct sk_buff *skb, struct genl_info *info)
{
	struct iiot_filter filter;
	struct iiot_cap *cap;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, IIOT_A_FILTER))
		return -EINVAL;
	err = iiot_nl_filter(info->attrs[IIOT_A_FILTER], &filter,
			     info->extack);
	if (err)
		return err;
	rtnl_lock();
	cap = iiot_nl_cap(info);
	err = IS_ERR(cap) ? PTR_ERR(cap) : iiot_cap_set_filter(cap, &filter);
	rtnl_unlock();
	return err;
}

static int iiot_nl_set_snaplen(struct sk_buff *skb, struct genl_info *info)
{
	struct iiot_cap *cap;
	u32 snaplen;
	int err;

	if (GENL_REQ_ATTR_CHECK(info, IIOT_A_SNAPLEN))
		return -EINVAL;
	snaplen = nla_get_u32(info->attrs[IIOT_A_SNAPLEN]);
	rtnl_lock();
	cap = iiot_nl_cap(info);
	err = IS_ERR(cap) ? PTR_ERR(cap) :
			    iiot_cap_set_snaplen(cap, snaplen, info->extack);
	rtnl_unlock();
	return err;
}

static const struct genl_small_ops iiot_ops[] = {
	{
		.cmd = IIOT_CMD_ATTACH,
		.flags = GENL_ADMIN_PERM,
		.doit = iiot_nl_attach,
	},
	{
		.cmd = IIOT_CMD_DETACH,
		.flags = GENL_ADMIN_PERM,
		.doit = iiot_nl_detach,
	},
	{
		.cmd = IIOT_CMD_LIST,
		.dumpit = iiot_nl_list,
	},
	{
		.cmd = IIOT_CMD_GET_STATS,
		.doit = iiot_nl_get,
	},
	{
		.cmd = IIOT_CMD_SET_FILTER,
		.flags = GENL_ADMIN_PERM,
		.doit = iiot_nl_set_filter,
	},
	{
		.cmd = IIOT_CMD_SET_SNAPLEN,
		.flags = GENL_ADMIN_PERM,
		.doit = iiot_nl_set_snaplen,
	},
};

enum iiot_mcgrp { IIOT_MCGRP_EVENTS };

static const struct genl_multicast_group iiot_mcgrps[] = {
	[IIOT_MCGRP_EVENTS] = { .name = IIOT_GENL_MCGRP_EVENTS },
};

static struct genl_family iiot_family __ro_after_init = {
	.name = IIOT_GENL_NAME,
	.version = IIOT_GENL_VERSION,
	.maxattr = IIOT_A_MAX,
	.policy = iiot_policy,
	.netnsok = true,
	.parallel_ops = true,	/* handlers serialise on RTNL */
	.module = THIS_MODULE,
	.small_ops = iiot_ops,
	.n_small_ops = ARRAY_SIZE(iiot_ops),
	.mcgrps = iiot_mcgrps,
	.n_mcgrps = ARRAY_SIZE(iiot_mcgrps),
};

void iiot_genl_event(struct iiot_cap *cap, u8 event, gfp_t gfp)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, gfp);
	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &iiot_family, 0, IIOT_CMD_EVENT);
	if (!hdr)
		goto free;
	if (nla_put_u8(skb, IIOT_A_EVENT, event) ||
	    nla_put_u32(skb, IIOT_A_IFINDEX, cap->ifindex) ||
	    nla_put_string(skb, IIOT_A_IFNAME, cap->ifname) ||
	    nla_put_u64_64bit(skb, IIOT_A_DROPS,
			      READ_ONCE(cap->ring.prod->drops), IIOT_A_PAD))
		goto free;
	genlmsg_end(skb, hdr);
	/* no listener (-ESRCH) is fine: events are best effort */
	genlmsg_multicast_netns(&iiot_family, read_pnet(&cap->net), skb, 0,
				IIOT_MCGRP_EVENTS, gfp);
	return;
free:
	nlmsg_free(skb);
}

int iiot_genl_init(void)
{
	return genl_register_family(&iiot_family);
}

void iiot_genl_exit(void)
{
	genl_unregister_family(&iiot_family);
}
