/*
 * PROFINET: controllers and devices by MAC; station name, IP, vendor and
 * device ID and role from DCP; cyclic links by sender and FrameID with
 * cycle-counter gaps and data-status changes; alarms.
 *
 * Roles: DCP says it when it can (device role bits, who answers Identify);
 * otherwise whoever sends Identify requests or PNIO-CM Connect requests,
 * or sends cyclic data to a named device without being named itself, is a
 * controller.
 */
#include <stdio.h>
#include <string.h>

#include "model/model_int.h"

#define DCP_ROLE_DEVICE		0x01
#define DCP_ROLE_CONTROLLER	0x02

static void make_controller(struct model *m, struct model_device *dev,
			    uint64_t ts, const char *why)
{
	if (dev->kind == MODEL_DEV_PN_CONTROLLER)
		return;
	dev->kind = MODEL_DEV_PN_CONTROLLER;
	mdev_event(m, dev, MODEL_EV_IDENTITY, ts, "pn-controller (%s)", why);
}

static void ip_str(uint32_t ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
		 (ip >> 8) & 0xff, ip & 0xff);
}

/*
 * Identity a device states about itself (Identify/Get response, Hello).
 * A NameOfStation the decoder found invalid (anything but letters, digits,
 * '-' and '.') is not taken: it could not address the device, and its
 * bytes could be terminal controls or not UTF-8.  The decoder's anomaly
 * counts it, and the device's errors.
 */
static void dcp_identity(struct model *m, struct model_device *dev,
			 const struct decoded *d, uint64_t ts)
{
	const struct decode_dcp *c = &d->dcp;
	bool name_ok = !(d->anomalies & (1ULL << DECODE_A_DCP_BAD_NAME));
	char ip[16];
	bool rebind = false;

	if ((c->fields & DCP_F_NAME) && name_ok &&
	    c->name_len < MODEL_STATION_MAX) {
		if (!(dev->has & MODEL_HAS_NAME) ||
		    strlen(dev->station_name) != c->name_len ||
		    memcmp(dev->station_name, c->name_of_station,
			   c->name_len)) {
			memcpy(dev->station_name, c->name_of_station,
			       c->name_len);
			dev->station_name[c->name_len] = '\0';
			dev->has |= MODEL_HAS_NAME;
			mdev_event(m, dev, MODEL_EV_NAME, ts,
				   "station name '%s'", dev->station_name);
			rebind = true;
		}
	}
	if ((c->fields & DCP_F_IP) &&
	    (!(dev->has & MODEL_HAS_IP) || dev->ip != c->ip)) {
		dev->ip = c->ip;
		dev->netmask = c->mask;
		dev->gateway = c->gw;
		dev->has |= MODEL_HAS_IP;
		ip_str(c->ip, ip, sizeof(ip));
		mdev_event(m, dev, MODEL_EV_NAME, ts, "ip %s", ip);
	}
	if ((c->fields & DCP_F_VENDOR) &&
	    (!(dev->has & MODEL_HAS_VENDOR) || dev->vendor_id != c->vendor_id ||
	     dev->product_code != c->device_id)) {
		dev->vendor_id = c->vendor_id;
		dev->product_code = c->device_id;
		dev->has |= MODEL_HAS_VENDOR | MODEL_HAS_PRODUCT;
		mdev_event(m, dev, MODEL_EV_IDENTITY, ts,
			   "vendor 0x%04x device 0x%04x", c->vendor_id,
			   c->device_id);
	}
	if (c->fields & DCP_F_ROLE) {
		dev->role = c->role;
		dev->has |= MODEL_HAS_ROLE;
		if ((c->role & DCP_ROLE_CONTROLLER) &&
		    !(c->role & DCP_ROLE_DEVICE))
			make_controller(m, dev, ts, "DCP role");
	}
	if (rebind)
		msig_bind(m, dev);
}

static void pn_dcp(struct model *m, const struct decoded *d,
		   struct model_device *src, uint64_t ts)
{
	const struct decode_dcp *c = &d->dcp;
	struct model_device *dst;

	m->ctr.dcp_frames++;
	switch (c->service_id) {
	case DCP_IDENTIFY:
		if (c->service_type == 0)
			make_controller(m, src, ts, "sends DCP Identify");
		else
			dcp_identity(m, src, d, ts);
		break;
	case DCP_HELLO:
		dcp_identity(m, src, d, ts);
		break;
	case DCP_GET:
		if (c->service_type != 0)
			dcp_identity(m, src, d, ts);
		else
			make_controller(m, src, ts, "sends DCP Get");
		break;
	case DCP_SET:
		if (c->service_type != 0)
			break;
		/* devices answer Sets; controllers and tools send them */
		make_controller(m, src, ts, "sends DCP Set");
		/* a Set changes another device: its history says who */
		dst = mdev_by_mac(m, d->dst, MODEL_DEV_PN_DEVICE, ts, false);
		if (dst) {
			char who[80];

			model_device_label(m, src, who, sizeof(who));
			mdev_event(m, dst, MODEL_EV_NAME, ts,
				   "DCP Set from %s%s%.*s", who,
				   (c->fields & DCP_F_NAME) ? " name=" : "",
				   (c->fields & DCP_F_NAME) ?
				   (int)c->name_len : 0,
				   (const char *)c->name_of_station);
		}
		break;
	default:
		break;
	}
}

/* The cyclic FrameIDs a device sends, in order of first sight. */
static void note_frame_id(struct model_device *src, uint16_t frame_id)
{
	unsigned int i;

	for (i = 0; i < src->nframe_ids; i++)
		if (src->frame_ids[i] == frame_id)
			return;
	if (i < MODEL_MAX_FRAME_IDS)
		src->frame_ids[src->nframe_ids++] = frame_id;
}

/*
 * The known device a cyclic frame goes to.  It is nearly always the one
 * the link's last frame went to, and a device's MAC never changes, so
 * comparing with that one's MAC spares a lookup.
 */
static struct model_device *link_dst(struct model *m,
				     const struct model_link *l,
				     const uint8_t mac[6])
{
	if (l && l->dst && !memcmp(m->devs[l->dst - 1].mac, mac, 6))
		return &m->devs[l->dst - 1];
	return mdev_by_mac(m, mac, MODEL_DEV_PN_DEVICE, 0, false);
}

/*
 * A device exchanges cyclic data with its controller; a station that
 * sends it to several unicast peers is a controller.  Unlike DCP and
 * PNIO-CM, which pass once at start-up, this holds in any second of a
 * running cell.
 */
static void cyclic_peer(struct model *m, struct model_device *src,
			const uint8_t mac[6], uint64_t ts)
{
	struct mdev_priv *sp = mdev_priv(m, src);
	uint64_t peer = mac48(mac) | 1ULL << 63;

	if (sp->rt_dst == peer)
		return;
	if (!sp->rt_dst) {
		sp->rt_dst = peer;
		return;
	}
	make_controller(m, src, ts, "sends cyclic data to several stations");
}

/* DCE/RPC packet types a client sends: request, ping, ack, cancel */
static bool rpc_from_client(unsigned int t)
{
	return t == 0 || t == 1 || t == 7 || t == 8;
}

/*
 * PNIO-CM: IO devices serve the device interface (DEA00001) and
 * controllers the controller interface (DEA00002, ApplicationReady), so
 * every packet says which end is which, not only the Connect.
 */
static void pn_cm(struct model *m, const struct decoded *d,
		  struct model_device *src, uint64_t ts)
{
	const struct decode_cm *c = &d->cm;
	bool client = rpc_from_client(c->rpc_type);
	struct model_device *peer;

	if (c->iface != 1 && c->iface != 2)
		return;
	if (client == (c->iface == 1)) {
		make_controller(m, src, ts, "PNIO-CM client of a device");
		return;
	}
	if (d->dst[0] & 1)
		return;
	peer = mdev_by_mac(m, d->dst, 0, ts, false);
	if (!peer) {
		peer = mdev_by_mac(m, d->dst, MODEL_DEV_PN_CONTROLLER, ts,
				   true);
		if (peer)
			msig_bind(m, peer);
	} else if (peer->kind == MODEL_DEV_PN_DEVICE) {
		make_controller(m, peer, ts, "PNIO-CM peer of a device");
	}
}

/*
 * The flow of a cyclic frame, (source MAC, FrameID) as one key: its
 * sender and link without the two dependent lookups of the key table
 * (the link's key holds the sender's id).  An entry is made once its link
 * exists; links are never removed, and a device with a link is never
 * evicted, so an entry holds for good; the sender's MAC is compared all
 * the same.
 */
static inline uint64_t flow_key(const struct decoded *d)
{
	return mac48(d->src) << 16 | d->pn.frame_id;
}

static inline struct mpn_flow *flow_slot(struct model *m, uint64_t key)
{
	return &m->flows[(key * 0x9E3779B97F4A7C15ULL) >> 56 &
			 (MPN_FLOWS - 1)];
}

static void pn_cyclic(struct model *m, const struct decoded *d,
		      struct model_device *src, struct model_link *l,
		      uint64_t ts, uint16_t flags)
{
	const struct decode_pn *pn = &d->pn;
	struct model_device *dst;
	struct mlink_priv *lp;

	if (!l) {
		l = mlink_get(m, MKEY_PNLINK | (uint64_t)src->id << 16 |
			      pn->frame_id, MODEL_LINK_PN_RT, ts);
		if (l) {
			struct mpn_flow *f = flow_slot(m, flow_key(d));

			f->key = flow_key(d);
			f->dev = src->id;
			f->link = l->id;
		}
	}
	/* a link that has seen frames has had its FrameID noted */
	if (!l || !l->frames)
		note_frame_id(src, pn->frame_id);
	dst = (d->dst[0] & 1) ? NULL : link_dst(m, l, d->dst);
	if (dst && dst->kind == MODEL_DEV_PN_DEVICE &&
	    (dst->has & MODEL_HAS_NAME) && !(src->has & MODEL_HAS_NAME))
		make_controller(m, src, ts, "sends cyclic data to a device");
	/* a link has one peer: look once, when it is new */
	if (!(d->dst[0] & 1) && (!l || !l->frames))
		cyclic_peer(m, src, d->dst, ts);
	if (!l)
		return;
	lp = mlink_priv(m, l);
	l->src = src->id;
	l->dst = dst ? dst->id : 0;
	mdev_priv(m, src)->linked = 1;
	if (dst)
		mdev_priv(m, dst)->linked = 1;
	l->frame_id = pn->frame_id;
	l->frames++;
	l->last_ns = ts;
	mlink_interval(m, l, ts, flags);
	if (pn->has_status) {
		if (lp->have_cc) {
			uint16_t delta = (uint16_t)(pn->cycle_counter -
						    l->cycle_counter);

			/* learn the usual step, then count missing ones */
			if (delta == lp->cc_step) {
				if (lp->cc_votes < 1000)
					lp->cc_votes++;
			} else if (--lp->cc_votes <= 0) {
				lp->cc_step = delta;
				lp->cc_votes = 1;
			}
			if (lp->cc_step && delta > lp->cc_step &&
			    delta % lp->cc_step == 0 && lp->cc_votes > 4) {
				uint64_t lost = delta / lp->cc_step - 1;

				l->lost += lost;
				m->ctr.lost_frames += lost;
				src->errors++;
			}
			if (pn->data_status != l->data_status) {
				l->data_status_changes++;
				if (!(pn->data_status & PN_DS_STATION_OK) ||
				    !(pn->data_status & PN_DS_VALID))
					src->errors++;
			}
		}
		lp->have_cc = 1;
		l->cycle_counter = pn->cycle_counter;
		l->data_status = pn->data_status;
	}
	if (pn->payload)
		msig_pn(m, src, pn->frame_id, pn->payload, pn->payload_len,
			ts);
}

void model_pn_frame(struct model *m, const struct decoded *d, uint64_t ts,
		    uint16_t flags)
{
	struct model_device *src = NULL;
	struct model_link *l = NULL;

	if (d->src[0] & 1)		/* multicast source: bogus */
		return;
	if (d->proto == DECODE_PN_RT) {
		uint64_t key = flow_key(d);
		const struct mpn_flow *f = flow_slot(m, key);

		if (f->dev && f->key == key &&
		    mac48(m->devs[f->dev - 1].mac) == key >> 16) {
			src = &m->devs[f->dev - 1];
			l = &m->links[f->link - 1];
		}
	}
	if (!src)
		src = mdev_by_mac(m, d->src, 0, ts, false);
	if (!src) {
		/* PTCP also comes from switches: only refresh known devices */
		if (d->proto == DECODE_PN_PTCP)
			return;
		src = mdev_by_mac(m, d->src, MODEL_DEV_PN_DEVICE, ts, true);
		if (!src)
			return;
		msig_bind(m, src);
	}
	if (src->kind != MODEL_DEV_PN_DEVICE &&
	    src->kind != MODEL_DEV_PN_CONTROLLER)
		return;
	mdev_seen(m, src, ts);
	if (d->anomalies)
		src->errors++;
	switch (d->proto) {
	case DECODE_PN_DCP:
		pn_dcp(m, d, src, ts);
		break;
	case DECODE_PN_RT:
		if (d->pn.class == PN_CLASS_RT1 || d->pn.class == PN_CLASS_RT2 ||
		    d->pn.class == PN_CLASS_RT3 || d->pn.class == PN_CLASS_UDP)
			pn_cyclic(m, d, src, l, ts, flags);
		break;
	case DECODE_PN_ALARM:
		m->ctr.alarms++;
		src->errors++;
		if (d->alarm.has_notification)
			mdev_event(m, src, MODEL_EV_ALARM, ts,
				   "alarm type %u slot %u subslot 0x%04x",
				   d->alarm.alarm_type, d->alarm.slot,
				   d->alarm.subslot);
		break;
	case DECODE_PNIO_CM:
		pn_cm(m, d, src, ts);
		break;
	default:
		break;
	}
}
